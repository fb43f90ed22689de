"""Recovery planning: which object, if any, a pending create made (against the emulator over HTTP,
with deployments shaped as `pulumi stack export` writes them)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from polytomic_components.recovery import RecoveryError, Window, plan_recovery, replay_creates
from polytomic_components.resources.connection import ConnectionProvider
from polytomic_components.resources.model import ModelProvider
from polytomic_components.settings import Settings

PREFIX = "urn:pulumi:dev::polytomic-pipelines::pulumi-python:dynamic/polytomic:"
SNOWFLAKE = {"account": "uc193736182", "username": "loader", "dbname": "analytics"}
QUERY = "SELECT email, first_name FROM users"
ACCOUNT = {"value": "512630692::urn:li:organization:28818517", "label": "Polytomic Inc. (512630692)"}
AUDIENCE = "512630692::urn:li:organization:28818517~user_audience.29728401"
#: How a secret input looks in an export: encrypted, never compared.
CIPHERTEXT = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
              "ciphertext": "v1:AAAA:BBBB"}
OWNER = "b2aa569317e64a4794b1ad9b28ea18a3"
#: Past the 24 h the service keeps an Idempotency-Key.
A_DAY_LATER = datetime.now(timezone.utc) + timedelta(hours=25)


@pytest.fixture
def settings(emulator) -> Settings:
    return Settings(api_key=emulator.api_key, deployment_url=emulator.url)


@pytest.fixture
def warehouse(emulator) -> str:
    """A Snowflake connection that a resource of the state owns."""
    return create(emulator, "connections", {"name": "Warehouse", "type": "snowflake",
                                            "configuration": {**SNOWFLAKE, "password": "pw-1"}})


def create(emulator, collection: str, body: dict[str, Any]) -> str:
    response = emulator.api("POST", f"/api/{collection}", json=body)
    response.raise_for_status()
    return response.json()["data"]["id"]  # type: ignore[no-any-return]


def resource(kind: str, name: str, inputs: dict[str, Any], id_: str | None = None) -> dict[str, Any]:
    """A resource as the export holds it (None inputs left out, as the engine does)."""
    state = {"urn": f"{PREFIX}{kind}::{name}", "custom": True,
             "type": f"pulumi-python:dynamic/polytomic:{kind}",
             "inputs": {"__provider": CIPHERTEXT, "owner": OWNER,
                        "resource_key": f"polytomic-pipelines/dev/{kind}/{name}",
                        **{k: v for k, v in inputs.items() if v is not None}}}
    return {**state, "id": id_, "outputs": state["inputs"]} if id_ else state


def made_by_the_stack(settings: Settings, pending: dict[str, Any],
                      provider: Any = ModelProvider) -> str:
    """The object the interrupted create made: the provider's own create of the pending inputs,
    with the Idempotency-Key of the stack and resource."""
    configured = provider()
    configured.configure(ConfigureRequest(Config({"polytomic:apiKey": settings.api_key,
                                                  "polytomic:deploymentUrl": settings.deployment_url},
                                                 "polytomic")))
    return configured.send_create(pending["inputs"])["id"]  # type: ignore[no-any-return]


def model_inputs(connection_id: str, query: str = QUERY) -> dict[str, Any]:
    return {"name": "Active users", "connection_id": connection_id, "configuration": {"query": query}}


def deployment(*, resources: list[dict[str, Any]], pending: list[dict[str, Any]]) -> dict[str, Any]:
    return {"version": 3, "deployment": {
        "resources": resources,
        "pending_operations": [{"resource": r, "type": "creating"} for r in pending]}}


def with_warehouse(warehouse: str) -> list[dict[str, Any]]:
    return [resource("Connection", "snowflake", {"name": "Warehouse", "type": "snowflake",
                                                 "configuration": SNOWFLAKE}, warehouse)]


def test_a_create_the_service_still_holds_is_replayed_to_the_object_it_made(emulator, settings, warehouse):
    pending = resource("Model", "users-model", model_inputs(warehouse))
    made = made_by_the_stack(settings, pending)
    look_alike = create(emulator, "models", model_inputs(warehouse))  # another stack's, same config
    exported = deployment(resources=with_warehouse(warehouse), pending=[pending])

    plan = plan_recovery(exported, settings)
    assert [(d.action, {c.id for c in d.candidates}) for d in plan.decisions] == [
        ("replay", {made, look_alike})]
    replayed = replay_creates(plan, exported, settings)

    assert [(d.action, d.object_id) for d in replayed.decisions] == [("import", made)]
    assert "replayed" in replayed.decisions[0].reason
    assert emulator.state()["models"] == 2


def test_look_alikes_of_another_stack_are_never_taken(emulator, settings, warehouse):
    """Another backend's stack of the same project, name and config made them; this stack's
    create never reached Polytomic, so the replay makes this stack's own object."""
    look_alike = create(emulator, "models", model_inputs(warehouse))
    pending = resource("Model", "users-model", model_inputs(warehouse))
    exported = deployment(resources=with_warehouse(warehouse), pending=[pending])

    replayed = replay_creates(plan_recovery(exported, settings), exported, settings)

    [decision] = replayed.decisions
    assert decision.action == "import" and decision.object_id not in (None, look_alike)
    assert "another stack's" in decision.reason
    assert emulator.state()["models"] == 2


