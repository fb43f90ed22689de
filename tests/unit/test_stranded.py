"""What a killed run leaves in a `file://` backend, found and judged (on a backend laid out as
the engine lays it out)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from polytomic_components.stranded import inspect, state_root


def backend(tmp_path: Path) -> Path:
    stacks = tmp_path / ".pulumi" / "stacks" / "polytomic-pipelines"
    stacks.mkdir(parents=True)
    for name in ("dev.json", "dev.json.bak", "staging.json"):
        (stacks / name).write_text("{}")
        (stacks / f"{name}.attrs").write_bytes(b"\x1f\xff\x81")  # gob, as the backend writes
    return tmp_path


def lock(root: Path, **holder: object) -> Path:
    folder = root / ".pulumi" / "locks" / "organization" / "polytomic-pipelines" / "dev"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "a1b2c3.json"
    # As the engine writes it.
    path.write_text(json.dumps({"username": "ci", "timestamp": "2026-12-06T22:49:16.226739553Z", **holder}))
    return path


def test_a_healthy_backend_has_nothing_stranded(tmp_path):
    assert inspect(backend(tmp_path), "polytomic-pipelines", "dev") == []


def test_an_empty_attributes_file_of_the_stack_is_found_with_its_repair(tmp_path):
    root = backend(tmp_path)
    empty = root / ".pulumi" / "stacks" / "polytomic-pipelines" / "dev.json.attrs"
    empty.write_bytes(b"")

    [finding] = inspect(root, "polytomic-pipelines", "dev")

    assert finding.path == empty and "failed to load checkpoint: EOF" in finding.what
    assert finding.repair and "the file it describes stays" in finding.repair


def test_another_stacks_empty_attributes_file_is_not_touched(tmp_path):
    root = backend(tmp_path)
    (root / ".pulumi" / "stacks" / "polytomic-pipelines" / "staging.json.attrs").write_bytes(b"")

    assert inspect(root, "polytomic-pipelines", "dev") == []


def test_the_lock_of_a_process_that_is_gone_may_be_released(tmp_path):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    root = backend(tmp_path)
    lock(root, pid=int(ended.stdout), hostname=socket.gethostname())

    [finding] = inspect(root, "polytomic-pipelines", "dev")

    assert finding.stale_lock and finding.repair and "no longer running" in finding.what


def test_a_lock_from_another_host_is_left_to_the_user(tmp_path):
    root = backend(tmp_path)
    lock(root, pid=os.getpid(), hostname="ci-runner-7")

    [finding] = inspect(root, "polytomic-pipelines", "dev")

    assert not finding.stale_lock and finding.repair is None
    assert "ci-runner-7" in finding.what and "pulumi cancel" in finding.what


def test_only_file_backends_have_a_root_to_inspect(tmp_path):
    assert state_root(tmp_path.as_uri()) == tmp_path
    assert state_root("s3://bucket?region=us-east-1") is None
