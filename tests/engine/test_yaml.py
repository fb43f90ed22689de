"""The reference YAML project (stacks/yaml/) through the `polytomic` component provider.

The project is set up as users set theirs up, by `python -m polytomic_components init-project`, in
a copy away from the checkout. No PULUMI_PYTHON_CMD or PYTHONPATH: the project's own settings must
lead the engine to the provider and its virtualenv.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import REPO_ROOT, Emulator, Project, init_project, project_env, script_bin_dir

pytestmark = pytest.mark.engine

NEWSLETTER_AUDIENCE = "512630692::urn:li:organization:28818517~user_audience.29728401"
SECRETS = {
    "snowflakePassword": "sf-yaml-password-5e1f",
    "linkedinClientId": "li-yaml-client-7a2c",
    "linkedinClientSecret": "li-yaml-secret-93bd",
    "linkedinRefreshToken": "li-yaml-refresh-0c4e",
}


@pytest.fixture(scope="module")
def yaml_env(engine_env: dict[str, str]) -> dict[str, str]:
    """What a user's shell has after `source scripts/bootstrap.sh` and the YAML host's script."""
    return project_env(engine_env, script_bin_dir("install-pulumi-yaml.sh"))


@pytest.fixture(scope="module")
def set_up_yaml_project(yaml_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of stacks/yaml/ after `init-project`, once per module; what it printed is in
    `init-project.out` beside it."""
    directory = tmp_path_factory.mktemp("yaml-init") / "yaml"
    shutil.copytree(REPO_ROOT / "stacks" / "yaml", directory, ignore=shutil.ignore_patterns(".polytomic"))
    (directory.parent / "init-project.out").write_text(init_project(directory, yaml_env))
    return directory


def copy_of_yaml_project(root: Path, env: dict[str, str], set_up: Path) -> Project:
    """A copy of the set-up project in `root`, sharing its provider (`.polytomic/`, which the
    project names by relative paths only)."""
    directory = root / "yaml"
    shutil.copytree(set_up, directory, ignore=shutil.ignore_patterns(".polytomic"))
    (directory / ".polytomic").symlink_to(set_up / ".polytomic")
    return Project(directory, env)


@pytest.fixture
def yaml_project(set_up_yaml_project: Path, yaml_env: dict[str, str], emulator: Emulator,
                 tmp_path: Path) -> Iterator[Project]:
    """The YAML project's `dev` stack against the emulator, secrets set as users set them."""
    project = copy_of_yaml_project(tmp_path, yaml_env, set_up_yaml_project)
    project.run("stack", "init", "dev")
    for key, value in {**SECRETS, "polytomic:apiKey": emulator.api_key}.items():
        project.run("config", "set", "--secret", key, value)
    project.run("config", "set", "polytomic:deploymentUrl", emulator.url)
    yield project
    project.run("destroy", "--yes", check=False)
    project.run("stack", "rm", "--yes", "--force", "dev", check=False)


def outputs(project: Project) -> dict[str, str]:
    return json.loads(project.run("stack", "output", "--json").stdout)


def test_init_project_writes_the_provider_into_the_project_and_says_so(set_up_yaml_project):
    said = (set_up_yaml_project.parent / "init-project.out").read_text()
    assert "wrote the polytomic component provider to .polytomic/plugin/" in said
    assert "kept packages.polytomic: .polytomic/plugin" in said  # stacks/yaml already points there
    assert (set_up_yaml_project / "Pulumi.yaml").read_text() == \
        (REPO_ROOT / "stacks" / "yaml" / "Pulumi.yaml").read_text()


def test_the_provider_runs_from_the_projects_own_virtualenv(set_up_yaml_project):
    venv = set_up_yaml_project / ".polytomic" / "venv"
    script = "import polytomic_components.component_provider.component as c; print(c.__file__)"
    module = subprocess.run([str(venv / "bin" / "python"), "-c", script], cwd=set_up_yaml_project,
                            check=True, capture_output=True, text=True).stdout.strip()
    assert Path(module).is_relative_to(venv)


