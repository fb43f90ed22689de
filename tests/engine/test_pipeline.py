"""LinkedInAudiencePipeline under the real engine: the guide's six steps as one resource."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest
import requests
from pulumi.automation import errors as auto_errors

from polytomic_components import (
    LinkedInAudiencePipeline,
    LinkedInAudiencePipelineArgs,
    LinkedInDestination,
    NewAudience,
    SnowflakeSource,
)

pytestmark = pytest.mark.engine

ACCOUNT = "512630692::urn:li:organization:28818517"
NOT_ENABLED_ACCOUNT = "509937215::urn:li:organization:76213840"
AUDIENCE = f"{ACCOUNT}~user_audience.29728401"
CREDENTIALS = {"client_id": "li-client", "client_secret": "li-secret", "oauth_refresh_token": "li-refresh"}


def quiet(_line: str) -> None:
    """Engine output is asserted on where it matters."""


def new_sides(*, interactive: bool = False) -> dict[str, Any]:
    return {
        "source": SnowflakeSource(account="uc193736182", username="loader", dbname="analytics",
                                  password="sf-secret"),
        "destination": LinkedInDestination(accounts=[ACCOUNT], **({} if interactive else CREDENTIALS)),
    }


def program_for(**args: Any) -> Any:
    def program() -> None:
        pipeline = LinkedInAudiencePipeline("users", LinkedInAudiencePipelineArgs(
            model_name="Active users", query="SELECT email, first_name, last_name FROM users",
            fields={"first_name": "FirstName", "last_name": "LastName"}, **args))
        pulumi.export("audience", pipeline.audience_id)
        pulumi.export("sync_id", pipeline.sync_id)
        pulumi.export("auth_url", pipeline.auth_url)
    return program


def existing_connections(emulator: Any) -> dict[str, str]:
    snowflake = emulator.api("POST", "/api/connections", json={
        "name": "Warehouse", "type": "snowflake",
        "configuration": {"account": "a", "username": "u", "dbname": "d", "password": "p"}}).json()["data"]
    linkedin = emulator.api("POST", "/api/connections", json={
        "name": "LinkedIn", "type": "linkedinads",
        "configuration": {**CREDENTIALS, "accounts": [{"value": ACCOUNT, "label": ACCOUNT}]}}).json()["data"]
    return {"source_connection_id": snowflake["id"], "destination_connection_id": linkedin["id"]}


def test_a_pipeline_into_a_new_audience_creates_it_and_syncs_into_it(polytomic_stack, emulator):
    before = emulator.state()
    stack = polytomic_stack(program_for(
        **new_sides(), create=NewAudience(account=ACCOUNT, type="user_audience", name="Trial signups")))
    outputs = stack.up(on_output=quiet).outputs
    audience = outputs["audience"].value
    sync = emulator.api("GET", f"/api/syncs/{outputs['sync_id'].value}").json()["data"]
    assert sync["target"]["object"] == audience
    linkedin_id = sync["target"]["connection_id"]
    listed = emulator.api("GET", f"/api/connections/{linkedin_id}/modelsync/targetobjects").json()["data"]
    assert {"id": audience, "name": "User Audience: Trial signups"} in [
        {"id": o["id"], "name": o["name"]} for o in listed]

    emulator.clear_requests_log()
    assert stack.preview(on_output=quiet).change_summary == {"same": 7}  # with the stack's identity
    assert emulator.writes() == []

    stack.destroy(on_output=quiet)
    after = emulator.state()
    assert [after[k] for k in ("connections", "models", "syncs")] == \
        [before[k] for k in ("connections", "models", "syncs")]


def test_a_pipeline_into_an_existing_audience_on_existing_connections(polytomic_stack, emulator):
    stack = polytomic_stack(program_for(**existing_connections(emulator), audience_id=AUDIENCE))
    outputs = stack.up(on_output=quiet).outputs
    assert outputs["audience"].value == AUDIENCE
    assert emulator.state()["connections"] == 2


def test_an_interactive_linkedin_connection_asks_for_authorization_then_completes(polytomic_stack, emulator):
    stack = polytomic_stack(program_for(**new_sides(interactive=True), audience_id=AUDIENCE))
    with pytest.raises(auto_errors.CommandError) as failure:
        stack.up(on_output=quiet)
    auth_url = re.search(r"not authorized yet\. Open (http\S+) in a browser", str(failure.value)).group(1)
    assert "Authorize" in requests.get(auth_url, timeout=10).text
    assert requests.post(auth_url, timeout=10).status_code == 200  # the person clicks Authorize

    outputs = stack.up(on_output=quiet).outputs
    assert outputs["audience"].value == AUDIENCE


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"create": NewAudience(account=NOT_ENABLED_ACCOUNT, type="user_audience", name="X")},
         f"target.create.account: '{NOT_ENABLED_ACCOUNT}' is not allowed; use one of: {ACCOUNT}"),
        ({"audience_id": f"{ACCOUNT}~user_audience.1"}, "target.object: "),
        ({"audience_id": AUDIENCE, "mode": "remove", "fields": {"title": "JobTitle"}},
         "fields[0].target: 'JobTitle' is not a field of this target; use one of: "),
    ],
    ids=["account-not-enabled", "unknown-audience", "unknown-target-field"],
)
def test_service_facts_fail_preview_before_anything_is_written(polytomic_stack, emulator, args, expected):
    sides = existing_connections(emulator)
    emulator.clear_requests_log()

    def program() -> None:
        LinkedInAudiencePipeline("users", LinkedInAudiencePipelineArgs(
            model_name="Active users", query="SELECT email, first_name, title FROM users",
            **{**sides, "fields": {"first_name": "FirstName"}, **args}))

    with pytest.raises(auto_errors.CommandError) as failure:
        polytomic_stack(program).preview(on_output=quiet)
    assert expected in str(failure.value)
    assert emulator.writes() == []


def test_enabling_an_ad_account_and_moving_a_sync_into_it_in_one_change_passes_preview_and_up(
        polytomic_stack, emulator):
    other_account = "508814420::urn:li:organization:10493027"
    other_audience = f"{other_account}~user_audience.31140115"

    def program_with(accounts: list[str], audience: str) -> Any:
        def program() -> None:
            pipeline = LinkedInAudiencePipeline("users", LinkedInAudiencePipelineArgs(
                model_name="Active users", query="SELECT email, first_name FROM users",
                fields={"first_name": "FirstName"}, audience_id=audience,
                source=new_sides()["source"],
                destination=LinkedInDestination(accounts=accounts, **CREDENTIALS)))
            pulumi.export("audience", pipeline.audience_id)
        return program

    stack = polytomic_stack(program_with([ACCOUNT], AUDIENCE))
    stack.up(on_output=quiet)
    stack.workspace.program = program_with([ACCOUNT, other_account], other_audience)
    emulator.clear_requests_log()
    stack.preview(on_output=quiet)
    assert emulator.writes() == []
    assert stack.up(on_output=quiet).outputs["audience"].value == other_audience


def test_a_preview_without_an_api_key_says_it_checked_shapes_only(inline_stack):
    stack = inline_stack(program_for(**new_sides(), audience_id=AUDIENCE))
    result = stack.preview(on_output=quiet)
    assert "polytomic: warning: no Polytomic API key is configured" in result.stdout + result.stderr


def test_a_stack_that_requires_service_checks_fails_a_preview_without_an_api_key(inline_stack):
    from pulumi import automation as auto

    stack = inline_stack(program_for(**new_sides(), audience_id=AUDIENCE),
                         config={"polytomic:requireServiceChecks": auto.ConfigValue("true")})
    with pytest.raises(auto_errors.CommandError, match="polytomic:requireServiceChecks"):
        stack.preview(on_output=quiet)


def test_an_unchanged_stack_without_an_api_key_previews_with_the_warning_and_no_api_call(
        polytomic_stack, emulator):
    stack = polytomic_stack(program_for(**new_sides(), audience_id=AUDIENCE))
    stack.up(on_output=quiet)
    stack.remove_config("polytomic:apiKey")
    emulator.clear_requests_log()

    result = stack.preview(on_output=quiet)

    assert "polytomic: warning: no Polytomic API key is configured" in result.stdout + result.stderr
    assert set(result.change_summary) == {"same"}
    assert emulator.requests_log() == []


@pytest.mark.parametrize("changed", [False, True], ids=["unchanged", "changed"])
def test_a_malformed_deployment_url_fails_the_preview_at_once(changed, polytomic_stack, emulator):
    from pulumi import automation as auto

    stack = polytomic_stack(program_for(**new_sides(), audience_id=AUDIENCE))
    stack.up(on_output=quiet)
    stack.set_config("polytomic:deploymentUrl", auto.ConfigValue("ftp://polytomic.example.com"))
    if changed:
        stack.workspace.program = program_for(**new_sides(), audience_id=f"{ACCOUNT}~user_audience.40000002")
    emulator.clear_requests_log()

    with pytest.raises(auto_errors.CommandError) as failure:
        stack.preview(on_output=quiet)

    assert "polytomic:deploymentUrl: deployment URL 'ftp://polytomic.example.com' is not an http(s) URL" \
        in str(failure.value)
    assert emulator.requests_log() == []
    stack.set_config("polytomic:deploymentUrl", auto.ConfigValue(emulator.url))  # for the teardown


def test_a_deployment_that_does_not_answer_is_reported_while_the_preview_retries(inline_stack):
    from pulumi import automation as auto

    url = "http://127.0.0.1:9"  # the discard port: nothing listens there
    stack = inline_stack(program_for(**new_sides(), audience_id=AUDIENCE), config={
        "polytomic:apiKey": auto.ConfigValue("test-api-key", secret=True),
        "polytomic:deploymentUrl": auto.ConfigValue(url)})

    try:
        result = stack.preview(on_output=quiet)
        output = result.stdout + result.stderr
    except auto_errors.CommandError as failure:
        output = str(failure)

    assert f"polytomic: no answer from {url} yet; trying again (retry 1)" in output
    assert "Retrying (Retry(" not in output and "Traceback" not in output
