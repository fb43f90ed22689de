"""Crash recovery under the real engine: `pulumi up` of the reference project SIGKILLed while it
creates models (or syncs), then the documented recovery, then `pulumi up` again."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from polytomic_components.recovery import CLOCK_SKEW
from tests.conftest import Emulator, Project

pytestmark = pytest.mark.engine

#: What the dev stack declares (stacks/Pulumi.dev.yaml): two pipelines.
DECLARED = {"connections": 2, "models": 2, "syncs": 2}
_KINDS = {"Connection": "connections", "Model": "models", "Sync": "syncs"}
AUDIENCE = "512630692::urn:li:organization:28818517~user_audience.29728401"
#: Long enough that a create is still in flight when the test kills `pulumi up`...
_LATENCY = 0.8
#: ...and this long after the engine recorded it as pending, so its request has been sent.
_IN_FLIGHT = 0.25


def state_file(project: Project) -> Path:
    backend = Path(project.env["PULUMI_BACKEND_URL"].removeprefix("file://"))
    return backend / ".pulumi" / "stacks" / "polytomic-pipelines" / "dev.json"


def pending_creates(project: Project) -> list[dict[str, Any]]:
    """The pending creates in the stack's checkpoint as the engine last wrote it."""
    try:
        checkpoint = json.loads(state_file(project).read_text())
    except (FileNotFoundError, ValueError):  # not written yet, or caught mid-write
        return []
    operations = checkpoint["checkpoint"]["latest"].get("pending_operations") or []
    return [op["resource"] for op in operations if op["type"] == "creating"]