def test_past_the_key_window_look_alikes_are_refused_and_listed(emulator, settings, warehouse):
    pending = resource("Model", "users-model", model_inputs(warehouse))
    made = {made_by_the_stack(settings, pending), create(emulator, "models", model_inputs(warehouse))}
    exported = deployment(resources=with_warehouse(warehouse), pending=[pending])

    plan = plan_recovery(exported, settings, now=A_DAY_LATER)

    assert [(d.action, {c.id for c in d.candidates}) for d in plan.decisions] == [("refuse", made)]
    assert "--adopt <its id>" in plan.describe() and all(i in plan.describe() for i in made)
    with pytest.raises(RecoveryError):
        plan.recovered(exported)


def test_a_candidate_named_with_adopt_is_imported(emulator, settings, warehouse):
    pending = resource("Model", "users-model", model_inputs(warehouse))
    made = made_by_the_stack(settings, pending)
    create(emulator, "models", model_inputs(warehouse))

    plan = plan_recovery(deployment(resources=with_warehouse(warehouse), pending=[pending]), settings,
                         now=A_DAY_LATER, vouched=[made])

    assert [(d.action, d.object_id) for d in plan.decisions] == [("import", made)]


def test_adopt_of_an_object_that_is_no_candidate_fails(emulator, settings, warehouse):
    pending = resource("Model", "users-model", model_inputs(warehouse))
    other = create(emulator, "models", model_inputs(warehouse, query="SELECT email FROM users"))

    with pytest.raises(RecoveryError, match=f"--adopt {other}"):
        plan_recovery(deployment(resources=with_warehouse(warehouse), pending=[pending]), settings,
                      vouched=[other])


def test_an_object_that_a_resource_of_the_state_owns_is_never_taken(emulator, settings, warehouse):
    made = create(emulator, "models", model_inputs(warehouse))
    owner = resource("Model", "first-model", model_inputs(warehouse), made)
    pending = resource("Model", "second-model", model_inputs(warehouse))
    state = [*with_warehouse(warehouse), owner]

    plan = plan_recovery(deployment(resources=state, pending=[pending]), settings)

    assert [(d.action, d.object_id) for d in plan.decisions] == [("clear", None)]


