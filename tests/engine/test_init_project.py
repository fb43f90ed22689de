"""`init-project` from nothing: new projects of each language get to a working preview.

A new TypeScript project is given the README's program as it stands (the block after
`<!-- typescript example -->`) and deployed, so the README's instructions are what is tested. New
YAML and Python projects are given one pipeline on existing connections and previewed without an
API key (shape checks only), which loads the provider from the project's own virtualenv.
"""

from __future__ import annotations

import json

import pytest
import yaml

from ..conftest import REPO_ROOT, Project, init_project, project_env, script_bin_dir

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
    env = project_env(engine_env, script_bin_dir("install-pulumi-language-host.sh", "nodejs"))
    directory = tmp_path / "my-pipelines"
    said = init_project(directory, env, "--language", "typescript")
    assert "created a minimal typescript project" in said
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


PIPELINE_ARGS = {
    "modelName": "Trial signups",
    "query": "SELECT email, first_name FROM users",
    "sourceConnectionId": "0a4c7ad1-2b35-4c5e-9d5a-3f0e6b1c2d10",
    "destinationConnectionId": "7f3e2a10-8c4b-4d2e-a1f5-6b7c8d9e0f21",
    "audienceId": "512630692::urn:li:organization:28818517~user_audience.29728401",
    "fields": {"first_name": "FirstName"},
}
PYTHON_PROGRAM = f"""from polytomic_components import LinkedInAudiencePipeline, LinkedInAudiencePipelineArgs

LinkedInAudiencePipeline("trial-signups", LinkedInAudiencePipelineArgs(
    model_name={PIPELINE_ARGS["modelName"]!r}, query={PIPELINE_ARGS["query"]!r},
    source_connection_id={PIPELINE_ARGS["sourceConnectionId"]!r},
    destination_connection_id={PIPELINE_ARGS["destinationConnectionId"]!r},
    audience_id={PIPELINE_ARGS["audienceId"]!r}, fields={PIPELINE_ARGS["fields"]!r}))
"""


def declare_pipeline(directory, language: str) -> None:
    if language == "python":
        (directory / "__main__.py").write_text(PYTHON_PROGRAM)
        return
    settings_file = directory / "Pulumi.yaml"
    settings = yaml.safe_load(settings_file.read_text())
    settings["resources"] = {"trial-signups": {"type": "polytomic:LinkedInAudiencePipeline",
                                               "properties": PIPELINE_ARGS}}
    settings_file.write_text(yaml.safe_dump(settings, sort_keys=False))


@pytest.mark.parametrize("language", ["yaml", "python"])
def test_a_new_project_previews_a_pipeline(engine_env, tmp_path, language):
    hosts = [script_bin_dir("install-pulumi-yaml.sh")] if language == "yaml" else []
    env = project_env(engine_env, *hosts)
    directory = tmp_path / "my-pipelines"
    init_project(directory, env, "--language", language)
    declare_pipeline(directory, language)

    project = Project(directory, env)
    project.run("stack", "init", "dev")
    try:
        preview = project.run("preview")
        assert "trial-signups-sync" in preview.stdout
        assert "no Polytomic API key is configured" in preview.stdout
    finally:
        project.run("stack", "rm", "--yes", "--force", "dev", check=False)