def session_members(session: int) -> list[int]:
    """The live processes of a session (Linux /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process has ended
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def kill_session(session: int) -> None:
    """SIGKILL every process of a session: the CLI and the plugins it started (each plugin has
    a process group of its own, so killing the CLI's group would leave them running)."""
    deadline = time.monotonic() + 10
    while (members := session_members(session)) and time.monotonic() < deadline:
        for pid in members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
    assert not session_members(session), "processes of the killed `pulumi up` survived"


def crash_while_creating(project: Project, emulator: Emulator, kind: str = "Model") -> list[str]:
    """Start `pulumi up` and SIGKILL it (with its language host and provider) while it creates
    a `kind`; return the URNs left pending once Polytomic has answered the requests sent."""
    emulator.set_faults(latency_ms=int(_LATENCY * 1000))
    process = subprocess.Popen(
        ["pulumi", "up", "--yes", "--skip-preview", "--non-interactive", "--stack", "dev"],
        cwd=project.directory, env=project.env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    try:
        while not any(r["type"].endswith(f":{kind}") for r in pending_creates(project)):
            assert process.poll() is None, f"`pulumi up` ended before it created a {kind}"
            assert time.monotonic() < deadline, f"no {kind} create began within 300 s"
            time.sleep(0.02)
        time.sleep(_IN_FLIGHT)
    finally:
        kill_session(process.pid)
        process.wait()
    time.sleep(_LATENCY + 0.5)  # the service finishes what was sent before the kill
    emulator.set_faults()
    return [r["urn"] for r in pending_creates(project)]


@pytest.fixture
def crashed(request: pytest.FixtureRequest, reference_project: Project, emulator: Emulator,
            ) -> Iterator[list[str]]:
    """The dev stack of the reference project after a `pulumi up` killed while creating models
    (or the kind given as the fixture's parameter): the URNs left pending."""
    try:
        reference_project.run("stack", "select", "--create", "dev")
        yield crash_while_creating(reference_project, emulator, getattr(request, "param", "Model"))
    finally:
        # However the test ended, the stack is unlocked so the project fixture can destroy it.
        reference_project.run("cancel", "--yes", "--stack", "dev", check=False)


def recover(project: Project, *options: str) -> subprocess.CompletedProcess[str]:
    """The documented recovery: drop the killed update's lock, then `recover`."""
    project.run("cancel", "--yes", "--stack", "dev")
    return subprocess.run([sys.executable, "-m", "polytomic_components", "recover", "--stack", "dev",
                           *options], cwd=project.directory, env=project.env, capture_output=True,
                          text=True, timeout=300)


def exported(project: Project) -> dict[str, Any]:
    return json.loads(project.run("stack", "export", "--stack", "dev").stdout)["deployment"]  # type: ignore[no-any-return]


def owned(project: Project) -> dict[str, set[str]]:
    """Ids of the Polytomic objects that resources of the stack's state own, by collection."""
    ids: dict[str, set[str]] = {collection: set() for collection in _KINDS.values()}
    for resource in exported(project)["resources"]:
        kind = resource["type"].rsplit(":", 1)[-1]
        if resource["type"].startswith("pulumi-python:dynamic/polytomic:") and kind in _KINDS:
            ids[_KINDS[kind]].add(resource["id"])
    return ids


def in_polytomic(emulator: Emulator) -> dict[str, set[str]]:
    """Ids of every connection, model and sync the organization holds."""
    return {collection: {o["id"] for o in emulator.api("GET", f"/api/{collection}").json()["data"]}
            for collection in _KINDS.values()}


def forget_idempotency_keys(emulator: Emulator) -> None:
    """As if the service's 24 h idempotency window had passed."""
    requests.post(f"{emulator.url}/__emulator/idempotency/forget", timeout=10).raise_for_status()


def assert_converged(project: Project, emulator: Emulator) -> None:
    """No pending operation, and Polytomic holds exactly what the stack owns and declares."""
    assert not exported(project).get("pending_operations")
    objects = in_polytomic(emulator)
    assert objects == owned(project)
    assert {collection: len(ids) for collection, ids in objects.items()} == DECLARED
    audiences = requests.get(f"{emulator.url}/__emulator/audiences", timeout=10).json()["data"]
    created = [a["id"] for a in audiences if a["name"].endswith("Trial signups (dev)")]
    sync = next(r for r in exported(project)["resources"] if r["urn"].endswith("::trial-signups-sync"))
    assert created == [sync["outputs"]["created_object"]]  # one new audience, owned by its sync


@pytest.mark.parametrize("crashed", ["Connection", "Model", "Sync"], indirect=True)
def test_recover_then_up_leaves_no_pending_operation_duplicate_or_orphan(crashed, reference_project,
                                                                         emulator, request):
    collection = _KINDS[request.node.callspec.params["crashed"]]
    orphans = in_polytomic(emulator)[collection] - owned(reference_project)[collection]
    assert orphans  # the crash left objects that no resource owns

    result = recover(reference_project, "--yes")
    assert result.returncode == 0, result.stderr
    assert owned(reference_project)[collection] >= orphans  # the orphans are the stack's now
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")

    assert_converged(reference_project, emulator)


def test_recover_adopts_the_orphans_after_the_idempotency_window_has_passed(crashed, reference_project,
                                                                            emulator):
    orphans = in_polytomic(emulator)["models"] - owned(reference_project)["models"]
    forget_idempotency_keys(emulator)

    assert recover(reference_project, "--yes").returncode == 0
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")

    assert_converged(reference_project, emulator)
    assert orphans <= owned(reference_project)["models"]


def test_recover_clears_a_pending_create_that_never_reached_polytomic(crashed, reference_project, emulator):
    # The same state as a kill before the request left: a pending create and no object.
    for model_id in in_polytomic(emulator)["models"] - owned(reference_project)["models"]:
        emulator.api("DELETE", f"/api/models/{model_id}").raise_for_status()
    forget_idempotency_keys(emulator)

    result = recover(reference_project, "--yes")
    assert result.returncode == 0, result.stderr
    assert "clear   Model" in result.stdout and "import  Model" not in result.stdout
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")

    assert_converged(reference_project, emulator)


def test_recover_without_yes_prints_the_plan_and_changes_nothing(crashed, reference_project, emulator):
    result = recover(reference_project)

    assert result.returncode == 0, result.stderr
    assert "import  Model" in result.stdout and "Dry run: nothing was changed" in result.stdout
    assert [op["resource"]["urn"] for op in exported(reference_project)["pending_operations"]] == crashed


def test_an_older_object_with_the_same_inputs_is_left_alone(reference_project, emulator):
    """Only objects created after the stack's last finished operation can be the crashed
    create's: an older look-alike (another stack's, an earlier orphan) is never taken."""
    reference_project.run("stack", "select", "--create", "dev")
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")
    snowflake = next(r["id"] for r in exported(reference_project)["resources"]
                     if r["urn"].endswith("Connection::snowflake"))
    query = "SELECT email FROM users WHERE is_active"
    body = {"name": "webinar", "connection_id": snowflake, "configuration": {"query": query}}
    look_alike = emulator.api("POST", "/api/models", json=body).json()["data"]["id"]
    time.sleep(CLOCK_SKEW.total_seconds() + 1)
    reference_project.run("refresh", "--yes", "--skip-preview", "--stack", "dev")
    for key, value in {"name": "webinar", "query": query, "audience": AUDIENCE}.items():
        reference_project.run("config", "set", "--path", f"pipelines[2].{key}", value, "--stack", "dev")
    try:
        crash_while_creating(reference_project, emulator)
        result = recover(reference_project, "--yes")
    finally:
        reference_project.run("cancel", "--yes", "--stack", "dev", check=False)

    assert result.returncode == 0, result.stderr
    assert "import  Model webinar-model" in result.stdout and "1 older ones" in result.stdout
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")
    models = owned(reference_project)["models"]
    assert look_alike not in models and len(models) == 3
    assert in_polytomic(emulator)["models"] == models | {look_alike}
    assert not exported(reference_project).get("pending_operations")
