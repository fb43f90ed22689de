"""Recovery from a `pulumi up` that was killed: `python -m polytomic_components recover`.

A `pulumi up` killed while it creates an object leaves a pending `creating` operation in the
stack's state, and the object may or may not exist in Polytomic. Recovery settles every pending
create for good, and adopts an object only with proof that this stack made it:

- Matching inputs are no proof: another state backend holding the same project, stack and config
  (CI beside a laptop) makes identical objects. Candidates are the organization's objects whose
  inputs match (compared as `pulumi refresh` compares them), that no resource of this state owns
  and that were created after the stack's last finished operation.
- The proof is the create's Idempotency-Key. It derives from the stack's random identity, so only
  this stack ever sends it, and the service answers a key it holds with its first answer. While
  the service still holds the key (24 h), `--yes` sends the interrupted create again, unchanged:
  the answer is the object it made, or, if it never reached Polytomic, the object it was about to
  make (what the next `up` would do with the same key). The dry run sends nothing.
- Past that window nothing proves which look-alike, if any, is this stack's: recovery refuses and
  lists them; the user names the one that is (`--adopt <id>`), or none (`--since <now>`).
- It never updates or deletes anything in Polytomic. It writes the result into the state with the
  engine's own commands: `pulumi stack import` of the exported deployment with each found object
  recorded as its resource (and every pending create removed), then `pulumi refresh` of those
  resources, so their outputs are what the service reports.

`pulumi refresh --import-pending-creates` would be the engine's way, but CLI v3.274.1 drops the
resource it is asked to import (the state ends with neither the pending operation nor the
resource), which would orphan the object; hence the import of an edited deployment.
"""

from __future__ import annotations

import argparse
import json
import re
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

from . import stranded
from .client import PolytomicClient
from .command_line import PROG, add_subcommand
from .errors import PolytomicError
from .resources._base import PolytomicProvider
from .resources.connection import ConnectionProvider
from .resources.model import ModelProvider
from .resources.sync import SyncProvider
from .settings import Settings
from .stranded import Finding

__all__ = ["Decision", "RecoveryError", "RecoveryPlan", "Window", "add_command", "plan_recovery",
           "replay_creates"]

_TYPE_PREFIX = "pulumi-python:dynamic/polytomic:"
_PROVIDERS: Mapping[str, type[PolytomicProvider]] = {
    f"{_TYPE_PREFIX}Connection": ConnectionProvider,
    f"{_TYPE_PREFIX}Model": ModelProvider,
    f"{_TYPE_PREFIX}Sync": SyncProvider,
}
#: Creates that leave nothing to adopt: the stack identity is minted locally (no API call), and a
#: first run is a sync execution, which the next `up` simply starts again.
_LOCAL_ONLY_TYPES = frozenset({f"{_TYPE_PREFIX}StackIdentity", f"{_TYPE_PREFIX}SyncRun"})
#: How far the service's clock (`created_at`) may be behind the clock that stamped the history:
#: too little would pass over the object a crashed create made (a duplicate later); too much only
#: makes a refusal likelier.
CLOCK_SKEW = timedelta(seconds=10)
#: How long the service surely still holds an Idempotency-Key (it keeps them at least 24 h).
KEYS_HELD = timedelta(hours=23)
#: How `pulumi stack export --show-secrets` marks a secret value (its plaintext is JSON).
_SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"


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
        action: ``import`` (record `object_id` as the resource), ``replay`` (send the create again
            with its Idempotency-Key, then import what the service answers), ``clear`` (nothing
            was made, or the resource is in the state already: drop the operation), or ``refuse``.
        object_id: the object to record, for ``import``.
        reason: why, in words the user reads.
        candidates: the objects that fit, for ``refuse``.
    """

    urn: str
    action: str = attrs.field(validator=attrs.validators.in_(("import", "replay", "clear", "refuse")))
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

    @property
    def replays(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.action == "replay")

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
        if self.refused or self.replays:
            raise RecoveryError("some pending creates are unresolved; nothing was changed")
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


def plan_recovery(deployment: Mapping[str, Any], settings: Settings, *, window: Window = Window(),
                  vouched: Iterable[str] = (), now: datetime | None = None) -> RecoveryPlan:
    """Decide, for each pending create of an exported deployment, what it made in Polytomic.

    Args:
        deployment: `pulumi stack export` output (secrets may stay encrypted: they are never
            compared, the service does not return them).
        settings: how to reach the stack's Polytomic organization; it is only read.
        window: which objects can be an interrupted create's, by creation time.
        vouched: ids the user says are this stack's (`--adopt`), for creates nothing else proves.
        now: the current time (a test can look from a day later).
    """
    body = deployment.get("deployment") or {}
    in_state = {r["urn"] for r in body.get("resources") or []}
    owned = {r["id"] for r in body.get("resources") or [] if r.get("type") in _PROVIDERS and r.get("id")}
    with PolytomicClient(settings) as client:
        organization = _Organization(client, settings)
        plan = _plan(body, in_state, owned, organization,
                     _Evidence(window, frozenset(vouched), now or datetime.now(timezone.utc)))
    named = {c.id for d in plan.decisions for c in d.candidates} | {d.object_id for d in plan.imports}
    unknown = sorted(set(vouched) - named)
    if unknown:
        raise RecoveryError(f"--adopt {', '.join(unknown)}: no pending create of this stack has "
                            "such a candidate; run recover without --adopt to see them")
    return plan


def replay_creates(plan: RecoveryPlan, revealed: Mapping[str, Any], settings: Settings) -> RecoveryPlan:
    """Send each create the plan replays again, unchanged (same body, same Idempotency-Key), and
    record the object the service answers with as that resource's.

    Args:
        plan: a plan from :func:`plan_recovery`.
        revealed: the same deployment exported with `--show-secrets` (a create's body carries its
            secrets; they go to Polytomic only, as the interrupted create sent them).
        settings: how to reach the stack's Polytomic organization.
    """
    if not plan.replays:
        return plan
    pending = {op["resource"]["urn"]: op["resource"]
               for op in (revealed.get("deployment") or {}).get("pending_operations") or []}
    with PolytomicClient(settings) as client:
        organization = _Organization(client, settings)
        decisions = [_replayed(d, pending[d.urn], organization) if d.action == "replay" else d
                     for d in plan.decisions]
    return attrs.evolve(plan, decisions=tuple(decisions))


def _replayed(decision: Decision, resource: Mapping[str, Any], organization: _Organization) -> Decision:
    provider = organization.provider(resource["type"])
    assert provider is not None  # only Polytomic resources are replayed
    made = provider.send_create(_as_sent(_reveal(resource.get("inputs") or {})))
    kind = provider.api_object
    if made["id"] in {c.id for c in decision.candidates}:
        why = f"{kind} {made['id']}: the service replayed the interrupted create's Idempotency-Key"
    else:
        why = (f"{kind} {made['id']}: made now with the interrupted create's Idempotency-Key, which "
               "had not reached Polytomic" + (f"; the {len(decision.candidates)} look-alike(s) are "
                                              "another stack's" if decision.candidates else ""))
    return Decision(decision.urn, "import", why, object_id=made["id"])


@attrs.frozen
class _Evidence:
    """What recovery goes by, besides the organization's objects."""

    window: Window
    vouched: frozenset[str]
    now: datetime

    def key_still_held(self, candidates: Iterable[Candidate]) -> bool:
        """Whether the service surely still holds the interrupted create's Idempotency-Key: the
        update began recently, or every object it could have made is recent."""
        horizon = self.now - KEYS_HELD
        if self.window.start is not None and self.window.start >= horizon:
            return True
        return all(c.created_at is not None and c.created_at >= horizon for c in candidates)


