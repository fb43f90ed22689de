"""Where the service checks run, and what they cost, under the real engine.

The engine calls `check` one resource at a time, so a model's query check there is paid in series.
Where a model's inputs are known at preview, its query is still checked in `check` (a bad one fails
`preview`); where they were not (its connection is new in this deployment), the query is checked
just before the model is written, so nothing is written for a bad query either way. Unchanged
stacks, refreshed or not, preview with no API call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from pulumi.automation import errors as auto_errors

from polytomic_components import Connection, Model

pytestmark = pytest.mark.engine

QUERY = "SELECT email, first_name, last_name FROM users"
WAREHOUSE = {"name": "Warehouse", "type": "snowflake",
             "configuration": {"account": "uc193736182", "username": "loader", "dbname": "analytics"},
             "secret_configuration": {"password": "sf-secret"}}


def quiet(_line: str) -> None:
    """Engine output is asserted on where it matters."""


def on_a_new_connection(query: str, required_fields: list[str] | None = None) -> Callable[[], None]:
    def program() -> None:
        warehouse = Connection("warehouse", **WAREHOUSE)
        Model("users", name="Users", connection_id=warehouse.id, configuration={"query": query},
              required_fields=required_fields)
    return program


def on_an_existing_connection(emulator: Any, query: str, models: int = 1) -> Callable[[], None]:
    body = {"name": "Warehouse", "type": "snowflake", "configuration": {
        **WAREHOUSE["configuration"], **WAREHOUSE["secret_configuration"]}}
    connection_id = emulator.api("POST", "/api/connections", json=body).json()["data"]["id"]

    def program() -> None:
        for index in range(models):
            Model(f"users-{index}", name=f"Users {index}", connection_id=connection_id,
                  configuration={"query": query})
    return program


def calls(emulator: Any, method: str, path: str) -> int:
    return sum(1 for r in emulator.requests_log() if (r["method"], r["path"]) == (method, path))


def test_a_bad_query_on_an_existing_connection_fails_preview(polytomic_stack, emulator):
    stack = polytomic_stack(on_an_existing_connection(emulator, "SELEC email FROM users"))
    emulator.clear_requests_log()
    with pytest.raises(auto_errors.CommandError) as failure:
        stack.preview(on_output=quiet)
    assert "configuration.query" in str(failure.value)
    assert emulator.writes() == []


def test_a_bad_query_on_a_new_connection_fails_up_before_the_model_is_written(polytomic_stack, emulator):
    stack = polytomic_stack(on_a_new_connection("SELEC email FROM users"))
    stack.preview(on_output=quiet)  # the connection's id is unknown at preview: nothing to check yet
    with pytest.raises(auto_errors.CommandError) as failure:
        stack.up(on_output=quiet)
    assert "configuration.query" in str(failure.value)
    assert "nothing was written" in str(failure.value)
    assert "Traceback" not in str(failure.value)  # said as a failed check says it
    assert calls(emulator, "POST", "/api/models") == 0
    assert emulator.state()["models"] == 0


def test_a_required_field_the_query_lacks_on_a_new_connection_fails_up_before_the_model_is_written(
        polytomic_stack, emulator):
    stack = polytomic_stack(on_a_new_connection("SELECT email FROM users", required_fields=["first_name"]))
    with pytest.raises(auto_errors.CommandError) as failure:
        stack.up(on_output=quiet)
    assert "required_fields[0]: 'first_name' is not a field this model's query selects" in str(failure.value)
    assert calls(emulator, "POST", "/api/models") == 0


def test_a_model_on_a_new_connection_has_its_query_checked_once_just_before_its_write(
        polytomic_stack, emulator):
    stack = polytomic_stack(on_a_new_connection(QUERY, required_fields=["email"]))
    emulator.clear_requests_log()
    stack.up(on_output=quiet)
    model_calls = [r["path"] for r in emulator.requests_log() if r["path"].startswith("/api/model")]
    assert model_calls == ["/api/model-preview", "/api/models"]


def test_a_refreshed_unchanged_stack_previews_with_no_api_call(polytomic_stack, emulator):
    stack = polytomic_stack(on_a_new_connection(QUERY, required_fields=["email", "first_name"]))
    stack.up(on_output=quiet)
    stack.refresh(on_output=quiet)
    emulator.clear_requests_log()
    assert stack.preview(on_output=quiet).change_summary == {"same": 4}  # with the stack's identity
    assert emulator.requests_log() == []


def test_an_unchanged_up_after_a_refresh_makes_no_api_call(polytomic_stack, emulator):
    stack = polytomic_stack(on_a_new_connection(QUERY, required_fields=["email"]))
    stack.up(on_output=quiet)
    stack.refresh(on_output=quiet)
    emulator.clear_requests_log()
    assert stack.up(on_output=quiet).summary.resource_changes == {"same": 4}
    assert emulator.requests_log() == []


def test_preview_with_refresh_of_an_unchanged_stack_only_reads(polytomic_stack, emulator):
    stack = polytomic_stack(on_a_new_connection(QUERY, required_fields=["email"]))
    stack.up(on_output=quiet)
    emulator.clear_requests_log()
    assert stack.preview(refresh=True, on_output=quiet).change_summary == {"same": 4}
    assert [r for r in emulator.requests_log() if r["method"] != "GET"] == []


def test_a_query_changed_after_a_refresh_is_checked_again_in_preview(polytomic_stack, emulator):
    stack = polytomic_stack(on_a_new_connection(QUERY))
    stack.up(on_output=quiet)
    stack.refresh(on_output=quiet)
    stack.workspace.program = on_a_new_connection("SELEC email FROM users")  # type: ignore[attr-defined]
    with pytest.raises(auto_errors.CommandError) as failure:
        stack.preview(on_output=quiet)
    assert "configuration.query" in str(failure.value)



def test_the_provider_process_deletes_more_than_four_objects_at_once(polytomic_stack, emulator):
    # Pulumi's dynamic-provider host serves 4 calls at a time unless the provider widens its pool.
    program = on_an_existing_connection(emulator, QUERY, models=8)
    stack = polytomic_stack(program)
    stack.up(on_output=quiet)
    latency = 1.0
    emulator.set_faults(latency_ms=int(latency * 1000))
    emulator.clear_requests_log()
    stack.destroy(on_output=quiet)
    arrivals = sorted(datetime.fromisoformat(r["at"].replace("Z", "+00:00")).timestamp()
                      for r in emulator.requests_log() if r["method"] == "DELETE")
    assert len(arrivals) == 8
    at_once = max(sum(1 for t in arrivals if start <= t < start + 0.9 * latency) for start in arrivals)
    assert at_once > 4
