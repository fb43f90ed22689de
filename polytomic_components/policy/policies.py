"""The policies of the Polytomic policy pack.

Each policy applies to the stacks in its ``stacks`` config (``["prod"]`` by default) and exempts the
pipelines or resources named in its ``allow`` config, so that every exemption is a reviewed line in
the policy-pack config file. The two policies that guard changes compare the program with the
stack's last deployment (`deployment.last_deployment`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from ..resources.sync import claimed_audience
from .deployment import DeploymentUnavailableError, last_deployment

SYNC = "pulumi-python:dynamic/polytomic:Sync"
CONNECTION = "pulumi-python:dynamic/polytomic:Connection"
PIPELINE = "polytomic:index:LinkedInAudiencePipeline"

#: Schedule frequencies with a fixed interval, most frequent first.
INTERVALS = ("continuous", "hourly", "daily", "weekly")
#: Frequencies that never start a run of their own: `manual`, and `runafter` (after another sync,
#: whose own schedule is checked).
NOT_SCHEDULED = ("manual", "runafter")

_SCOPE_PROPERTIES: dict[str, dict[str, Any]] = {
    "stacks": {
        "type": "array", "items": {"type": "string"}, "default": ["prod"],
        "description": "Names of the stacks this policy applies to (the production stacks).",
    },
    "allow": {
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "Pipelines (or resources) this policy does not apply to, by name.",
    },
}


def _scoped_schema(**properties: dict[str, Any]) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties={**_SCOPE_PROPERTIES, **properties})


def _urn_parts(urn: str) -> list[str]:
    """``urn:pulumi:<stack>::<project>::<type>::<name>`` as [stack, project, type, name]."""
    return urn.removeprefix("urn:pulumi:").split("::", 3)


def _pipeline_of(parent_urn: str | None) -> str | None:
    """The name of the pipeline a resource belongs to, if its parent is one."""
    if not parent_urn:
        return None
    _, _, parent_type, parent_name = _urn_parts(parent_urn)
    return parent_name if parent_type.rsplit("$", 1)[-1] == PIPELINE else None


def _label(name: str, parent_urn: str | None) -> str:
    pipeline = _pipeline_of(parent_urn)
    return f"{name!r} (pipeline {pipeline!r})" if pipeline else repr(name)


def _applies(config: Mapping[str, Any], urn: str, parent_urn: str | None) -> bool:
    """Whether a policy's config puts a resource under it: its stack is listed, its name is not allowed."""
    stack, _, _, name = _urn_parts(urn)
    return stack in config["stacks"] and not {name, _pipeline_of(parent_urn)} & set(config["allow"])


def _in_scope(args: ResourceValidationArgs, resource_type: str) -> bool:
    return args.resource_type == resource_type and _applies(args.get_config(), args.urn, args.opts.parent)


