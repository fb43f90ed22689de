"""The policy pack (polytomic_components/policy) run by the real engine: `pulumi preview --policy-pack`.

Every policy applies only to the stacks in its `stacks` config; these tests name their own throwaway
stack there, as a team names `prod`. Violations are read from the engine's policy events (the JSON
preview leaves them out) and, for the reference project, from the text output users see.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import attrs
import pulumi
import pytest
from pulumi.automation import errors as auto_errors

from polytomic_components import (
    Connection,
    LinkedInAudiencePipeline,
    LinkedInAudiencePipelineArgs,
    LinkedInDestination,
    NewAudience,
)
from polytomic_components.policy import PACK_DIRECTORY
from tests.engine.test_pipeline import CREDENTIALS, existing_connections, new_sides

pytestmark = pytest.mark.engine

ACCOUNT = "512630692::urn:li:organization:28818517"
AUDIENCE = f"{ACCOUNT}~user_audience.29728401"
OTHER_ACCOUNT = "508814420::urn:li:organization:10493027"
DAILY = {"frequency": "daily", "hour": "6", "minute": "0"}
SCOPED_POLICIES = ("production-syncs-kept", "production-audiences-kept", "no-force-destroy",
                   "minimum-schedule-interval", "remove-mode-allowed")
NEW_AUDIENCE = {"audience_id": None,
                "create": NewAudience(account=ACCOUNT, type="user_audience", name="Trial signups")}


@attrs.frozen
class PolicyRun:
    """A preview with the pack: whether it passed, and the violations the engine reported."""

    passed: bool
    violations: list[Any]
    output: str

    def of(self, policy: str) -> list[Any]:
        return [v for v in self.violations if v.policy_name == policy]


def buffered(env: dict[str, str]) -> dict[str, str]:
    """An environment without PYTHONUNBUFFERED, as on users' machines: the pack must start without it."""
    return {k: v for k, v in env.items() if k != "PYTHONUNBUFFERED"}


@pytest.fixture(autouse=True)
def _buffered_python(monkeypatch):
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)


def quiet(_line: str) -> None:
    """Engine output is asserted on through events."""


@pytest.fixture
def sides(emulator) -> dict[str, str]:
    """Existing Snowflake and LinkedIn Ads connections, so a pipeline declares only its model and sync."""
    return existing_connections(emulator)


def pipeline_program(sides: dict[str, str], *, present: bool = True, **args: Any) -> Any:
    """One pipeline `users` (daily, into the seeded audience unless told otherwise)."""
    settings = {"audience_id": AUDIENCE, "schedule": DAILY, **args}

    def program() -> None:
        if present:
            LinkedInAudiencePipeline("users", LinkedInAudiencePipelineArgs(
                model_name="Active users", query="SELECT email, first_name FROM users",
                fields={"first_name": "FirstName"}, **sides, **settings))
    return program


@pytest.fixture
def changed(polytomic_stack, sides):
    """Factory: a stack that ran `up` with `pipeline_program(**first)` and now holds `**then`."""
    def make(first: dict[str, Any], then: dict[str, Any]) -> Any:
        stack = polytomic_stack(pipeline_program(sides, **first))
        stack.up(on_output=quiet)
        stack.workspace.program = pipeline_program(sides, **then)
        return stack
    return make


def policy_preview(stack: Any, tmp_path: Path, **config: Any) -> PolicyRun:
    """`pulumi preview --policy-pack` with this stack as the production one, plus `config` per policy."""
    document = {name: {"stacks": [stack.name]} for name in SCOPED_POLICIES}
    for name, settings in config.items():
        document[name.replace("_", "-")] = {**document[name.replace("_", "-")], **settings}
    config_file = tmp_path / "policy-config.json"
    config_file.write_text(json.dumps(document))
    events: list[Any] = []
    lines: list[str] = []
    stack.workspace.env_vars = buffered(stack.workspace.env_vars)
    try:
        stack.preview(policy_packs=[str(PACK_DIRECTORY)], policy_pack_configs=[str(config_file)],
                      on_event=events.append, on_output=lines.append)
        passed = True
    except auto_errors.CommandError:
        passed = False
    violations = [e.policy_event for e in events if e.policy_event is not None]
    return PolicyRun(passed=passed, violations=violations, output="\n".join(lines))


# --- production-syncs-kept ------------------------------------------------------------------


