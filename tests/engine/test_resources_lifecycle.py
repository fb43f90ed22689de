"""Connection, Model and Sync under the real engine, against the emulator over HTTP."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from polytomic_components import Connection, Model, Sync

pytestmark = pytest.mark.engine

ACCOUNT = {"value": "512630692::urn:li:organization:28818517", "label": "Polytomic Inc. (512630692)"}
OTHER_ACCOUNT = {"value": "508814420::urn:li:organization:10493027", "label": "Northwind Traders (508814420)"}
AUDIENCE = "512630692::urn:li:organization:28818517~user_audience.29728401"
OTHER_AUDIENCE = "508814420::urn:li:organization:10493027~user_audience.31140115"
SECRETS = {
    "password": "sf-password-9f8e7d6c",
    "client_id": "li-client-id-1a2b3c",
    "client_secret": "li-client-secret-4d5e6f",
    "oauth_refresh_token": "li-refresh-token-7a8b9c",
}
QUERY = "SELECT email, first_name, last_name FROM users"


def quiet(_line: str) -> None:
    """Engine output is asserted on where it matters; elsewhere it is dropped."""


def pipeline(*, query: str = QUERY, audience: str = AUDIENCE, first_name_target: str = "FirstName",
             name: str = "pipeline") -> Any:
    def program() -> None:
        snowflake = Connection(
            f"{name}-snowflake", name="Warehouse", type="snowflake",
            configuration={"account": "uc193736182", "username": "loader", "dbname": "analytics"},
            secret_configuration={"password": SECRETS["password"]})
        linkedin = Connection(
            f"{name}-linkedin", name="LinkedIn Ads", type="linkedinads",
            configuration={"accounts": [ACCOUNT, OTHER_ACCOUNT]},
            secret_configuration={k: v for k, v in SECRETS.items() if k != "password"})
        model = Model(f"{name}-model", name="Active users", connection_id=snowflake.id,
                      configuration={"query": query})
        sync = Sync(
            f"{name}-sync", name="Users to LinkedIn", mode="create",
            target={"connection_id": linkedin.id, "object": audience},
            identity={"source": {"model_id": model.id, "field": "email"}, "target": "Email",
                      "function": "Equality"},
            fields=[{"source": {"model_id": model.id, "field": "first_name"}, "target": first_name_target},
                    {"source": {"model_id": model.id, "field": "last_name"}, "target": "LastName"}])
        pulumi.export("snowflake_id", snowflake.id)
        pulumi.export("linkedin_id", linkedin.id)
        pulumi.export("model_id", model.id)
        pulumi.export("sync_id", sync.id)
        pulumi.export("model_fields", model.field_names)
        pulumi.export("audience", sync.target_object)
    return program


_SECONDARY_OPS = {"same", "create-replacement", "delete-replaced"}


def changes(result: Any) -> dict[str, str]:
    """Resource name → operation (a replacement counted once), from an up or preview's events."""
    ops = {}
    for event in result.engine_events:
        pre = event.resource_pre_event
        if pre and "polytomic:" in pre.metadata.type and pre.metadata.op.value not in _SECONDARY_OPS:
            ops[pre.metadata.urn.rsplit("::", 1)[1]] = pre.metadata.op.value
    return ops


def with_events(operation: Any) -> Any:
    """Run `stack.up` or `stack.preview`, keeping its engine events on the result for `changes`."""
    events: list[Any] = []
    result = operation(on_output=quiet, on_event=events.append)
    result.engine_events = events
    return result


def up(stack: Any) -> Any:
    return with_events(stack.up)


def preview(stack: Any) -> Any:
    return with_events(stack.preview)


def test_up_creates_all_four_and_second_preview_is_clean_with_no_writes(polytomic_stack, emulator):
    stack = polytomic_stack(pipeline())
    result = up(stack)
    assert result.summary.resource_changes == {"create": 6}  # with the stack's identity
    assert result.outputs["model_fields"].value == ["email", "first_name", "last_name"]
    assert result.outputs["audience"].value == AUDIENCE
    sync = emulator.api("GET", f"/api/syncs/{result.outputs['sync_id'].value}").json()["data"]
    assert sync["target"]["object"] == AUDIENCE

    emulator.clear_requests_log()
    again = preview(stack)
    assert again.change_summary == {"same": 6}
    assert emulator.writes() == []


