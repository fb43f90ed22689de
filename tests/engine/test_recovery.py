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
from tests.front_end import FrontEnd

pytestmark = pytest.mark.engine

#: What the dev stack declares (stacks/Pulumi.dev.yaml): two pipelines.
DECLARED = {"connections": 2, "models": 2, "syncs": 2}
_KINDS = {"Connection": "connections", "Model": "models", "Sync": "syncs"}
AUDIENCE = "512630692::urn:li:organization:28818517~user_audience.29728401"
#: Long enough that a create is still in flight when the test kills `pulumi up`...
_LATENCY = 0.8
#: ...and this long after its request was sent (or the engine recorded it as pending).
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


def crash_while_creating(project: Project, emulator: Emulator, kind: str = "Model",
                         front_end: FrontEnd | None = None, **faults: Any) -> list[str]:
    """Start `pulumi up` and SIGKILL it (with its language host and provider) while it creates
    a `kind` (with the emulator's `faults` besides latency); return the URNs left pending once
    Polytomic has answered the requests sent.

    Through a `front_end`, the kill comes once the create's request has reached it (so Polytomic
    makes the object); without one, shortly after the engine recorded the create as pending."""
    emulator.set_faults(latency_ms=int(_LATENCY * 1000), **faults)
    env = {**project.env, **({"POLYTOMIC_DEPLOYMENT_URL": front_end.url} if front_end else {})}
    if front_end:
        front_end.perturb(None)
    process = subprocess.Popen(
        ["pulumi", "up", "--yes", "--skip-preview", "--non-interactive", "--stack", "dev"],
        cwd=project.directory, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300

    def sent() -> bool:
        if front_end is None:
            return any(r["type"].endswith(f":{kind}") for r in pending_creates(project))
        return ("POST", f"/api/{_KINDS[kind]}") in front_end.seen

    try:
        while not sent():
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
            front_end: FrontEnd) -> Iterator[list[str]]:
    """The dev stack of the reference project after a `pulumi up` killed while creating models
    (or the kind given as the fixture's parameter): the URNs left pending."""
    try:
        reference_project.run("stack", "select", "--create", "dev")
        yield crash_while_creating(reference_project, emulator, getattr(request, "param", "Model"),
                                   front_end)
    finally:
        # However the test ended, the stack is unlocked so the project fixture can destroy it.
        reference_project.run("cancel", "--yes", "--stack", "dev", check=False)


def recover(project: Project, *options: str) -> subprocess.CompletedProcess[str]:
    """The documented recovery: `recover` (it also releases the killed update's lock)."""
    return subprocess.run([sys.executable, "-m", "polytomic_components", "recover", "--stack", "dev",
                           *options], cwd=project.directory, env=project.env, capture_output=True,
                          text=True, timeout=300)


def exported(project: Project) -> dict[str, Any]:
    return json.loads(project.run("stack", "export", "--stack", "dev").stdout)["deployment"]  # type: ignore[no-any-return]


def owned(project: Project) -> dict[str, set[str]]:
    """Ids of the Polytomic objects that resources of the stack's state own, by collection."""
    ids: dict[str, set[str]] = {collection: set() for collection in _KINDS.values()}
    for resource in exported(project).get("resources") or []:
        kind = resource["type"].rsplit(":", 1)[-1]
        if resource["type"].startswith("pulumi-python:dynamic/polytomic:") and kind in _KINDS:
            ids[_KINDS[kind]].add(resource["id"])
    return ids


def in_polytomic(emulator: Emulator) -> dict[str, set[str]]:
    """Ids of every connection, model and sync the organization holds."""
    return {collection: {o["id"] for o in emulator.api("GET", f"/api/{collection}").json()["data"]}
            for collection in _KINDS.values()}


def forget_idempotency_keys(emulator: Emulator, age_seconds: float = 0) -> None:
    """As if the service's 24 h idempotency window had passed (and, with `age_seconds`, as if
    the objects had been made that much earlier)."""
    requests.post(f"{emulator.url}/__emulator/idempotency/forget", json={"age_seconds": age_seconds},
                  timeout=10).raise_for_status()


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


