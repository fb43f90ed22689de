"""The providers called directly (as the engine would) against the emulator."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import dill
import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.output import Unknown

from polytomic_components.errors import ConfigurationError, PolytomicError
from polytomic_components.resources import _base
from polytomic_components.resources._base import GONE, idempotency_key
from polytomic_components.resources.connection import ConnectionProvider
from polytomic_components.resources.model import ModelProvider
from polytomic_components.resources.sync import SyncProvider

ACCOUNT = "512630692::urn:li:organization:28818517"
SNOWFLAKE = {
    "name": "Warehouse", "type": "snowflake",
    "configuration": {"account": "uc193736182", "username": "loader", "dbname": "analytics"},
    "secret_configuration": {"password": "hunter2-secret"},
    "redirect_url": None, "force_destroy": False, "resource_key": "proj/dev/Connection/warehouse",
}


def configured(provider: Any, emulator: Any) -> Any:
    config = {"polytomic:apiKey": emulator.api_key, "polytomic:deploymentUrl": emulator.url}
    provider.configure(ConfigureRequest(Config(config, "proj")))
    return provider


def in_a_later_deployment(emulator: Any, kind: type = ConnectionProvider) -> Any:
    """A provider as a later `pulumi` run has it: a new process that has learned nothing yet."""
    for memory in (_base._CREATED, _base._REPLACING, _base._FACTS, _base._CHANGING, _base._READING,
                   _base._ASKED):
        memory.clear()
    return configured(kind(), emulator)


@pytest.fixture
def connections(emulator):
    return configured(ConnectionProvider(), emulator)


def test_check_rejects_a_secret_in_plain_configuration():
    news = {**SNOWFLAKE, "configuration": {**SNOWFLAKE["configuration"], "password": "x"}}
    failures = ConnectionProvider().check({}, news).failures
    assert [f.reason.partition(":")[0] for f in failures] == ["configuration.password"]
    assert "secret_configuration.password" in failures[0].reason


def test_a_nested_property_failure_names_its_path_in_the_reason_not_as_the_engines_property():
    # The engine would print `property configuration.password value {<nil>}`: it looks values up
    # at the top level of the inputs only.
    news = {**SNOWFLAKE, "configuration": {**SNOWFLAKE["configuration"], "password": "x"}}
    [failure] = ConnectionProvider().check({}, news).failures
    assert failure.property == ""
    assert failure.reason.startswith("configuration.password: ")


def test_check_tolerates_values_unknown_during_preview():
    news = {"name": "Users", "connection_id": Unknown(), "configuration": {"query": "SELECT 1"}}
    assert ModelProvider().check({}, news).failures == []


def test_check_fills_sync_defaults_and_canonical_identity_function():
    news = {"name": "s", "mode": "create", "schedule": {"frequency": "continuous", "hour": None},
            "target": {"connection_id": "c", "object": "o"}, "fields": [],
            "identity": {"source": {"model_id": "m", "field": "email"}, "target": "Email",
                         "function": "equality"}}
    inputs = SyncProvider().check({}, news).inputs
    assert inputs["identity"]["function"] == "Equality"
    assert inputs["schedule"] == {"frequency": "continuous"}
    assert (inputs["active"], inputs["sync_all_records"]) == (True, False)


def linkedin_connection(emulator: Any) -> dict[str, Any]:
    return emulator.api("POST", "/api/connections", json={
        "name": "LinkedIn", "type": "linkedinads", "configuration": {
            "client_id": "i", "client_secret": "s", "oauth_refresh_token": "r",
            "accounts": [{"value": ACCOUNT, "label": "Polytomic"}]},
    }).json()["data"]


def snowflake_connection(emulator: Any) -> dict[str, Any]:
    return emulator.api("POST", "/api/connections", json={
        "name": "Warehouse", "type": "snowflake",
        "configuration": {"account": "a", "username": "u", "dbname": "d", "password": "p"}}).json()["data"]


def test_check_refuses_a_mode_the_audience_does_not_support(emulator):
    linkedin = linkedin_connection(emulator)
    news = {"name": "s", "mode": "updateOrCreate", "schedule": {"frequency": "continuous"}, "fields": [],
            "target": {"connection_id": linkedin["id"],
                       "object": "512630692::urn:li:organization:28818517~user_audience.29728401"}}
    failures = configured(SyncProvider(), emulator).check({}, news).failures
    assert [(f.property, f.reason) for f in failures] == [
        ("mode", "mode: 'updateOrCreate' is not supported by this target; use one of: create, remove")]
    assert emulator.writes() == [emulator.requests_log()[0]]  # only the arranging POST


def test_diff_of_unchanged_inputs_reports_no_change():
    olds = {**SNOWFLAKE, "status": "healthy"}
    assert ConnectionProvider().diff("id", olds, dict(SNOWFLAKE)).changes is False


def test_diff_ignores_the_resource_key():
    moved = {**SNOWFLAKE, "resource_key": "proj/other-stack/Connection/warehouse"}
    assert ConnectionProvider().diff("id", SNOWFLAKE, moved).changes is False


def test_diff_replaces_a_connection_whose_type_changes():
    diff = ConnectionProvider().diff("id", SNOWFLAKE, {**SNOWFLAKE, "type": "postgresql"})
    assert (diff.changes, diff.replaces) == (True, ["type"])


def test_diff_updates_a_connection_in_place_when_its_name_changes():
    diff = ConnectionProvider().diff("id", SNOWFLAKE, {**SNOWFLAKE, "name": "Renamed"})
    assert (diff.changes, diff.replaces) == (True, [])


def test_a_sync_moved_to_another_audience_is_updated_in_place_and_the_preview_says_so(capsys):
    olds = {"target": {"connection_id": "c", "object": "a"}, "target_object": "a",
            "resource_key": "proj/dev/Sync/users-sync"}
    news = {"target": {"connection_id": "c", "object": "b"}, "resource_key": "proj/dev/Sync/users-sync"}
    diff = SyncProvider().diff("id", olds, news)
    assert (diff.changes, diff.replaces) == (True, [])
    assert "users-sync: stops syncing into audience a and syncs into b instead" in capsys.readouterr().err


def test_two_stacks_with_the_same_names_send_different_idempotency_keys():
    first = {**SNOWFLAKE, "owner": "stack-identity-1"}
    second = {**SNOWFLAKE, "owner": "stack-identity-2"}
    assert idempotency_key(first, SNOWFLAKE, 0) != idempotency_key(second, SNOWFLAKE, 0)


def test_a_replacement_never_replays_the_creation_of_the_object_it_replaces(connections, emulator):
    first = connections.create(dict(SNOWFLAKE))
    connections.diff(first.id, first.outs, dict(SNOWFLAKE))  # the engine diffs, then replaces
    second = connections.create(dict(SNOWFLAKE))
    assert second.id != first.id
    assert emulator.state()["connections"] == 2


def test_check_of_unchanged_inputs_makes_no_api_call(connections, emulator):
    recorded = connections.check({}, dict(SNOWFLAKE)).inputs
    emulator.clear_requests_log()
    assert connections.check(recorded, dict(SNOWFLAKE)).failures == []
    assert emulator.requests_log() == []


def test_a_sync_recreated_after_an_out_of_band_delete_writes_into_the_audience_it_created(emulator):
    syncs = configured(SyncProvider(), emulator)
    linkedin = linkedin_connection(emulator)
    model = emulator.api("POST", "/api/models", json={
        "name": "Users", "connection_id": snowflake_connection(emulator)["id"],
        "configuration": {"query": "SELECT email FROM users"}}).json()["data"]
    declared = {"name": "s", "mode": "create", "schedule": {"frequency": "continuous"}, "fields": [],
                "identity": {"source": {"model_id": model["id"], "field": "email"}, "target": "Email",
                             "function": "Equality"},
                "target": {"connection_id": linkedin["id"],
                           "create": {"account": ACCOUNT, "type": "user_audience", "name": "Signups"}},
                "resource_key": "proj/dev/Sync/signups-sync", "owner": "identity"}
    created = syncs.create(syncs.check({}, declared).inputs)
    emulator.api("DELETE", f"/api/syncs/{created.id}")

    refreshed = syncs.read(created.id, created.outs)
    assert refreshed.outs[GONE] is True
    replacement = syncs.check({}, declared).inputs  # the engine re-checks a replacement without olds
    assert syncs.diff(created.id, refreshed.outs, replacement).replaces == [GONE]
    again = syncs.create(replacement)
    assert again.id != created.id
    assert again.outs["target_object"] == created.outs["created_object"] == created.outs["target_object"]


def test_create_sends_a_reproducible_idempotency_key(connections, emulator):
    first = connections.create(dict(SNOWFLAKE))
    second = connections.create(dict(SNOWFLAKE))
    assert first.id == second.id
    assert emulator.state()["connections"] == 1
    keys = [r["idempotency_key"] for r in emulator.requests_log() if r["method"] == "POST"]
    assert len(keys) == 2 and keys[0] == keys[1]


def test_create_after_delete_makes_a_new_object_instead_of_replaying_the_deleted_one(connections, emulator):
    first = connections.create(dict(SNOWFLAKE))
    in_a_later_deployment(emulator).delete(first.id, dict(SNOWFLAKE))
    second = connections.create(dict(SNOWFLAKE))
    assert second.id != first.id
    assert emulator.api("GET", f"/api/connections/{second.id}").status_code == 200


def test_outputs_keep_the_users_secret_not_the_mask(connections):
    outs = connections.create(dict(SNOWFLAKE)).outs
    assert outs["secret_configuration"] == {"password": "hunter2-secret"}
    assert "password" not in outs["configuration"]


def test_read_marks_an_object_deleted_outside_pulumi_so_the_next_up_replaces_it(connections, emulator):
    created = connections.create(dict(SNOWFLAKE))
    emulator.api("DELETE", f"/api/connections/{created.id}")
    read = connections.read(created.id, {**SNOWFLAKE, **created.outs})
    assert (read.id, read.outs[GONE], read.inputs[GONE]) == (created.id, True, True)
    assert connections.diff(created.id, read.outs, dict(SNOWFLAKE)).replaces == [GONE]


def test_read_brings_back_an_out_of_band_rename_as_drift(connections, emulator):
    created = connections.create(dict(SNOWFLAKE))
    live = emulator.api("GET", f"/api/connections/{created.id}").json()["data"]
    renamed = {"name": "Renamed in the UI", "type": "snowflake", "configuration": live["configuration"]}
    emulator.api("PUT", f"/api/connections/{created.id}", json=renamed)
    read = connections.read(created.id, {**SNOWFLAKE, **created.outs})
    assert read.inputs["name"] == "Renamed in the UI"
    assert read.inputs["secret_configuration"] == {"password": "hunter2-secret"}


def models_on_a_warehouse(emulator: Any, count: int) -> list[dict[str, Any]]:
    connection_id = snowflake_connection(emulator)["id"]
    return [emulator.api("POST", "/api/models", json={
        "name": f"Users {index}", "connection_id": connection_id,
        "configuration": {"query": "SELECT email FROM users"}}).json()["data"] for index in range(count)]


def refresh_models(emulator: Any, models: list[dict[str, Any]]) -> list[Any]:
    """What a refresh does: a new provider process reads each model of the stack's state."""
    provider = in_a_later_deployment(emulator, ModelProvider)
    return [provider.read(model["id"], {
        "name": model["name"], "connection_id": model["connection_id"],
        "configuration": model["configuration"], "resource_key": f"proj/dev/Model/{model['name']}",
    }) for model in models]


