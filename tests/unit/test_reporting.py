"""reporting: what a person reads about an error, from any front door — never a Python traceback."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from polytomic_components.errors import ArgumentError, NotFoundError
from polytomic_components.reporting import DEBUG_VARIABLE, message_for, reported
from polytomic_components.resources import _host


@pytest.fixture(autouse=True)
def no_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEBUG_VARIABLE, raising=False)


def raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:
        return caught


def test_an_error_of_the_library_reads_as_its_message():
    error = raised(NotFoundError("no such sync", status=404, method="GET", path="/api/syncs/s-1"))
    assert message_for(error) == str(error)


def test_a_bug_is_one_line_naming_it_a_bug_and_the_file_holding_its_full_trace():
    message = message_for(raised(KeyError("target")))
    assert "\n" not in message and "Traceback" not in message
    assert "a bug" in message and "KeyError: 'target'" in message
    trace = Path(message.split("written to ")[1].split(" ")[0])
    assert "Traceback (most recent call last)" in trace.read_text()
    assert "raise error" in trace.read_text()


def test_the_debug_setting_prints_the_full_trace(monkeypatch):
    monkeypatch.setenv(DEBUG_VARIABLE, "1")
    assert message_for(raised(KeyError("target"))).startswith("Traceback (most recent call last)")


def test_reported_turns_a_bug_into_a_run_error_which_pulumi_prints_without_a_traceback():
    @reported
    def broken() -> None:
        raise KeyError("target")

    with pytest.raises(pulumi.RunError, match="a bug"):
        broken()


def test_reported_lets_the_library_errors_through_unchanged():
    error = ArgumentError("mode", "expected one of create, remove; got 'upsert'")

    @reported
    def refused() -> None:
        raise error

    with pytest.raises(ArgumentError) as caught:
        refused()
    assert caught.value is error


def test_the_library_errors_are_run_errors_so_a_program_ends_with_the_message_alone():
    assert issubclass(ArgumentError, pulumi.RunError)


def test_the_provider_host_formats_a_failed_call_with_the_message():
    formatter = _host._Traceback()
    try:
        raise ArgumentError("adopt_id", "no connection 'c-1' to adopt")
    except ArgumentError:
        assert formatter.format_exc() == "adopt_id: no connection 'c-1' to adopt"
    try:
        raise KeyError("target")
    except KeyError:
        assert "a bug" in formatter.format_exc()
