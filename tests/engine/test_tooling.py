"""Standard Pulumi tooling on a fresh clone, and the scripts a user sources or runs.

A fresh clone is a copy of the files git would commit (so the test sees the working tree as CI's
clone would), with nothing installed: `pulumi install` must make its virtualenv from the repository's
own files, as the official Pulumi GitHub Actions and Pulumi Deployments do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, tracked_copy

pytestmark = pytest.mark.engine

README = (REPO_ROOT / "README.md").read_text()


def without_test_venv(env: dict[str, str]) -> dict[str, str]:
    """The engine environment minus every route to the test run's own virtualenv."""
    test_venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != test_venv_bin)
    return {**{k: v for k, v in env.items() if k not in ("PULUMI_PYTHON_CMD", "PYTHONPATH", "VIRTUAL_ENV")},
            "PATH": path}


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed_clone(engine_env, tmp_path_factory) -> Path:
    """A fresh clone after `pulumi install`, which is all a CI job runs before `pulumi preview`."""
    clone = tracked_copy(tmp_path_factory.mktemp("fresh") / "clone")
    run(["pulumi", "install"], clone, without_test_venv(engine_env))
    return clone


def clone_env(engine_env: dict[str, str], emulator) -> dict[str, str]:
    return {**without_test_venv(engine_env), "PULUMI_CONFIG_PASSPHRASE": "polytomic-reference-stacks",
            "POLYTOMIC_DEPLOYMENT_URL": emulator.url, "POLYTOMIC_API_KEY": emulator.api_key}


def test_pulumi_install_installs_the_clone_and_the_policy_dependency(installed_clone, engine_env, tmp_path):
    imported = run([str(installed_clone / ".venv" / "bin" / "python"), "-c",
                    "import polytomic_components, pulumi_policy; print(polytomic_components.__file__)"],
                   tmp_path, without_test_venv(engine_env))
    assert imported.stdout.strip() == str(installed_clone / "polytomic_components" / "__init__.py")


def test_pulumi_preview_works_after_pulumi_install(installed_clone, engine_env, emulator):
    env = clone_env(engine_env, emulator)
    run(["pulumi", "stack", "select", "--create", "dev", "--non-interactive"], installed_clone, env)
    preview = run(["pulumi", "preview", "--stack", "dev", "--non-interactive"], installed_clone, env)
    assert re.search(r"\+ \d+ to create", preview.stdout)
    assert emulator.writes() == []


def test_the_policy_pack_runs_with_the_virtualenv_pulumi_install_made(installed_clone, engine_env, emulator):
    env = {**clone_env(engine_env, emulator),
           "PULUMI_PYTHON_CMD": str(installed_clone / ".venv" / "bin" / "python")}
    run(["pulumi", "stack", "select", "--create", "prod", "--non-interactive"], installed_clone, env)
    preview = run(["pulumi", "preview", "--stack", "prod", "--non-interactive",
                   "--policy-pack", "polytomic_components/policy"], installed_clone, env)
    assert "✅ polytomic@v" in preview.stdout


# --- the README's commands, as written ------------------------------------------------------


def readme_commands(heading: str, **replacements: str) -> str:
    """The shell blocks under a README heading, in order, with each `export NAME=...` placeholder line
    left out (the test's environment sets those, a real value for what the reader fills in) and
    `replacements` made (the emulator for the real service)."""
    section = re.split(r"^## ", README.split(f"\n## {heading}\n", 1)[1], flags=re.M)[0]
    blocks = re.findall(r"^```(?:bash)?\n(.*?)^```$", section, re.S | re.M)
    assert blocks, f"no command block under {heading!r}"
    kept = [line for block in blocks for line in block.splitlines()
            if not re.match(r"export \w+=\S*\.\.\.(\s|$)", line)]
    text = "\n".join(kept) + "\n"
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text


def with_clone_venv(env: dict[str, str], clone: Path) -> dict[str, str]:
    """What `source scripts/bootstrap.sh` (or activating .venv) gives the README's commands."""
    return {**env, "PATH": f"{clone / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"}


