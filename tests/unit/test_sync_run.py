"""The first-run gate's provider called as the engine would, against the emulator; its arguments."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from polytomic_components.args import ArgumentError, FirstRun, LinkedInAudiencePipelineArgs, from_config
from polytomic_components.resources.sync_run import (
    DEFAULT_TIMEOUT,
    FirstRunError,
    SyncRunProvider,
    fingerprint,
)

from .test_providers import ACCOUNT, configured, linkedin_connection, snowflake_connection

GATE = {"sync_id": "s-1", "fingerprint": "sha256:1", "timeout": 60,
        "resource_key": "proj/dev/SyncRun/users-first-run", "owner": "identity", "adopt_id": None}


def a_sync(emulator: Any) -> str:
    model = emulator.api("POST", "/api/models", json={
        "name": "Users", "connection_id": snowflake_connection(emulator)["id"],
        "configuration": {"query": "SELECT email FROM users"}}).json()["data"]
    sync = emulator.api("POST", "/api/syncs", json={
        "name": "Users", "mode": "create", "schedule": {"frequency": "manual"}, "fields": [],
        "identity": {"source": {"model_id": model["id"], "field": "email"}, "target": "Email",
                     "function": "Equality"},
        "target": {"connection_id": linkedin_connection(emulator)["id"],
                   "create": {"account": ACCOUNT, "type": "user_audience", "name": "Gated"}},
    }).json()["data"]
    return str(sync["id"])


def executions(emulator: Any, sync_id: str) -> list[dict[str, Any]]:
    return emulator.api("GET", f"/api/syncs/{sync_id}/executions?ascending=true").json()["data"]


# --- the fingerprint ------------------------------------------------------------------------------


def test_equal_settings_in_any_key_order_have_one_fingerprint():
    assert fingerprint({"query": "SELECT 1", "mode": "create"}) == \
        fingerprint({"mode": "create", "query": "SELECT 1"})


def test_a_changed_setting_changes_the_fingerprint():
    assert fingerprint({"query": "SELECT 1"}) != fingerprint({"query": "SELECT 2"})


def test_settings_left_unset_do_not_change_the_fingerprint():
    assert fingerprint({"query": "SELECT 1", "filters": [], "sync_name": None, "overrides": {}}) == \
        fingerprint({"query": "SELECT 1"})


# --- check and diff (what preview sees) -----------------------------------------------------------


@pytest.mark.parametrize("timeout", [0, 1.5, "60", True, 86_401])
def test_check_refuses_a_timeout_that_is_not_whole_seconds_from_1_to_a_day(timeout):
    failures = SyncRunProvider().check({}, {**GATE, "timeout": timeout}).failures
    assert [f.property for f in failures] == ["timeout"]
    assert "whole number of seconds from 1 to 86400" in failures[0].reason


def test_check_tolerates_a_sync_id_unknown_during_preview():
    unknown = {**GATE, "sync_id": Unknown(), "fingerprint": Unknown()}
    assert SyncRunProvider().check({}, unknown).failures == []


def test_check_gives_a_gate_without_timeout_the_default():
    assert SyncRunProvider().check({}, {**GATE, "timeout": None}).inputs["timeout"] == DEFAULT_TIMEOUT


def test_the_same_sync_and_settings_are_no_change_even_with_another_timeout():
    olds = {**GATE, "execution_id": "e-1", "status": "completed", "counts": {"insert": 3}}
    assert SyncRunProvider().diff("e-1", olds, {**GATE, "timeout": 5}).changes is False


def test_changed_settings_are_a_change_and_the_preview_says_up_runs_the_sync(capsys):
    result = SyncRunProvider().diff("e-1", GATE, {**GATE, "fingerprint": "sha256:2"})
    assert (result.changes, result.replaces) == (True, [])
    assert "users-first-run: `up` runs sync s-1 once and waits up to 60 s" in capsys.readouterr().err


def test_another_sync_is_a_change():
    assert SyncRunProvider().diff("e-1", GATE, {**GATE, "sync_id": "s-2"}).changes is True


# --- create and update (what up does) -------------------------------------------------------------


def test_create_runs_the_sync_once_and_returns_its_status_and_counts(emulator):
    sync_id = a_sync(emulator)
    created = configured(SyncRunProvider(), emulator).create({**GATE, "sync_id": sync_id})
    [execution] = executions(emulator, sync_id)
    assert created.id == execution["id"] == created.outs["execution_id"]
    assert created.outs["status"] == "completed"
    assert created.outs["counts"]["insert"] == execution["counts"]["insert"] > 0


def test_update_runs_the_sync_again(emulator):
    sync_id = a_sync(emulator)
    gate = configured(SyncRunProvider(), emulator)
    created = gate.create({**GATE, "sync_id": sync_id})
    updated = gate.update(created.id, created.outs, {**GATE, "sync_id": sync_id, "fingerprint": "sha256:2"})
    assert updated.outs["execution_id"] != created.outs["execution_id"]
    assert len(executions(emulator, sync_id)) == 2


def test_a_failed_run_raises_its_errors_its_execution_and_what_to_do(emulator):
    sync_id = a_sync(emulator)
    emulator._admin("POST", "executions/fail-next",
                    json={"message": "audience is locked", "sync_id": sync_id})
    with pytest.raises(FirstRunError) as failure:
        configured(SyncRunProvider(), emulator).create({**GATE, "sync_id": sync_id})
    [execution] = executions(emulator, sync_id)
    assert str(failure.value).startswith(
        f"the first run of sync {sync_id} (execution {execution['id']}) failed: audience is locked. "
        "The sync is in place as written; fix the cause and run `pulumi up` again")


def test_a_run_past_its_timeout_is_cancelled_and_raises(emulator):
    sync_id = a_sync(emulator)
    emulator._admin("POST", "executions/stall-next", json={"sync_id": sync_id})
    with pytest.raises(FirstRunError, match="did not finish within 1 s and was cancelled"):
        configured(SyncRunProvider(), emulator).create({**GATE, "sync_id": sync_id, "timeout": 1})
    assert [e["status"] for e in executions(emulator, sync_id)] == ["canceled"]


def test_a_run_already_finishing_when_the_gate_starts_is_followed_by_the_gates_own(emulator):
    sync_id = a_sync(emulator)
    emulator.api("POST", f"/api/syncs/{sync_id}/executions", json={})  # not read yet: unfinished
    created = configured(SyncRunProvider(), emulator).create({**GATE, "sync_id": sync_id})
    first, second = executions(emulator, sync_id)
    assert (first["status"], second["status"]) == ("completed", "completed")
    assert created.outs["execution_id"] == second["id"]


def test_a_run_the_gate_did_not_start_is_never_cancelled(emulator):
    sync_id = a_sync(emulator)
    emulator._admin("POST", "executions/stall-next", json={"sync_id": sync_id})
    emulator.api("POST", f"/api/syncs/{sync_id}/executions", json={})
    emulator.api("GET", f"/api/syncs/{sync_id}/status")  # now running, until cancelled
    with pytest.raises(FirstRunError, match=r"which this gate did not start.*nothing was cancelled"):
        configured(SyncRunProvider(), emulator).create({**GATE, "sync_id": sync_id, "timeout": 1})
    assert [e["status"] for e in executions(emulator, sync_id)] == ["running"]


def test_refresh_and_delete_leave_polytomic_alone(emulator):
    sync_id = a_sync(emulator)
    gate = configured(SyncRunProvider(), emulator)
    created = gate.create({**GATE, "sync_id": sync_id})
    emulator.clear_requests_log()
    assert gate.read(created.id, created.outs).outs == created.outs
    gate.delete(created.id, created.outs)
    assert emulator.requests_log() == []


# --- the pipeline argument ------------------------------------------------------------------------


def pipeline(**entry: Any) -> LinkedInAudiencePipelineArgs:
    values = {"name": "users", "query": "SELECT email FROM users", "audience": "a", **entry}
    return from_config(LinkedInAudiencePipelineArgs, values, "pipelines[1]", source_connection_id="s",
                       destination_connection_id="d", source=None, destination=None, sync_name=None)


@pytest.mark.parametrize(("given", "expected"), [
    (True, FirstRun(timeout=DEFAULT_TIMEOUT)), ({"timeout": 300}, FirstRun(timeout=300)),
    ({"timeout": 300.0}, FirstRun(timeout=300)), (False, None), (None, None)])
def test_first_run_in_stack_config(given, expected):
    assert pipeline(first_run=given).first_run == expected


@pytest.mark.parametrize(("given", "message"), [
    ({"timeout": 0},
     "pipelines[1].first_run.timeout: expected a whole number of seconds from 1 to 86400; got 0 (a number)"),
    ({"wait": 5}, "pipelines[1].first_run.wait: unknown key; allowed keys: timeout"),
    ("yes", "pipelines[1].first_run: expected true, false or an object such as {timeout: 300}; got 'yes'")])
def test_a_bad_first_run_names_its_full_key(given, message):
    with pytest.raises(ArgumentError) as error:
        pipeline(first_run=given)
    assert str(error.value) == message


def test_the_settings_the_gate_watches_leave_out_connections_and_the_gate():
    settings = pipeline(first_run=True).sync_settings()
    assert settings["query"] == "SELECT email FROM users"
    assert not {"source", "destination", "first_run"} & set(settings)


def test_the_settings_the_gate_watches_leave_out_secrets():
    args = LinkedInAudiencePipelineArgs(model_name="users", query="SELECT email FROM users", audience_id="a",
                                        source_connection_id="s", destination_connection_id="d",
                                        encryption_passphrase="correct-horse-battery")
    assert "correct-horse-battery" not in repr(args.sync_settings())