def test_up_syncs_into_an_existing_and_a_new_audience(yaml_project, emulator):
    yaml_project.run("up", "--yes", "--skip-preview")
    audiences = outputs(yaml_project)
    assert audiences["newsletterAudience"] == NEWSLETTER_AUDIENCE
    created = audiences["trialSignupsAudience"]
    assert created not in (None, NEWSLETTER_AUDIENCE)

    syncs = emulator.api("GET", "/api/syncs").json()["data"]
    assert sorted(s["target_object"] for s in syncs) == sorted([NEWSLETTER_AUDIENCE, created])
    assert len({s["target_connection_id"] for s in syncs}) == 1  # the second reuses the first's
    linkedin_id = syncs[0]["target_connection_id"]
    listed = emulator.api("GET", f"/api/connections/{linkedin_id}/modelsync/targetobjects").json()["data"]
    assert {"id": created, "name": "User Audience: Trial signups (dev)"} in [
        {"id": o["id"], "name": o["name"]} for o in listed]


def test_fields_from_a_yaml_map_reach_the_sync_sorted_by_model_field(yaml_project, emulator):
    yaml_project.run("up", "--yes", "--skip-preview")
    syncs = emulator.api("GET", "/api/syncs").json()["data"]
    trial = next(s for s in syncs if s["target_object"] != NEWSLETTER_AUDIENCE)
    fields = emulator.api("GET", f"/api/syncs/{trial['id']}").json()["data"]["fields"]
    assert [f["source"]["field"] for f in fields] == ["first_name", "last_name", "title"]


def test_preview_after_up_expects_no_changes_writes_nothing_and_warns_of_nothing(yaml_project, emulator):
    yaml_project.run("up", "--yes", "--skip-preview")
    emulator.clear_requests_log()
    previews = [yaml_project.run("preview", "--expect-no-changes")
                for _ in range(2)]  # a map in another order would show as a change on some preview
    assert emulator.writes() == []
    # e.g. "using pulumi-language-yaml from $PATH": the engine wants its hosts beside itself
    assert [p.stdout + p.stderr for p in previews if "warning" in p.stdout + p.stderr] == []


def test_destroy_removes_everything_up_made_but_keeps_the_audiences(yaml_project, emulator):
    before = emulator.state()
    yaml_project.run("up", "--yes", "--skip-preview")
    assert emulator.state()["syncs"] == before["syncs"] + 2
    created = outputs(yaml_project)["trialSignupsAudience"]
    yaml_project.run("destroy", "--yes")
    after = emulator.state()
    assert [after[k] for k in ("connections", "models", "syncs")] == \
        [before[k] for k in ("connections", "models", "syncs")]
    assert created in {a["id"] for a in emulator.audiences()}


def test_no_secret_is_stored_in_plaintext(yaml_project, emulator, backend_text):
    yaml_project.run("up", "--yes", "--skip-preview")
    stored = backend_text() + (yaml_project.directory / "Pulumi.dev.yaml").read_text()
    assert [s for s in [*SECRETS.values(), emulator.api_key] if s in stored] == []


def wrong_preview(project: Project, old: str, new: str) -> str:
    program = project.directory / "Pulumi.yaml"
    program.write_text(program.read_text().replace(old, new))
    result = project.run("preview", check=False)
    assert result.returncode != 0
    return result.stdout + result.stderr


def test_a_wrong_argument_fails_preview_with_the_library_message_at_its_camel_case_path(
        yaml_project, emulator):
    output = wrong_preview(yaml_project, 'schedule: {frequency: daily, hour: "6", minute: "0"}',
                           "schedule: {frequency: weekly, hour: 25, minute: 0}")
    assert "resource 'trial-signups' has a problem" in output
    # Every problem at once, each at the property path the user wrote, numbers as written.
    assert "property schedule.hour with value 25 has a problem: 25 must be a whole number from 0 to 23" \
        in output
    assert "property schedule.dayOfWeek has a problem: is required when schedule.frequency is 'weekly'" \
        in output
    assert "Traceback" not in output and "value {<nil>}" not in output
    assert emulator.writes() == []


def test_a_value_outside_a_schema_enum_fails_preview_listing_the_allowed_values(yaml_project, emulator):
    output = wrong_preview(yaml_project, "        name: Trial signups (dev)\n",
                           "        name: Trial signups (dev)\n      mode: upsert\n")
    # The YAML language host checks the schema's enums itself, before the component runs.
    assert "mode: Cannot assign type 'string' to type 'polytomic:index:AudienceMode'" in output
    assert 'Allowed values are Create ("create"), Remove ("remove")' in output
    assert "Traceback" not in output
    assert emulator.writes() == []
