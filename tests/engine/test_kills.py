"""Killed runs never strand the stack: `pulumi up` and `pulumi destroy` of the reference project
SIGKILLed at random points, each followed by the documented steps (`recover --yes`, then the
same command again), leave a readable stack, no duplicate and no orphan.

The default suite kills a few runs; the soak runs many (opt-in, see the README):
`POLYTOMIC_SOAK_KILLS=50 ./scripts/test.sh -m soak tests/engine/test_kills.py`.
"""

from __future__ import annotations

import os
import random
import subprocess
from collections import Counter

import pytest
import requests

from tests.conftest import Emulator, Project
from tests.engine.test_recovery import (
    DECLARED,
    exported,
    in_polytomic,
    kill_session,
    owned,
    recover,
    state_file,
)

pytestmark = pytest.mark.engine

#: Each request takes this long, so that a random kill lands inside a run, not after it.
_LATENCY_MS = 150
#: Kills land this long after the command started, at most (seconds).
_LATEST_KILL = 6.0


def run_and_kill(project: Project, command: str, after: float) -> bool:
    """Start `pulumi <command>` of the dev stack and SIGKILL it with everything it started
    `after` seconds later; True if it was still running then."""
    process = subprocess.Popen(
        ["pulumi", command, "--yes", "--skip-preview", "--non-interactive", "--stack", "dev"],
        cwd=project.directory, env=project.env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=after)
        assert process.returncode == 0, f"`pulumi {command}` failed before it was killed"
        return False
    except subprocess.TimeoutExpired:
        kill_session(process.pid)
        process.wait()
        return True


def settle(project: Project, command: str) -> str:
    """The documented steps after a killed `command`: recover, then run it again. Returns what
    recover found, in a word, for the tally."""
    result = recover(project, "--yes")
    assert result.returncode == 0, f"recover failed:\n{result.stdout}\n{result.stderr}"
    project.run(command, "--yes", "--skip-preview", "--stack", "dev")
    found = result.stdout
    return ("empty attributes file" if "empty attributes file" in found else
            "pending creates" if any(f"  {action} " in found for action in ("import", "replay", "clear"))
            else "pending deletes or updates" if "  drop    " in found else
            "lock only" if "no longer running" in found else "nothing")


def assert_settled(project: Project, emulator: Emulator, command: str) -> None:
    """The stack reads, has no pending operation, and Polytomic holds exactly what it owns:
    everything the dev stack declares after an `up`, nothing after a `destroy`."""
    assert not exported(project).get("pending_operations")
    objects = in_polytomic(emulator)
    assert objects == owned(project)
    expected = DECLARED if command == "up" else dict.fromkeys(DECLARED, 0)
    assert {kind: len(ids) for kind, ids in objects.items()} == expected
    if command == "up":  # the audience the trial-signups sync made exists and is its own
        audiences = {a["id"] for a in requests.get(f"{emulator.url}/__emulator/audiences",
                                                   timeout=10).json()["data"]}
        sync = next(r for r in exported(project)["resources"] if r["urn"].endswith("::trial-signups-sync"))
        assert sync["outputs"]["created_object"] in audiences


def kill_and_recover(project: Project, emulator: Emulator, kills: int, seed: int) -> Counter[str]:
    """`kills` runs of `up` or `destroy` killed at random points, each settled and checked."""
    chance = random.Random(seed)
    tally: Counter[str] = Counter()
    project.run("stack", "select", "--create", "dev")
    emulator.set_faults(latency_ms=_LATENCY_MS)
    deployed = False
    try:
        while tally["killed"] < kills:
            command = "destroy" if deployed and chance.random() < 0.4 else "up"
            after = chance.uniform(0.3, _LATEST_KILL)
            if run_and_kill(project, command, after):
                tally["killed"] += 1
                tally[f"{command}: {settle(project, command)}"] += 1
            else:
                tally["finished before the kill"] += 1
            assert_settled(project, emulator, command)
            deployed = command == "up"
    except AssertionError as error:
        raise AssertionError(f"seed {seed}, after {dict(tally)}: {error}") from None
    finally:
        emulator.set_faults()
        project.run("cancel", "--yes", "--stack", "dev", check=False)
    return tally


def test_a_few_killed_runs_each_settle_with_the_documented_steps(reference_project, emulator):
    seed = random.randrange(1 << 30)
    tally = kill_and_recover(reference_project, emulator, kills=3, seed=seed)
    print(f"seed {seed}: {dict(tally)}")
    assert state_file(reference_project).exists()


@pytest.mark.soak
@pytest.mark.timeout(4 * 3600)
@pytest.mark.skipif("POLYTOMIC_SOAK_KILLS" not in os.environ,
                    reason="soak: set POLYTOMIC_SOAK_KILLS (e.g. 50) to run it")
def test_many_killed_runs_each_settle_with_the_documented_steps(reference_project, emulator):
    kills = int(os.environ["POLYTOMIC_SOAK_KILLS"])
    seed = int(os.environ.get("POLYTOMIC_SOAK_SEED", random.randrange(1 << 30)))
    tally = kill_and_recover(reference_project, emulator, kills=kills, seed=seed)
    print(f"seed {seed}: {dict(tally)}")
    assert tally["killed"] == kills
