"""Pull-request summaries of Pulumi previews (the `preview-summary` command).

It reads either the engine's event log (`pulumi preview --event-log FILE`, what the example
workflows save) or the output of `pulumi preview --json`. Only the event log carries the policy
pack's verdicts (the JSON has none, pulumi/pulumi#18851) and, for a preview that failed, the changes
the engine planned before it stopped.

Python dynamic providers cannot return a detailed diff (the JSON has `detailedDiff: null`), so the
property-level changes are computed here from each step's old and new inputs. Secrets stay masked:
the engine writes secret values as `[secret]`, and the inputs the providers declare secret
(`secret_configuration`, `encryption_passphrase`) are masked wherever they appear.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .command_line import PROG, add_subcommand
from .resources._base import UNKNOWN, PolytomicProvider
from .resources.connection import ConnectionProvider
from .resources.model import ModelProvider
from .resources.sync import SyncProvider
from .resources.sync_run import SyncRunProvider

PIPELINE_TYPE = "polytomic:index:LinkedInAudiencePipeline"
#: The stack itself: the engine reports it as a step, but it is not something a reviewer changes.
STACK_TYPE = "pulumi:pulumi:Stack"
#: The type token of a Polytomic dynamic resource: this prefix, then the kind (`Sync`).
DYNAMIC_TYPE_PREFIX = "pulumi-python:dynamic/polytomic:"
#: The key of the object the engine uses for a secret value in serialized state.
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
MASK = "[secret]"
KNOWN_AFTER_APPLY = "(known after apply)"
#: Operations, in the order a summary lists them. The engine's other steps change nothing
#: (`same`, `read`, `refresh`) or are the halves of a replacement it also reports as `replace`.
OPERATIONS = ("create", "update", "replace", "delete")

#: Diagnostics shown as warnings: the engine's, and what providers print on stderr (how a Python
#: dynamic provider speaks to the person running Pulumi).
WARNING_SEVERITIES = ("warning", "info#err")
#: Inputs that are the library's bookkeeping rather than a setting: a sync run's `fingerprint` of
#: the settings it ran with changes whenever they do, which the sync's own diff already shows.
HIDDEN_INPUTS: Mapping[str, frozenset[str]] = {"SyncRun": frozenset({"fingerprint"})}
#: The engine's colour markup in event-log messages (`<{%reset%}>`).
_COLOUR = re.compile(r"<\{%[^%]*%\}>")

_PROVIDERS: Mapping[str, type[PolytomicProvider]] = {
    "Connection": ConnectionProvider, "Model": ModelProvider, "Sync": SyncProvider,
    "SyncRun": SyncRunProvider}
SECRET_INPUTS = frozenset(name for provider in _PROVIDERS.values() for name in provider.secret_inputs)
#: Sync inputs that choose the audience: an existing one, or the one the sync creates.
AUDIENCE_INPUTS = ("target.object", "target.create")
#: Values longer than this (or spanning lines) are shown as a diff block rather than inline.
_INLINE_LIMIT = 80


@attrs.frozen
class PropertyChange:
    """One input that differs; `old` or `new` is None where the input is absent on that side."""

    path: str
    old: str | None
    new: str | None


@attrs.frozen
class ResourceChange:
    """What a preview would do to one resource, and what a reviewer should look at first."""

    op: str
    kind: str
    name: str
    pipeline: str | None
    properties: tuple[PropertyChange, ...] = ()
    urn: str = ""
    replace_reasons: tuple[str, ...] = ()
    attention: tuple[str, ...] = ()


@attrs.frozen
class PolicyVerdict:
    """A policy pack's violation: `level` is `mandatory` (it fails the preview) or `advisory`."""

    policy: str
    level: str
    message: str
    urn: str | None = None


