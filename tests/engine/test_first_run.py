"""The first-run gate under the real engine: `up` proves that a new or changed pipeline delivers rows."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.automation import errors as auto_errors

from polytomic_components import LinkedInAudiencePipeline, LinkedInAudiencePipelineArgs, NewAudience

from .test_pipeline import ACCOUNT, existing_connections, quiet
from .test_stack_config import SIGNUPS, set_dev_config, up

pytestmark = pytest.mark.engine

ACTIVE_USERS = "SELECT email, first_name, last_name FROM users WHERE is_active"
ALL_USERS = "SELECT email, first_name, last_name FROM users"


def gated(connections: dict[str, str], *, query: str = ACTIVE_USERS, first_run: Any = True,
          fields: dict[str, str] | None = None) -> Any:
    def program() -> None:
        pipeline = LinkedInAudiencePipeline("users", LinkedInAudiencePipelineArgs(
            model_name="Users", query=query, fields=fields or {"first_name": "FirstName"},
            create=NewAudience(account=ACCOUNT, type="user_audience", name="Gated users"),
            first_run=first_run, **connections))
        pulumi.export("audience", pipeline.audience_id)
        pulumi.export("sync_id", pipeline.sync_id)
        pulumi.export("first_run_status", pipeline.first_run_status)
        pulumi.export("first_run_counts", pipeline.first_run_counts)
    return program


def executions_started(emulator: Any) -> list[dict[str, Any]]:
    return [r for r in emulator.requests_log()
            if r["method"] == "POST" and r["path"].endswith("/executions")]


def executions_of_the_only_sync(emulator: Any) -> list[dict[str, Any]]:
    syncs = emulator.api("GET", "/api/syncs").json()["data"]
    assert len(syncs) == 1, syncs
    return emulator.api("GET", f"/api/syncs/{syncs[0]['id']}/executions").json()["data"]


def member_count(emulator: Any, audience_id: str) -> int:
    audiences = emulator._admin("GET", "audiences")["data"]
    return next(a["member_count"] for a in audiences if a["id"] == audience_id)


def test_up_runs_a_new_pipeline_once_and_exports_the_rows_it_delivered(polytomic_stack, emulator):
    lines: list[str] = []
    stack = polytomic_stack(gated(existing_connections(emulator)))
    outputs = stack.up(on_output=lines.append).outputs

    counts = outputs["first_run_counts"].value
    assert outputs["first_run_status"].value == "completed"
    assert counts["insert"] > 0
    assert counts["total"] == counts["insert"]
    assert member_count(emulator, outputs["audience"].value) == counts["insert"]
    assert len(executions_started(emulator)) == 1
    assert any(f"completed: {counts['insert']} inserted" in line for line in lines), "".join(lines)


def test_an_unchanged_stack_previews_no_change_and_up_starts_no_run(polytomic_stack, emulator):
    stack = polytomic_stack(gated(existing_connections(emulator)))
    stack.up(on_output=quiet)
    emulator.clear_requests_log()

    assert set(stack.preview(on_output=quiet).change_summary) == {"same"}
    stack.up(on_output=quiet)
    assert executions_started(emulator) == []


def test_a_changed_query_runs_the_sync_again_during_up_but_not_during_preview(polytomic_stack, emulator):
    connections = existing_connections(emulator)
    stack = polytomic_stack(gated(connections))
    first = stack.up(on_output=quiet).outputs["first_run_counts"].value
    stack.workspace.program = gated(connections, query=ALL_USERS)
    emulator.clear_requests_log()

    assert stack.preview(on_output=quiet).change_summary.get("update", 0) >= 2  # the model and the gate
    assert executions_started(emulator) == []
    outputs = stack.up(on_output=quiet).outputs
    assert len(executions_started(emulator)) == 1
    again = outputs["first_run_counts"].value
    assert again["insert"] > 0  # the users the first query left out
    assert member_count(emulator, outputs["audience"].value) == first["insert"] + again["insert"]


def test_a_changed_sync_setting_runs_the_sync_again(polytomic_stack, emulator):
    connections = existing_connections(emulator)
    stack = polytomic_stack(gated(connections))
    stack.up(on_output=quiet)
    stack.workspace.program = gated(connections, fields={"first_name": "FirstName", "last_name": "LastName"})
    emulator.clear_requests_log()

    stack.up(on_output=quiet)
    assert len(executions_started(emulator)) == 1


def test_a_failing_run_fails_up_with_its_error_and_execution_and_keeps_the_sync(polytomic_stack, emulator):
    emulator._admin("POST", "executions/fail-next", json={"message": "LinkedIn refused the upload"})
    stack = polytomic_stack(gated(existing_connections(emulator)))

    with pytest.raises(auto_errors.CommandError) as failure:
        stack.up(on_output=quiet)
    [execution] = executions_of_the_only_sync(emulator)
    assert execution["status"] == "failed"
    assert (f"(execution {execution['id']}) failed: LinkedIn refused the upload"
            in str(failure.value))
    assert "run `pulumi up` again" in str(failure.value)
    assert "Traceback" not in str(failure.value)


def test_the_up_after_a_failed_run_runs_the_sync_again(polytomic_stack, emulator):
    emulator._admin("POST", "executions/fail-next", json={"message": "LinkedIn refused the upload"})
    stack = polytomic_stack(gated(existing_connections(emulator)))
    with pytest.raises(auto_errors.CommandError):
        stack.up(on_output=quiet)

    outputs = stack.up(on_output=quiet).outputs
    assert outputs["first_run_status"].value == "completed"
    assert [e["status"] for e in executions_of_the_only_sync(emulator)] == ["completed", "failed"]
    assert emulator.state()["syncs"] == 1


def test_the_up_after_a_failed_run_of_a_changed_query_runs_it_again(polytomic_stack, emulator):
    connections = existing_connections(emulator)
    stack = polytomic_stack(gated(connections))
    stack.up(on_output=quiet)
    stack.workspace.program = gated(connections, query=ALL_USERS)
    emulator._admin("POST", "executions/fail-next", json={"message": "LinkedIn refused the upload"})
    with pytest.raises(auto_errors.CommandError):
        stack.up(on_output=quiet)
    emulator.clear_requests_log()

    assert stack.up(on_output=quiet).outputs["first_run_status"].value == "completed"
    assert len(executions_started(emulator)) == 1


def test_a_run_that_outlasts_the_timeout_is_cancelled_and_fails_up(polytomic_stack, emulator):
    emulator._admin("POST", "executions/stall-next", json={})
    stack = polytomic_stack(gated(existing_connections(emulator), first_run={"timeout": 2}))

    lines: list[str] = []
    with pytest.raises(auto_errors.CommandError) as failure:
        stack.up(on_output=lines.append)
    [execution] = executions_of_the_only_sync(emulator)
    assert f"run {execution['id']} of sync" in "".join(lines)  # progress while it waited
    assert execution["status"] == "canceled"
    assert (f"(execution {execution['id']}) did not finish within 2 s and was cancelled"
            in str(failure.value))
    assert "first_run.timeout" in str(failure.value)



def test_first_run_in_stack_config_gates_the_reference_stack_and_exports_the_run(reference_project, emulator):
    reference_project.run("stack", "select", "--create", "dev")
    set_dev_config(reference_project, pipelines=[{**SIGNUPS, "first_run": {"timeout": 60}}])

    run = up(reference_project)["first_runs"]["trial-signups"]
    assert run["status"] == "completed"
    assert run["counts"]["insert"] > 0
    assert len(executions_started(emulator)) == 1
