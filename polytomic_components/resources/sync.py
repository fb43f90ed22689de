"""Polytomic model syncs: rows of models written to a target object (e.g. a LinkedIn audience)."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Mapping, Sequence
from functools import partial
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, Resource

from ..client import PolytomicClient
from ..errors import NotFoundError, PolytomicError
from ._base import (
    PolytomicProvider,
    changing,
    failure,
    is_known,
    ownership,
    require_bool,
    require_choice,
    require_text,
    say,
    service_failure,
)

MODES = ("create", "update", "updateOrCreate", "replace", "append", "remove", "snapshot")
FREQUENCIES = ("manual", "continuous", "hourly", "daily", "weekly", "custom", "builder",
               "runafter", "multi", "dbtcloud")
IDENTITY_FUNCTIONS = ("Equality", "ISubstring", "OneOf", "DomainMatch", "HostnameMatch")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Schedule keys each frequency needs (the rest need none, or are validated by the service).
SCHEDULE_KEYS = {
    "hourly": ("minute",),
    "daily": ("hour", "minute"),
    "weekly": ("day_of_week", "hour", "minute"),
    "runafter": ("run_after",),
}
_SCHEDULE_RANGES = {"minute": range(60), "hour": range(24)}
#: Every schedule setting of the API; `run_after` and `job_id` are not text.
SCHEDULE_FIELDS = ("frequency", "minute", "hour", "day_of_week", "day_of_month", "month",
                   "run_after", "run_after_success_only", "connection_id", "job_id")
#: What a field mapping may say besides its source; the API echoes exactly what was sent.
_FIELD_SETTINGS = ("override_value", "new", "sync_mode", "encryption_enabled")
#: What a LinkedIn audience can never change once created.
_FIXED_AUDIENCE_PROPERTIES = ("account", "type")
_FLAG_DEFAULTS = {"active": True, "sync_all_records": False, "skip_initial_backfill": False}
FILTER_FUNCTIONS = (
    "Equality", "Inequality", "IsNull", "IsNotNull", "True", "False", "OnOrAfter", "OnOrBefore",
    "GreaterThan", "GreaterThanEqual", "LessThan", "LessThanEqual", "StringContains",
    "StringStartsWith", "StringEndsWith", "StringDoesNotContain", "StringDoesNotStartWith",
    "StringDoesNotEndWith", "StringOneOf", "StringNotOneOf", "Between", "ArrayContains",
    "ArrayDoesNotContain", "InTheLast", "RelativeOnOrBefore", "RelativeOnOrAfter", "StringLike",
    "StringNotLike", "StringMatchesTrimmed")
#: Sync settings the API documents beyond the mapping itself (as Polytomic's Terraform provider
#: has them); sent only when set, and read back only when set.
OPTIONS = ("filters", "filter_logic", "overrides", "override_fields")


def normalise_schedule(schedule: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schedule.items() if v not in (None, "")}


def normalise_field(field: Mapping[str, Any]) -> dict[str, Any]:
    source = field.get("source")
    kept: dict[str, Any] = {}
    if isinstance(source, Mapping):
        kept["source"] = {"model_id": source.get("model_id"), "field": source.get("field")}
    kept["target"] = field.get("target")
    kept.update({key: field[key] for key in _FIELD_SETTINGS if field.get(key) is not None})
    return kept


def normalise_filters(filters: list[Any]) -> list[Any]:
    """Filters as the API reports them: unlabelled conditions are labelled A, B, C... by position."""
    labelled = any(isinstance(f, Mapping) and f.get("label") for f in filters)
    kept = []
    for index, condition in enumerate(filters):
        if not isinstance(condition, Mapping):
            kept.append(condition)
            continue
        condition = {k: v for k, v in condition.items() if v is not None}
        if not labelled and index < 26:
            condition["label"] = chr(ord("A") + index)
        kept.append(condition)
    return kept


def normalise_identity(identity: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not identity:
        return None
    function = identity.get("function")
    canonical = {f.lower(): f for f in IDENTITY_FUNCTIONS}
    if isinstance(function, str) and is_known(function):
        function = canonical.get(function.lower(), function)
    source = identity.get("source")
    if not isinstance(source, Mapping):
        source = {}
    return {"source": {"model_id": source.get("model_id"), "field": source.get("field")},
            "target": identity.get("target"), "function": function}


class SyncProvider(PolytomicProvider):
    """Syncs are changed in place, whatever changes (the API's PUT replaces the whole sync, target
    included): a sync is never re-created behind the user's back, and the audience it created
    (`created_object`) stays its audience for as long as the resource lives, carried over even
    to a sync re-created after an out-of-band delete."""

    input_names = ("name", "mode", "schedule", "target", "fields", "identity", "active",
                   "sync_all_records", "skip_initial_backfill", "encryption_passphrase", *OPTIONS)
    carried = ("created_object",)
    secret_inputs = ("encryption_passphrase",)
    api_object = "sync"

    def normalise(self, inputs: dict[str, Any]) -> dict[str, Any]:
        for flag, default in _FLAG_DEFAULTS.items():
            if inputs.get(flag) is None:
                inputs[flag] = default
        if isinstance(inputs.get("schedule"), Mapping):
            inputs["schedule"] = normalise_schedule(inputs["schedule"])
        if isinstance(inputs.get("fields"), list):
            inputs["fields"] = [normalise_field(f) if isinstance(f, Mapping) else f for f in inputs["fields"]]
        if isinstance(inputs.get("identity"), Mapping):
            inputs["identity"] = normalise_identity(inputs["identity"])
        if isinstance(inputs.get("filters"), list):
            inputs["filters"] = normalise_filters(inputs["filters"])
        return inputs

    def validate(self, inputs: dict[str, Any]) -> Iterator[CheckFailure]:
        yield from require_text(inputs, "name")
        yield from require_choice(inputs, "mode", MODES)
        for flag in _FLAG_DEFAULTS:
            yield from require_bool(inputs, flag)
        yield from check_schedule(inputs.get("schedule"))
        yield from _check_target(inputs.get("target"))
        yield from _check_fields(inputs.get("fields"))
        identity = inputs.get("identity")
        if identity is not None and is_known(identity):
            yield from _check_identity(identity)
        yield from _check_options(inputs)

    def service_failures(self, client: PolytomicClient, inputs: Mapping[str, Any]) -> Iterator[CheckFailure]:
        yield from self._source_failures(client, inputs)
        target = inputs["target"]
        if not (is_known(target) and is_known(inputs["mode"])) or changing(target["connection_id"]):
            return  # a connection new or changed in this deployment: checked before the sync is written
        try:
            described = yield from self._described_target(client, target, inputs.get("auth_url"))
        except PolytomicError as error:
            missing_connection = isinstance(error, NotFoundError) and (error.path or "").endswith(
                target["connection_id"])
            if missing_connection:
                yield failure("target.connection_id", f"no connection {target['connection_id']!r} exists")
            else:
                yield service_failure(error, "target.connection_id", "target.")
            return
        if described is None:
            return
        modes = [m["mode"] for m in described.get("modes", [])]
        if inputs["mode"] not in modes:
            yield failure("mode", f"{inputs['mode']!r} is not supported by this target; "
                          f"use one of: {', '.join(modes)}")
        target_fields = {f["id"]: f for f in described.get("fields", [])}
        for path, field_id in _mapped_targets(inputs):
            if is_known(field_id) and field_id not in target_fields:
                yield failure(path, f"{field_id!r} is not a field of this target; "
                              f"use one of: {', '.join(sorted(target_fields))}")
        identity = inputs.get("identity")
        if isinstance(identity, Mapping) and identity.get("target") in target_fields:
            offered = [f["id"] for f in target_fields[identity["target"]].get("identity_functions") or []]
            if offered and identity.get("function") not in offered:
                yield failure("identity.function", f"{identity.get('function')!r} cannot match "
                              f"{identity['target']}; use one of: {', '.join(offered)}")

    def _described_target(self, client: PolytomicClient, target: Mapping[str, Any],
                          auth_url: str | None) -> Generator[CheckFailure, None, Mapping[str, Any] | None]:
        """Fields and modes of the target, or None after yielding why it cannot be described."""
        connection_id = target["connection_id"]
        connection = self.remember(("connection", connection_id),
                                   partial(client.get_connection, connection_id))
        if connection.get("status") == "unauthorized":
            where = auth_url or "the connection's auth_url output"
            yield failure("target.connection_id", f"connection {connection_id} is not authorized yet. Open "
                          f"{where} in a browser, authorize, then run `pulumi up` again")
            return None
        discovered = self.remember(("targets", connection_id), lambda: client.target_objects(connection_id))
        if target.get("object"):
            found = {o["id"] for o in discovered.objects}
            if target["object"] not in found:
                yield failure("target.object", f"{target['object']!r} is not a target of connection "
                              f"{connection_id}; available: {', '.join(sorted(found)) or 'none'}")
                return None
            return self.remember(("fields", connection_id, target["object"]),
                                 lambda: client.target_fields(connection_id, target=target["object"]))
        creation = discovered.creation or {}
        for prop in (p["id"] for p in creation.get("properties", []) if p.get("enum")):
            values = self.remember(("values", connection_id, prop),
                                   partial(client.target_property_values, connection_id, prop))
            allowed = [v["value"] for v in values]
            if target["create"].get(prop) not in allowed:
                yield failure(f"target.create.{prop}", f"{target['create'].get(prop)!r} is not "
                              f"allowed; use one of: {', '.join(allowed)}")
                return None
        kind = {k: v for k, v in target["create"].items() if k in _FIXED_AUDIENCE_PROPERTIES}
        return self.remember(("fields", connection_id, *sorted(kind.items())),
                             lambda: client.target_fields(connection_id, properties=target["create"]))

    def _source_failures(self, client: PolytomicClient, inputs: Mapping[str, Any]) -> Iterator[CheckFailure]:
        """Every mapped model field must be one its model has."""
        for path, source in _mapped_sources(inputs):
            model_id, field = source.get("model_id"), source.get("field")
            if not (is_known(model_id) and is_known(field)) or changing(model_id):
                continue  # a model new or changed in this deployment: its own check ran its query
            try:
                model = self.remember(("model", model_id), partial(client.get_model, str(model_id)))
            except NotFoundError:
                yield failure(path, f"model {model_id!r} does not exist")
                continue
            names = [f["name"] for f in model.get("fields", [])]
            if field not in names:
                yield failure(path, f"{field!r} is not a field of model {model.get('name')!r}; "
                              f"its fields: {', '.join(names)}")

    def to_body(self, inputs: Mapping[str, Any], learned: Mapping[str, Any]) -> dict[str, Any]:
        target = dict(inputs["target"])
        claimed = claimed_audience(learned, target.get("create"))
        if target.get("create") and claimed:
            # The audience this resource created is its audience: write into it, never create again.
            target["object"] = claimed
            del target["create"]
        body = {key: inputs[key] for key in ("name", "mode", "schedule", "fields",
                                             *_FLAG_DEFAULTS)}
        body["target"] = target
        if inputs.get("identity"):
            body["identity"] = inputs["identity"]
        if inputs.get("encryption_passphrase"):
            body["encryption_passphrase"] = inputs["encryption_passphrase"]
        body.update({key: inputs[key] for key in OPTIONS if inputs.get(key) not in (None, [], "")})
        return body

    def computed_outputs(self, api_object: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
        written_to = (api_object.get("target") or {}).get("object")
        if (props.get("target") or {}).get("create") and not written_to:
            raise _no_audience_reported(api_object)
        problems = api_object.get("problems") or []
        created = props.get("created_object")
        if (props.get("target") or {}).get("create") and written_to != created:
            created = written_to  # a create block made a new audience: this is the one it owns now
        return {
            "target_object": written_to,
            "created_object": created or props.get("created_object"),
            "target_missing": _target_missing(api_object),
            "model_ids": api_object.get("model_ids", []),
            "problems": [p.get("message") for p in problems],
        }

    def stale(self, olds: Mapping[str, Any]) -> bool:
        return bool(olds.get("target_missing"))


    def consequences(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Iterator[str]:
        before, target = olds.get("target_object"), news.get("target") or {}
        create = target.get("create") if is_known(target.get("create")) else None
        if olds.get("target_missing") and before:
            yield (f"audience {before} no longer exists in LinkedIn; " + (
                "this update creates a NEW audience from target.create" if create else
                "choose another audience (python -m polytomic_components audiences <connection id>)"))
        elif create and claimed_audience(olds, create):
            if create != (olds.get("target") or {}).get("create"):
                yield (f"keeps syncing into audience {claimed_audience(olds, create)}, which it created; "
                       "editing target.create does not rename or re-create an audience")
        elif create:
            yield f"creates a NEW LinkedIn audience {create.get('name')!r}" + (
                f" and stops syncing into audience {before} (kept in LinkedIn)" if before else "")
        elif is_known(target.get("object")) and target.get("object") != before and before:
            yield f"stops syncing into audience {before} and syncs into {target.get('object')} instead"
        if news.get("mode") == "remove" and olds.get("mode") != "remove":
            yield (f"switches to mode 'remove': members this query selects are REMOVED from audience "
                   f"{target.get('object') or claimed_audience(olds) or 'the new audience'}")

    def delete_object(self, client: PolytomicClient, id_: str, props: Mapping[str, Any]) -> None:
        super().delete_object(client, id_, props)
        if props.get("target_object"):
            say(props.get("resource_key"), f"deleted sync {id_}; audience {props['target_object']} "
                "is kept in LinkedIn (this library never deletes audiences)")

    def observed_inputs(self, api_object: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
        live_target = api_object.get("target") or {}
        target = dict(inputs.get("target") or {})
        target["connection_id"] = live_target.get("connection_id")
        if "object" in target:
            target["object"] = live_target.get("object")
        return {
            **inputs,
            **{flag: api_object.get(flag, default) for flag, default in _FLAG_DEFAULTS.items()},
            "name": api_object.get("name"),
            "mode": api_object.get("mode"),
            "schedule": normalise_schedule(api_object.get("schedule") or {}),
            # The API folds override fields into `fields`; they are declared in override_fields.
            "fields": [normalise_field(f) for f in api_object.get("fields") or []
                       if f.get("source") or "override_value" not in f],
            **{key: _as_sent(key, api_object.get(key)) if inputs.get(key) not in (None, [], "")
               else inputs.get(key) for key in OPTIONS},
            "identity": normalise_identity(api_object.get("identity")) if inputs.get("identity") else None,
            "target": target,
            "target_missing": _target_missing(api_object),
        }


def _no_audience_reported(api_object: Mapping[str, Any]) -> PolytomicError:
    """The service answered a sync with `target.create` without the audience it made: the
    ownership of created audiences rests on the guess that `target.object` names it."""
    return PolytomicError(
        f"Polytomic answered sync {api_object.get('id')} without `target.object`, so this library "
        "cannot tell which audience the sync's `target.create` made. It rests on the guess that the "
        "service reports the new audience's id there (polytomic_components/emulator/README.md, "
        "'Guesses'); this deployment answers otherwise, and going on would create another audience "
        "on every `up`",
        hint="Nothing else was changed. Run `python -m polytomic_components doctor` and report its "
             "table with this message; meanwhile give the pipeline the audience's id (`audience:`) "
             "instead of a `create` block, and delete or adopt (adopt_id) the sync named here.")


def _target_missing(api_object: Mapping[str, Any]) -> bool:
    """Whether the service reports the target gone (e.g. an audience deleted in LinkedIn)."""
    return any(p.get("code") == "target_not_found" for p in api_object.get("problems") or [])


def claimed_audience(learned: Mapping[str, Any] | None,
                      create: Mapping[str, Any] | None = None) -> str | None:
    """The audience a sync created and still owns, unless LinkedIn has lost it or `create` now
    asks for another account or type (an audience can change neither)."""
    if not learned or learned.get("target_missing"):
        return None
    made_by = (learned.get("target") or {}).get("create") or {}
    if create and made_by and any(made_by.get(key) != create.get(key) for key in _FIXED_AUDIENCE_PROPERTIES):
        return None
    return learned.get("created_object")


def _as_sent(key: str, value: Any) -> Any:
    if key == "filters" and isinstance(value, list):
        return normalise_filters(value)
    return value


def _listed(inputs: Mapping[str, Any], key: str) -> list[tuple[int, Mapping[str, Any]]]:
    values = inputs.get(key)
    if not isinstance(values, list):
        return []
    return [(i, v) for i, v in enumerate(values) if isinstance(v, Mapping)]


def _mapped_sources(inputs: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for index, field in _listed(inputs, "fields"):
        if isinstance(field.get("source"), Mapping):
            yield f"fields[{index}].source", field["source"]
    for key in ("filters", "overrides"):
        for index, condition in _listed(inputs, key):
            if isinstance(condition.get("field"), Mapping) and condition.get("field_type") != "Target":
                yield f"{key}[{index}].field", condition["field"]
    identity = inputs.get("identity")
    if isinstance(identity, Mapping) and isinstance(identity.get("source"), Mapping):
        yield "identity.source", identity["source"]


def _mapped_targets(inputs: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for key in ("fields", "override_fields"):
        for index, field in _listed(inputs, key):
            yield f"{key}[{index}].target", field.get("target")
    if isinstance(inputs.get("identity"), Mapping):
        yield "identity.target", inputs["identity"].get("target")


def check_schedule(schedule: Any) -> Iterator[CheckFailure]:
    if not is_known(schedule):
        return
    if not isinstance(schedule, Mapping):
        yield failure("schedule", "is required, e.g. {\"frequency\": \"continuous\"}")
        return
    for key in sorted(str(k) for k in schedule if k not in SCHEDULE_FIELDS):
        yield failure(f"schedule.{key}", f"is not a schedule setting; use: {', '.join(SCHEDULE_FIELDS)}")
    frequency = schedule.get("frequency")
    if frequency in (None, ""):
        yield failure("schedule.frequency", f"is required; use one of: {', '.join(FREQUENCIES)}")
    yield from require_choice({"schedule": schedule}, "schedule.frequency", FREQUENCIES)
    for key in SCHEDULE_KEYS.get(str(frequency), ()):
        if schedule.get(key) in (None, ""):
            yield failure(f"schedule.{key}", f"is required when schedule.frequency is {frequency!r}")
    for key, allowed in _SCHEDULE_RANGES.items():
        value = schedule.get(key)
        in_range = str(value).isdigit() and int(str(value)) in allowed
        if value not in (None, "") and is_known(value) and not in_range:
            yield failure(f"schedule.{key}", f"{value!r} must be a whole number from "
                          f"{allowed.start} to {allowed.stop - 1} (UTC)")
    day = schedule.get("day_of_week")
    if day not in (None, "") and is_known(day) and str(day).lower() not in DAYS:
        yield failure("schedule.day_of_week", f"{day!r} is not a day; use one of: {', '.join(DAYS)}")


def _check_target(target: Any) -> Iterator[CheckFailure]:
    if not is_known(target):
        return
    if not isinstance(target, Mapping):
        yield failure("target", "is required: {connection_id, object} or {connection_id, create}")
        return
    yield from require_text({"target": target}, "target.connection_id")
    has_object, has_create = bool(target.get("object")), bool(target.get("create"))
    if has_object == has_create:
        yield failure("target", "needs exactly one of `object` (an existing target, e.g. an audience id) "
                      "or `create` (properties of a new one)" + (", not both" if has_object else ""))
    create = target.get("create")
    if has_create and isinstance(create, Mapping):
        for key, value in create.items():
            if is_known(value) and (not isinstance(value, str) or not value):
                yield failure(f"target.create.{key}", "must be a non-empty string")


def _check_fields(fields: Any) -> Iterator[CheckFailure]:
    if not is_known(fields):
        return
    if not isinstance(fields, list):
        yield failure("fields", "must be a list of {source: {model_id, field}, target} mappings")
        return
    for index, field in enumerate(fields):
        path = f"fields[{index}]"
        if not is_known(field):
            continue
        if not isinstance(field, Mapping) or not field.get("target"):
            yield failure(f"{path}.target", "is required: the target field id (e.g. FirstName)")
            continue
        if field.get("override_value") is None:
            yield from _check_source(field.get("source"), f"{path}.source")


def _check_source(source: Any, path: str) -> Iterator[CheckFailure]:
    if not is_known(source):
        return
    if not isinstance(source, Mapping) or not source.get("field") or not source.get("model_id"):
        yield failure(path, "needs `model_id` and `field` (a field name of that model)")


def _check_options(inputs: Mapping[str, Any]) -> Iterator[CheckFailure]:
    """Shapes of filters, overrides and override fields; their model fields are checked against
    the model (service check), their logic by the service."""
    for key in OPTIONS:
        value = inputs.get(key)
        if value is None or not is_known(value):
            continue
        if key == "filter_logic":
            yield from check_filter_logic(value, inputs.get("filters"))
            continue
        if not isinstance(value, list):
            yield failure(key, f"must be a list of objects, got {type(value).__name__}")
            continue
        for index, entry in enumerate(value):
            path = f"{key}[{index}]"
            if not is_known(entry):
                continue
            if not isinstance(entry, Mapping):
                yield failure(path, f"must be an object, got {type(entry).__name__} {entry!r}")
            elif key == "override_fields":
                if not isinstance(entry.get("target"), str) or not entry.get("target"):
                    yield failure(f"{path}.target", "is required: the target field id (e.g. Country)")
            else:
                if entry.get("function") not in FILTER_FUNCTIONS:
                    yield failure(f"{path}.function", f"{entry.get('function')!r} is not a filter "
                                  f"function; use one of: {', '.join(FILTER_FUNCTIONS)}")
                if not entry.get("field_id"):
                    yield from _check_source(entry.get("field"), f"{path}.field")


def check_filter_logic(logic: Any, filters: Any) -> Iterator[CheckFailure]:
    if not isinstance(logic, str):
        yield failure("filter_logic", f"must be text such as \"A and (B or C)\", got {type(logic).__name__}")
        return
    if not is_known(filters):
        return
    labels = {f.get("label") for f in filters or [] if isinstance(f, Mapping)}
    named = {t for t in _LOGIC_TOKEN.findall(logic) if t.lower() not in ("and", "or")}
    for label in sorted(named - labels):
        yield failure("filter_logic", f"names {label!r}, which no filter has; labels: "
                      f"{', '.join(sorted(str(x) for x in labels)) or 'none'}")
    for label in sorted(str(x) for x in labels - named if logic.strip()):
        yield failure("filter_logic", f"must mention every filter; {label!r} is missing")


_LOGIC_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _check_identity(identity: Any) -> Iterator[CheckFailure]:
    if not isinstance(identity, Mapping):
        yield failure("identity", "must be an object such as "
                      "{\"source\": {\"model_id\", \"field\"}, \"target\": \"Email\", "
                      "\"function\": \"Equality\"}")
        return
    yield from _check_source(identity.get("source"), "identity.source")
    yield from require_text({"identity": identity}, "identity.target")
    yield from require_choice({"identity": identity}, "identity.function", IDENTITY_FUNCTIONS)


class Sync(Resource, module="polytomic", name="Sync"):
    """A Polytomic model sync (`POST /api/syncs`).

    The target is an existing object (``{"connection_id", "object"}``) or one the sync creates
    (``{"connection_id", "create": {...}}``). Every change is an update in place; the audience a
    ``create`` block made stays this sync's audience (``created_object``), and deleting the sync
    never deletes an audience.
    """

    name: pulumi.Output[str]
    target_object: pulumi.Output[str]
    """The target object written to: the given one, or the one created from ``target.create``."""
    model_ids: pulumi.Output[list[str]]
    problems: pulumi.Output[list[str]]
    """Unresolved references Polytomic reports; any problem stops the sync from running."""

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        target: pulumi.Input[Mapping[str, Any]],
        fields: pulumi.Input[Sequence[pulumi.Input[Mapping[str, Any]]]],
        mode: pulumi.Input[str] = "create",
        schedule: pulumi.Input[Mapping[str, Any]] | None = None,
        identity: pulumi.Input[Mapping[str, Any]] | None = None,
        active: pulumi.Input[bool] = True,
        sync_all_records: pulumi.Input[bool] = False,
        skip_initial_backfill: pulumi.Input[bool] = False,
        encryption_passphrase: pulumi.Input[str] | None = None,
        filters: pulumi.Input[Sequence[pulumi.Input[Mapping[str, Any]]]] | None = None,
        filter_logic: pulumi.Input[str] | None = None,
        overrides: pulumi.Input[Sequence[pulumi.Input[Mapping[str, Any]]]] | None = None,
        override_fields: pulumi.Input[Sequence[pulumi.Input[Mapping[str, Any]]]] | None = None,
        auth_url: pulumi.Input[str | None] | None = None,
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare a model sync.

        :param adopt_id: the id of an existing object to manage instead of creating one.
        :param name: the sync's name in Polytomic.
        :param target: ``{"connection_id", "object"}`` or ``{"connection_id", "create": {...}}``.
        :param fields: mappings ``{"source": {"model_id", "field"}, "target": "<target field id>"}``.
        :param mode: one of ``MODES``; the target must support it (audiences: create, remove).
        :param schedule: e.g. ``{"frequency": "daily", "hour": "6", "minute": "0"}`` (UTC);
            default continuous.
        :param identity: ``{"source": {"model_id", "field"}, "target": "Email", "function": "Equality"}``.
        :param encryption_passphrase: for field encryption; stored encrypted.
        :param filters: row filters: ``{"field": {"model_id", "field"}, "function": "Equality",
            "value": "US", "label"?: "A"}`` (``field_type: "Target"`` for a target field).
        :param filter_logic: how the filters combine, by label: ``"A and (B or C)"``; default all.
        :param overrides: conditional values: ``{"field": {...}, "function": "IsNull", "override": "x"}``.
        :param override_fields: constants written to target fields: ``{"target", "override_value"}``.
        :param auth_url: the target connection's ``auth_url``, quoted when it awaits authorization.
        """
        props = {
            "name": name, "target": target, "fields": fields, "mode": mode,
            "schedule": schedule or {"frequency": "continuous"}, "identity": identity,
            "active": active, "sync_all_records": sync_all_records,
            "skip_initial_backfill": skip_initial_backfill,
            "encryption_passphrase": pulumi.Output.secret(encryption_passphrase)
            if encryption_passphrase is not None else None,
            "filters": filters, "filter_logic": filter_logic, "overrides": overrides,
            "override_fields": override_fields,
            "auth_url": auth_url, **ownership(resource_name, "Sync", adopt_id),
            "target_object": None, "model_ids": None, "problems": None,
        }
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["encryption_passphrase"]))
        super().__init__(SyncProvider(), resource_name, props, opts)