def model_reads(emulator: Any) -> list[str]:
    return [r["path"] for r in emulator.requests_log() if r["path"].startswith("/api/models")]


def test_a_refresh_of_one_model_reads_that_model_and_not_the_organizations_list(emulator):
    models = models_on_a_warehouse(emulator, 1)
    emulator.clear_requests_log()
    refresh_models(emulator, models)
    assert model_reads(emulator) == [f"/api/models/{models[0]['id']}"]


def test_a_refresh_of_many_models_reads_the_organizations_list_once_instead_of_each_model(emulator):
    models = models_on_a_warehouse(emulator, 12)
    emulator.clear_requests_log()
    refresh_models(emulator, models)
    assert model_reads(emulator) == [f"/api/models/{models[0]['id']}", "/api/models"]


def test_a_model_read_from_the_list_reports_drift_as_a_model_read_on_its_own(emulator):
    models = models_on_a_warehouse(emulator, 2)
    renamed = {**{k: models[-1][k] for k in ("connection_id", "configuration")}, "name": "Renamed in the UI"}
    emulator.api("PUT", f"/api/models/{models[-1]['id']}", json=renamed)
    from_the_list = refresh_models(emulator, models)[-1]
    on_its_own = refresh_models(emulator, models[-1:])[0]
    assert from_the_list.inputs["name"] == "Renamed in the UI"
    assert (from_the_list.inputs, from_the_list.outs) == (on_its_own.inputs, on_its_own.outs)