def test_deleting_a_production_sync_fails_the_preview(changed, emulator, tmp_path):
    stack = changed({}, {"present": False})
    emulator.clear_requests_log()
    run = policy_preview(stack, tmp_path)
    assert not run.passed
    [violation] = run.of("production-syncs-kept")
    assert violation.enforcement_level == "mandatory"
    assert "sync 'users-sync' (pipeline 'users') would be deleted" in violation.message
    assert emulator.writes() == []


def test_deleting_an_allowed_production_pipeline_passes(changed, tmp_path):
    stack = changed({}, {"present": False})
    run = policy_preview(stack, tmp_path, production_syncs_kept={"allow": ["users"]})
    assert run.passed
    assert run.violations == []


def test_a_policy_set_to_advisory_warns_without_failing_the_preview(changed, tmp_path):
    stack = changed({}, {"present": False})
    run = policy_preview(stack, tmp_path, production_syncs_kept={"enforcementLevel": "advisory"})
    assert run.passed
    [violation] = run.of("production-syncs-kept")
    assert violation.enforcement_level == "advisory"


def test_stacks_outside_the_production_list_are_not_checked(changed, tmp_path):
    stack = changed({}, {"mode": "remove", "schedule": {"frequency": "continuous"}, **NEW_AUDIENCE})
    run = policy_preview(stack, tmp_path, **{name: {"stacks": ["prod"]} for name in SCOPED_POLICIES})
    assert run.passed
    assert run.violations == []


# --- production-audiences-kept -------------------------------------------------------------


def test_changing_a_production_audience_fails_the_preview(changed, tmp_path):
    stack = changed({}, NEW_AUDIENCE)
    run = policy_preview(stack, tmp_path)
    assert not run.passed
    [violation] = run.of("production-audiences-kept")
    assert violation.resource_urn.endswith("polytomic:Sync::users-sync")
    assert f"would stop syncing into audience {AUDIENCE} and sync into a NEW audience" in violation.message


def test_an_allowed_production_audience_change_passes(changed, tmp_path):
    stack = changed({}, NEW_AUDIENCE)
    run = policy_preview(stack, tmp_path, production_audiences_kept={"allow": ["users"]})
    assert run.passed
    assert run.violations == []


def test_editing_the_create_block_of_a_new_audience_is_no_audience_change(changed, tmp_path):
    renamed = NewAudience(account=ACCOUNT, type="user_audience", name="Trial signups, renamed")
    stack = changed(NEW_AUDIENCE, {"audience_id": None, "create": renamed})
    run = policy_preview(stack, tmp_path)
    assert run.passed
    assert run.violations == []


def test_a_create_block_for_another_account_is_an_audience_change(polytomic_stack, tmp_path):
    two_accounts = LinkedInDestination(accounts=[ACCOUNT, OTHER_ACCOUNT], **CREDENTIALS)
    sides = {**new_sides(), "destination": two_accounts}
    stack = polytomic_stack(pipeline_program(sides, **NEW_AUDIENCE))
    stack.up(on_output=quiet)
    elsewhere = NewAudience(account=OTHER_ACCOUNT, type="user_audience", name="Trial signups")
    stack.workspace.program = pipeline_program(sides, audience_id=None, create=elsewhere)
    run = policy_preview(stack, tmp_path)
    assert not run.passed
    [violation] = run.of("production-audiences-kept")
    assert "and sync into a NEW audience" in violation.message


# --- no-force-destroy -----------------------------------------------------------------------


def connection_program(*, force_destroy: bool) -> Any:
    def program() -> None:
        Connection("warehouse", name="Warehouse", type="snowflake",
                   configuration={"account": "a", "username": "u", "dbname": "d"},
                   secret_configuration={"password": pulumi.Output.secret("p")},
                   force_destroy=force_destroy)
    return program


def test_force_destroy_on_a_production_connection_fails_the_preview(polytomic_stack, tmp_path):
    run = policy_preview(polytomic_stack(connection_program(force_destroy=True)), tmp_path)
    assert not run.passed
    [violation] = run.of("no-force-destroy")
    assert violation.resource_urn.endswith("polytomic:Connection::warehouse")
    assert "would also delete every model and sync" in violation.message


def test_a_production_connection_without_force_destroy_passes(polytomic_stack, tmp_path):
    run = policy_preview(polytomic_stack(connection_program(force_destroy=False)), tmp_path)
    assert run.passed
    assert run.violations == []


# --- minimum-schedule-interval --------------------------------------------------------------