def test_changing_a_mapping_updates_only_the_sync(polytomic_stack):
    stack = polytomic_stack(pipeline())
    up(stack)
    stack.workspace.program = pipeline(first_name_target="Title")
    assert changes(up(stack)) == {"pipeline-sync": "update"}


def test_changing_the_query_updates_only_the_model(polytomic_stack):
    stack = polytomic_stack(pipeline())
    up(stack)
    stack.workspace.program = pipeline(query=QUERY + " WHERE is_active")
    assert changes(up(stack)) == {"pipeline-model": "update"}


def test_moving_a_sync_to_another_audience_updates_it_in_place(polytomic_stack, emulator):
    stack = polytomic_stack(pipeline())
    first = up(stack)
    stack.workspace.program = pipeline(audience=OTHER_AUDIENCE)
    second = up(stack)
    assert changes(second) == {"pipeline-sync": "update"}
    assert second.outputs["sync_id"].value == first.outputs["sync_id"].value
    sync = emulator.api("GET", f"/api/syncs/{first.outputs['sync_id'].value}").json()["data"]
    assert sync["target"]["object"] == OTHER_AUDIENCE


def test_refresh_marks_a_deleted_sync_and_up_recreates_it(polytomic_stack, emulator):
    stack = polytomic_stack(pipeline())
    first = up(stack)
    assert emulator.api("DELETE", f"/api/syncs/{first.outputs['sync_id'].value}").status_code == 204
    refreshed = stack.refresh(on_output=quiet)
    assert refreshed.summary.resource_changes.get("update") == 1
    second = up(stack)
    assert changes(second) == {"pipeline-sync": "replace"}
    new_id = second.outputs["sync_id"].value
    assert new_id != first.outputs["sync_id"].value
    assert emulator.api("GET", f"/api/syncs/{new_id}").status_code == 200


def test_an_edit_behind_pulumis_back_shows_as_drift_and_up_restores_it(polytomic_stack, emulator):
    stack = polytomic_stack(pipeline())
    first = up(stack)
    model_id = first.outputs["model_id"].value
    model = emulator.api("GET", f"/api/models/{model_id}").json()["data"]
    edited = {"name": "Renamed in the UI", "connection_id": model["connection_id"],
              "configuration": model["configuration"]}
    assert emulator.api("PUT", f"/api/models/{model_id}", json=edited).status_code == 200

    stack.refresh(on_output=quiet)
    assert changes(preview(stack)) == {"pipeline-model": "update"}
    up(stack)
    assert emulator.api("GET", f"/api/models/{model_id}").json()["data"]["name"] == "Active users"


def test_an_existing_sync_is_adopted_and_then_managed(polytomic_stack, emulator):
    created = up(polytomic_stack(pipeline())).outputs
    sync_id = created["sync_id"].value
    body = emulator.api("GET", f"/api/syncs/{sync_id}").json()["data"]

    def adopt(name: str) -> Any:
        def program() -> None:
            Sync("adopted", name=name, mode=body["mode"],
                 target={"connection_id": body["target"]["connection_id"], "object": AUDIENCE},
                 identity=body["identity"], fields=body["fields"], adopt_id=sync_id)
        return program

    adopting = polytomic_stack(adopt(body["name"]))
    adopted = up(adopting)
    assert changes(adopted) == {"polytomic-stack-identity": "create", "adopted": "create"}
    assert emulator.state()["syncs"] == 1

    adopting.workspace.program = adopt("Managed now")
    assert changes(up(adopting)) == {"adopted": "update"}
    assert emulator.api("GET", f"/api/syncs/{sync_id}").json()["data"]["name"] == "Managed now"


def test_destroy_leaves_nothing_the_stack_created(polytomic_stack, emulator):
    before = emulator.state()
    stack = polytomic_stack(pipeline())
    up(stack)
    stack.destroy(on_output=quiet)
    assert emulator.state() == before