def test_the_readmes_real_account_commands_run_against_the_emulator(installed_clone, engine_env, emulator):
    env = {k: v for k, v in clone_env(engine_env, emulator).items() if k != "POLYTOMIC_DEPLOYMENT_URL"}
    env = with_clone_venv(env, installed_clone)
    commands = readme_commands("Pointing it at a real Polytomic account",
                               **{"https://app.polytomic.com": emulator.url})
    result = subprocess.run(["bash", "-e", "-c", commands], cwd=installed_clone, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{commands}\n{result.stdout}\n{result.stderr}"
    assert re.search(r"\+ \d+ to create", result.stdout)
    # doctor probes with requests the service refuses (400); nothing is written
    assert [r for r in emulator.writes() if r["status"] < 400] == []


def test_the_readmes_review_pipeline_commands_run_as_written(installed_clone, engine_env, emulator,
                                                            postgres_session):
    backend = postgres_session.database()
    # PULUMI_SKIP_CONFIRMATIONS: the reader's "yes" to `pulumi up`'s question.
    env = {**clone_env(engine_env, emulator), "PULUMI_BACKEND_URL": backend.backend_url,
           "PULUMI_SKIP_CONFIRMATIONS": "true"}
    commands = readme_commands("Review pipelines")
    assert "export PULUMI_BACKEND_URL=postgres://..." in README  # the placeholder the test fills
    result = subprocess.run(["bash", "-e", "-c", commands], cwd=installed_clone, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{commands}\n{result.stdout}\n{result.stderr}"
    assert re.search(r"\+ \d+ created", result.stdout)
    assert len(emulator.api("GET", "/api/syncs").json()["data"]) == 2
    assert any(key.endswith("stacks/polytomic-pipelines/dev.json") for key in backend.keys(".pulumi/"))


def test_the_readmes_policy_command_runs_as_written(installed_clone, engine_env, emulator):
    env = clone_env(engine_env, emulator)
    run(["pulumi", "stack", "select", "--create", "prod", "--non-interactive"], installed_clone, env)
    commands = readme_commands("Policy pack")
    result = subprocess.run(["bash", "-e", "-c", commands], cwd=installed_clone, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{commands}\n{result.stdout}\n{result.stderr}"
    assert "✅ polytomic@v" in result.stdout


# --- scripts/bootstrap.sh -------------------------------------------------------------------


def sourced(script: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`script` run by a bash that has sourced bootstrap.sh, as a user's shell does."""
    return subprocess.run(["bash", "-c", f"source {REPO_ROOT}/scripts/bootstrap.sh\n{script}"],
                          capture_output=True, text=True, timeout=600, env=env)


def test_sourcing_bootstrap_leaves_the_shell_options_alone():
    result = sourced('echo "errexit=$(shopt -qo errexit && echo on || echo off) '
                     'nounset=$(shopt -qo nounset && echo on || echo off) '
                     'pipefail=$(shopt -qo pipefail && echo on || echo off)"')
    assert result.returncode == 0, result.stderr
    assert "errexit=off nounset=off pipefail=off" in result.stdout


def test_sourcing_bootstrap_puts_pulumi_and_the_virtualenv_on_path():
    result = sourced("command -v pulumi; command -v python")
    assert result.returncode == 0, result.stderr
    pulumi_path, python_path = result.stdout.split()
    assert Path(pulumi_path).name == "pulumi"
    assert python_path == str(REPO_ROOT / ".venv" / "bin" / "python")


def test_a_failing_bootstrap_returns_an_error_instead_of_exiting_the_shell(tmp_path):
    checkout = tmp_path / "checkout"  # no virtualenv yet, and a python3 that cannot make one
    shutil.copytree(REPO_ROOT / "scripts", checkout / "scripts")
    stub = tmp_path / "bin" / "python3"
    stub.parent.mkdir()
    stub.write_text("#!/bin/sh\necho 'python3: broken' >&2\nexit 1\n")
    stub.chmod(0o755)
    result = subprocess.run(
        ["bash", "-c", f"source {checkout}/scripts/bootstrap.sh; echo status=$?; echo still here"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PATH": f"{stub.parent}{os.pathsep}{os.environ['PATH']}"})
    assert "status=1" in result.stdout
    assert "still here" in result.stdout
    assert "python3: broken" in result.stderr


# --- scripts/up-dev.sh ----------------------------------------------------------------------


@pytest.fixture
def checkout(engine_env, tmp_path) -> tuple[Path, dict[str, str]]:
    """A copy of the repository sharing the test virtualenv, and an environment for its scripts."""
    copy = tracked_copy(tmp_path / "checkout")
    (copy / ".venv").symlink_to(REPO_ROOT / ".venv")
    env = {k: v for k, v in engine_env.items()
           if k not in ("PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PYTHONPATH")}
    return copy, env


def up_dev(checkout: tuple[Path, dict[str, str]], *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    directory, base_env = checkout
    return subprocess.run([str(directory / "scripts" / "up-dev.sh"), *args], cwd=directory,
                          env={**base_env, **env}, capture_output=True, text=True, timeout=900)


def test_up_dev_uses_its_own_emulator_even_with_an_account_in_the_environment(checkout, emulator):
    result = up_dev(checkout, POLYTOMIC_DEPLOYMENT_URL=emulator.url, POLYTOMIC_API_KEY=emulator.api_key)
    assert result.returncode == 0, result.stderr
    assert "using the local Polytomic emulator" in result.stderr
    assert "newsletter-subscribers" in result.stdout.split("Audiences:", 1)[1]
    assert emulator.writes() == []


def test_up_dev_with_account_previews_and_writes_nothing(checkout, emulator):
    result = up_dev(checkout, "--account", POLYTOMIC_DEPLOYMENT_URL=emulator.url,
                    POLYTOMIC_API_KEY=emulator.api_key)
    assert result.returncode == 0, result.stderr
    assert re.search(r"\+ \d+ to create", result.stdout)
    assert "run again with --account --apply" in result.stderr
    assert emulator.writes() == []


def test_up_dev_with_account_and_apply_updates_that_account_after_a_preview(checkout, emulator):
    result = up_dev(checkout, "--account", "--apply", POLYTOMIC_DEPLOYMENT_URL=emulator.url,
                    POLYTOMIC_API_KEY=emulator.api_key)
    assert result.returncode == 0, result.stderr
    assert result.stdout.index("Previewing update") < result.stdout.index("Updating")
    assert len(emulator.api("GET", "/api/syncs").json()["data"]) == 2


def test_up_dev_without_account_refuses_a_dev_stack_configured_for_a_service(checkout, emulator):
    stack_config = checkout[0] / "stacks" / "Pulumi.dev.yaml"
    stack_config.write_text(stack_config.read_text().replace(
        "config:\n", f"config:\n  polytomic:deploymentUrl: {emulator.url}\n", 1))
    result = up_dev(checkout)
    assert result.returncode == 2
    assert "sets polytomic:deploymentUrl, which would win over the emulator" in result.stderr
    assert emulator.writes() == []


def test_up_dev_with_account_keeps_that_accounts_state_apart_from_the_emulator_run(checkout, emulator):
    assert up_dev(checkout).returncode == 0  # the main job: its own emulator, its own state
    result = up_dev(checkout, "--account", "--apply", POLYTOMIC_DEPLOYMENT_URL=emulator.url,
                    POLYTOMIC_API_KEY=emulator.api_key)
    assert result.returncode == 0, result.stderr
    host = emulator.url.removeprefix("http://").replace(":", "_")
    assert f"Pulumi state for this account: .polytomic/accounts/{host}-" in result.stderr
    assert re.search(r"\+ \d+ created", result.stdout), result.stdout  # created here, not "unchanged"
    syncs = emulator.api("GET", "/api/syncs").json()["data"]
    assert len(syncs) == 2
    audiences = json.loads(result.stdout.split("Audiences:", 1)[1])
    assert set(audiences.values()) <= {sync["target"]["object"] for sync in (
        emulator.api("GET", f"/api/syncs/{s['id']}").json()["data"] for s in syncs)}
