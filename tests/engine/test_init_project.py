"""`init-project` from nothing: a new TypeScript project, given the README's program, deploys.

The program is taken from the README as it stands (the block after `<!-- typescript example -->`),
so the README's instructions are what is tested.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ..conftest import REPO_ROOT, Project, script_bin_dir

pytestmark = pytest.mark.engine

CONFIG = {
    "snowflakeAccount": "uc193736182",
    "snowflakeUser": "pulumi_dev",
    "snowflakeDatabase": "analytics_dev",
    "linkedinAccount": "512630692::urn:li:organization:28818517",
    "newsletterAudience": "512630692::urn:li:organization:28818517~user_audience.29728401",
}
SECRETS = {"snowflakePassword": "sf-readme-8c21", "linkedinClientId": "li-readme-id-4d0e",
           "linkedinClientSecret": "li-readme-secret-77a3", "linkedinRefreshToken": "li-readme-token-1b9f"}


def readme_typescript_program() -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    after_marker = readme.split("<!-- typescript example -->\n```typescript\n", 1)[1]
    return after_marker.split("```\n", 1)[0]


def test_a_new_typescript_project_with_the_readme_program_deploys(engine_env, emulator, tmp_path):
    env = {k: v for k, v in engine_env.items() if k not in ("PULUMI_PYTHON_CMD", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join([str(script_bin_dir("install-pulumi-language-host.sh", "nodejs")),
                                   env["PATH"]])
    directory = tmp_path / "my-pipelines"
    init = subprocess.run([sys.executable, "-m", "polytomic_components", "init-project", str(directory),
                           "--language", "typescript"], env=env, capture_output=True, text=True, timeout=1200)
    assert init.returncode == 0, init.stdout + init.stderr
    assert "created a minimal typescript project" in init.stdout
    (directory / "index.ts").write_text(readme_typescript_program())

    project = Project(directory, env)
    project.run("stack", "init", "dev")
    for key, value in CONFIG.items():
        project.run("config", "set", key, value)
    for key, value in {**SECRETS, "polytomic:apiKey": emulator.api_key}.items():
        project.run("config", "set", "--secret", key, value)
    project.run("config", "set", "polytomic:deploymentUrl", emulator.url)
    before = emulator.state()
    try:
        project.run("up", "--yes")
        created = json.loads(project.run("stack", "output", "--json").stdout)["trialSignupsAudience"]
        assert created in {a["id"] for a in emulator.audiences()}
        assert emulator.state()["syncs"] == before["syncs"] + 2
    finally:
        project.run("destroy", "--yes", check=False)
        project.run("stack", "rm", "--yes", "--force", "dev", check=False)
