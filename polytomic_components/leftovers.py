"""`python -m polytomic_components leftover-audiences`: the LinkedIn audiences that a project's
stacks made and no stack holds any more.

Destroying a pipeline deletes its sync and model but never its audience (an audience can hold
months of matched members), so stacks that come and go (one per branch, say) leave audiences
behind. Polytomic records nothing of who made an audience; the stacks' own history does: every
update a `file://` backend keeps (`.pulumi/history/`) records each sync and the audience its
`create` block made. This command reads the stacks' current states and those checkpoints, and asks
Polytomic (reads only) which syncs still write to each audience. Other backends cannot export
earlier deployments through the CLI: there only the audiences the stacks hold now are found.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import attrs

from . import stranded
from .client import PolytomicClient
from .command_line import PROG, add_subcommand
from .errors import PolytomicError
from .recovery import PulumiStack, RecoveryError

__all__ = ["MadeAudience", "add_command", "made_audiences"]

_SYNC_TYPE = "pulumi-python:dynamic/polytomic:Sync"


@attrs.frozen
class MadeAudience:
    """An audience a stack's sync made.

    Attributes:
        id: the audience (the sync's `created_object`).
        stack: the stack whose sync made it; `sync` that sync's resource name.
        first_seen: when the earliest kept update that records it was saved (ISO time).
        held: whether the stack's current state still holds it.
    """

    id: str
    stack: str
    sync: str
    first_seen: str
    held: bool


def made_audiences(stack: PulumiStack) -> list[MadeAudience]:
    """Every audience the stack's syncs made: from its current state and, in a `file://` backend,
    from the checkpoint of every update the backend kept.

    Raises:
        RecoveryError: a `pulumi` command failed.
    """
    current = dict(_created(stack.export()))
    found: dict[str, MadeAudience] = {}
    for moment, checkpoint in _kept_checkpoints(stack):  # oldest first: the first record counts
        for audience, sync in _created({"deployment": checkpoint.get("latest") or {}}):
            found.setdefault(audience, MadeAudience(audience, stack.name, sync, moment, audience in current))
    for audience, sync in current.items():
        found.setdefault(audience, MadeAudience(audience, stack.name, sync, "in its current state", True))
    return list(found.values())


def _kept_checkpoints(stack: PulumiStack) -> Iterator[tuple[str, dict[str, Any]]]:
    """(when, checkpoint) of every update of the stack a `file://` backend kept, oldest first (a
    backend that cannot export earlier deployments keeps them in `.pulumi/history/`)."""
    root = stranded.state_root(json.loads(stack.run("whoami", "--json", of_stack=False)).get("url", ""))
    project = stack.project()
    if root is None or project is None:
        return
    name = stack.name.rsplit("/", 1)[-1]
    folder = root / ".pulumi" / "history" / project / name
    for path in sorted(folder.glob(f"{name}-*.checkpoint.json")):
        try:
            nanos = int(path.name.removeprefix(f"{name}-").removesuffix(".checkpoint.json"))
            checkpoint = json.loads(path.read_text()).get("checkpoint") or {}
        except (OSError, ValueError):
            continue
        when = datetime.fromtimestamp(nanos / 1e9, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        yield when, checkpoint


def _created(deployment: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    for resource in (deployment.get("deployment") or {}).get("resources") or []:
        audience = (resource.get("outputs") or {}).get("created_object")
        if resource.get("type") == _SYNC_TYPE and isinstance(audience, str) and audience:
            yield audience, resource["urn"].rsplit("::", 1)[-1]


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `leftover-audiences` to the command line."""
    command = add_subcommand(
        commands, "leftover-audiences",
        summary="LinkedIn audiences a project's stacks made and no stack holds any more",
        description="Reads the histories of the given stacks (in the project directory) and lists each "
                    "audience their syncs made: which stack made it, when, whether the stack still "
                    "holds it, and which syncs write to it now (reads Polytomic only).",
        examples=[f"{PROG} leftover-audiences --stack dev --stack prod"], run=list_leftovers)
    command.add_argument("--stack", action="append", required=True, dest="stacks",
                         help="a stack of the project (repeat for several)")
    command.add_argument("--cwd", type=Path, default=Path(), help="the Pulumi project directory")
    command.add_argument("--all", action="store_true", help="also list audiences a stack still holds")


def list_leftovers(args: argparse.Namespace) -> int:
    try:
        stacks = [PulumiStack(name, args.cwd) for name in args.stacks]
        made = [audience for stack in stacks for audience in made_audiences(stack)]
        with PolytomicClient(stacks[0].settings()) as client:
            writers: dict[str, list[str]] = {}
            for sync in client.list_syncs():
                writers.setdefault(str(sync.get("target_object")), []).append(
                    f"{sync.get('name')!r} ({sync.get('id')})")
    except (RecoveryError, PolytomicError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    shown = [a for a in made if args.all or not a.held]
    if not shown:
        print("No audience made by these stacks is left over.")
        return 0
    for audience in sorted(shown, key=lambda a: a.first_seen):
        status = (f"held by stack {audience.stack}" if audience.held else "left over (no stack holds it)")
        syncing = ", ".join(writers.get(audience.id, [])) or "no sync writes to it"
        print(f"{audience.id}\n    made by stack {audience.stack} ({audience.sync}), recorded "
              f"{audience.first_seen}; {status}; {syncing}")
    return 0
