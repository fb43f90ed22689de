"""Ownership under the real engine: every object and audience belongs to exactly one stack and
resource, and nothing is lost, shared or duplicated by accident."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi.automation import errors as auto_errors

from polytomic_components import (
    Connection,
    LinkedInAudiencePipeline,
    LinkedInAudiencePipelineArgs,
    Model,
    NewAudience,
    Sync,
)
from tests.engine.test_pipeline import ACCOUNT, AUDIENCE, existing_connections
from tests.engine.test_resources_lifecycle import changes, pipeline, preview, quiet, up

pytestmark = pytest.mark.engine


def signups(sides: dict[str, str], *, name: str = "signups", audience_name: str = "Trial signups",
            opts: pulumi.ResourceOptions | None = None) -> Any:
    """A pipeline that creates its audience, on existing connections."""
    def program() -> None:
        built = LinkedInAudiencePipeline(name, LinkedInAudiencePipelineArgs(
            model_name="Trial signups", query="SELECT email, first_name FROM users",
            fields={"first_name": "FirstName"},
            create=NewAudience(account=ACCOUNT, type="user_audience", name=audience_name), **sides),
            opts=opts)
        pulumi.export("audience", built.audience_id)
        pulumi.export("sync_id", built.sync_id)
    return program


def output(result: Any, name: str) -> Any:
    return result.outputs[name].value


def engine_text(result: Any) -> str:
    return result.stdout + result.stderr


# --- stack identity -----------------------------------------------------------------------------


def test_two_backends_with_the_same_project_and_stack_names_own_separate_objects(
        polytomic_stack, emulator, tmp_path):
    laptop = polytomic_stack(pipeline(), stack_name="dev", backend=tmp_path / "laptop-state")
    ci = polytomic_stack(pipeline(), stack_name="dev", backend=tmp_path / "ci-state")
    on_laptop, on_ci = up(laptop), up(ci)
    ids = ("snowflake_id", "linkedin_id", "model_id", "sync_id")
    assert {output(on_laptop, k) for k in ids}.isdisjoint({output(on_ci, k) for k in ids})

    laptop.destroy(on_output=quiet)
    left = emulator.state()
    assert (left["connections"], left["models"], left["syncs"]) == (2, 1, 1)
    assert emulator.api("GET", f"/api/syncs/{output(on_ci, 'sync_id')}").status_code == 200
    assert preview(ci).change_summary == {"same": 6}


def test_ten_destroy_up_cycles_of_one_stack_succeed(polytomic_stack, emulator):
    def program() -> None:
        Connection("warehouse", name="Warehouse", type="snowflake",
                   configuration={"account": "a1", "username": "u", "dbname": "d"},
                   secret_configuration={"password": "cycle-password"})

    stack = polytomic_stack(program)
    for _ in range(10):
        stack.up(on_output=quiet)
        assert emulator.state()["connections"] == 1
        stack.destroy(on_output=quiet)
        assert emulator.state()["connections"] == 0


# --- audiences outlive syncs --------------------------------------------------------------------


def test_renaming_a_pipeline_with_an_alias_keeps_its_audience_and_its_objects(polytomic_stack, emulator):
    sides = existing_connections(emulator)
    stack = polytomic_stack(signups(sides))
    first = up(stack)
    before = emulator.state()

    stack.workspace.program = signups(sides, name="trial-signups",
                                      opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="signups")]))
    renamed = up(stack)
    assert output(renamed, "audience") == output(first, "audience")
    assert output(renamed, "sync_id") == output(first, "sync_id")
    assert emulator.state() == before


def test_editing_the_create_block_keeps_the_audience_and_the_preview_says_so(polytomic_stack, emulator):
    sides = existing_connections(emulator)
    seeded = emulator.state()["audiences"]
    stack = polytomic_stack(signups(sides))
    first = up(stack)

    stack.workspace.program = signups(sides, audience_name="Trial signups (renamed)")
    planned = stack.preview(on_output=quiet)
    kept = f"keeps syncing into audience {output(first, 'audience')}, which it created"
    assert kept in engine_text(planned)
    edited = up(stack)
    assert output(edited, "audience") == output(first, "audience")
    assert changes(edited) == {"signups-sync": "update"}
    assert emulator.state()["audiences"] == seeded + 1


def test_a_sync_deleted_outside_pulumi_is_recreated_into_the_same_audience(polytomic_stack, emulator):
    sides = existing_connections(emulator)
    seeded = emulator.state()["audiences"]
    stack = polytomic_stack(signups(sides))
    first = up(stack)
    emulator.api("DELETE", f"/api/syncs/{output(first, 'sync_id')}")

    refreshed = stack.refresh(on_output=quiet)
    assert refreshed.summary.resource_changes == {"update": 1, "same": 4}
    again = up(stack)
    assert output(again, "audience") == output(first, "audience")
    assert output(again, "sync_id") != output(first, "sync_id")
    assert emulator.state()["audiences"] == seeded + 1
    assert emulator.state()["syncs"] == 1
    assert preview(stack).change_summary == {"same": 5}


def test_up_without_refresh_after_an_out_of_band_delete_fails_naming_the_fix(polytomic_stack, emulator):
    sides = existing_connections(emulator)
    stack = polytomic_stack(signups(sides))
    first = up(stack)
    emulator.api("DELETE", f"/api/syncs/{output(first, 'sync_id')}")
    stack.workspace.program = signups(sides, audience_name="Edited")
    with pytest.raises(auto_errors.CommandError, match=r"pulumi refresh"):
        stack.up(on_output=quiet)


def test_destroying_a_pipeline_keeps_its_audience_and_says_so(polytomic_stack, emulator):
    sides = existing_connections(emulator)
    stack = polytomic_stack(signups(sides))
    first = up(stack)
    destroyed = stack.destroy(on_output=quiet)
    assert f"audience {output(first, 'audience')} is kept in LinkedIn" in engine_text(destroyed)
    targets = emulator.api("GET", f"/api/connections/{sides['destination_connection_id']}"
                                  "/modelsync/targetobjects").json()["data"]
    assert output(first, "audience") in {t["id"] for t in targets}


def test_a_new_audience_is_announced_in_the_preview(polytomic_stack, emulator):
    stack = polytomic_stack(signups(existing_connections(emulator)))
    planned = stack.preview(on_output=quiet)
    assert "signups-sync: creates a NEW LinkedIn audience 'Trial signups'" in engine_text(planned)


# --- adoption -----------------------------------------------------------------------------------


def test_a_connection_a_model_and_a_sync_are_adopted_without_creating_anything(polytomic_stack, emulator):
    sides = existing_connections(emulator)
    model = emulator.api("POST", "/api/models", json={
        "name": "Users", "connection_id": sides["source_connection_id"],
        "configuration": {"query": "SELECT email, first_name FROM users"}}).json()["data"]
    sync = emulator.api("POST", "/api/syncs", json={
        "name": "Users to LinkedIn", "mode": "create", "schedule": {"frequency": "continuous"},
        "target": {"connection_id": sides["destination_connection_id"], "object": AUDIENCE},
        "identity": {"source": {"model_id": model["id"], "field": "email"}, "target": "Email",
                     "function": "Equality"},
        "fields": [{"source": {"model_id": model["id"], "field": "first_name"}, "target": "FirstName"}],
    }).json()["data"]
    before = emulator.state()

    def program() -> None:
        warehouse = Connection("warehouse", name="Warehouse", type="snowflake",
                               configuration={"account": "a", "username": "u", "dbname": "d"},
                               secret_configuration={"password": "p"},
                               adopt_id=sides["source_connection_id"])
        users = Model("users", name="Users", connection_id=warehouse.id,
                      configuration={"query": "SELECT email, first_name FROM users"}, adopt_id=model["id"])
        adopted = Sync("users-sync", name="Users to LinkedIn", mode="create",
                       target={"connection_id": sides["destination_connection_id"], "object": AUDIENCE},
                       identity={"source": {"model_id": users.id, "field": "email"}, "target": "Email",
                                 "function": "Equality"},
                       fields=[{"source": {"model_id": users.id, "field": "first_name"},
                                "target": "FirstName"}],
                       adopt_id=sync["id"])
        pulumi.export("ids", [warehouse.id, users.id, adopted.id])

    stack = polytomic_stack(program)
    result = up(stack)
    assert output(result, "ids") == [sides["source_connection_id"], model["id"], sync["id"]]
    assert emulator.state() == before
    assert preview(stack).change_summary == {"same": 5}


@pytest.mark.parametrize("kind", ["Connection", "Model", "Sync"])
def test_an_unknown_adopt_id_fails_preview_naming_the_property(polytomic_stack, emulator, kind):
    sides = existing_connections(emulator)
    missing = "00000000-0000-4000-8000-000000000000"

    def program() -> None:
        if kind == "Connection":
            Connection("warehouse", name="W", type="snowflake", adopt_id=missing,
                       configuration={"account": "a", "username": "u", "dbname": "d"},
                       secret_configuration={"password": "p"})
        elif kind == "Model":
            Model("users", name="Users", connection_id=sides["source_connection_id"], adopt_id=missing,
                  configuration={"query": "SELECT email FROM users"})
        else:
            Sync("users-sync", name="S", target={"connection_id": sides["destination_connection_id"],
                                                  "object": AUDIENCE}, fields=[], adopt_id=missing)

    emulator.clear_requests_log()
    with pytest.raises(auto_errors.CommandError, match=f"adopt_id: no {kind.lower()} '{missing}' exists"):
        polytomic_stack(program).preview(on_output=quiet)
    assert emulator.writes() == []


# --- audiences that vanish in LinkedIn ------------------------------------------------------------


def test_a_created_audience_that_vanished_is_reported_by_refresh_and_recreated_by_up(polytomic_stack,
                                                                                     emulator):
    stack = polytomic_stack(signups(existing_connections(emulator)))
    first = up(stack)
    emulator._admin("DELETE", f"audiences/{output(first, 'audience')}")

    refreshed = stack.refresh(on_output=quiet)
    assert refreshed.summary.resource_changes.get("update") == 1
    planned = stack.preview(on_output=quiet)
    assert (f"audience {output(first, 'audience')} no longer exists in LinkedIn; this update creates a "
            "NEW audience from target.create") in engine_text(planned)
    repaired = up(stack)
    assert output(repaired, "audience") != output(first, "audience")
    sync = emulator.api("GET", f"/api/syncs/{output(repaired, 'sync_id')}").json()["data"]
    assert (sync["target"]["object"], sync["problems"]) == (output(repaired, "audience"), [])
    assert preview(stack).change_summary == {"same": 5}


def test_a_given_audience_that_vanished_fails_the_next_up_naming_the_property(polytomic_stack, emulator):
    sides = existing_connections(emulator)

    def program() -> None:
        LinkedInAudiencePipeline("users", LinkedInAudiencePipelineArgs(
            model_name="Users", query="SELECT email FROM users", audience_id=AUDIENCE, **sides))

    stack = polytomic_stack(program)
    up(stack)
    emulator._admin("DELETE", f"audiences/{AUDIENCE}")
    stack.refresh(on_output=quiet)
    with pytest.raises(auto_errors.CommandError, match=r"target\.object: '.*' is not a target"):
        stack.preview(on_output=quiet)


def test_a_new_pipeline_name_without_an_alias_starts_a_new_audience_and_keeps_the_old_one(
        polytomic_stack, emulator):
    sides = existing_connections(emulator)
    stack = polytomic_stack(signups(sides))
    first = up(stack)
    stack.workspace.program = signups(sides, name="signups-2026")
    planned = stack.preview(on_output=quiet)
    assert "signups-2026-sync: creates a NEW LinkedIn audience 'Trial signups'" in engine_text(planned)
    second = up(stack)
    assert output(second, "audience") != output(first, "audience")
    targets = emulator.api("GET", f"/api/connections/{sides['destination_connection_id']}"
                                  "/modelsync/targetobjects").json()["data"]
    assert {output(first, "audience"), output(second, "audience")} <= {t["id"] for t in targets}


def test_a_forced_replace_keeps_the_object_instead_of_deleting_what_the_replacement_uses(
        polytomic_stack, emulator):
    stack = polytomic_stack(signups(existing_connections(emulator)))
    first = up(stack)
    sync_urn = next(r["urn"] for r in stack.export_stack().deployment["resources"]
                    if r["urn"].endswith("::signups-sync"))
    forced = stack.up(replace=[sync_urn], on_output=quiet)
    assert (output(forced, "sync_id"), output(forced, "audience")) == \
        (output(first, "sync_id"), output(first, "audience"))
    assert emulator.api("GET", f"/api/syncs/{output(first, 'sync_id')}").status_code == 200
    assert preview(stack).change_summary == {"same": 5}
