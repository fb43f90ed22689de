"""The example CI workflows in .github/workflows: valid for GitHub, and doing what the README says.

Two checks that must pass: GitHub's workflow JSON schema (check-jsonschema, a test dependency) and
actionlint (built once from its Go module into ~/.cache; it also checks job references,
expressions and the inputs of reusable workflows).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from polytomic_components.policy.policies import POLICIES
from tests.workflows.expressions import substitute

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
STACK_WORKFLOW = "./.github/workflows/pulumi-stack.yml"
ACTIONLINT_VERSION = "v1.7.12"
ENVIRONMENTS = ["dev", "staging", "prod"]


def workflow(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    return document


def stack_steps(command: str) -> list[str]:
    """The shell of the stack workflow's steps that run for `command` (or for every command)."""
    steps = workflow("pulumi-stack.yml")["jobs"]["pulumi"]["steps"]
    return [s["run"] for s in steps if "run" in s and s.get("if", f"inputs.command == '{command}'")
            .startswith(f"inputs.command == '{command}'")]


def schema_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.github-workflows", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="session")
def actionlint() -> Path:
    """The actionlint binary, built from its Go module the first time (about 15 s)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    bin_dir = cache / "polytomic-components" / f"actionlint-{ACTIONLINT_VERSION}"
    binary = bin_dir / "actionlint"
    if not binary.exists():
        if shutil.which("go") is None:
            pytest.skip("actionlint needs Go to build; the schema check still ran")
        subprocess.run(["go", "install", f"github.com/rhysd/actionlint/cmd/actionlint@{ACTIONLINT_VERSION}"],
                       env={**os.environ, "GOBIN": str(bin_dir), "CGO_ENABLED": "0"},
                       check=True, capture_output=True, timeout=600)
    return binary


def lint(binary: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    # -shellcheck= : run scripts are not shell-checked (shellcheck is not a test dependency).
    return subprocess.run([str(binary), "-no-color", "-shellcheck=", *map(str, paths)],
                          capture_output=True, text=True, timeout=120, cwd=paths[0].parent)


def broken_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (WORKFLOWS / name).read_text()
    assert old in text
    # actionlint resolves `./.github/workflows/...` in the repository (a `.git`) that holds the file.
    (tmp_path / ".git").mkdir(exist_ok=True)
    target = tmp_path / ".github" / "workflows"
    target.mkdir(parents=True, exist_ok=True)
    for path in WORKFLOWS.glob("*.yml"):
        (target / path.name).write_text(path.read_text())
    broken = target / name
    broken.write_text(text.replace(old, new))
    return broken


def test_workflows_match_githubs_workflow_schema():
    result = schema_check(*sorted(WORKFLOWS.glob("*.yml")))
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_refuses_a_job_without_runs_on(tmp_path):
    broken = broken_copy(tmp_path, "pulumi-stack.yml", "runs-on: ubuntu-latest", "run-on: ubuntu-latest")
    assert schema_check(broken).returncode != 0


def test_workflows_pass_actionlint(actionlint):
    result = lint(actionlint, *sorted(WORKFLOWS.glob("*.yml")))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_refuses_a_job_that_needs_a_missing_job(actionlint, tmp_path):
    broken = broken_copy(tmp_path, "deploy.yml", "needs: dev", "needs: dve")
    result = lint(actionlint, broken)
    assert result.returncode != 0
    assert 'needs job "dve" which does not exist' in result.stdout


def test_actionlint_refuses_an_input_the_stack_workflow_does_not_take(actionlint, tmp_path):
    broken = broken_copy(tmp_path, "drift.yml", "command: drift", "comand: drift")
    result = lint(actionlint, broken)
    assert result.returncode != 0
    assert 'input "comand" is not defined' in result.stdout


def test_pull_requests_preview_every_environment_and_comment_the_summary():
    preview = workflow("preview.yml")
    assert "pull_request" in preview["on"]
    job = preview["jobs"]["preview"]
    assert job["uses"] == STACK_WORKFLOW
    assert job["strategy"]["matrix"]["stack"] == ENVIRONMENTS
    assert job["with"]["command"] == "preview"
    [step] = [s for s in workflow("pulumi-stack.yml")["jobs"]["pulumi"]["steps"] if s.get("id") == "preview"]
    run = step["run"]
    # Engine events, one a line: policy verdicts included.
    assert step["env"]["PULUMI_ENABLE_STREAMING_JSON_PREVIEW"] == "true"
    assert '--json' in run and '> "preview-$STACK.jsonl"' in run
    assert '--policy-pack "$POLICY_PACK" --policy-pack-config "$POLICY_CONFIG"' in run

    summary = preview["jobs"]["summary"]
    assert summary["needs"] == "preview"
    assert summary["permissions"]["pull-requests"] == "write"
    script = "\n".join(s.get("run", "") for s in summary["steps"])
    assert "python -m polytomic_components preview-summary" in script
    assert "gh pr comment" in script


def test_ci_runs_the_policy_pack_with_the_shipped_config_and_requires_the_service_checks():
    env = workflow("pulumi-stack.yml")["jobs"]["pulumi"]["env"]
    assert env["POLYTOMIC_REQUIRE_SERVICE_CHECKS"] == "true"
    assert (REPO_ROOT / env["POLICY_PACK"] / "PulumiPolicy.yaml").is_file()
    config = json.loads((REPO_ROOT / env["POLICY_CONFIG"]).read_text())
    assert set(config) == {policy.name for policy in POLICIES}
    [up] = [s for s in stack_steps("up") if "pulumi up" in s]
    assert '--policy-pack "$POLICY_PACK" --policy-pack-config "$POLICY_CONFIG"' in up


def test_the_venvs_python_is_named_only_after_pulumi_install_made_it():
    job = workflow("pulumi-stack.yml")["jobs"]["pulumi"]
    assert "PULUMI_PYTHON_CMD" not in job["env"]
    runs = [s.get("run", "") for s in job["steps"]]
    named = runs.index('echo "PULUMI_PYTHON_CMD=$GITHUB_WORKSPACE/.venv/bin/python" >> "$GITHUB_ENV"')
    assert runs.index("pulumi install") < named


def concurrency(command: str, stack: str, ref: str) -> dict[str, Any]:
    job = workflow("pulumi-stack.yml")["jobs"]["pulumi"]
    contexts = {"inputs": {"command": command, "stack": stack}, "github": {"ref": ref}}
    return {key: substitute(value, contexts) for key, value in job["concurrency"].items()}


def test_previews_and_drift_checks_never_share_a_concurrency_group_with_deploys():
    deploy = concurrency("up", "prod", "refs/heads/main")["group"]
    assert concurrency("preview", "prod", "refs/pull/7/merge")["group"] != deploy
    assert concurrency("preview", "prod", "refs/heads/main")["group"] != deploy
    assert concurrency("drift", "prod", "refs/heads/main")["group"] != deploy


def test_deploys_of_one_stack_share_a_group_and_are_never_cancelled():
    first, second = concurrency("up", "prod", "refs/heads/main"), concurrency("up", "prod", "refs/heads/main")
    assert first == second
    assert first["cancel-in-progress"] is False
    assert concurrency("up", "dev", "refs/heads/main")["group"] != first["group"]


def test_a_new_push_cancels_only_its_own_pull_requests_preview():
    seven = concurrency("preview", "prod", "refs/pull/7/merge")
    assert seven["cancel-in-progress"] is True
    assert concurrency("preview", "prod", "refs/pull/8/merge")["group"] != seven["group"]


def test_deploys_refresh_so_they_fix_drift():
    [up] = [s for s in stack_steps("up") if "pulumi up" in s]
    assert "--refresh" in up


def test_previews_skip_the_engines_checkpoints_and_deploys_never_do():
    steps = workflow("pulumi-stack.yml")["jobs"]["pulumi"]["steps"]
    skips = {step["name"]: step.get("env", {}).get("PULUMI_SKIP_CHECKPOINTS") for step in steps
             if "pulumi preview" in step.get("run", "") or "pulumi up" in step.get("run", "")}
    assert skips == {"Preview": "true", "Check for drift": "true", "Up": None}


def test_pull_requests_from_forks_get_a_note_instead_of_a_failing_preview():
    jobs = workflow("preview.yml")["jobs"]
    same_repository = "github.event.pull_request.head.repo.full_name == github.repository"
    assert same_repository in jobs["preview"]["if"]
    assert same_repository in jobs["summary"]["if"]
    assert jobs["fork"]["if"] == same_repository.replace("==", "!=")


def test_merges_to_main_deploy_dev_then_staging_then_prod_in_their_environments():
    deploy = workflow("deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    jobs = deploy["jobs"]
    assert [(name, job.get("needs"), job["with"]["environment"]) for name, job in jobs.items()] == [
        ("dev", None, "dev"), ("staging", "dev", "staging"), ("prod", "staging", "prod")]
    assert {job["with"]["command"] for job in jobs.values()} == {"up"}
    assert any(run.startswith('pulumi up --stack "$STACK" --yes') for run in stack_steps("up"))


def test_a_nightly_schedule_checks_every_environment_for_drift():
    drift = workflow("drift.yml")
    assert drift["on"]["schedule"][0]["cron"]
    job = drift["jobs"]["drift"]
    assert job["strategy"]["matrix"]["stack"] == ENVIRONMENTS
    assert job["with"]["command"] == "drift"
    [run] = [s for s in stack_steps("drift") if "pulumi preview" in s]
    assert "--refresh --expect-no-changes" in run


def test_every_stack_run_installs_with_pulumi_install_and_the_official_action():
    steps = workflow("pulumi-stack.yml")["jobs"]["pulumi"]["steps"]
    assert any(s.get("uses", "").startswith("pulumi/actions@") for s in steps)
    assert "pulumi install" in [s.get("run") for s in steps]


def test_credentials_and_backend_come_from_ci_secrets():
    job = workflow("pulumi-stack.yml")["jobs"]["pulumi"]
    assert job["environment"] == "${{ inputs.environment }}"
    for name in ("POLYTOMIC_API_KEY", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL"):
        assert job["env"][name] == f"${{{{ secrets.{name} }}}}"
    for caller in ("preview.yml", "deploy.yml", "drift.yml"):
        for called in workflow(caller)["jobs"].values():
            if called.get("uses") == STACK_WORKFLOW:
                assert called["secrets"] == "inherit"


@pytest.mark.parametrize("length", [1_000, 70_000])
def test_the_comment_step_posts_the_summary_cut_to_what_a_comment_holds(tmp_path, length):
    steps = workflow("preview.yml")["jobs"]["summary"]["steps"]
    [script] = [s["run"] for s in steps if s.get("name") == "Post the summary on the pull request"]
    summary = "### Needs attention\n\n" + "x" * length + "\n"
    (tmp_path / "summary.md").write_text(summary)
    # A stand-in for the GitHub CLI that keeps what it was asked to post.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text('#!/bin/sh\necho "$@" > gh-args\nfor last; do :; done\ncp "$last" posted.md\n')
    gh.chmod(0o755)
    subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, check=True, timeout=60,
                   env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PR": "7"})
    assert (tmp_path / "gh-args").read_text() == (
        "pr comment 7 --edit-last --create-if-none --body-file comment.md\n")
    posted = (tmp_path / "posted.md").read_text()
    assert len(posted) <= 65536
    assert posted.startswith("### Needs attention\n")
    assert (posted == summary) == (length < 60_000)
