"""The reference project (Pulumi.yaml, stacks/) run with the pulumi CLI, as platform teams run it."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.engine

NEWSLETTER_AUDIENCE = "512630692::urn:li:organization:28818517~user_audience.29728401"


def test_dev_stack_up_syncs_into_existing_and_new_audiences(reference_project, emulator):
    reference_project.run("stack", "select", "--create", "dev")
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")
    audiences = json.loads(reference_project.run("stack", "output", "audiences", "--json").stdout)
    assert audiences["newsletter-subscribers"] == NEWSLETTER_AUDIENCE

    created = audiences["trial-signups"]
    assert created not in (None, NEWSLETTER_AUDIENCE)
    syncs = emulator.api("GET", "/api/syncs").json()["data"]
    assert sorted(s["target_object"] for s in syncs) == sorted([NEWSLETTER_AUDIENCE, created])
    linkedin_id = syncs[0]["target_connection_id"]
    listed = emulator.api("GET", f"/api/connections/{linkedin_id}/modelsync/targetobjects").json()["data"]
    assert {"id": created, "name": "User Audience: Trial signups (dev)"} in [
        {"id": o["id"], "name": o["name"]} for o in listed]


def test_dev_stack_previews_no_changes_after_up(reference_project, emulator):
    reference_project.run("stack", "select", "--create", "dev")
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")
    emulator.clear_requests_log()
    reference_project.run("preview", "--expect-no-changes", "--stack", "dev")
    assert emulator.writes() == []


def test_destroy_removes_everything_the_stack_made(reference_project, emulator):
    before = emulator.state()
    reference_project.run("stack", "select", "--create", "dev")
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")
    reference_project.run("destroy", "--yes", "--stack", "dev")
    after = emulator.state()
    assert {k: v for k, v in after.items() if k not in ("audiences", "executions")} == \
        {k: v for k, v in before.items() if k not in ("audiences", "executions")}


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_reference_stack_previews_cleanly(reference_project, emulator, stack):
    reference_project.run("stack", "select", "--create", stack)
    result = reference_project.run("preview", "--stack", stack)
    assert "9 to create" in result.stdout or "to create" in result.stdout
    assert emulator.writes() == []


def test_a_wrong_config_value_fails_preview_naming_key_and_stack(reference_project):
    reference_project.run("stack", "select", "--create", "staging")
    reference_project.run("config", "set", "--path", "pipelines[1].create.type", "group_audience",
                          "--stack", "staging")
    result = reference_project.run("preview", "--stack", "staging", check=False)
    assert result.returncode != 0
    assert "stack 'staging'" in result.stdout
    assert "polytomic-pipelines:pipelines[1]" in result.stdout
    assert "group_audience" in result.stdout


def test_an_unchanged_preview_shows_no_changes_and_no_unknown_outputs(reference_project):
    reference_project.run("stack", "select", "--create", "dev")
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")
    result = reference_project.run("preview", "--stack", "dev", "--diff")
    assert "[unknown]" not in result.stdout
    assert "polytomic:" not in result.stdout  # no provider message: nothing costs anything
    assert " ~ " not in result.stdout and " + " not in result.stdout


def test_while_a_sync_updates_the_audiences_output_keeps_every_key_known(reference_project):
    reference_project.run("stack", "select", "--create", "dev")
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")
    reference_project.run("config", "set", "--path", "pipelines[0].mode", "remove", "--stack", "dev")
    planned = reference_project.run("preview", "--stack", "dev", "--diff").stdout
    assert "--outputs:--" not in planned  # neither a key gone nor a value unknown
