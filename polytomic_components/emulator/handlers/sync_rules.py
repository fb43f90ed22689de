"""Shape rules for sync request bodies: enums, schedules, mappings. No lookups here.

Each ``check_*`` takes the raw JSON value and the path it sits at, raises a 400 naming that
path, and returns the value normalised to the shape responses use.
"""

from __future__ import annotations

import re
from typing import Any

from .common import Json, invalid, optional_list, require_string

MODES = ("create", "update", "updateOrCreate", "replace", "append", "remove", "snapshot")
FREQUENCIES = ("manual", "continuous", "hourly", "daily", "weekly", "custom", "builder",
               "runafter", "multi", "dbtcloud")
IDENTITY_FUNCTIONS = ("Equality", "ISubstring", "OneOf", "DomainMatch", "HostnameMatch")
FIELD_SYNC_MODES = ("updateOrCreate", "create")
STRATEGIES = ("priority", "and")
FILTER_FUNCTIONS = (
    "Equality", "Inequality", "IsNull", "IsNotNull", "True", "False", "OnOrAfter", "OnOrBefore",
    "GreaterThan", "GreaterThanEqual", "LessThan", "LessThanEqual", "StringContains",
    "StringStartsWith", "StringEndsWith", "StringDoesNotContain", "StringDoesNotStartWith",
    "StringDoesNotEndWith", "StringOneOf", "StringNotOneOf", "Between", "ArrayContains",
    "ArrayDoesNotContain", "InTheLast", "RelativeOnOrBefore", "RelativeOnOrAfter", "StringLike",
    "StringNotLike", "StringMatchesTrimmed",
)
DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")

SCHEDULE_KEYS = ("frequency", "minute", "hour", "day_of_week", "day_of_month", "month",
                 "run_after", "run_after_success_only", "connection_id", "job_id")
_REQUIRED_BY_FREQUENCY = {
    "hourly": ("minute",),
    "daily": ("hour", "minute"),
    "weekly": ("day_of_week", "hour", "minute"),
}
# Cron-style keys and their ranges (day_of_week also accepts day names).
_TIME_KEYS = {"minute": (0, 59), "hour": (0, 23), "day_of_month": (1, 31), "month": (1, 12),
              "day_of_week": (0, 6)}
_CRON_PART = re.compile(r"(?P<start>\*|\d+)(?:-(?P<end>\d+))?(?:/(?P<step>\d+))?")


def check_schedule(value: Any) -> Json:
    """Frequency from the enum, the keys that frequency needs, and values in range.

    hourly needs minute; daily hour and minute; weekly also day_of_week; custom at least one
    cron key (each may use ``*``, ranges, steps and lists); runafter a non-empty ``run_after``.
    Other frequencies take no further checks.
    """
    if not isinstance(value, dict):
        raise invalid("schedule", "is required and must be an object")
    for key in value:
        if key not in SCHEDULE_KEYS:
            raise invalid(f"schedule.{key}", "is not a schedule key", SCHEDULE_KEYS)
    frequency = value.get("frequency")
    if frequency not in FREQUENCIES:
        raise invalid("schedule.frequency", f"unknown frequency {frequency!r}", FREQUENCIES)
    schedule = {key: item for key, item in value.items() if item is not None}
    for key in _REQUIRED_BY_FREQUENCY.get(frequency, ()):
        if schedule.get(key, "") == "":
            raise invalid(f"schedule.{key}", f"is required for frequency {frequency!r}")
    cron = frequency == "custom"
    if cron and not any(schedule.get(key, "") != "" for key in _TIME_KEYS):
        raise invalid("schedule", "frequency 'custom' needs at least one of "
                                  + ", ".join(_TIME_KEYS))
    for key in _TIME_KEYS:
        if schedule.get(key, "") != "":
            schedule[key] = _time_value(f"schedule.{key}", key, schedule[key], cron)
    if frequency == "runafter":
        schedule["run_after"] = _check_run_after(schedule.get("run_after"))
    return schedule


def check_source(value: Any, path: str) -> Json:
    """A model field reference ``{"model_id", "field"}``."""
    if not isinstance(value, dict):
        raise invalid(path, 'must be an object {"model_id": ..., "field": ...}')
    return {"model_id": require_string(value, "model_id", f"{path}.model_id"),
            "field": require_string(value, "field", f"{path}.field")}


def check_field(value: Any, path: str) -> Json:
    """One ``fields[]`` mapping: a target plus a source or a constant ``override_value``.

    Returned with exactly the keys the client sent: the service reports per-field settings as
    given, and leaves out the ones that were not.
    """
    if not isinstance(value, dict):
        raise invalid(path, "must be an object")
    mapping: Json = {"target": require_string(value, "target", f"{path}.target")}
    if value.get("source") is not None:
        mapping["source"] = check_source(value["source"], f"{path}.source")
    elif value.get("override_value") is None:
        raise invalid(f"{path}.source", "is required unless override_value is given")
    if value.get("override_value") is not None:
        if not isinstance(value["override_value"], str):
            raise invalid(f"{path}.override_value", "must be a string")
        mapping["override_value"] = value["override_value"]
    mapping.update(_field_settings(value, path, ("new", "sync_mode", "encryption_enabled")))
    return mapping


