"""Recovery from a `pulumi up` that was killed: `python -m polytomic_components recover`.

A `pulumi up` killed while it creates an object leaves a pending `creating` operation in the
stack's state, and the object may or may not exist in Polytomic. Within the service's 24 h
idempotency window the next `up` replays the create; after it, the next `up` would make a
duplicate and leave the first object orphaned. Recovery settles every pending create for good:

- it finds the object the create made, if any, by matching the organization's objects against
  the pending inputs exactly as `pulumi refresh` compares them (the provider's own
  `observed_inputs`), leaving out objects that a resource of this state already owns and objects
  created before the stack's last finished operation (the killed update started after it);
- it never creates, updates or deletes anything in Polytomic; it refuses, listing the candidates,
  when more than one object fits;
- it writes the result into the state with the engine's own commands: `pulumi stack import` of
  the exported deployment with each found object recorded as its resource (and every pending
  create removed), then `pulumi refresh` of those resources, so their outputs are what the
  service reports.

`pulumi refresh --import-pending-creates` would be the engine's way, but CLI v3.274.1 drops the
resource it is asked to import (the state ends with neither the pending operation nor the
resource), which would orphan the object; hence the import of an edited deployment.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from .client import PolytomicClient
from .errors import PolytomicError
from .resources._base import PolytomicProvider
from .resources.connection import ConnectionProvider
from .resources.model import ModelProvider
from .resources.sync import SyncProvider
from .settings import Settings

__all__ = ["Decision", "RecoveryError", "RecoveryPlan", "Window", "add_command", "plan_recovery"]

_TYPE_PREFIX = "pulumi-python:dynamic/polytomic:"
_PROVIDERS: Mapping[str, type[PolytomicProvider]] = {
    f"{_TYPE_PREFIX}Connection": ConnectionProvider,
    f"{_TYPE_PREFIX}Model": ModelProvider,
    f"{_TYPE_PREFIX}Sync": SyncProvider,
}
#: The stack identity is minted locally (no API call): an interrupted create of it made nothing.
_LOCAL_ONLY_TYPES = frozenset({f"{_TYPE_PREFIX}StackIdentity"})
#: How far the service's clock (`created_at`) may be behind the clock that stamped the history:
#: too little would pass over the object a crashed create made (a duplicate later); too much only
#: makes a refusal likelier.
CLOCK_SKEW = timedelta(seconds=10)


class RecoveryError(Exception):
    """Recovery could not run or could not finish; the message says what to do."""


@attrs.frozen
class Candidate:
    """An object in Polytomic that a pending create may have made."""

    id: str
    name: str
    created_at: datetime | None


@attrs.frozen
class Window:
    """Which objects can be an interrupted create's: those created at or after `start`.

    By default `start` is the end of the stack's last finished operation (the killed update, which
    left no record, began after it). An operation run since the crash (a `pulumi refresh`) moves
    that bound past the crash, so a pending create that only older objects match is refused rather
    than dropped, unless the user named the start (`given`, from --since).
    """

    start: datetime | None = None
    given: bool = False

    @classmethod
    def after(cls, finished: datetime | None) -> Window:
        """The window that opens when the last finished operation ended (give or take the
        clocks' skew); open since ever when the stack has no recorded operation."""
        return cls(finished - CLOCK_SKEW if finished else None)

    def admits(self, candidate: Candidate) -> bool:
        return self.start is None or candidate.created_at is None or candidate.created_at >= self.start


@attrs.frozen
class Decision:
    """What recovery does with one pending create.

    Attributes:
        urn: the resource whose create was interrupted.
        action: ``import`` (record `object_id` as the resource), ``clear`` (nothing was made, or
            the resource is in the state already: drop the operation), or ``refuse``.
        object_id: the object to record, for ``import``.
        reason: why, in words the user reads.
        candidates: the objects that fit, for ``refuse``.
    """

    urn: str
    action: str = attrs.field(validator=attrs.validators.in_(("import", "clear", "refuse")))
    reason: str
    object_id: str | None = None
    candidates: tuple[Candidate, ...] = ()


@attrs.frozen
class RecoveryPlan:
    """Every pending create of a stack's state and what recovery does with it."""

    decisions: tuple[Decision, ...]
    #: Pending operations other than creates; the state import drops them, as `refresh` would.
    other_operations: tuple[str, ...] = ()

    @property
    def refused(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.action == "refuse")

    @property
    def imports(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.action == "import")

    def describe(self) -> str:
        """The plan as lines a person reads (never a secret: only names, ids and times)."""
        if not self.decisions and not self.other_operations:
            return "No pending operations: nothing to recover."
        lines = [f"{len(self.decisions)} pending create(s) from an interrupted update:"]
        for decision in self.decisions:
            lines.append(f"  {decision.action:<7} {_short(decision.urn)}: {decision.reason}")
            lines.extend(f"            {c.id}  {c.name!r}  created {_when(c.created_at)}"
                         for c in decision.candidates)
        lines.extend(f"  drop    {op}" for op in self.other_operations)
        return "\n".join(lines)

    def recovered(self, deployment: Mapping[str, Any]) -> dict[str, Any]:
        """The deployment with every found object recorded as its resource and no pending
        operation left. Refuses while any pending create is unresolved."""
        if self.refused:
            raise RecoveryError("some pending creates are ambiguous; nothing was changed")
        found = {d.urn: d.object_id for d in self.imports}
        edited = json.loads(json.dumps(deployment))  # a deep copy, leaving the export untouched
        body = edited["deployment"]
        for operation in body.get("pending_operations") or []:
            resource = operation["resource"]
            if operation["type"] == "creating" and resource["urn"] in found:
                # Its dependencies and parent are in the state already (the engine creates a
                # resource only after them) and nothing depends on it yet: it can go last.
                # The inputs stand in for outputs until the refresh that follows reads them.
                body["resources"].append({**resource, "id": found[resource["urn"]],
                                          "outputs": dict(resource.get("inputs") or {})})
        body["pending_operations"] = []
        return edited  # type: ignore[no-any-return]


def plan_recovery(deployment: Mapping[str, Any], settings: Settings, *,
                  window: Window = Window()) -> RecoveryPlan:
    """Decide, for each pending create of an exported deployment, what it made in Polytomic.

    Args:
        deployment: `pulumi stack export` output (secrets may stay encrypted: they are never
            compared, the service does not return them).
        settings: how to reach the stack's Polytomic organization; it is only read.
        window: which objects can be an interrupted create's, by creation time.
    """
    body = deployment.get("deployment") or {}
    in_state = {r["urn"] for r in body.get("resources") or []}
    owned = {r["id"] for r in body.get("resources") or [] if r.get("type") in _PROVIDERS and r.get("id")}
    with PolytomicClient(settings) as client:
        return _plan(body, in_state, owned, _Organization(client, settings), window)


def _plan(body: Mapping[str, Any], in_state: set[str], owned: set[str], organization: _Organization,
          window: Window) -> RecoveryPlan:
    decisions: list[Decision] = []
    others: list[str] = []
    for operation in body.get("pending_operations") or []:
        resource = operation["resource"]
        if operation["type"] != "creating":
            others.append(f"{operation['type']} {_short(resource['urn'])}")
            continue
        decision = _decide(resource, in_state, owned, organization, window)
        if decision.object_id:
            owned.add(decision.object_id)  # one object can answer one pending create only
        decisions.append(decision)
    return RecoveryPlan(tuple(decisions), tuple(others))


def _decide(resource: Mapping[str, Any], in_state: set[str], owned: set[str],
            organization: _Organization, window: Window) -> Decision:
    urn, kind = resource["urn"], resource.get("type", "")
    inputs = resource.get("inputs") or {}
    provider = organization.provider(kind)
    if provider is None:
        if kind in _LOCAL_ONLY_TYPES or urn in in_state:
            return Decision(urn, "clear", "nothing of it exists outside the state" if urn not in
                            in_state else "the resource is in the state already")
        return Decision(urn, "refuse", f"{kind} is not a Polytomic resource; settle it with "
                        "`pulumi refresh` (interactive) or `pulumi stack export`/`import`")
    if inputs.get("adopt_id") and urn not in in_state:
        if organization.exists(provider, inputs["adopt_id"]):
            return Decision(urn, "import", f"adopts {provider.api_object} {inputs['adopt_id']}",
                            object_id=inputs["adopt_id"])
        return Decision(urn, "clear", f"{provider.api_object} {inputs['adopt_id']} to adopt does "
                        "not exist; the next `up` reports it")
    matching = [c for c in organization.matching(provider, inputs) if c.id not in owned]
    recent = [c for c in matching if window.admits(c)]
    earlier = tuple(c for c in matching if not window.admits(c))
    older = f" ({len(earlier)} older ones, created before {_when(window.start)}, are left " \
            "alone)" if earlier else ""
    if urn in in_state:
        # A later `up` finished this create (a replay owns the same object), or the create was
        # the first half of a replacement; either way an unowned match would stay an orphan.
        if recent:
            return Decision(urn, "refuse", f"the state holds this resource already, and these "
                            f"{provider.api_object}s that no resource owns match its interrupted "
                            "create: delete them in Polytomic (if no other stack uses them), then "
                            "recover again", candidates=tuple(recent))
        return Decision(urn, "clear", f"the resource is in the state already{older}")
    if not recent and earlier and not window.given:
        return Decision(urn, "refuse", f"no {provider.api_object} created since the stack's last "
                        f"finished operation ({_when(window.start)}) matches its inputs, but these "
                        "older ones that no resource owns do. If the update was interrupted before "
                        "that operation, pass --since <time of the interrupted update>; if none of "
                        f"them is this stack's, pass --since {_when(window.start)}",
                        candidates=earlier)
    if not recent:
        return Decision(urn, "clear", f"no {provider.api_object} that no resource owns matches "
                        f"its inputs: the create never reached Polytomic{older}")
    if len(recent) > 1:
        return Decision(urn, "refuse", f"{len(recent)} {provider.api_object}s that no resource "
                        f"owns match its inputs; pass --since <time of the interrupted update> "
                        f"to keep the newer ones{older}", candidates=tuple(recent))
    found = recent[0]
    return Decision(urn, "import", f"{provider.api_object} {found.id}, created "
                    f"{_when(found.created_at)}, matches its inputs{older}", object_id=found.id)


class _Organization:
    """The organization's objects, read once per kind (reads only), and the providers that say
    how an object compares with a resource's inputs."""

    def __init__(self, client: PolytomicClient, settings: Settings) -> None:
        self._client = client
        self._lists: dict[str, list[dict[str, Any]]] = {}
        config = {"polytomic:apiKey": settings.api_key, "polytomic:deploymentUrl": settings.deployment_url}
        self._providers = {kind: provider() for kind, provider in _PROVIDERS.items()}
        for provider in self._providers.values():
            provider.configure(ConfigureRequest(Config(config, "polytomic")))  # as the engine does

    def provider(self, kind: str) -> PolytomicProvider | None:
        return self._providers.get(kind)

    def exists(self, provider: PolytomicProvider, object_id: str) -> bool:
        return any(o["id"] == object_id for o in self._objects(provider))

    def matching(self, provider: PolytomicProvider, inputs: Mapping[str, Any]) -> Iterator[Candidate]:
        declared = {name: inputs.get(name) for name in provider.input_names}
        compared = [n for n in provider.input_names if n not in provider.secret_inputs]
        for summary in self._objects(provider):
            if summary.get("name") != declared.get("name"):
                continue
            api_object = self._full(provider, summary)
            observed = provider.observed_inputs(api_object, declared)
            if all(observed.get(name) == declared.get(name) for name in compared):
                yield Candidate(api_object["id"], str(api_object.get("name")),
                                _parse_time(api_object.get("created_at")))

    def _objects(self, provider: PolytomicProvider) -> list[dict[str, Any]]:
        kind = provider.api_object
        if kind not in self._lists:
            self._lists[kind] = (self._client.list_connections() if kind == "connection" else
                                 self._client.list_models() if kind == "model" else
                                 list(self._client.list_syncs()))
        return self._lists[kind]

    def _full(self, provider: PolytomicProvider, summary: dict[str, Any]) -> dict[str, Any]:
        # Syncs are listed in a slim shape (no fields, identity or target block).
        return self._client.get_sync(summary["id"]) if provider.api_object == "sync" else summary


# --- the engine -----------------------------------------------------------------------------------


@attrs.frozen
class PulumiStack:
    """The `pulumi` CLI, run in a project directory for one stack."""

    name: str
    directory: Path = Path()

    def run(self, *args: str) -> str:
        command = ["pulumi", *args, "--stack", self.name, "--non-interactive"]
        try:
            result = subprocess.run(command, cwd=self.directory, capture_output=True, text=True)
        except FileNotFoundError:
            raise RecoveryError("the `pulumi` CLI is not on PATH") from None
        if result.returncode != 0:
            hint = ("\nA killed update leaves its lock behind in self-managed backends: if no "
                    f"`pulumi` command is running on this stack, run `pulumi cancel --stack "
                    f"{self.name} --yes`, then recover again." if "currently locked" in result.stderr
                    else "")
            raise RecoveryError(f"`pulumi {' '.join(args[:2])}` failed (exit {result.returncode}):"
                                f"\n{result.stderr.strip()}{hint}")
        return result.stdout

    def export(self) -> dict[str, Any]:
        return json.loads(self.run("stack", "export"))  # type: ignore[no-any-return]

    def settings(self) -> Settings:
        """The stack's Polytomic credentials (stack config, else the environment), as the
        providers read them."""
        config = json.loads(self.run("config", "--json", "--show-secrets"))
        return Settings.from_config({key: str(entry.get("value", "")) for key, entry in config.items()
                                     if key.startswith("polytomic:")})

    def last_finished(self) -> datetime | None:
        """When the stack's newest recorded operation ended (a killed update leaves no record)."""
        history = json.loads(self.run("stack", "history", "--json", "--page-size", "1") or "[]")
        return _parse_time(history[0].get("endTime")) if history else None

    def import_deployment(self, deployment: Mapping[str, Any]) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "deployment.json"
            # The export keeps secrets encrypted; the file still stays private and short-lived.
            path.touch(mode=0o600)
            path.write_text(json.dumps(deployment))
            self.run("stack", "import", "--file", str(path))

    def refresh(self, urns: Iterable[str]) -> None:
        self.run("refresh", "--yes", "--skip-preview", *(f"--target={urn}" for urn in urns))


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `recover` to the command line; it sets `run`, which takes the parsed arguments."""
    recover = commands.add_parser(
        "recover", help="settle the pending creates a killed `pulumi up` left in a stack's state",
        description="Finds what each interrupted create made in Polytomic (reading only) and "
                    "records it in the state, so that no pending operation, duplicate or orphan "
                    "remains. Prints the plan; changes the state only with --yes.")
    recover.add_argument("--stack", required=True, help="the stack whose `up` was interrupted")
    recover.add_argument("--cwd", type=Path, default=Path(), help="the Pulumi project directory")
    recover.add_argument("--since", type=_since,
                         help="only objects created at or after this ISO time are considered "
                              "(default: the end of the stack's last finished operation)")
    recover.add_argument("--yes", action="store_true", help="apply the plan")
    recover.set_defaults(run=recover_stack)


def recover_stack(args: argparse.Namespace) -> int:
    """Plan, print, and with --yes apply: import the found objects, then refresh them."""
    stack = PulumiStack(args.stack, args.cwd)
    try:
        deployment = stack.export()
        window = Window(args.since, given=True) if args.since else Window.after(stack.last_finished())
        plan = plan_recovery(deployment, stack.settings(), window=window)
        print(plan.describe())
        if plan.refused:
            print("Nothing was changed.", file=sys.stderr)
            return 1
        if not (plan.decisions or plan.other_operations):
            return 0
        if not args.yes:
            print(f"Dry run: nothing was changed. Apply with: python -m polytomic_components "
                  f"recover --stack {args.stack} --yes")
            return 0
        stack.import_deployment(plan.recovered(deployment))
        if plan.imports:
            try:
                stack.refresh(d.urn for d in plan.imports)
            except RecoveryError as error:
                # What the service computed (a model's fields, the audience a sync created) is
                # only in the state once read; an `up` without it could create a new audience.
                raise RecoveryError(f"{error}\nThe objects are recorded in the state; run `pulumi "
                                    f"refresh --stack {args.stack}` before the next `up`.") from None
    except (RecoveryError, PolytomicError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Recovered: {len(plan.imports)} imported, {len(plan.decisions) - len(plan.imports)} "
          "cleared; no pending operations are left. Run `pulumi up` to finish the update.")
    return 0


def _parse_time(value: Any) -> datetime | None:
    """An ISO time (UTC unless it says otherwise), or None for none or an unreadable one."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    return parsed.replace(tzinfo=parsed.tzinfo or timezone.utc) if parsed else None


def _since(value: str) -> datetime:
    parsed = _parse_time(value)
    if parsed is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO time such as 2026-11-29T06:20:00Z")
    return parsed


def _when(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else "at an unknown time"


def _short(urn: str) -> str:
    """`Model newsletter-subscribers-model` for a URN."""
    kind = urn.split("::")[-2].rsplit(":", 1)[-1]
    return f"{kind} {urn.rsplit('::', 1)[-1]}"