def test_secrets_never_appear_in_state_or_engine_output(polytomic_stack, backend_text):
    stack = polytomic_stack(pipeline())
    output: list[str] = []
    stack.up(on_output=output.append)
    stack.preview(on_output=output.append, diff=True)
    stack.refresh(on_output=output.append)
    state = backend_text()
    assert stack.name in state  # the backend really holds this stack's state
    text = "\n".join(output)
    for secret in SECRETS.values():
        assert secret not in state
        assert secret not in text


@pytest.mark.parametrize(
    ("program_kwargs", "expected"),
    [
        ({"type": "snowflake", "configuration": {"account": "a", "username": "u", "dbname": "d",
                                                 "password": "in-the-clear"}},
         "configuration.password"),
        ({"type": "snowflake", "configuration": {"username": "u", "dbname": "d"},
          "secret_configuration": {"password": "p"}}, "configuration.account"),
        ({"type": "linkedinads", "configuration": {},
          "secret_configuration": {"client_id": "only-this-one"}}, "secret_configuration"),
    ],
    ids=["secret-in-plain-configuration", "missing-account", "partial-oauth-credentials"],
)
def test_invalid_connection_fails_preview_naming_the_property(polytomic_stack, emulator, program_kwargs,
                                                              expected):
    from pulumi.automation import errors as auto_errors

    def program() -> None:
        Connection("bad", name="Bad", **program_kwargs)

    emulator.clear_requests_log()
    with pytest.raises(auto_errors.CommandError) as failure:
        polytomic_stack(program).preview(on_output=quiet)
    assert expected in str(failure.value)
    assert emulator.writes() == []


@pytest.mark.parametrize(
    ("sync_kwargs", "expected"),
    [
        ({"mode": "upsert"}, "mode: 'upsert' is not allowed"),
        ({"target": {"connection_id": "c", "object": AUDIENCE, "create": {"name": "x"}}}, "not both"),
        ({"schedule": {"frequency": "daily", "hour": "6"}}, "schedule.minute"),
        ({"schedule": {"frequency": "weekly", "hour": "6", "minute": "0", "day_of_week": "funday"}},
         "schedule.day_of_week"),
        ({"identity": {"source": {"model_id": "m", "field": "email"}, "target": "Email",
                       "function": "Fuzzy"}}, "identity.function"),
        ({"fields": [{"target": "FirstName"}]}, "fields[0].source"),
    ],
    ids=["mode", "object-and-create", "daily-without-minute", "bad-day", "identity-function",
         "mapping-without-source"],
)
def test_invalid_sync_fails_preview_naming_the_property(polytomic_stack, sync_kwargs, expected):
    from pulumi.automation import errors as auto_errors

    def program() -> None:
        arguments = {"name": "Bad", "target": {"connection_id": "c", "object": AUDIENCE},
                     "fields": [{"source": {"model_id": "m", "field": "first_name"}, "target": "FirstName"}]}
        Sync("bad", **(arguments | sync_kwargs))

    with pytest.raises(auto_errors.CommandError) as failure:
        polytomic_stack(program).preview(on_output=quiet)
    assert expected in str(failure.value)


def test_up_through_rate_limits_server_errors_and_lost_responses_makes_no_duplicates(
        polytomic_stack, emulator):
    # Concurrent calls make the order of fault draws vary, so rates stay low enough that no call
    # can plausibly exhaust its retries (0.15 ** 6 per request) while some faults surely happen.
    emulator.set_faults(error_429_rate=0.05, error_5xx_rate=0.05, drop_after_commit_rate=0.05,
                        retry_after_seconds=0, seed=11)
    result = up(polytomic_stack(pipeline()))
    emulator.set_faults()
    assert result.summary.resource_changes == {"create": 6}  # with the stack's identity
    assert {k: emulator.state()[k] for k in ("connections", "models", "syncs")} == \
        {"connections": 2, "models": 1, "syncs": 1}
    assert any(r.get("fault") for r in emulator.requests_log())
