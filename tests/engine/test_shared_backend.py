"""The reference project on the shared state backends teams run from CI: Pulumi's S3 backend (moto's
S3 server) and its PostgreSQL backend (a real PostgreSQL server), both on loopback.

Two runners are two checkouts of the project on the same backend: what one deploys, the other
sees; while one updates a stack, the backend's lock refuses the other; a runner killed mid-update
leaves its lock, which the README's recovery steps release.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import attrs
import pytest

from tests.conftest import Project
from tests.shared_backends import AWS_ISOLATION, LOCKS, SharedBackend

pytestmark = pytest.mark.engine


@pytest.fixture
def runners(reference_project, shared_backend, tmp_path) -> Iterator[tuple[Project, Project]]:
    """Two checkouts of the reference project on the shared backend; the dev stack destroyed after."""
    env = {**reference_project.env, **AWS_ISOLATION, **shared_backend.env,
           "PULUMI_BACKEND_URL": shared_backend.backend_url}
    first = attrs.evolve(reference_project, env=env)
    second_directory = tmp_path / "second-checkout"
    shutil.copytree(first.directory, second_directory, symlinks=True)
    second = Project(second_directory, env)
    first.run("stack", "init", "dev")
    yield first, second
    first.run("cancel", "--yes", "--stack", "dev", check=False)
    first.run("destroy", "--yes", "--stack", "dev", check=False)
    first.run("stack", "rm", "--yes", "--force", "dev", check=False)


def start_slow_up(project: Project, backend: SharedBackend) -> subprocess.Popen[str]:
    """`pulumi up` of dev in its own process group, once it holds the backend's lock."""
    process = subprocess.Popen(
        ["pulumi", "up", "--yes", "--skip-preview", "--stack", "dev", "--non-interactive"],
        cwd=project.directory, env=project.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not backend.keys(LOCKS) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert backend.keys(LOCKS), "the update never took the lock"
    return process


def test_a_stack_deployed_by_one_runner_is_up_to_date_for_another(runners, shared_backend, emulator):
    first, second = runners
    first.run("up", "--yes", "--stack", "dev")
    assert any(key.endswith("stacks/polytomic-pipelines/dev.json") for key in shared_backend.keys(".pulumi/"))

    emulator.clear_requests_log()
    second.run("preview", "--expect-no-changes", "--stack", "dev")
    assert emulator.writes() == []


def test_a_second_runner_is_refused_while_the_first_holds_the_lock(runners, shared_backend, emulator):
    first, second = runners
    emulator.set_faults(latency_ms=300)  # long enough an update to be caught holding the lock
    slow = start_slow_up(first, shared_backend)
    try:
        refused = second.run("up", "--yes", "--skip-preview", "--stack", "dev", check=False)
        assert slow.poll() is None, "the first update ended before the second runner tried"
        assert refused.returncode != 0
        assert "the stack is currently locked" in refused.stdout + refused.stderr
    finally:
        output, _ = slow.communicate(timeout=600)
        emulator.set_faults()
    assert slow.returncode == 0, output
    assert shared_backend.keys(LOCKS) == []


def test_a_killed_runners_lock_is_released_by_the_documented_recovery_steps(
        runners, shared_backend, emulator):
    first, second = runners
    emulator.set_faults(latency_ms=300)
    slow = start_slow_up(first, shared_backend)
    time.sleep(2)  # into its creates
    os.killpg(slow.pid, signal.SIGKILL)  # the runner is lost: the CLI and its plugins, at once
    slow.communicate(timeout=60)
    emulator.set_faults()
    assert shared_backend.keys(LOCKS), "a killed update leaves its lock"
    assert "currently locked" in second.run("up", "--yes", "--stack", "dev", check=False).stderr

    # The README's steps ("Recovering from a crashed `pulumi up`"), from the other runner.
    second.run("cancel", "--stack", "dev", "--yes")
    recovered = subprocess.run([sys.executable, "-m", "polytomic_components", "recover", "--stack", "dev",
                                "--yes"], cwd=second.directory, env=second.env, capture_output=True,
                               text=True, timeout=600)
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    second.run("up", "--yes", "--stack", "dev")

    assert shared_backend.keys(LOCKS) == []
    assert len(emulator.api("GET", "/api/syncs").json()["data"]) == 2
    first.run("preview", "--expect-no-changes", "--stack", "dev")