def test_a_pending_create_that_no_object_matches_is_cleared(emulator, settings, warehouse):
    create(emulator, "models", model_inputs(warehouse, query="SELECT email FROM users"))
    pending = resource("Model", "users-model", model_inputs(warehouse))

    plan = plan_recovery(deployment(resources=with_warehouse(warehouse), pending=[pending]), settings)

    assert [d.action for d in plan.decisions] == ["clear"]
    assert "never reached Polytomic" in plan.describe()


def test_objects_created_before_the_interrupted_update_are_left_alone(emulator, settings, warehouse):
    create(emulator, "models", model_inputs(warehouse))
    time.sleep(0.01)
    interrupted_at = datetime.now(timezone.utc)
    made = create(emulator, "models", model_inputs(warehouse))
    pending = resource("Model", "users-model", model_inputs(warehouse))

    plan = plan_recovery(deployment(resources=with_warehouse(warehouse), pending=[pending]), settings,
                         window=Window(interrupted_at))

    assert [(d.action, [c.id for c in d.candidates]) for d in plan.decisions] == [("replay", [made])]
    assert "1 older ones" in plan.decisions[0].reason


def test_only_older_matches_are_refused_when_an_operation_may_have_run_since_the_crash(
        emulator, settings, warehouse):
    older = create(emulator, "models", model_inputs(warehouse))
    time.sleep(0.01)
    last_finished = datetime.now(timezone.utc)
    pending = resource("Model", "users-model", model_inputs(warehouse))

    plan = plan_recovery(deployment(resources=with_warehouse(warehouse), pending=[pending]), settings,
                         window=Window(last_finished))

    assert [(d.action, [c.id for c in d.candidates]) for d in plan.decisions] == [("refuse", [older])]


def test_only_older_matches_are_not_taken_when_the_user_names_the_crash_time(
        emulator, settings, warehouse):
    create(emulator, "models", model_inputs(warehouse))
    time.sleep(0.01)
    crashed_at = datetime.now(timezone.utc)
    pending = resource("Model", "users-model", model_inputs(warehouse))

    plan = plan_recovery(deployment(resources=with_warehouse(warehouse), pending=[pending]), settings,
                         window=Window(crashed_at, given=True))

    assert [(d.action, d.object_id) for d in plan.decisions] == [("clear", None)]


def test_a_pending_create_of_a_resource_already_in_the_state_is_stale(emulator, settings, warehouse):
    made = create(emulator, "models", model_inputs(warehouse))
    done = resource("Model", "users-model", model_inputs(warehouse), made)

    plan = plan_recovery(deployment(resources=[*with_warehouse(warehouse), done],
                                    pending=[resource("Model", "users-model", model_inputs(warehouse))]),
                         settings)

    assert [(d.action, d.object_id) for d in plan.decisions] == [("clear", None)]


def test_a_duplicate_made_by_a_create_the_state_already_settled_is_listed_not_taken(
        emulator, settings, warehouse):
    made = create(emulator, "models", model_inputs(warehouse))
    duplicate = create(emulator, "models", model_inputs(warehouse))
    done = resource("Model", "users-model", model_inputs(warehouse), made)
    state = [*with_warehouse(warehouse), done]

    plan = plan_recovery(deployment(resources=state, pending=[resource("Model", "users-model",
                                                                        model_inputs(warehouse))]),
                         settings)

    assert [(d.action, [c.id for c in d.candidates]) for d in plan.decisions] == [("refuse", [duplicate])]


def test_a_pending_create_of_a_resource_not_from_this_library_is_refused(settings):
    bucket = {"urn": "urn:pulumi:dev::p::aws:s3/bucket:Bucket::logs", "custom": True,
              "type": "aws:s3/bucket:Bucket", "inputs": {}}

    plan = plan_recovery(deployment(resources=[], pending=[bucket]), settings)

    assert [d.action for d in plan.decisions] == ["refuse"]