@attrs.frozen
class StackPreview:
    """One stack's preview: its changes, the warnings it printed, its policy verdicts, and the
    error that stopped it (a failed preview keeps the changes the engine got to)."""

    stack: str
    changes: tuple[ResourceChange, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    policies: tuple[PolicyVerdict, ...] = ()
    #: The pipeline of each resource the preview saw (changed or not), by URN.
    pipelines: Mapping[str, str] = attrs.field(factory=dict)

    def count(self, op: str) -> int:
        """Objects the preview would `op`; a pipeline component is not one (its children are)."""
        return sum(1 for change in self.changes if change.op == op and change.kind != PIPELINE_TYPE)

    def pipeline_of(self, urn: str | None) -> str | None:
        """The pipeline a URN belongs to, as this preview's steps say."""
        return self.pipelines.get(urn) if urn else None

    def verdict_pipeline(self, verdict: PolicyVerdict) -> str | None:
        """The pipeline a verdict concerns: its resource's, or (for a stack policy, which the engine
        reports against the stack) the one its message names."""
        named = re.search(r"\(pipeline '([^']+)'\)", verdict.message)
        return self.pipeline_of(verdict.urn) or (named.group(1) if named else None)


# --- reading ---------------------------------------------------------------------------------


def read_preview(text: str, stack: str | None = None, *, source: str = "stdin") -> StackPreview:
    """Parse an event log or `pulumi preview --json` output; `stack` overrides the URNs' name.

    Output that is neither (an error printed before the engine started, an empty file) is
    reported as a failed preview with that text as its error.
    """
    document = _event_log(text)
    if document is None:
        try:
            document = json.loads(text)
        except ValueError:
            document = None
    if not isinstance(document, Mapping):
        message = text.strip() or f"{source}: no output from `pulumi preview`"
        return StackPreview(stack or source, error=message)

    steps = [s for s in document.get("steps") or () if isinstance(s, Mapping)]
    name = stack or next((_urn_parts(s.get("urn", ""))[0] for s in steps if s.get("urn")), source)
    diagnostics = [d for d in document.get("diagnostics") or () if isinstance(d, Mapping)]
    errors = [_message(d) for d in diagnostics if d.get("severity") == "error"]
    changes = tuple(_resource_change(step) for step in steps if step.get("op") in OPERATIONS
                    and _urn_parts(str(step.get("urn", "")))[1] != STACK_TYPE)
    # A provider's message about a resource the summary already explains would say it twice.
    # Providers print on stderr, which the engine attributes to no URN: their messages start
    # `polytomic: <resource name>: `.
    explained = {key for change in changes if change.attention for key in (change.urn, change.name)}
    warnings = tuple(_message(d) for d in diagnostics if d.get("severity") in WARNING_SEVERITIES
                     and not {d.get("urn"), _provider_subject(_message(d))} & explained)
    policies = tuple(PolicyVerdict(str(p.get("policyName")), str(p.get("enforcementLevel")),
                                   _policy_message(p), p.get("resourceUrn") or None)
                     for p in document.get("policies") or ())
    pipelines = {str(step["urn"]): pipeline for step in steps if step.get("urn")
                 and (pipeline := _step_pipeline(step))}
    return StackPreview(name, changes, warnings, "\n".join(errors) or None, policies, pipelines)


def _event_log(text: str) -> dict[str, Any] | None:
    """An event log (one engine event per line) as a preview document: its planned steps (the
    last event of each resource), diagnostics and policy verdicts; None for any other text."""
    events = []
    for line in text.splitlines():
        try:
            event = json.loads(line) if line.strip() else None
        except ValueError:
            return None
        if event is not None:
            if not (isinstance(event, Mapping) and "sequence" in event):
                return None
            events.append(event)
    if not events:
        return None
    steps: dict[str, dict[str, Any]] = {}
    document: dict[str, Any] = {"diagnostics": [], "policies": []}
    for event in events:
        if pre := event.get("resourcePreEvent"):
            metadata = pre.get("metadata") or {}
            steps[str(metadata.get("urn"))] = {
                "op": metadata.get("op"), "urn": metadata.get("urn"), "oldState": metadata.get("old"),
                "newState": metadata.get("new"), "replaceReasons": metadata.get("keys")
                if metadata.get("op") == "replace" else None}
        elif diagnostic := event.get("diagnosticEvent"):
            document["diagnostics"].append(diagnostic)
        elif policy := event.get("policyEvent"):
            document["policies"].append(policy)
        elif error := event.get("errorEvent"):
            document["diagnostics"].append({"message": error.get("error"), "severity": "error"})
    document["steps"] = list(steps.values())
    return document


def _policy_message(event: Mapping[str, Any]) -> str:
    """A verdict's message without the policy's description, which the engine puts first."""
    message = _message(event)
    return message.split("\n", 1)[1].strip() if "\n" in message else message


def _provider_subject(message: str) -> str | None:
    """The resource a provider's message is about (`polytomic: <name>: ...`)."""
    match = re.match(r"polytomic: ([^:\s]+): ", message)
    return match.group(1) if match else None


def _message(diagnostic: Mapping[str, Any]) -> str:
    return _COLOUR.sub("", str(diagnostic.get("message", ""))).strip()


def _urn_parts(urn: str) -> tuple[str, str, str]:
    """(stack, type, name) of `urn:pulumi:<stack>::<project>::<parent$...$type>::<name>`."""
    head, _project, qualified_type, name = [*urn.split("::", 3), "", "", ""][:4]
    return head.rsplit(":", 1)[-1], qualified_type.rsplit("$", 1)[-1], name


def _resource_change(step: Mapping[str, Any]) -> ResourceChange:
    op = str(step["op"])
    _stack, type_, name = _urn_parts(str(step.get("urn", "")))
    old_state: Mapping[str, Any] = step.get("oldState") or {}
    new_state: Mapping[str, Any] = step.get("newState") or {}
    kind = type_.removeprefix(DYNAMIC_TYPE_PREFIX) if type_.startswith(DYNAMIC_TYPE_PREFIX) else type_
    pipeline = _step_pipeline(step)
    old = _shown_inputs(kind, old_state.get("inputs")) if op != "create" else {}
    new = _shown_inputs(kind, new_state.get("inputs")) if op != "delete" else {}
    properties = () if op == "delete" else tuple(_changes("", old, new))
    change = ResourceChange(op, kind, name, pipeline, properties, str(step.get("urn", "")),
                            tuple(str(r) for r in step.get("replaceReasons") or ()))
    return attrs.evolve(change, attention=tuple(_attention(change, old, new, old_state)))


def _step_pipeline(step: Mapping[str, Any]) -> str | None:
    _stack, type_, name = _urn_parts(str(step.get("urn", "")))
    if type_ == PIPELINE_TYPE:
        return name
    old_state: Mapping[str, Any] = step.get("oldState") or {}
    new_state: Mapping[str, Any] = step.get("newState") or {}
    return _pipeline_of(new_state.get("parent") or old_state.get("parent"))


def _pipeline_of(parent_urn: str | None) -> str | None:
    if not parent_urn:
        return None
    _stack, type_, name = _urn_parts(parent_urn)
    return name if type_ == PIPELINE_TYPE else None


def _shown_inputs(kind: str, inputs: Mapping[str, Any] | None) -> dict[str, Any]:
    """The inputs a reviewer recognises, masked: a provider's own inputs, not its bookkeeping."""
    inputs = inputs or {}
    provider = _PROVIDERS.get(kind)
    names = provider.input_names if provider else [k for k in inputs if not k.startswith("__")]
    hidden = HIDDEN_INPUTS.get(kind, frozenset())
    return {name: _masked(inputs[name], name) for name in names if name in inputs and name not in hidden}


def _masked(value: Any, key: str = "") -> Any:
    """`value` ready to show: secrets as the mask, unknown values as known after apply."""
    if key in SECRET_INPUTS or value == MASK:
        return MASK
    if isinstance(value, Mapping):
        if SECRET_SIGNATURE in value:
            return MASK
        return {k: _masked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if value == UNKNOWN:
        return KNOWN_AFTER_APPLY
    return value


_ABSENT = object()


def _changes(path: str, old: Any, new: Any) -> Iterator[PropertyChange]:
    """The differing leaves of two masked values; a subtree only one side has is one change
    (so a new resource is listed input by input)."""
    if old == new:
        return
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in dict.fromkeys([*old, *new]):
            yield from _changes(f"{path}.{key}" if path else key,
                                old.get(key, _ABSENT), new.get(key, _ABSENT))
    elif isinstance(old, list) and isinstance(new, list):
        yield from _list_changes(path, old, new)
    else:
        yield PropertyChange(path, _text(old), _text(new))


def _list_changes(path: str, old: list[Any], new: list[Any]) -> Iterator[PropertyChange]:
    """Items matched as a sequence, so one item added in the middle is one change, not a shift of
    every item after it (removed items are numbered as they were, added ones as they will be)."""
    matcher = difflib.SequenceMatcher(a=[_canonical(v) for v in old], b=[_canonical(v) for v in new],
                                      autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "replace" and old_end - old_start == new_end - new_start:
            for offset in range(old_end - old_start):
                yield from _changes(f"{path}[{new_start + offset}]", old[old_start + offset],
                                    new[new_start + offset])
        elif tag != "equal":
            for index in range(old_start, old_end):
                yield PropertyChange(f"{path}[{index}]", _text(old[index]), None)
            for index in range(new_start, new_end):
                yield PropertyChange(f"{path}[{index}]", None, _text(new[index]))


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _text(value: Any) -> str | None:
    if value is _ABSENT:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _attention(change: ResourceChange, old: Mapping[str, Any], new: Mapping[str, Any],
               old_state: Mapping[str, Any]) -> Iterator[str]:
    """What a reviewer must not miss: audiences touched, syncs deleted, members removed, adopted
    objects deleted."""
    adopted = (old_state.get("inputs") or {}).get("adopt_id")
    if adopted and change.op in ("delete", "replace") and change.kind in ADOPTABLE:
        what = f"{change.kind.lower()} `{change.name}` ({adopted}), which this stack adopted"
        yield (f"forgets {what}; it stays in Polytomic (`on_destroy: keep`)"
               if old_state.get("retainOnDelete") else
               f"deletes {what} (made outside it); `on_destroy: keep` would keep it")
    if change.kind != "Sync":
        return
    sync = f"sync `{change.name}`"
    if change.op == "create":
        yield f"creates {sync}, writing to {_audience(new)}"
    elif change.op == "replace":
        reasons = ", ".join(f"`{r}`" for r in change.replace_reasons)
        yield (f"replaces {sync}" + (f" (because of {reasons})" if reasons else "")
               + f": from {_audience(old, old_state)} to {_audience(new)}")
    elif change.op == "delete":
        yield (f"deletes {sync}, which writes to {_audience(old, old_state)}; the audience is kept "
               "(a LinkedIn audience is never deleted)")
    elif targets := [p.path for p in change.properties if p.path.startswith(AUDIENCE_INPUTS)]:
        yield ("changes " + ", ".join(f"`{path}`" for path in targets)
               + f" of {sync}, which writes to {_audience(old, old_state)}")
    if new.get("mode") == "remove" and old.get("mode") != "remove":
        how = "is created with `mode` `remove`" if change.op == "create" else "switches `mode` to `remove`"
        yield f"{sync} {how}: it removes the model's rows from {_audience(new)}"


#: Kinds a stack can adopt (`adopt_id`).
ADOPTABLE = ("Connection", "Model", "Sync")


def _audience(inputs: Mapping[str, Any], state: Mapping[str, Any] | None = None) -> str:
    """The audience a sync writes to, in words, from its inputs (or its recorded outputs)."""
    target = inputs.get("target")
    target = target if isinstance(target, Mapping) else {}
    created = ((state or {}).get("outputs") or {}).get("target_object")
    if isinstance(created, str) and created not in (UNKNOWN, MASK):
        return f"audience `{created}`"
    if target.get("object") is not None:
        return f"audience `{target['object']}`"
    create = target.get("create")
    if isinstance(create, Mapping):
        return (f"a new audience \"{create.get('name')}\" (`{create.get('type')}`, "
                f"account `{create.get('account')}`)")
    return "its audience"


# --- rendering -------------------------------------------------------------------------------


def render(previews: Sequence[StackPreview], *, commit: str | None = None,
           run_url: str | None = None) -> str:
    """The Markdown summary of one or more stacks' previews, of `commit`, by the CI run at `run_url`."""
    lines = [f"## Pulumi preview: {_plural(len(previews), 'stack')}", ""]
    origin = [f"Commit `{commit[:12]}`"] if commit else []
    origin += [f"[workflow run]({run_url})"] if run_url else []
    if origin:
        lines += [" · ".join(origin), ""]
    lines += ["| Stack | Result | " + " | ".join(op.capitalize() for op in OPERATIONS) + " |",
              "|---|---|" + "---:|" * len(OPERATIONS)]
    for preview in previews:
        counts = [str(preview.count(op)) for op in OPERATIONS]
        lines.append(f"| {preview.stack} | {_result(preview)} | " + " | ".join(counts) + " |")

    attention = list(_attention_lines(previews))
    if attention:
        lines += ["", "### Needs attention", "", *attention]
    for preview in previews:
        lines += ["", f"### {preview.stack}", "", *_stack_lines(preview)]
    return "\n".join(lines) + "\n"


def _failed(preview: StackPreview) -> bool:
    return preview.error is not None or any(v.level == "mandatory" for v in preview.policies)


def _result(preview: StackPreview) -> str:
    result = "**failed**" if _failed(preview) else "ok"
    levels = [v.level for v in preview.policies]
    counts = [f"{levels.count(level)} {level}" for level in ("mandatory", "advisory") if level in levels]
    if counts:
        result += f"; policy violations: {', '.join(counts)}"
    return result


def _attention_lines(previews: Iterable[StackPreview]) -> Iterator[str]:
    for preview in previews:
        if preview.error:
            yield f"- **{preview.stack}**: the preview failed (error below)"
        for verdict in sorted(preview.policies, key=lambda v: v.level != "mandatory"):
            pipeline = preview.verdict_pipeline(verdict)
            where = f"pipeline `{pipeline}`: " if pipeline else ""
            yield f"- **{preview.stack}**: {where}{_verdict(verdict, pipeline)}"
        for warning in preview.warnings:
            yield f"- **{preview.stack}**: {_one_line(warning)}"
        for change in preview.changes:
            where = f"pipeline `{change.pipeline}`: " if change.pipeline else ""
            for reason in change.attention:
                yield f"- **{preview.stack}**: {where}{reason}"


def _verdict(verdict: PolicyVerdict, pipeline: str | None) -> str:
    """A policy verdict in one line: policy, level, its message (which says what to do), and the
    line of policy config that would exempt it."""
    text = f"policy `{verdict.policy}` ({verdict.level}): {_one_line(verdict.message)}"
    _stack, type_, name = _urn_parts(verdict.urn or "")
    exempt = pipeline or (name if verdict.urn and type_ != STACK_TYPE else None)
    if exempt:
        text += f" To exempt it: `{json.dumps({verdict.policy: {'allow': [exempt]}})}` in the policy config."
    return text


def _stack_lines(preview: StackPreview) -> list[str]:
    lines: list[str] = []
    if preview.error and preview.changes:
        lines += ["The preview failed; these are the changes it planned before it stopped.", ""]
    elif not preview.changes and not preview.policies and not preview.error:
        return ["No changes."]
    groups: dict[str | None, list[ResourceChange | PolicyVerdict]] = {}
    for verdict in preview.policies:
        groups.setdefault(preview.verdict_pipeline(verdict), []).append(verdict)
    for change in preview.changes:
        groups.setdefault(change.pipeline, []).append(change)
    for pipeline, items in sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or "")):
        own = next((c for c in items if isinstance(c, ResourceChange) and c.kind == PIPELINE_TYPE), None)
        title = f"Pipeline `{pipeline}`" if pipeline else "Outside any pipeline"
        lines.append(f"**{title}**" + (f" ({own.op}d)" if own and own.op != "update" else ""))
        lines.append("")
        for item in items:
            if isinstance(item, PolicyVerdict):
                lines.append(f"- {_verdict(item, pipeline)}")
            elif item is not own:
                lines += _change_lines(item)
        lines.append("")
    if preview.error:
        lines += ["The preview failed:", "", *_code_block(preview.error, "text"), ""]
    return lines[:-1]


def _change_lines(change: ResourceChange) -> list[str]:
    head = f"- {change.op} {change.kind} `{change.name}`"
    if change.replace_reasons:
        head += " (replaced because of " + ", ".join(f"`{r}`" for r in change.replace_reasons) + ")"
    if change.op == "update" and not change.properties:
        head += ": only secret or internal values changed (not shown)"
    lines = [head]
    for prop in change.properties:
        lines += _indented(_property_lines(prop))
    return lines


def _property_lines(prop: PropertyChange) -> list[str]:
    values = [v for v in (prop.old, prop.new) if v is not None]
    multiline = any("\n" in v for v in values)
    if multiline or (len(values) == 2 and any(len(v) > _INLINE_LIMIT for v in values)):
        diff = [f"- {line}" for line in (prop.old or "").splitlines()] if prop.old is not None else []
        diff += [f"+ {line}" for line in (prop.new or "").splitlines()] if prop.new is not None else []
        return [f"- `{prop.path}`:", "", *_indented(_code_block("\n".join(diff), "diff"))]
    if prop.old is None:
        return [f"- `{prop.path}`: {_code(values[0])}"]
    if prop.new is None:
        return [f"- `{prop.path}`: {_code(values[0])} (removed)"]
    return [f"- `{prop.path}`: {_code(prop.old)} → {_code(prop.new)}"]


def _indented(lines: Iterable[str]) -> list[str]:
    """`lines` nested one list level deeper (blank lines stay blank)."""
    return [f"  {line}" if line else "" for line in lines]


def _code(text: str) -> str:
    """An inline code span that survives backticks in `text`; the masks read as words."""
    if text in (MASK, KNOWN_AFTER_APPLY):
        return text
    fence = "`" * (_longest_backtick_run(text) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _code_block(text: str, language: str) -> list[str]:
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    return [fence + language, *text.splitlines(), fence]


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall("`+", text)), default=0)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


