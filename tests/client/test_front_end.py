"""PolytomicClient behind a real reverse proxy that behaves like odd load balancers and proxies.

Each perturbation either leaves a create working, or makes it fail with one line that names the
deployment URL; never an exception from below the client, and never a second object.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from polytomic_components._transport import default_retry
from polytomic_components.client import PolytomicClient
from polytomic_components.errors import PolytomicError
from polytomic_components.settings import Settings

from ..conftest import Emulator
from ..front_end import FrontEnd

JSON = dict[str, Any]


def _first(method: str, path: str, index: int) -> bool:
    return index == 0


def _every(method: str, path: str, index: int) -> bool:
    return True


@pytest.fixture
def proxied(front_end: FrontEnd, emulator: Emulator) -> PolytomicClient:
    """A client of the emulator through the front end: the real retry policy, short sleeps and
    a read timeout short enough to test (the slow first byte stays within it)."""
    settings = Settings(api_key=emulator.api_key, deployment_url=front_end.url)
    retry = default_retry(total=3, backoff_factor=0.01, backoff_jitter=0.01)
    client = PolytomicClient(settings, retry=retry, timeout=(5.0, 10.0))
    yield client
    client.close()


def _create(client: PolytomicClient, body: JSON, key: str | None = None) -> JSON:
    return client.create_connection(body, idempotency_key=key or f"test-{uuid.uuid4()}")


@pytest.mark.parametrize(("perturbation", "select"), [
    ("date-duplicate", _every), ("date-missing", _every), ("date-naive", _every),
    ("date-odd-zone", _every), ("gzip", _every), ("slow-first-byte", _first),
    ("html-502", _first), ("html-504", _first), ("retry-after-date", _first),
    ("redirect-307", _every),
])
def test_a_create_succeeds_once_behind_a_front_end_that(perturbation: str, select: Callable[..., bool],
                                                        proxied: PolytomicClient, front_end: FrontEnd,
                                                        emulator: Emulator, snowflake_body: JSON) -> None:
    front_end.perturb(perturbation, select=select)

    created = _create(proxied, snowflake_body)

    assert front_end.perturbed >= 1
    assert [c["id"] for c in emulator.api("GET", "/api/connections").json()["data"]] == [created["id"]]


@pytest.mark.parametrize("perturbation", ["date-duplicate", "date-naive", "date-missing"])
def test_a_replayed_create_of_a_deleted_object_is_still_detected_when_the_date_is(
        perturbation: str, proxied: PolytomicClient, front_end: FrontEnd, emulator: Emulator,
        snowflake_body: JSON) -> None:
    key = f"test-{uuid.uuid4()}"
    first = _create(proxied, snowflake_body, key)
    emulator.api("DELETE", f"/api/connections/{first['id']}").raise_for_status()
    front_end.perturb(perturbation)

    with pytest.raises(PolytomicError, match="deleted since"):
        _create(proxied, snowflake_body, key)


@pytest.mark.parametrize(("perturbation", "select", "says"), [
    ("html-502", _every, "failed with 502: 502 Bad Gateway. Polytomic had"),
    ("html-504", _every, "failed with 504: 504 Gateway Timeout"),
    ("reset-mid-body", _first, "the answer was cut off"),
    ("redirect-307-elsewhere", _every, "redirected (307) to http://127.0.0.1:"),
])
def test_a_create_fails_with_one_line_naming_the_deployment_behind_a_front_end_that(
        perturbation: str, select: Callable[..., bool], says: str, proxied: PolytomicClient,
        front_end: FrontEnd, emulator: Emulator, snowflake_body: JSON) -> None:
    front_end.perturb(perturbation, select=select)

    with pytest.raises(PolytomicError) as raised:
        _create(proxied, snowflake_body)

    message = str(raised.value)
    assert "\n" not in message and says in message
    assert f"POST {front_end.url}/api/connections failed" in message
    assert emulator.state()["connections"] <= 1


def test_a_create_cut_off_mid_body_replays_on_the_next_attempt_instead_of_duplicating(
        proxied: PolytomicClient, front_end: FrontEnd, emulator: Emulator, snowflake_body: JSON) -> None:
    key = f"test-{uuid.uuid4()}"
    front_end.perturb("reset-mid-body", select=_first)
    with pytest.raises(PolytomicError):
        _create(proxied, snowflake_body, key)

    again = _create(proxied, snowflake_body, key)

    assert [c["id"] for c in emulator.api("GET", "/api/connections").json()["data"]] == [again["id"]]


def test_a_slow_first_byte_beyond_the_read_timeout_fails_with_one_line(
        front_end: FrontEnd, emulator: Emulator) -> None:
    settings = Settings(api_key=emulator.api_key, deployment_url=front_end.url)
    front_end.first_byte_delay = 1.5
    front_end.perturb("slow-first-byte")
    with PolytomicClient(settings, retry=default_retry(total=1, backoff_factor=0.01),
                         timeout=(5.0, 0.5)) as client, pytest.raises(PolytomicError) as raised:
        client.me()

    assert str(raised.value).startswith(f"GET {front_end.url}/api/me failed: could not get a usable "
                                        "response (timed out waiting for the answer")


def test_a_deployment_url_with_a_wrong_path_is_named_in_the_error(
        front_end: FrontEnd, emulator: Emulator) -> None:
    settings = Settings(api_key=emulator.api_key, deployment_url=front_end.url + "/not-the-api")
    with PolytomicClient(settings) as client, pytest.raises(PolytomicError) as raised:
        client.me()

    assert str(raised.value).startswith(f"GET {front_end.url}/not-the-api/api/me failed with 404")
