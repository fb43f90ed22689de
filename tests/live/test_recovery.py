"""`recover` after a `pulumi up` killed mid-way, against a deployment: no pending operation,
duplicate or orphan is left once the documented steps have run."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.engine.test_recovery import kill_session

pytestmark = pytest.mark.live

_ATTEMPTS = 3


def pending_creates(stack) -> list[dict[str, Any]]:
    """The pending creates of Polytomic objects in the stack's checkpoint as the engine last
    wrote it."""
    backend = stack.env["PULUMI_BACKEND_URL"].removeprefix("file://")
    path = f"{backend}/.pulumi/stacks/polytomic-pipelines/{stack.name}.json"
    try:
        with open(path) as checkpoint:
            operations = json.load(checkpoint)["checkpoint"]["latest"].get("pending_operations") or []
    except (FileNotFoundError, ValueError, KeyError):  # not written yet, or caught mid-write
        return []
    return [op["resource"] for op in operations if op["type"] == "creating"
            and op["resource"]["type"].rsplit(":", 1)[-1] in ("Connection", "Model", "Sync")]


def kill_up_while_it_creates(stack) -> list[dict[str, Any]]:
    """Start `pulumi up` and SIGKILL it (with its plugins) as soon as it creates a Polytomic
    object; return the creates left pending."""
    process = subprocess.Popen(
        ["pulumi", "up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack.name],
        cwd=stack.directory, env=stack.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    deadline = time.monotonic() + 300
    try:
        while not pending_creates(stack):
            assert process.poll() is None, "`pulumi up` ended before it created anything"
            assert time.monotonic() < deadline, "no create began within 300 s"
            time.sleep(0.01)
    finally:
        process.kill()  # the CLI first, at once: it is what would record the create as done
        kill_session(process.pid)
        process.wait()
    return pending_creates(stack)


def crashed_stack(make_stack: Callable[[], Any]) -> Any:
    """A stack whose `pulumi up` was killed while a Polytomic create was pending, its lock
    released. The kill is timed by watching the state, so it can miss: the create recorded as
    done meanwhile, or the CLI cut off while writing its checkpoint. Then a new stack tries again."""
    for _attempt in range(_ATTEMPTS):
        stack = make_stack()
        if kill_up_while_it_creates(stack) and stack.run("cancel", "--yes", check=False).returncode == 0:
            return stack
    pytest.fail(f"{_ATTEMPTS} kills of `pulumi up` all missed a pending create")


def test_recover_after_a_killed_up_leaves_no_pending_operation_duplicate_or_orphan(
        live_stack, live_account, reused_audience):
    stack = crashed_stack(lambda: live_stack(
        lambda prefix: live_account.pipelines_config(prefix, audience=reused_audience)))
    time.sleep(2)  # the deployment finishes what was sent before the kill

    recovered = subprocess.run([sys.executable, "-m", "polytomic_components", "recover", "--stack",
                                stack.name, "--yes"], cwd=stack.directory, env=stack.env,
                               capture_output=True, text=True, timeout=300)
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    stack.up()

    exported = json.loads(stack.run("stack", "export").stdout)["deployment"]
    assert not exported.get("pending_operations")
    owned = {object_id for kind in ("Connection", "Model", "Sync") for object_id in stack.ids(kind).values()}
    assert {object_id for _kind, object_id, _name in live_account.named(stack.prefix)} == owned
    assert len(owned) == 4  # two connections, a model and a sync: nothing twice
