"""What `pulumi preview` asks the deployment before anything is written, and `first_run`."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.live


def snapshot(live_account, prefix: str) -> dict[str, object]:
    """Every object of the stack, as the deployment reports it."""
    return {object_id: live_account.data("GET", f"/api/{collection}/{object_id}")
            for collection, object_id, _name in live_account.named(prefix)}


def test_preview_fails_on_a_query_the_warehouse_rejects_and_writes_nothing(
        live_stack, live_account, reused_audience):
    stack = live_stack(lambda prefix: live_account.pipelines_config(prefix, audience=reused_audience))
    stack.up()
    before = snapshot(live_account, stack.prefix)

    stack.configure(live_account.pipelines_config(
        stack.prefix, audience=reused_audience,
        query=f"SELECT email, first_name, last_name FROM {live_account.table}_no_such_table"))
    result = stack.run("preview", check=False)

    assert result.returncode != 0
    assert "configuration" in result.stdout
    assert f"{live_account.table}_no_such_table".lower() in result.stdout.lower()  # in any case
    assert snapshot(live_account, stack.prefix) == before


def test_preview_fails_on_a_target_field_the_audience_lacks_and_writes_nothing(
        live_stack, live_account, reused_audience):
    stack = live_stack(lambda prefix: live_account.pipelines_config(prefix, audience=reused_audience))
    stack.up()
    before = snapshot(live_account, stack.prefix)

    stack.configure(live_account.pipelines_config(stack.prefix, audience=reused_audience,
                                                  fields={"first_name": "NoSuchField"}))
    result = stack.run("preview", check=False)

    assert result.returncode != 0
    assert "fields[0].target: 'NoSuchField' is not a field of this target" in result.stdout
    assert snapshot(live_account, stack.prefix) == before


def test_first_run_runs_a_new_pipeline_once_and_reports_what_it_delivered(
        live_stack, live_account, reused_audience):
    stack = live_stack(lambda prefix: live_account.pipelines_config(
        prefix, audience=reused_audience, first_run={"timeout": 300}))

    first_run = stack.up()["first_runs"][f"{stack.prefix}-users"]

    assert first_run["status"] == "completed"
    assert first_run["counts"]["total"] > 0
    sync_id = next(iter(stack.ids("Sync").values()))
    executions = live_account.data("GET", f"/api/syncs/{sync_id}/executions")
    assert [e["status"] for e in executions] == ["completed"]