def test_a_continuous_production_sync_is_an_advisory_warning_by_default(polytomic_stack, sides, tmp_path):
    stack = polytomic_stack(pipeline_program(sides,
                                             schedule={"frequency": "continuous"}))
    run = policy_preview(stack, tmp_path)
    assert run.passed
    [violation] = run.of("minimum-schedule-interval")
    assert violation.enforcement_level == "advisory"
    assert "runs continuous; the minimum interval is hourly" in violation.message


def test_a_sync_more_frequent_than_a_mandatory_minimum_fails_the_preview(polytomic_stack, sides, tmp_path):
    stack = polytomic_stack(pipeline_program(sides,
                                             schedule={"frequency": "hourly", "minute": "5"}))
    run = policy_preview(stack, tmp_path, minimum_schedule_interval={
        "enforcementLevel": "mandatory", "minimumInterval": "daily"})
    assert not run.passed
    [violation] = run.of("minimum-schedule-interval")
    assert "runs hourly; the minimum interval is daily" in violation.message


def test_a_daily_production_sync_meets_the_minimum_interval(polytomic_stack, sides, tmp_path):
    stack = polytomic_stack(pipeline_program(sides))
    run = policy_preview(stack, tmp_path, minimum_schedule_interval={
        "enforcementLevel": "mandatory", "minimumInterval": "daily"})
    assert run.passed
    assert run.of("minimum-schedule-interval") == []


# --- remove-mode-allowed --------------------------------------------------------------------


def test_a_production_sync_in_remove_mode_fails_the_preview(polytomic_stack, sides, tmp_path):
    stack = polytomic_stack(pipeline_program(sides, mode="remove"))
    run = policy_preview(stack, tmp_path)
    assert not run.passed
    [violation] = run.of("remove-mode-allowed")
    assert "'users-sync' (pipeline 'users') is in `remove` mode" in violation.message


def test_remove_mode_passes_for_an_allowed_pipeline(polytomic_stack, sides, tmp_path):
    stack = polytomic_stack(pipeline_program(sides, mode="remove"))
    run = policy_preview(stack, tmp_path, remove_mode_allowed={"allow": ["users"]})
    assert run.passed
    assert run.violations == []


# --- the reference project, as users run it ------------------------------------------------


def test_the_reference_prod_stack_shows_violations_in_the_preview_text(reference_project):
    reference_project = attrs.evolve(reference_project, env=buffered(reference_project.env))
    reference_project.run("stack", "select", "--create", "prod")
    reference_project.run("config", "set", "--path", "pipelines[0].mode", "remove", "--stack", "prod")
    result = reference_project.run("preview", "--stack", "prod", "--policy-pack", str(PACK_DIRECTORY),
                                   check=False)
    assert result.returncode != 0
    assert "❌ polytomic@v" in result.stdout
    assert "[mandatory]  remove-mode-allowed  (pulumi-python:dynamic/polytomic:Sync: " \
           "newsletter-subscribers-sync)" in result.stdout


def test_the_reference_dev_stack_passes_the_pack(reference_project):
    reference_project = attrs.evolve(reference_project, env=buffered(reference_project.env))
    reference_project.run("stack", "select", "--create", "dev")
    result = reference_project.run("preview", "--stack", "dev", "--policy-pack", str(PACK_DIRECTORY))
    assert "✅ polytomic@v" in result.stdout


def test_a_stack_whose_last_deployment_cannot_be_read_fails_the_preview(
        reference_project, pulumi_bin_dir, tmp_path):
    # The engine runs by its full path; the pack's `pulumi stack export` finds this failing one first.
    broken = tmp_path / "broken-cli"
    broken.mkdir()
    (broken / "pulumi").write_text("#!/bin/sh\necho 'error: backend unreachable' >&2\nexit 1\n")
    (broken / "pulumi").chmod(0o755)
    env = buffered(reference_project.env)
    env["PATH"] = f"{broken}{os.pathsep}{env['PATH']}"
    engine = str(pulumi_bin_dir / "pulumi")
    subprocess.run([engine, "stack", "init", "prod", "--non-interactive"],
                   cwd=reference_project.directory, env=env, check=True, capture_output=True)
    result = subprocess.run([engine, "preview", "--stack", "prod", "--non-interactive",
                             "--policy-pack", str(PACK_DIRECTORY)], cwd=reference_project.directory,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    assert "[mandatory]  production-syncs-kept" in result.stdout
    assert "[mandatory]  production-audiences-kept" in result.stdout
    assert "cannot compare" in result.stdout and "backend unreachable" in result.stdout
