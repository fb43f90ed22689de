"""The official Python SDK (PyPI ``polytomic``), pointed at the emulator, with its traffic recorded.

``sdk_call`` runs one SDK method and holds the raw body the emulator answered with to the
response model that very method declares, so the contract is the SDK's own, route by route.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from ..conftest import Emulator
from .conformance import assert_conforms

polytomic = pytest.importorskip("polytomic")


class Recorder:
    """Every response the SDK's HTTP client received, in order."""

    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        self.responses.append(response)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def sdk(emulator: Emulator, recorder: Recorder) -> Iterator[Any]:
    """``polytomic.Polytomic`` at the emulator: the SDK's default version, no retries."""
    http = httpx.Client(timeout=10, event_hooks={"response": [recorder]})
    yield polytomic.Polytomic(base_url=emulator.url, token=emulator.api_key, max_retries=0,
                              httpx_client=http)
    http.close()


@pytest.fixture
def sdk_call(sdk: Any, recorder: Recorder) -> Callable[..., Any]:
    """Call an SDK method; assert the emulator's raw answer matches the method's return type."""

    def call(method: Callable[..., Any], /, **kwargs: Any) -> Any:
        before = len(recorder.responses)
        result = method(**kwargs)
        assert len(recorder.responses) == before + 1, "expected exactly one HTTP exchange"
        response = recorder.responses[-1]
        declared = typing.get_type_hints(method)["return"]
        route = f"{response.request.method} {response.request.url.path}"
        if declared is type(None):
            assert response.status_code in (200, 204) and not response.content, route
        else:
            assert_conforms(response.json(), declared, route)
        return result

    return call