def test_a_model_deleted_outside_pulumi_is_found_gone_when_the_others_are_read_from_the_list(emulator):
    models = models_on_a_warehouse(emulator, 3)
    emulator.api("DELETE", f"/api/models/{models[-1]['id']}")
    reads = refresh_models(emulator, models)
    assert [read.outs.get(GONE, False) for read in reads] == [False, False, True]


def test_delete_of_an_object_already_gone_succeeds(connections, emulator):
    created = connections.create(dict(SNOWFLAKE))
    emulator.api("DELETE", f"/api/connections/{created.id}")
    in_a_later_deployment(emulator).delete(created.id, dict(SNOWFLAKE))


def test_delete_of_a_connection_in_use_names_the_fix(connections, emulator):
    created = connections.create(dict(SNOWFLAKE))
    emulator.api("POST", "/api/models", json={"name": "Users", "connection_id": created.id,
                                              "configuration": {"query": "SELECT email FROM users"}})
    with pytest.raises(ValueError, match="force_destroy=True"):
        in_a_later_deployment(emulator).delete(created.id, dict(SNOWFLAKE))
    assert emulator.state()["connections"] == 1


def test_force_destroy_deletes_a_connection_with_its_dependents(connections, emulator):
    created = connections.create(dict(SNOWFLAKE))
    emulator.api("POST", "/api/models", json={"name": "Users", "connection_id": created.id,
                                              "configuration": {"query": "SELECT email FROM users"}})
    in_a_later_deployment(emulator).delete(created.id, {**SNOWFLAKE, "force_destroy": True})
    assert (emulator.state()["connections"], emulator.state()["models"]) == (0, 0)