def _previous(urns: Iterable[str], deployment: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The last deployment's state of a resource, under its URN or one of its aliases."""
    return next((deployment[urn] for urn in urns if urn in deployment), None)


def _audience_after(target: Mapping[str, Any], outputs: Mapping[str, Any]) -> str | None:
    """The audience a sync will write to, given its last outputs: the one named, else the one it
    created and keeps (by the provider's own rule), else a new one (None)."""
    if target.get("object"):
        return str(target["object"])
    return claimed_audience(outputs, target.get("create"))


def _keep_audiences(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not _in_scope(args, SYNC):
        return
    label = _label(args.name, args.opts.parent)
    try:
        before = _previous([args.urn, *args.opts.aliases], last_deployment(*_urn_parts(args.urn)[:2]))
    except DeploymentUnavailableError as error:
        report_violation(f"cannot compare sync {label} with the last deployment: {error}", args.urn)
        return
    outputs = (before or {}).get("outputs") or {}
    audience = outputs.get("target_object")
    if not audience:
        return  # a new sync, or one that never reached an audience
    after = _audience_after(args.props.get("target") or {}, outputs)
    if after != audience:
        report_violation(
            f"sync {label} would stop syncing into audience {audience} and sync into "
            f"{after or 'a NEW audience'} instead. If that is intended, list the pipeline in this "
            "policy's `allow` for this change.", args.urn)


def _keep_syncs(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = args.get_config()
    if not args.resources:
        return
    stack, project, _, _ = _urn_parts(args.resources[0].urn)
    if stack not in config["stacks"]:
        return
    declared = {urn for r in args.resources for urn in (r.urn, *r.opts.aliases)}
    try:
        deployment = last_deployment(stack, project)
    except DeploymentUnavailableError as error:
        report_violation(f"cannot compare the stack's syncs with its last deployment: {error}", None)
        return
    for urn, old in deployment.items():
        if old.get("type") == SYNC and urn not in declared and _applies(config, urn, old.get("parent")):
            report_violation(
                f"sync {_label(_urn_parts(urn)[3], old.get('parent'))} would be deleted: it is in the "
                "stack's last deployment and no longer in the program. If that is intended, list the "
                "pipeline in this policy's `allow` for this change.", urn)


def _forbid_force_destroy(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if _in_scope(args, CONNECTION) and args.props.get("force_destroy"):
        report_violation(
            f"connection {_label(args.name, args.opts.parent)} sets force_destroy: deleting it would "
            "also delete every model and sync that uses it. Remove force_destroy, or list the "
            "connection in this policy's `allow`.", args.urn)


def _require_minimum_interval(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not _in_scope(args, SYNC):
        return
    schedule = args.props.get("schedule")
    frequency = schedule.get("frequency") if isinstance(schedule, Mapping) else None
    minimum = args.get_config()["minimumInterval"]
    label = _label(args.name, args.opts.parent)
    if frequency in NOT_SCHEDULED:
        return
    if frequency not in INTERVALS:
        report_violation(
            f"sync {label} runs on schedule frequency {frequency!r}, whose interval this policy "
            f"cannot check against {minimum!r}; list it in this policy's `allow`.", args.urn)
    elif INTERVALS.index(frequency) < INTERVALS.index(minimum):
        report_violation(
            f"sync {label} runs {frequency}; the minimum interval is {minimum}. Set a schedule such "
            "as {frequency: daily, hour: \"6\", minute: \"0\"}, or list it in this policy's `allow`.",
            args.urn)


def _restrict_remove_mode(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if _in_scope(args, SYNC) and args.props.get("mode") == "remove":
        report_violation(
            f"sync {_label(args.name, args.opts.parent)} is in `remove` mode: it removes the rows "
            "its query selects from the audience. List it in this policy's `allow` if that is intended.",
            args.urn)


POLICIES = [
    StackValidationPolicy(
        name="production-syncs-kept",
        description="No sync of the last deployment is deleted without an explicit allow.",
        validate=_keep_syncs,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=_scoped_schema(),
    ),
    ResourceValidationPolicy(
        name="production-audiences-kept",
        description="No sync changes the audience it syncs into without an explicit allow.",
        validate=_keep_audiences,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=_scoped_schema(),
    ),
    ResourceValidationPolicy(
        name="no-force-destroy",
        description="Connections do not set force_destroy.",
        validate=_forbid_force_destroy,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=_scoped_schema(),
    ),
    ResourceValidationPolicy(
        name="minimum-schedule-interval",
        description="Syncs run no more often than the minimum interval.",
        validate=_require_minimum_interval,
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=_scoped_schema(minimumInterval={
            "type": "string", "enum": list(INTERVALS), "default": "hourly",
            "description": "The most frequent schedule allowed: continuous, hourly, daily or weekly.",
        }),
    ),
    ResourceValidationPolicy(
        name="remove-mode-allowed",
        description="Syncs use `remove` mode only where it is allowed.",
        validate=_restrict_remove_mode,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=_scoped_schema(),
    ),
]
