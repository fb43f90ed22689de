"""`preview-summary` on real `pulumi preview --json` output of the reference project.

Each test deploys the dev stack against the emulator, edits the copy's stack config with the CLI as
a pull request would, previews with `--json` and reads the Markdown the command line writes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from polytomic_components.review import read_preview, render
from tests.conftest import REPO_ROOT, Project

pytestmark = pytest.mark.engine

NEWSLETTER_AUDIENCE = "512630692::urn:li:organization:28818517~user_audience.29728401"
NEW_QUERY = "SELECT email, first_name, last_name FROM users WHERE country = 'US'"
EXAMPLE_PREVIEW = REPO_ROOT / "tests" / "unit" / "data" / "preview-example.json"


def deploy_dev(project: Project) -> None:
    project.run("stack", "select", "--create", "dev")
    project.run("up", "--yes", "--skip-preview", "--stack", "dev")


def set_config(project: Project, stack: str, path: str, value: str, *, secret: bool = False) -> None:
    project.run("config", "set", *(["--secret"] if secret else []), "--path", path, value,
                "--stack", stack)


def preview_json(project: Project, stack: str) -> Path:
    """`pulumi preview --json` of `stack`, saved as CI saves it; a failed preview is saved too."""
    result = project.run("preview", "--json", "--stack", stack, check=False)
    path = project.directory / f"preview-{stack}.json"
    path.write_text(result.stdout)
    return path


def summary(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "polytomic_components", "preview-summary", *args],
                            capture_output=True, text=True, check=True, timeout=60, cwd=REPO_ROOT)
    return result.stdout


def section(markdown: str, heading: str) -> str:
    """The text under a `### heading`, up to the next heading of that level."""
    match = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^### |\Z)", markdown, re.S | re.M)
    assert match, f"no section {heading!r} in:\n{markdown}"
    return match.group(1)


def created_audience(project: Project) -> str:
    audiences = json.loads(project.run("stack", "output", "audiences", "--json", "--stack", "dev").stdout)
    return audiences["trial-signups"]


def test_a_changed_query_shows_old_and_new_query_under_its_pipeline(reference_project):
    deploy_dev(reference_project)
    set_config(reference_project, "dev", "pipelines[0].query", NEW_QUERY)
    text = summary(str(preview_json(reference_project, "dev")))
    dev = section(text, "dev")
    pipeline = dev.split("**Pipeline `newsletter-subscribers`**", 1)[1].split("**", 1)[0]
    assert ("- update Model `newsletter-subscribers-model`\n"
            "  - `configuration.query`: `SELECT email, first_name, last_name FROM users WHERE is_active`"
            f" → `{NEW_QUERY}`") in pipeline
    assert "| dev | ok | 0 | 1 | 0 | 0 |" in text
    assert "### Needs attention" not in text


def test_switching_a_pipeline_to_remove_mode_needs_attention(reference_project):
    deploy_dev(reference_project)
    set_config(reference_project, "dev", "pipelines[0].mode", "remove")
    text = summary(str(preview_json(reference_project, "dev")))
    assert ("- **dev**: pipeline `newsletter-subscribers`: sync `newsletter-subscribers-sync` switches "
            f"`mode` to `remove`: it removes the model's rows from audience `{NEWSLETTER_AUDIENCE}`"
            ) in section(text, "Needs attention")
    assert "  - `mode`: `create` → `remove`" in section(text, "dev")


def test_removing_a_pipeline_deletes_its_children_and_names_the_audience_its_sync_wrote_to(
        reference_project):
    deploy_dev(reference_project)
    audience = created_audience(reference_project)
    reference_project.run("config", "rm", "--path", "pipelines[1]", "--stack", "dev")
    text = summary(str(preview_json(reference_project, "dev")))
    assert ("- **dev**: pipeline `trial-signups`: deletes sync `trial-signups-sync`, which writes to "
            f"audience `{audience}`") in section(text, "Needs attention")
    assert ("**Pipeline `trial-signups`** (deleted)\n\n- delete Sync `trial-signups-sync`\n"
            "- delete Model `trial-signups-model`") in section(text, "dev")


def test_changing_a_new_audience_needs_attention_naming_the_audience_the_sync_writes_to(
        reference_project):
    deploy_dev(reference_project)
    audience = created_audience(reference_project)
    set_config(reference_project, "dev", "pipelines[1].create.name", "Trial signups 2026 (dev)")
    text = summary(str(preview_json(reference_project, "dev")))
    attention = [line for line in section(text, "Needs attention").splitlines()
                 if line.startswith("- **dev**: pipeline `trial-signups`: ")]
    assert len(attention) == 1
    assert "sync `trial-signups-sync`" in attention[0]
    assert f"audience `{audience}`" in attention[0]
    assert "  - `target.create.name`: `Trial signups (dev)` → `Trial signups 2026 (dev)`" in section(
        text, "dev")


def test_a_changed_secret_is_reported_without_its_value(reference_project):
    deploy_dev(reference_project)
    set_config(reference_project, "dev", "snowflakePassword", "n3w-Sn0wflake-pw", secret=True)
    preview = preview_json(reference_project, "dev")
    text = summary(str(preview))
    assert "n3w-Sn0wflake-pw" not in preview.read_text() + text
    assert ("**Outside any pipeline**\n\n- update Connection `snowflake`: only secret or internal values "
            "changed (not shown)") in section(text, "dev")


def test_an_unchanged_stack_summarises_as_no_changes(reference_project):
    deploy_dev(reference_project)
    text = summary(str(preview_json(reference_project, "dev")))
    assert section(text, "dev").strip() == "No changes."
    assert "| dev | ok | 0 | 0 | 0 | 0 |" in text


def test_a_failed_preview_shows_its_error(reference_project):
    deploy_dev(reference_project)
    set_config(reference_project, "dev", "pipelines[1].create.type", "group_audience")
    text = summary(str(preview_json(reference_project, "dev")))
    assert "| dev | **failed** |" in text
    assert "- **dev**: the preview failed (error below)" in section(text, "Needs attention")
    error = section(text, "dev")
    assert error.startswith("\nThe preview failed:\n\n```text\nerror: stack 'dev'")
    assert "polytomic-pipelines:pipelines[1]" in error
    assert "group_audience" in error


def test_a_summary_of_three_stacks_has_a_row_and_a_section_per_stack(reference_project):
    deploy_dev(reference_project)
    set_config(reference_project, "dev", "pipelines[0].query", NEW_QUERY)
    for stack in ("staging", "prod"):
        reference_project.run("stack", "select", "--create", stack)
    set_config(reference_project, "prod", "pipelines[0].mode", "sometimes")
    files = {stack: preview_json(reference_project, stack) for stack in ("dev", "staging", "prod")}
    text = summary(*(f"--stack={stack}={path}" for stack, path in files.items()))
    assert text.startswith("## Pulumi preview: 3 stacks\n")
    staging = section(text, "staging")
    staging_creates = staging.count("\n- create ")
    assert staging_creates >= 6  # two connections; a model and a sync per pipeline, and more
    assert re.findall(r"^\| (\w+) \| (.+?) \| (\d+) \|", text, re.M) == [
        ("dev", "ok", "0"), ("staging", "ok", str(staging_creates)), ("prod", "**failed**", "0")]
    assert [h for h in re.findall(r"^### (.+)$", text, re.M) if h != "Needs attention"] == [
        "dev", "staging", "prod"]
    assert "`configuration.query`" in section(text, "dev")
    assert "**Pipeline `trial-signups`** (created)" in section(text, "staging")
    assert "sometimes" in section(text, "prod")


def test_the_committed_example_preview_is_what_the_engine_previews_for_that_change(reference_project):
    """The README's example (tests/unit/data/preview-example.json): one query changed, one pipeline
    switched to `remove`, one pipeline removed. `UPDATE_PREVIEW_EXAMPLE=1` rewrites the file from
    this run (without the engine's source positions and stack traces, which nothing here reads).

    The providers' own messages are left out of the comparison: their wording is theirs to change.
    """
    deploy_dev(reference_project)
    set_config(reference_project, "dev", "pipelines[0].query", NEW_QUERY)
    set_config(reference_project, "dev", "pipelines[0].mode", "remove")
    reference_project.run("config", "rm", "--path", "pipelines[1]", "--stack", "dev")
    live = without_source_positions(json.loads(preview_json(reference_project, "dev").read_text()))
    if os.environ.get("UPDATE_PREVIEW_EXAMPLE"):
        EXAMPLE_PREVIEW.write_text(json.dumps(live, indent=2) + "\n")
    expected = attrs.evolve(read_preview(EXAMPLE_PREVIEW.read_text()), warnings=())
    assert render([attrs.evolve(read_preview(json.dumps(live)), warnings=())]) == render([expected])


def without_source_positions(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_source_positions(v) for k, v in value.items()
                if k not in ("sourcePosition", "stackTrace")}
    if isinstance(value, list):
        return [without_source_positions(v) for v in value]
    return value
