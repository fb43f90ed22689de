"""The last deployment of the stack under analysis, which the engine never shows a policy.

The engine gives a policy the inputs the program declares now, not the state they change, so the
pack reads the state itself with `pulumi stack export`, using the backend and credentials of the
operation that runs the pack (its environment: ``PULUMI_BACKEND_URL`` or the current login). A
preview writes nothing, so there the export is the state before the change; during an update each
resource is analyzed before its own step runs.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_TIMEOUT_SECONDS = 120
_lock = threading.Lock()
_exports: dict[tuple[str, str], dict[str, Mapping[str, Any]]] = {}


class DeploymentUnavailableError(RuntimeError):
    """`pulumi stack export` failed: the policies that compare with the last deployment cannot run."""


def last_deployment(stack: str, project: str) -> dict[str, Mapping[str, Any]]:
    """The resources of a stack's last deployment, by URN (none before its first `up`); read once
    per pack process."""
    with _lock:
        if (project, stack) not in _exports:
            _exports[project, stack] = _export(project, stack)
        return _exports[project, stack]


def _export(project: str, stack: str) -> dict[str, Mapping[str, Any]]:
    command = ["pulumi", "stack", "export", "--stack", stack, "--non-interactive"]
    # The pack's working directory need not be the project's, and a backend keeps stacks per
    # project: a directory that names the project makes the stack name resolve on any backend.
    with tempfile.TemporaryDirectory(prefix="polytomic-policy-") as directory:
        (Path(directory) / "Pulumi.yaml").write_text(f"name: {project}\nruntime: python\n")
        try:
            result = subprocess.run(command, cwd=directory, capture_output=True, text=True,
                                    timeout=_TIMEOUT_SECONDS)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise DeploymentUnavailableError(f"`{' '.join(command)}` failed: {error}") from None
    if result.returncode != 0:
        raise DeploymentUnavailableError(f"`{' '.join(command)}` failed: {result.stderr.strip()}")
    deployment = json.loads(result.stdout).get("deployment") or {}
    return {resource["urn"]: resource for resource in deployment.get("resources") or []}