def check_override_field(value: Any, path: str) -> Json:
    """One ``override_fields[]`` entry: a constant written to a target field."""
    if not isinstance(value, dict) or not isinstance(value.get("override_value"), str):
        raise invalid(path, 'must be an object {"target": ..., "override_value": "<string>"}')
    return {"target": require_string(value, "target", f"{path}.target"),
            "override_value": value["override_value"],
            **_field_settings(value, path, ("new", "sync_mode"))}


def _field_settings(value: Json, path: str, keys: tuple[str, ...]) -> Json:
    """The per-field settings among ``keys`` that the client sent (null counts as not sent)."""
    settings: Json = {}
    for key in keys:
        if value.get(key) is None:
            continue
        if key == "sync_mode":
            if value[key] not in FIELD_SYNC_MODES:
                raise invalid(f"{path}.sync_mode", f"unknown field sync mode {value[key]!r}",
                              FIELD_SYNC_MODES)
        elif not isinstance(value[key], bool):
            raise invalid(f"{path}.{key}", "must be true or false")
        settings[key] = value[key]
    return settings


def check_identities(body: Json) -> tuple[list[Json], str | None]:
    """The identity mappings and strategy (None unless sent); ``identities`` wins over the
    deprecated ``identity``."""
    identities = body.get("identities")
    if identities is not None:
        if not isinstance(identities, dict):
            raise invalid("identities", 'must be an object {"mappings": [...], "strategy": ...}')
        mappings = [_check_identity(item, f"identities.mappings[{index}]") for index, item
                    in enumerate(optional_list(identities, "mappings", "identities.mappings"))]
        strategy = identities.get("strategy") or None
        if len(mappings) > 1 and not strategy:
            raise invalid("identities.strategy", "is required with more than one mapping",
                          STRATEGIES)
        if strategy is not None and strategy not in STRATEGIES:
            raise invalid("identities.strategy", f"unknown strategy {strategy!r}", STRATEGIES)
        return mappings, strategy
    if body.get("identity") is not None:
        return [_check_identity(body["identity"], "identity")], None
    return [], None


def _check_identity(value: Any, path: str) -> Json:
    """An identity mapping; the function is matched case-insensitively (the guide sends
    ``equality``) and returned in the enum's spelling."""
    if not isinstance(value, dict):
        raise invalid(path, "must be an object with source, target and function")
    canonical = {name.lower(): name for name in IDENTITY_FUNCTIONS}
    function = value.get("function")
    if not isinstance(function, str) or function.lower() not in canonical:
        raise invalid(f"{path}.function", f"unknown identity function {function!r}",
                      IDENTITY_FUNCTIONS)
    identity: Json = {"source": check_source(value.get("source"), f"{path}.source"),
                      "target": require_string(value, "target", f"{path}.target"),
                      "function": canonical[function.lower()]}
    if value.get("new_field") is not None:
        if not isinstance(value["new_field"], bool):
            raise invalid(f"{path}.new_field", "must be true or false")
        identity["new_field"] = value["new_field"]
    return identity


def _time_value(path: str, key: str, value: Any, cron: bool) -> str:
    """A schedule time value: one number in range, or (custom) a cron field; returned as sent.

    The API types these as strings, so a JSON number is refused as the service's decoder would.
    """
    if not isinstance(value, str):
        raise invalid(path, f"must be a string (e.g. \"{_TIME_KEYS[key][0]}\"), got {value!r}")
    text = value.strip().lower()
    low, high = _TIME_KEYS[key]
    if key == "day_of_week":
        if not cron:
            if text not in DAYS:
                raise invalid(path, f"unknown day {value!r}", DAYS[1:] + DAYS[:1])
            return value
        for number, day in enumerate(DAYS):
            text = text.replace(day, str(number))
    parts = text.split(",") if cron else [text]
    if not all(_cron_part_ok(part, low, high, cron) for part in parts):
        expected = "a cron field (*, n, a-b, */n, lists)" if cron else "a whole number"
        raise invalid(path, f"{value!r} is not {expected} between {low} and {high}")
    return value


def _cron_part_ok(part: str, low: int, high: int, cron: bool) -> bool:
    match = _CRON_PART.fullmatch(part)
    if not match or (not cron and (match["start"] == "*" or match["end"] or match["step"])):
        return False
    numbers = [int(n) for n in (match["start"], match["end"]) if n and n != "*"]
    return all(low <= n <= high for n in numbers) and match["step"] != "0"


def _check_run_after(value: Any) -> Json:
    if not isinstance(value, dict):
        raise invalid("schedule.run_after", "is required for frequency 'runafter'")
    run_after: Json = {}
    for key in ("sync_ids", "bulk_sync_ids"):
        ids = optional_list(value, key, f"schedule.run_after.{key}")
        if not all(isinstance(item, str) and item for item in ids):
            raise invalid(f"schedule.run_after.{key}", "must be a list of ids")
        run_after[key] = ids
    if not run_after["sync_ids"] and not run_after["bulk_sync_ids"]:
        raise invalid("schedule.run_after", "needs at least one of sync_ids or bulk_sync_ids")
    return run_after
