"""`pulumi up` through a real reverse proxy that behaves like odd proxies and load balancers.

Each perturbation either leaves the deployment working, or fails it with one line naming the
deployment URL and no traceback; either way Polytomic ends up with no duplicate object, and the
next `up` (through a faithful front end) converges.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi import automation as auto
from pulumi.automation import errors as auto_errors

from tests.conftest import Emulator
from tests.engine.test_resources_lifecycle import pipeline
from tests.front_end import FrontEnd

pytestmark = pytest.mark.engine

DECLARED = {"connections": 2, "models": 1, "syncs": 1}


def _every(method: str, path: str, index: int) -> bool:
    return True


def _creates(method: str, path: str, index: int) -> bool:
    return method == "POST" and path in ("/api/connections", "/api/models", "/api/syncs")


def _first_create_of_each_kind() -> Callable[[str, str, int], bool]:
    seen: set[str] = set()

    def select(method: str, path: str, index: int) -> bool:
        if _creates(method, path, index) and path not in seen:
            seen.add(path)
            return True
        return False
    return select


def counts(emulator: Emulator) -> dict[str, int]:
    state = emulator.state()
    return {kind: state[kind] for kind in DECLARED}


def through(front_end: FrontEnd, polytomic_stack: Callable[..., Any]) -> Any:
    return polytomic_stack(pipeline(), config={
        "polytomic:deploymentUrl": auto.ConfigValue(front_end.url)})


@pytest.mark.parametrize(("perturbation", "select"), [
    ("date-duplicate", _every), ("date-missing", _every), ("date-naive", _every),
    ("date-odd-zone", _every), ("gzip", _every), ("slow-first-byte", _creates),
    ("html-502", _first_create_of_each_kind()), ("html-504", _first_create_of_each_kind()),
    ("retry-after-date", _first_create_of_each_kind()), ("redirect-307", _every),
], ids=lambda value: value if isinstance(value, str) else "")
def test_up_succeeds_without_duplicates_behind_a_front_end_that(perturbation, select, front_end,
                                                                 polytomic_stack, emulator):
    front_end.first_byte_delay = 1.0
    stack = through(front_end, polytomic_stack)
    front_end.perturb(perturbation, select=select)

    stack.up(on_output=lambda _line: None)

    assert front_end.perturbed >= 1
    assert counts(emulator) == DECLARED


@pytest.mark.parametrize(("perturbation", "select", "says"), [
    ("html-504", _creates, "failed with 504: 504 Gateway Timeout"),
    ("reset-mid-body", _creates, "the answer was cut off"),
    ("redirect-307-elsewhere", _every, "redirected (307) to http://127.0.0.1:"),
], ids=lambda value: value if isinstance(value, str) else "")
def test_up_fails_with_one_line_naming_the_deployment_and_the_next_up_converges(
        perturbation, select, says, front_end, polytomic_stack, emulator):
    stack = through(front_end, polytomic_stack)
    front_end.perturb(perturbation, select=select)

    with pytest.raises(auto_errors.CommandError) as failure:
        stack.up(on_output=lambda _line: None)

    output = str(failure.value)
    assert "Traceback" not in output, output[-3000:]
    lines = [line for line in output.splitlines() if says in line]
    assert lines and all(front_end.url in line for line in lines), output[-3000:]
    front_end.perturb(None)
    stack.up(on_output=lambda _line: None)
    assert counts(emulator) == DECLARED
