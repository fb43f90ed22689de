"""The example workflows, run as GitHub runs them: pull request → preview comment → merge → deploy →
nightly drift check → the next deploy fixes the drift.

This repository's files (as a clone would hold them) are committed to a local repository standing in
for GitHub, and tests/workflows/runner.py runs `.github/workflows/` from it, job by job, each in a
clean workspace, with only the secrets a team sets: the shared state backend's URL (a real
PostgreSQL server, or S3), the stacks' passphrase, the Polytomic API key per environment, and the
variable POLYTOMIC_DEPLOYMENT_URL pointing at the emulator. The actions run as local stand-ins:
checkout is a `git clone`, setup-python this machine's Python, the Pulumi action the project's
engine, actions/cache a folder; `gh` keeps the comment it is asked to post.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Emulator, tracked_copy
from tests.shared_backends import SharedBackend, s3_backend
from tests.workflows.runner import BASIC_STAND_INS, Event, Runner, Step, WorkflowRun, cache_in, gh_stand_in

pytestmark = pytest.mark.engine

REPOSITORY = "example/polytomic-pipelines"
PASSPHRASE = "polytomic-reference-stacks"
ENVIRONMENTS = ("dev", "staging", "prod", "dev-preview", "staging-preview", "prod-preview")
NEWSLETTER_AUDIENCE = "512630692::urn:li:organization:28818517~user_audience.29728401"


# --- stand-ins that need this machine's Python and engine -------------------------------------


def setup_python(tool_cache: Path) -> Callable[[Step], str]:
    """actions/setup-python: this machine's Python, as a virtualenv that sees the test run's packages
    (a runner image's preinstalled ones) and installs into itself."""
    def setup(step: Step) -> str:
        venv = tool_cache / "python"
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
            site = subprocess.run([str(venv / "bin" / "python"), "-c",
                                   "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip()
            (Path(site) / "runner-image.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        step.path.append(str(venv / "bin"))
        return f"python {sys.version.split()[0]} (asked for {step.inputs.get('python-version')})"
    return setup


def pulumi_action(pulumi_bin_dir: Path) -> Callable[[Step], str]:
    """pulumi/actions: the project's engine on PATH, if it is the version the workflow asks for."""
    def install(step: Step) -> str:
        version = subprocess.run([str(pulumi_bin_dir / "pulumi"), "version"], capture_output=True,
                                 text=True, check=True).stdout.strip()
        assert version == f"v{step.inputs['pulumi-version']}", (
            f"the workflow asks for pulumi {step.inputs['pulumi-version']}; the engine here is {version}")
        step.path.append(str(pulumi_bin_dir))
        return f"pulumi {version}"
    return install


# --- the repository on "GitHub" -----------------------------------------------------------------


class Repository:
    """A git repository holding this repository's files; commits made here are what workflows run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        tracked_copy(path)
        self.git("init", "-q", "-b", "main")
        self.commit("The repository under test")

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=Reviewer", "-c", "user.email=r@example.com", *args],
                              cwd=self.path, check=True, capture_output=True, text=True).stdout.strip()

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.path / name
        text = path.read_text()
        assert old in text, f"{name} does not hold {old!r}"
        path.write_text(text.replace(old, new, 1))


def pull_request(sha: str, number: int = 7) -> Event:
    return Event("pull_request", f"refs/pull/{number}/merge", sha, {"pull_request": {
        "number": number, "head": {"sha": sha, "repo": {"full_name": REPOSITORY}}}})


def push_to_main(sha: str) -> Event:
    return Event("push", "refs/heads/main", sha)


def nightly(sha: str) -> Event:
    return Event("schedule", "refs/heads/main", sha)


def results(run: WorkflowRun) -> dict[str, str]:
    return {job.name: job.result for job in run.jobs}


def assert_succeeded(run: WorkflowRun) -> None:
    assert run.result == "success", run.report()


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def actions_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GitHub's cache storage: it outlives workflow runs (and tests), as the virtualenv cache does."""
    return tmp_path_factory.mktemp("actions-cache")


@pytest.fixture(scope="session")
def tool_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tool-cache")


@pytest.fixture
def github(tmp_path, emulator, pulumi_bin_dir, actions_cache, tool_cache
           ) -> Callable[[SharedBackend], tuple[Repository, Runner]]:
    """The repository and a runner of its workflows with a team's secrets for `backend`."""
    def make(backend: SharedBackend) -> tuple[Repository, Runner]:
        repository = Repository(tmp_path / "origin")
        tools = tmp_path / "github" / "tools"
        gh_stand_in(tools)
        stand_ins = {**BASIC_STAND_INS, "actions/setup-python": setup_python(tool_cache),
                     "pulumi/actions": pulumi_action(pulumi_bin_dir),
                     "actions/cache": cache_in(actions_cache)}
        secrets: dict[str, Mapping[str, str]] = {
            "": {"PULUMI_BACKEND_URL": backend.backend_url, "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
                 **backend.env},
            **{environment: {"POLYTOMIC_API_KEY": emulator.api_key} for environment in ENVIRONMENTS}}
        runner = Runner(origin=repository.path, root=tmp_path / "runner", secrets=secrets,
                        stand_ins=stand_ins, variables={"POLYTOMIC_DEPLOYMENT_URL": emulator.url},
                        tools=tools,
                        repository=REPOSITORY)
        return repository, runner
    return make


def comment(runner: Runner, number: int = 7) -> str:
    path = runner.root.parent / "github" / "comments" / f"{number}.md"
    assert path.exists(), "no comment was posted"
    return path.read_text()


def dev_newsletter_sync(emulator: Emulator) -> dict[str, Any]:
    """The dev stack's newsletter sync, found as a person would: by its model's Snowflake database."""
    for sync in emulator.api("GET", "/api/syncs").json()["data"]:
        sync = emulator.api("GET", f"/api/syncs/{sync['id']}").json()["data"]
        model = emulator.api("GET", f"/api/models/{sync['model_ids'][0]}").json()["data"]
        connection = emulator.api("GET", f"/api/connections/{model['connection_id']}").json()["data"]
        if connection["configuration"].get("dbname") == "analytics_dev" and \
                (sync.get("target") or {}).get("object") == NEWSLETTER_AUDIENCE:
            return sync
    raise AssertionError("the dev stack's newsletter sync is not in the emulator")


# --- the steps of a change --------------------------------------------------------------------------


def deploy_everything(repository: Repository, runner: Runner) -> WorkflowRun:
    run = runner.run("deploy.yml", push_to_main(repository.git("rev-parse", "HEAD")))
    assert_succeeded(run)
    assert [(job.name, job.environment) for job in run.jobs] == [
        ("dev / up dev", "dev"), ("staging / up staging", "staging"), ("prod / up prod", "prod")]
    return run


def open_pull_request(repository: Repository) -> str:
    """A change a reviewer must see: dev's query, and in prod a continuous schedule (an advisory
    policy) and a deleted pipeline (a mandatory one)."""
    repository.git("checkout", "-q", "-b", "change")
    repository.edit("stacks/Pulumi.dev.yaml", "FROM users WHERE is_active", "FROM users WHERE country = 'US'")
    repository.edit("stacks/Pulumi.prod.yaml", 'schedule:\n        frequency: daily\n        hour: "6"\n'
                    '        minute: "0"\n    - name: target-accounts',
                    "schedule:\n        frequency: continuous\n    - name: target-accounts")
    prod = (repository.path / "stacks" / "Pulumi.prod.yaml").read_text()
    start = prod.index("    - name: target-accounts")
    end = prod.index("  polytomic-pipelines:snowflakePassword")
    (repository.path / "stacks" / "Pulumi.prod.yaml").write_text(prod[:start] + prod[end:])
    return repository.commit("Retire target-accounts; newsletter continuously; US only in dev")


def check_preview_comment(run: WorkflowRun, runner: Runner, sha: str, emulator: Emulator) -> str:
    assert results(run) == {
        "preview (dev) / preview dev": "success", "preview (staging) / preview staging": "success",
        "preview (prod) / preview prod": "failure", "summary": "success", "fork": "skipped"}, run.report()
    previews = [job for job in run.jobs if job.name.startswith("preview (")]
    assert {job.environment for job in previews} == {"dev-preview", "staging-preview", "prod-preview"}
    assert all(job.concurrency == {"group": f"pulumi-{job.name.split()[-1]}-preview-refs/pull/7/merge",
                                   "cancel-in-progress": True} for job in previews)
    body = comment(runner)
    assert f"Commit `{sha[:12]}` · [workflow run](https://github.com/{REPOSITORY}/actions/runs/" in body
    assert "| dev | ok | 0 | 1 | 0 | 0 |" in body
    assert "| prod | **failed**; policy violations: 1 mandatory, 1 advisory | 0 | 1 | 0 | 2 |" in body
    attention = body.split("### Needs attention", 1)[1].split("\n### ", 1)[0]
    assert ("- **prod**: pipeline `target-accounts`: policy `production-syncs-kept` (mandatory): sync "
            "'target-accounts-sync' (pipeline 'target-accounts') would be deleted") in attention
    assert '`{"production-syncs-kept": {"allow": ["target-accounts"]}}` in the policy config' in attention
    assert ("- **prod**: pipeline `newsletter-subscribers`: policy `minimum-schedule-interval` (advisory): "
            "sync 'newsletter-subscribers-sync' (pipeline 'newsletter-subscribers') runs continuous"
            ) in attention
    prod = body.split("\n### prod\n", 1)[1]
    assert "these are the changes it planned before it stopped" in prod
    assert "- delete Sync `target-accounts-sync`" in prod
    assert "`schedule.frequency`: `daily` → `continuous`" in prod
    assert "`configuration.query`" in body.split("\n### dev\n", 1)[1].split("\n### ", 1)[0]
    everything = body + run.report()
    assert emulator.api_key not in everything and PASSPHRASE not in everything
    return body


def test_a_change_goes_from_pull_request_to_production_and_drift_is_found_and_fixed(
        github, postgres_session, emulator):
    backend = postgres_session.database()
    repository, runner = github(backend)
    deploy_everything(repository, runner)

    # The pull request: previewed on every stack, one summary comment with the policy verdicts.
    sha = open_pull_request(repository)
    emulator.clear_requests_log()
    check_preview_comment(runner.run("preview.yml", pull_request(sha)), runner, sha, emulator)
    assert emulator.writes() == []

    # The reviewed exemption, then the merge and its deploy.
    repository.edit("policy.json", '"production-syncs-kept": {"stacks": ["prod"], "allow": []}',
                    '"production-syncs-kept": {"stacks": ["prod"], "allow": ["target-accounts"]}')
    repository.commit("Allow retiring target-accounts")
    repository.git("checkout", "-q", "main")
    repository.git("merge", "-q", "--ff-only", "change")
    deploy = deploy_everything(repository, runner)
    assert all(job.concurrency == {"group": f"pulumi-{job.environment}-up-main", "cancel-in-progress": False}
               for job in deploy.jobs)
    prod_log = deploy.job("prod / up prod").log()
    assert "minimum-schedule-interval" in prod_log  # advisory: reported, not blocking
    assert backend.keys(".pulumi/locks/") == []

    # Someone edits the dev sync in Polytomic; the nightly check finds it.
    sync = dev_newsletter_sync(emulator)
    edited = {**sync, "mode": "remove", "schedule": {"frequency": "hourly", "minute": "5"}}
    response = emulator.api("PUT", f"/api/syncs/{sync['id']}", json=edited)
    assert response.ok, response.text
    drift = runner.run("drift.yml", nightly(repository.git("rev-parse", "HEAD")))
    assert results(drift) == {"drift (dev) / drift dev": "failure",
                              "drift (staging) / drift staging": "success",
                              "drift (prod) / drift prod": "success"}, drift.report()
    assert "`mode`: `remove` → `create`" in drift.job("drift (dev) / drift dev").step_summary

    # The next deploy reads what changed and puts it back.
    deploy_everything(repository, runner)
    fixed = dev_newsletter_sync(emulator)
    assert (fixed["mode"], fixed["schedule"]["frequency"]) == ("create", "continuous")


def test_the_pull_request_comment_is_the_same_on_an_s3_backend(github, emulator):
    with s3_backend() as backend:
        repository, runner = github(backend)
        deploy_everything(repository, runner)
        sha = open_pull_request(repository)
        check_preview_comment(runner.run("preview.yml", pull_request(sha)), runner, sha, emulator)
        assert any(key.endswith("stacks/polytomic-pipelines/prod.json") for key in backend.keys(".pulumi/"))


def test_a_pull_request_from_a_fork_gets_a_note_and_no_preview(github, emulator):
    with s3_backend() as backend:
        repository, runner = github(backend)
        sha = repository.git("rev-parse", "HEAD")
        event = Event("pull_request", "refs/pull/9/merge", sha, {"pull_request": {
            "number": 9, "head": {"sha": sha, "repo": {"full_name": "someone/fork"}}}})
        run = runner.run("preview.yml", event)
    assert results(run) == {"preview": "skipped", "summary": "skipped", "fork": "success"}
    assert "comes from a fork" in run.job("fork").step_summary
    assert json.dumps(emulator.requests_log()) == "[]"