def test_a_pending_connection_matches_although_its_secrets_stay_encrypted(emulator, settings):
    made = create(emulator, "connections", {"name": "Warehouse", "type": "snowflake",
                                            "configuration": {**SNOWFLAKE, "password": "pw-2"}})
    pending = resource("Connection", "snowflake", {
        "name": "Warehouse", "type": "snowflake", "configuration": SNOWFLAKE,
        "secret_configuration": CIPHERTEXT, "force_destroy": False})

    plan = plan_recovery(deployment(resources=[], pending=[pending]), settings)

    assert [(d.action, [c.id for c in d.candidates]) for d in plan.decisions] == [("replay", [made])]


def test_a_connection_is_replayed_with_its_secrets_as_the_export_reveals_them(emulator, settings):
    inputs = {"name": "Warehouse", "type": "snowflake", "configuration": SNOWFLAKE,
              "force_destroy": False}
    made = made_by_the_stack(settings, resource("Connection", "snowflake", {
        **inputs, "secret_configuration": {"password": "pw-3"}}), ConnectionProvider)
    revealed = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                "plaintext": '{"password": "pw-3"}'}
    exported = deployment(resources=[], pending=[resource("Connection", "snowflake", {
        **inputs, "secret_configuration": CIPHERTEXT})])
    shown = deployment(resources=[], pending=[resource("Connection", "snowflake", {
        **inputs, "secret_configuration": revealed})])

    replayed = replay_creates(plan_recovery(exported, settings), shown, settings)

    assert [(d.action, d.object_id) for d in replayed.decisions] == [("import", made)]
    assert emulator.state()["connections"] == 1


def test_a_pending_sync_matches_on_its_whole_definition_not_only_its_name(emulator, settings, warehouse):
    linkedin = create(emulator, "connections", {"name": "LinkedIn", "type": "linkedinads", "configuration": {
        "client_id": "i", "client_secret": "s", "oauth_refresh_token": "r", "accounts": [ACCOUNT]}})
    model = create(emulator, "models", model_inputs(warehouse))
    sync = {"name": "Users to LinkedIn", "mode": "create", "schedule": {"frequency": "continuous"},
            "target": {"connection_id": linkedin, "object": AUDIENCE},
            "identity": {"source": {"model_id": model, "field": "email"}, "target": "Email",
                         "function": "Equality"},
            "fields": [{"source": {"model_id": model, "field": "first_name"}, "target": "FirstName"}],
            "active": True, "sync_all_records": False, "skip_initial_backfill": False}
    made = create(emulator, "syncs", sync)
    create(emulator, "syncs", {**sync, "fields": []})  # same name, another definition
    state = [*with_warehouse(warehouse), resource("Model", "users-model", model_inputs(warehouse), model)]
    pending = resource("Sync", "users-sync", sync)

    plan = plan_recovery(deployment(resources=state, pending=[pending]), settings)

    assert [(d.action, [c.id for c in d.candidates]) for d in plan.decisions] == [("replay", [made])]


def test_the_recovered_deployment_records_the_found_object_and_no_pending_operation(
        emulator, settings, warehouse):
    pending = resource("Model", "users-model", model_inputs(warehouse))
    made = made_by_the_stack(settings, pending)
    exported = deployment(resources=with_warehouse(warehouse), pending=[pending])

    plan = replay_creates(plan_recovery(exported, settings), exported, settings)
    recovered = plan.recovered(exported)["deployment"]

    assert recovered["pending_operations"] == []
    assert recovered["resources"][-1] == {**pending, "id": made, "outputs": pending["inputs"]}
    assert exported["deployment"]["pending_operations"]  # the export itself is left as it was


def test_an_interrupted_first_run_is_cleared_for_the_next_up_to_start_again(settings):
    run = resource("SyncRun", "users-first-run", {"sync_id": "s-1", "fingerprint": "f"})

    plan = plan_recovery(deployment(resources=[], pending=[run]), settings)

    assert [(d.action, d.reason) for d in plan.decisions] == [
        ("clear", "nothing of it exists outside the state")]