def _plan(body: Mapping[str, Any], in_state: set[str], owned: set[str], organization: _Organization,
          evidence: _Evidence) -> RecoveryPlan:
    decisions: list[Decision] = []
    others: list[str] = []
    for operation in body.get("pending_operations") or []:
        resource = operation["resource"]
        if operation["type"] != "creating":
            others.append(f"{operation['type']} {_short(resource['urn'])}")
            continue
        decision = _decide(resource, in_state, owned, organization, evidence)
        if decision.object_id:
            owned.add(decision.object_id)  # one object can answer one pending create only
        decisions.append(decision)
    return RecoveryPlan(tuple(decisions), tuple(others))


def _decide(resource: Mapping[str, Any], in_state: set[str], owned: set[str],
            organization: _Organization, evidence: _Evidence) -> Decision:
    urn, kind = resource["urn"], resource.get("type", "")
    inputs = resource.get("inputs") or {}
    window = evidence.window
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
    named = [c for c in matching if c.id in evidence.vouched]
    if len(named) == 1:
        return Decision(urn, "import", f"{provider.api_object} {named[0].id}, created "
                        f"{_when(named[0].created_at)}: named with --adopt", object_id=named[0].id)
    if named:
        return Decision(urn, "refuse", f"--adopt names {len(named)} of its candidates; name one",
                        candidates=tuple(named))
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
    if evidence.key_still_held(recent):
        return Decision(urn, "replay", f"sends its create again with the Idempotency-Key only this "
                        "stack sends: Polytomic answers with the object it made, or makes it now if "
                        f"it never arrived. {len(recent)} {provider.api_object}(s) that no resource "
                        "owns match its inputs, which proves nothing (another stack with the same "
                        f"config makes the same){older}", candidates=tuple(recent))
    return Decision(urn, "refuse", f"{len(recent)} {provider.api_object}(s) that no resource owns "
                    "match its inputs, but nothing proves that this stack made any of them: another "
                    "stack with the same config makes the same, and Polytomic keeps the create's "
                    "Idempotency-Key only 24 h. If one is this stack's, pass --adopt <its id>; if "
                    f"none is, pass --since {_when(evidence.now)}{older}", candidates=tuple(recent))


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

    def run(self, *args: str, of_stack: bool = True) -> str:
        """`pulumi <args>` (for this stack unless `of_stack` is false); its standard output."""
        command = ["pulumi", *args, *(("--stack", self.name) if of_stack else ()), "--non-interactive"]
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

    def export(self, *, show_secrets: bool = False) -> dict[str, Any]:
        reveal = ("--show-secrets",) if show_secrets else ()
        return json.loads(self.run("stack", "export", *reveal))  # type: ignore[no-any-return]

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

    def stranded(self) -> list[Finding]:
        """What a killed run left in the stack's backend (a `file://` one; others report none)."""
        root = stranded.state_root(json.loads(self.run("whoami", "--json", of_stack=False)).get("url", ""))
        project = self.project()
        return stranded.inspect(root, project, self.name.rsplit("/", 1)[-1]) if root and project else []

    def project(self) -> str | None:
        """The project's name, from its Pulumi.yaml (read directly: the backend may be unreadable)."""
        for candidate in ("Pulumi.yaml", "Pulumi.yml"):
            path = self.directory / candidate
            if path.is_file():
                found = re.search(r"^name:\s*['\"]?([^'\"\s#]+)", path.read_text(), re.MULTILINE)
                return found.group(1) if found else None
        return None

    def repair(self, findings: Iterable[Finding]) -> None:
        """Repair what is safe: remove empty attributes files, then release a dead run's lock."""
        for finding in findings:
            if finding.path is not None:
                finding.path.unlink(missing_ok=True)
        if any(finding.stale_lock for finding in findings):
            self.run("cancel", "--yes")


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `recover` to the command line; it sets `run`, which takes the parsed arguments."""
    recover = add_subcommand(
        commands, "recover",
        summary="settle the pending creates a killed `pulumi up` left in a stack's state",
        description="Finds what each interrupted create made in Polytomic and records it in the "
                    "state, so that no pending operation, duplicate or orphan remains. Prints the "
                    "plan and sends nothing; with --yes it applies it, replaying an interrupted "
                    "create with its own Idempotency-Key where that is the proof of ownership "
                    "(the service answers with the object it made, or makes it now). It never "
                    "updates or deletes anything in Polytomic. Reads the stack's state and config "
                    "with `pulumi` (run it in the project directory, or give --cwd).",
        examples=["pulumi cancel --stack dev --yes",
                  f"{PROG} recover --stack dev          # dry run",
                  f"{PROG} recover --stack dev --yes    # apply"],
        run=recover_stack)
    recover.add_argument("--stack", required=True, help="the stack whose `up` was interrupted")
    recover.add_argument("--cwd", type=Path, default=Path(), help="the Pulumi project directory")
    recover.add_argument("--since", type=_since,
                         help="only objects created at or after this ISO time are considered "
                              "(default: the end of the stack's last finished operation)")
    recover.add_argument("--adopt", action="append", default=[], metavar="ID",
                         help="an object the plan lists as a candidate that you know this stack's "
                              "interrupted create made (repeat for several)")
    recover.add_argument("--yes", action="store_true",
                         help="apply the plan (replays send interrupted creates again)")


def recover_stack(args: argparse.Namespace) -> int:
    """Plan, print, and with --yes apply: import the found objects, then refresh them."""
    stack = PulumiStack(args.stack, args.cwd)
    try:
        findings = stack.stranded()
        for finding in findings:
            print(f"Found {finding.what}" + (f"\n  {'will ' if not args.yes else ''}"
                                             f"{finding.repair}" if finding.repair else ""))
        if any(finding.repair is None for finding in findings):
            print("Nothing was changed.", file=sys.stderr)
            return 1
        if any(finding.path for finding in findings) and not args.yes:
            # The state cannot be read before the repair, so the plan cannot be shown yet.
            print(f"Dry run: nothing was changed. Repair and recover with: python -m "
                  f"polytomic_components recover --stack {args.stack} --yes")
            return 0
        if args.yes:
            stack.repair(findings)
        deployment = stack.export()
        window = Window(args.since, given=True) if args.since else Window.after(stack.last_finished())
        settings = stack.settings()
        plan = plan_recovery(deployment, settings, window=window, vouched=args.adopt)
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
        if plan.replays:
            plan = replay_creates(plan, stack.export(show_secrets=True), settings)
            print("\n".join(f"  import  {_short(d.urn)}: {d.reason}" for d in plan.imports))
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


def _reveal(value: Any) -> Any:
    """A value of `pulumi stack export --show-secrets` as the provider received it: secrets
    unwrapped."""
    if isinstance(value, Mapping):
        if value.get(_SECRET_SIGNATURE) and "plaintext" in value:
            return _reveal(json.loads(value["plaintext"]))
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal(v) for v in value]
    return value


def _as_sent(value: Any) -> Any:
    """Inputs as the engine hands them to `create`: every number a float (its wire format), so
    that the Idempotency-Key derived from them is the one the interrupted create sent."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, Mapping):
        return {k: _as_sent(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_sent(v) for v in value]
    return value


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