def test_an_unconfigured_provider_without_environment_says_how_to_set_the_key(monkeypatch):
    monkeypatch.delenv("POLYTOMIC_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="pulumi config set --secret polytomic:apiKey"):
        ConnectionProvider().create(dict(SNOWFLAKE))


def test_a_provider_pickles_by_reference_so_state_holds_no_code_or_settings():
    pickled = dill.dumps(ConnectionProvider(), recurse=True)
    assert b"polytomic_components.resources.connection" in pickled
    assert len(pickled) < 200


def test_a_forced_replacement_that_replayed_the_old_object_does_not_delete_it(connections, emulator):
    first = connections.create(dict(SNOWFLAKE))
    replacement = connections.create(dict(SNOWFLAKE))  # `--replace`: no diff, the same key
    connections.delete(first.id, {**SNOWFLAKE, **first.outs})  # the engine deletes "the original"
    assert replacement.id == first.id
    assert emulator.api("GET", f"/api/connections/{first.id}").status_code == 200


def test_a_stack_of_thousands_of_resources_serializes_its_providers():
    """Pulumi's SDK leaves a wrapper around pickle's dict writer per serialized provider; a
    provider that pickles no dict never walks them (its own process: the wrappers stay)."""
    script = ("from pulumi.dynamic.dynamic import serialize_provider\n"
              "from polytomic_components.resources.sync import SyncProvider\n"
              "for _ in range(3000):\n"
              "    serialize_provider(SyncProvider())\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_sync_answered_without_the_audience_its_create_block_made_fails_naming_the_guess():
    props = {"target": {"connection_id": "c", "create": {"account": "a", "type": "user_audience",
                                                         "name": "New"}}}
    answered = {"id": "sync-1", "target": {"connection_id": "c"}}

    with pytest.raises(PolytomicError) as failure:
        SyncProvider().computed_outputs(answered, props)

    assert "answered sync sync-1 without `target.object`" in str(failure.value)
    assert "emulator/README.md, 'Guesses'" in str(failure.value) and "doctor" in str(failure.value)