# --- command line ----------------------------------------------------------------------------


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `preview-summary` subcommand; it sets `run`, which takes the parsed arguments."""
    summary = add_subcommand(
        commands, "preview-summary", summary="Markdown summary of Pulumi previews, one per stack",
        description="Reads the event logs of `pulumi preview --event-log FILE` (with the policy "
                    "pack's verdicts) or `pulumi preview --json` outputs (standard input when no file "
                    "is given) and writes a Markdown summary for a pull request to standard output.",
        examples=["pulumi preview --stack dev --json > dev.json",
                  f"{PROG} preview-summary --stack dev=dev.json --stack prod=prod.json",
                  f"pulumi preview --stack dev --json | {PROG} preview-summary"],
        run=preview_summary)
    summary.add_argument("files", nargs="*", metavar="FILE",
                         help="a preview's event log or JSON output (stack name from its URNs); - for stdin")
    summary.add_argument("--stack", action="append", default=[], metavar="NAME=FILE",
                         type=_named_file, help="a preview's event log or JSON output, under this stack name")
    summary.add_argument("--commit", help="the commit previewed, named in the summary")
    summary.add_argument("--run-url", help="the CI run's page, linked from the summary")


def preview_summary(args: argparse.Namespace) -> int:
    sources: list[tuple[str | None, str]] = [(None, f) for f in args.files] + args.stack
    previews = [read_preview(_read(path), stack, source="stdin" if path == "-" else Path(path).name)
                for stack, path in sources or [(None, "-")]]
    sys.stdout.write(render(previews, commit=args.commit, run_url=args.run_url))
    return 0


def _named_file(value: str) -> tuple[str, str]:
    name, separator, path = value.partition("=")
    if not (name and separator and path):
        raise argparse.ArgumentTypeError(f"expected NAME=FILE, got {value!r}")
    return name, path


def _read(path: str) -> str:
    """The file's text; a file that cannot be read becomes the text of a failed preview."""
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return f"cannot read {path}: {error.strerror}"