def test_past_the_idempotency_window_recover_lists_the_orphans_and_adopts_only_those_named(
        crashed, reference_project, emulator):
    before = owned(reference_project)
    orphans = {kind: ids - before[kind] for kind, ids in in_polytomic(emulator).items()}
    assert orphans["models"]
    forget_idempotency_keys(emulator, age_seconds=25 * 3600)

    refused = recover(reference_project, "--yes")
    assert refused.returncode == 1 and "Nothing was changed" in refused.stderr
    assert "refuse  Model" in refused.stdout
    assert all(o in refused.stdout for ids in orphans.values() for o in ids)
    assert [op["resource"]["urn"] for op in exported(reference_project)["pending_operations"]] == crashed

    named = [option for ids in orphans.values() for orphan in sorted(ids) for option in ("--adopt", orphan)]
    result = recover(reference_project, "--yes", *named)
    assert result.returncode == 0, result.stdout + result.stderr
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")

    assert_converged(reference_project, emulator)
    assert all(orphans[kind] <= ids for kind, ids in owned(reference_project).items())


def test_recover_clears_a_pending_create_that_never_reached_polytomic(crashed, reference_project, emulator):
    # The same state as a kill before the requests left: pending creates and no object.
    stack_owns = owned(reference_project)
    for collection, ids in in_polytomic(emulator).items():
        for orphan in ids - stack_owns[collection]:
            emulator.api("DELETE", f"/api/{collection}/{orphan}").raise_for_status()
    forget_idempotency_keys(emulator, age_seconds=25 * 3600)

    result = recover(reference_project, "--yes")
    assert result.returncode == 0, result.stderr
    assert "clear   Model" in result.stdout and "import  Model" not in result.stdout
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")

    assert_converged(reference_project, emulator)


def test_recover_without_yes_prints_the_plan_and_changes_nothing(crashed, reference_project, emulator):
    result = recover(reference_project)

    assert result.returncode == 0, result.stderr
    assert "replay  Model" in result.stdout and "Dry run: nothing was changed" in result.stdout
    assert [op["resource"]["urn"] for op in exported(reference_project)["pending_operations"]] == crashed


def test_an_older_object_with_the_same_inputs_is_left_alone(reference_project, emulator, front_end):
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
        crash_while_creating(reference_project, emulator, "Model", front_end)
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


def test_recover_never_takes_the_objects_of_the_same_stack_in_another_backend(
        reference_project, emulator, tmp_path):
    """A laptop's dev stack is up; CI holds the same project, stack name and config in a backend
    of its own, and its first `up` is killed while it creates the connections, every request of
    that `up` failing (so none reached Polytomic). The laptop's connections match CI's inputs
    exactly; recover must not take them."""
    laptop = reference_project
    laptop.run("stack", "select", "--create", "dev")
    laptop.run("up", "--yes", "--skip-preview", "--stack", "dev")
    laptops = owned(laptop)
    (tmp_path / "ci-backend").mkdir()
    ci = Project(laptop.directory, {**laptop.env, "PULUMI_BACKEND_URL": (tmp_path / "ci-backend").as_uri()})
    ci.run("stack", "select", "--create", "dev")
    try:
        assert crash_while_creating(ci, emulator, "Connection", error_5xx_rate=1.0)
        result = recover(ci, "--yes")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "replay  Connection" in result.stdout and "another stack's" in result.stdout
        ci.run("up", "--yes", "--skip-preview", "--stack", "dev")

        cis = owned(ci)
        assert owned(laptop) == laptops
        assert all(not cis[kind] & laptops[kind] for kind in cis)
        assert {kind: len(ids) for kind, ids in cis.items()} == DECLARED
        assert in_polytomic(emulator) == {kind: laptops[kind] | cis[kind] for kind in cis}
        ci.run("destroy", "--yes", "--stack", "dev")
        assert in_polytomic(emulator) == laptops
    finally:
        ci.run("cancel", "--yes", "--stack", "dev", check=False)
        ci.run("destroy", "--yes", "--stack", "dev", check=False)
        ci.run("stack", "rm", "--yes", "--force", "dev", check=False)


def test_recover_repairs_an_empty_attributes_file_and_the_dead_update_lock(crashed, reference_project,
                                                                          emulator):
    """What a SIGKILL can leave in a file backend besides pending creates: the checkpoint's
    attributes file empty (every command then fails with EOF) and the update's lock."""
    attributes = state_file(reference_project).with_name("dev.json.attrs")
    attributes.write_bytes(b"")
    assert "EOF" in reference_project.run("stack", "export", "--stack", "dev", check=False).stderr

    looked = recover(reference_project)
    assert looked.returncode == 0, looked.stderr
    assert f"Found empty attributes file {attributes}" in looked.stdout
    assert "Dry run: nothing was changed" in looked.stdout and attributes.exists()

    result = recover(reference_project, "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no longer running" in result.stdout and "Recovered:" in result.stdout
    reference_project.run("up", "--yes", "--skip-preview", "--stack", "dev")
    assert_converged(reference_project, emulator)
