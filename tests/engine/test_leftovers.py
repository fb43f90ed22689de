"""`leftover-audiences` on the reference project: a per-branch style stack destroyed and brought
up again leaves its first audience behind; the command finds it from the stack's history."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import Emulator, Project

pytestmark = pytest.mark.engine


def leftover_audiences(project: Project, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "polytomic_components", "leftover-audiences",
                           "--stack", "dev", *options], cwd=project.directory, env=project.env,
                          capture_output=True, text=True, timeout=300)


def created_audience(project: Project) -> str:
    deployment = json.loads(project.run("stack", "export", "--stack", "dev").stdout)["deployment"]
    sync = next(r for r in deployment["resources"] if r["urn"].endswith("::trial-signups-sync"))
    return str(sync["outputs"]["created_object"])


def test_an_audience_left_by_a_destroyed_stack_is_listed_with_its_stack_and_no_sync(
        reference_project: Project, emulator: Emulator) -> None:
    reference_project.run("stack", "select", "--create", "dev")
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")
    first = created_audience(reference_project)
    reference_project.run("destroy", "--yes", "--skip-preview", "--stack", "dev")
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")
    second = created_audience(reference_project)

    listed = leftover_audiences(reference_project)
    everything = leftover_audiences(reference_project, "--all")

    assert listed.returncode == 0, listed.stderr
    assert f"{first}\n    made by stack dev (trial-signups-sync), recorded 20" in listed.stdout
    assert "left over (no stack holds it); no sync writes to it" in listed.stdout
    assert second not in listed.stdout
    held = everything.stdout.split(f"{second}\n", 1)[1].splitlines()[0]
    assert "held by stack dev; '" in held  # and named the sync that writes to it
