"""Migration end to end: objects that exist in Polytomic (made as Terraform or a person would,
through the REST API), the migration command, then the real `pulumi` adopting them.

After `pulumi up` the emulator holds the same objects (same ids, nothing new), their settings
intact, and the next `pulumi preview` shows no changes.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT, Project
from tests.unit.test_migration_organization import (
    CREDENTIALS,
    NEWSLETTER,
    PASSWORD,
    QUERY,
    build_pipeline_by_hand,
)
from tests.unit.test_migration_terraform import (
    connection_instance,
    model_instance,
    resource,
    sync_instance,
    terraform_state,
)

pytestmark = pytest.mark.engine

STACK = "adopted"
#: The secret each instruction's origin names, by the setting it replaces.
SECRET_VALUES = {"password": PASSWORD, **CREDENTIALS}


def objects(emulator: Any) -> dict[str, list[str]]:
    """Ids of every connection, model and sync the emulator holds."""
    return {kind: sorted(o["id"] for o in emulator.api("GET", f"/api/{kind}").json()["data"])
            for kind in ("connections", "models", "syncs")}


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m polytomic_components ...`, as a user runs it."""
    result = subprocess.run([sys.executable, "-m", "polytomic_components", *args], cwd=REPO_ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def set_secrets(project: Project, instructions: str) -> list[str]:
    """Run every `pulumi config set --secret` the instructions list, with the real value."""
    keys = []
    for key, origin in re.findall(r"pulumi config set --secret (\S+)\s+# (.+)", instructions):
        setting = origin.rsplit(".", 1)[-1]
        project.run("config", "set", "--secret", key, SECRET_VALUES[setting], "--stack", STACK)
        keys.append(key)
    return keys


def adopt(project: Project, emulator: Any, instructions: str) -> None:
    """`up` the stack as the instructions say; assert it created nothing and previews clean."""
    before = objects(emulator)
    project.run("stack", "select", "--create", STACK)
    set_secrets(project, instructions)
    project.run("up", "--yes", "--skip-preview", "--stack", STACK)
    assert objects(emulator) == before
    emulator.clear_requests_log()
    project.run("preview", "--expect-no-changes", "--stack", STACK)
    assert emulator.writes() == []


@pytest.fixture
def forget_stack() -> Iterator[list[Project]]:
    """Projects whose `adopted` stack is removed after the test, leaving the objects alone."""
    projects: list[Project] = []
    yield projects
    for project in projects:
        project.run("stack", "rm", "--yes", "--force", STACK, check=False)


def terraform_state_of(emulator: Any, ids: dict[str, str], created: dict[str, str] | None = None) -> str:
    """The state Polytomic's Terraform provider would hold for these objects (`created`: the
    `target.create` it was given, which it keeps in state)."""
    def get(path: str) -> dict[str, Any]:
        data: dict[str, Any] = emulator.api("GET", path).json()["data"]
        return data

    sync = get(f"/api/syncs/{ids['sync']}")
    sync["target"]["create"] = created
    return terraform_state(
        resource("polytomic_snowflake_connection", "warehouse",
                 connection_instance(get(f"/api/connections/{ids['snowflake']}"), {"password": PASSWORD})),
        resource("polytomic_linkedinads_connection", "ads",
                 connection_instance(get(f"/api/connections/{ids['linkedin']}"), CREDENTIALS)),
        resource("polytomic_model", "active_users", model_instance(get(f"/api/models/{ids['model']}"))),
        resource("polytomic_sync", "active_users", sync_instance(sync)))


def migrate(emulator: Any, tmp_path: Path, new_audience: dict[str, str] | None = None,
            ) -> tuple[dict[str, str], Path, list[str]]:
    """Objects made as Terraform makes them, their state migrated: ids, output directory, and the
    printed instructions of the program and of the reference stack config."""
    ids = build_pipeline_by_hand(emulator, new_audience=new_audience)
    state = tmp_path / "terraform.tfstate"
    state.write_text(terraform_state_of(emulator, ids, new_audience))
    out = tmp_path / "migrated"
    printed = run_cli("migrate-terraform", str(state), "--out", str(out), "--stack", STACK).stdout
    return ids, out, printed.split("Or instead:")


def generated_project(directory: Path, emulator: Any, engine_env: dict[str, str]) -> Project:
    """The migration's Pulumi project, run with the pulumi CLI against the emulator."""
    return Project(directory, {**engine_env, "POLYTOMIC_DEPLOYMENT_URL": emulator.url,
                               "POLYTOMIC_API_KEY": emulator.api_key})


def test_terraform_state_migrates_to_a_program_that_adopts_everything_and_creates_nothing(
        emulator, engine_env, tmp_path, forget_stack):
    ids, out, (program_steps, _) = migrate(emulator, tmp_path)
    forget_stack.append(generated_project(out, emulator, engine_env))
    adopt(forget_stack[-1], emulator, program_steps)

    sync = emulator.api("GET", f"/api/syncs/{ids['sync']}").json()["data"]
    assert sync["target"]["object"] == NEWSLETTER
    model = emulator.api("GET", f"/api/models/{ids['model']}").json()["data"]
    assert model["configuration"] == {"query": QUERY}


def test_a_sync_whose_audience_terraform_created_keeps_it_and_no_audience_is_created(
        emulator, engine_env, tmp_path, forget_stack):
    new_audience = {"account": "512630692::urn:li:organization:28818517", "type": "user_audience",
                    "name": "Trial signups"}
    ids, out, (program_steps, _) = migrate(emulator, tmp_path, new_audience)
    audience = emulator.api("GET", f"/api/syncs/{ids['sync']}").json()["data"]["target"]["object"]
    audiences = emulator.state()["audiences"]
    forget_stack.append(generated_project(out, emulator, engine_env))
    adopt(forget_stack[-1], emulator, program_steps)

    assert emulator.api("GET", f"/api/syncs/{ids['sync']}").json()["data"]["target"]["object"] == audience
    assert emulator.state()["audiences"] == audiences


def adopt_exported_pipeline(emulator: Any, reference_project: Project,
                            forget_stack: list[Any]) -> dict[str, str]:
    """A pipeline built by hand, exported as the reference project's stack config and adopted by
    its `up`; the ids of what was built."""
    ids = build_pipeline_by_hand(emulator)
    stack_config = reference_project.directory / "stacks" / f"Pulumi.{STACK}.yaml"
    exported = run_cli("export", "--connection", ids["linkedin"], "--stack", STACK,
                       "--out", str(stack_config), env=reference_project.env)
    forget_stack.append(reference_project)
    adopt(reference_project, emulator, exported.stderr)
    return ids


def adopt_migrated_stack(emulator: Any, reference_project: Project, tmp_path: Path,
                         forget_stack: list[Any]) -> None:
    """A Terraform state migrated into the reference project's stack config and adopted by its `up`."""
    _, out, (_, reference_steps) = migrate(emulator, tmp_path)
    config = out / "reference-stack" / f"Pulumi.{STACK}.yaml"
    (reference_project.directory / "stacks" / config.name).write_text(config.read_text())
    forget_stack.append(reference_project)
    adopt(reference_project, emulator, reference_steps)


def test_terraform_state_migrates_to_reference_stack_config_that_adopts_the_pipeline(
        emulator, reference_project, tmp_path, forget_stack):
    adopt_migrated_stack(emulator, reference_project, tmp_path, forget_stack)


def test_an_exported_organization_is_adopted_by_the_reference_project_creating_nothing(
        emulator, reference_project, forget_stack):
    ids = adopt_exported_pipeline(emulator, reference_project, forget_stack)

    sync = emulator.api("GET", f"/api/syncs/{ids['sync']}").json()["data"]
    assert (sync["name"], sync["target"]["object"]) == ("Active users to LinkedIn Ads", NEWSLETTER)


def test_destroying_an_exported_organization_keeps_every_object_made_by_hand(
        emulator, reference_project, forget_stack):
    adopt_exported_pipeline(emulator, reference_project, forget_stack)
    before = objects(emulator)

    destroyed = reference_project.run("destroy", "--yes", "--skip-preview", "--stack", STACK)

    assert objects(emulator) == before
    assert "which this stack adopted" not in destroyed.stdout + destroyed.stderr


def test_destroying_a_migrated_stack_deletes_the_adopted_objects_and_says_so(
        emulator, reference_project, tmp_path, forget_stack):
    adopt_migrated_stack(emulator, reference_project, tmp_path, forget_stack)
    sync_id = next(iter(objects(emulator)["syncs"]))

    destroyed = reference_project.run("destroy", "--yes", "--skip-preview", "--stack", STACK)

    assert f"deletes sync {sync_id}, which this stack adopted" in destroyed.stdout + destroyed.stderr
    assert not objects(emulator)["syncs"] and not objects(emulator)["models"]
