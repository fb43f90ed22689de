"""Sync filters in the two forms the API accepts, and the logic that combines them.

``model_filters``/``target_filters`` (``{"conditions": [...], "logic": ...}``) are the current
form; ``filters`` plus ``filter_logic`` the deprecated one, which Polytomic's Terraform provider
still sends. Both describe the same filters, so a sync reports both: the deprecated list holds
model and target conditions told apart by ``field_type``, and ``filter_logic`` is the model
logic. When both forms are sent and describe different filters the request is refused.

Labels name conditions in the logic: a letter or underscore, then letters, digits or
underscores. A list labels all its conditions or none; unlabelled ones are reported as ``A``,
``B``, ``C``... by position. Logic combines labels with ``and``/``or`` (any case) and
parentheses, and must mention every model condition.
"""

from __future__ import annotations

import re
from typing import Any

from .common import Json, invalid, optional_list
from .sync_rules import FILTER_FUNCTIONS, check_source

_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(r"\(|\)|[^\s()]+")
_OPERATORS = ("and", "or")
FIELD_TYPES = ("Model", "Target")


def check_sync_filters(body: Json) -> Json:
    """Both views of the body's filters: ``filters``, ``filter_logic``, ``model_filters``,
    ``target_filters`` (each None when empty), plus ``sources``: (path, model field reference)
    pairs for the reference check."""
    model = _check_group(body.get("model_filters"), "model_filters", "source")
    target = _check_group(body.get("target_filters"), "target_filters", "field")
    logic = body.get("filter_logic")
    if logic is not None and not isinstance(logic, str):
        raise invalid("filter_logic", "must be a string")
    legacy = optional_list(body, "filters")
    legacy_view = [_check_legacy(item, f"filters[{i}]") for i, item in enumerate(legacy)]
    _fill_labels(legacy_view, "filters")

    if model or target:
        sources = [(f"model_filters.conditions[{i}].source", c["source"])
                   for i, c in enumerate(model["conditions"] if model else [])]
        derived = _as_legacy(model, target)
        if legacy and _meaning(legacy_view) != _meaning(derived):
            raise invalid("filters", "describes different filters than model_filters and "
                                     "target_filters; send one form (filters is deprecated)")
        legacy_view = derived
        if model and logic is not None and logic != model.get("logic"):
            raise invalid("filter_logic", "differs from model_filters.logic")
    else:
        sources = [(f"filters[{i}].field", f["field"]) for i, f in enumerate(legacy_view)
                   if f["field_type"] == "Model"]
        model, target = _from_legacy(legacy_view, logic)
    if model and model.get("logic"):
        path = "filter_logic" if body.get("model_filters") is None else "model_filters.logic"
        check_logic(model["logic"], [c["label"] for c in model["conditions"]], path)
    return {"filters": legacy_view or None, "filter_logic": (model or {}).get("logic"),
            "model_filters": model, "target_filters": target, "sources": sources}


def check_overrides(body: Json) -> tuple[list[Json], list[tuple[str, Json]]]:
    """``overrides`` as sent, and the model field references they make."""
    overrides = optional_list(body, "overrides")
    sources = []
    for index, override in enumerate(overrides):
        path = f"overrides[{index}]"
        if not isinstance(override, dict):
            raise invalid(path, "must be an object {field, function, value, override}")
        if override.get("function") is not None:
            _check_function(override["function"], f"{path}.function")
        if override.get("field") is not None:
            sources.append((f"{path}.field", check_source(override["field"], f"{path}.field")))
        elif not isinstance(override.get("field_id"), str):
            raise invalid(f"{path}.field", "is required (or field_id)")
    return overrides, sources


def check_logic(logic: str, labels: list[str], path: str) -> None:
    """``logic`` must parse and mention exactly the given labels."""
    tokens = _TOKEN.findall(logic)
    position, mentioned = _parse_expression(tokens, 0, labels, path)
    if position != len(tokens):
        raise invalid(path, f"unexpected {tokens[position]!r} in {logic!r}")
    missing = [label for label in labels if label not in mentioned]
    if missing:
        raise invalid(path, f"does not mention {', '.join(missing)}; the logic must use every "
                            "condition", labels)


def _parse_expression(tokens: list[str], position: int, labels: list[str],
                      path: str) -> tuple[int, set[str]]:
    position, mentioned = _parse_term(tokens, position, labels, path)
    while position < len(tokens) and tokens[position].lower() in _OPERATORS:
        position, more = _parse_term(tokens, position + 1, labels, path)
        mentioned |= more
    return position, mentioned


def _parse_term(tokens: list[str], position: int, labels: list[str],
                path: str) -> tuple[int, set[str]]:
    if position >= len(tokens):
        raise invalid(path, "unexpected end of logic; expected a label or '('")
    token = tokens[position]
    if token == "(":
        position, mentioned = _parse_expression(tokens, position + 1, labels, path)
        if position >= len(tokens) or tokens[position] != ")":
            raise invalid(path, "missing ')'")
        return position + 1, mentioned
    if token not in labels:
        raise invalid(path, f"unknown label {token!r}", labels)
    return position + 1, {token}


def _check_group(value: Any, path: str, reference: str) -> Json | None:
    """``model_filters`` (conditions reference ``source``) or ``target_filters`` (``field``)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(path, 'must be an object {"conditions": [...], "logic": ...}')
    conditions = []
    for index, condition in enumerate(optional_list(value, "conditions", f"{path}.conditions")):
        where = f"{path}.conditions[{index}]"
        if not isinstance(condition, dict):
            raise invalid(where, "must be an object")
        _check_function(condition.get("function"), f"{where}.function")
        condition = dict(condition)
        if reference == "source":
            condition["source"] = check_source(condition.get("source"), f"{where}.source")
        elif not isinstance(condition.get("field"), str) or not condition["field"]:
            raise invalid(f"{where}.field", "is required and must be a target field id")
        conditions.append(_without_none(condition))
    _fill_labels(conditions, f"{path}.conditions")
    group: Json = {"conditions": conditions}
    if value.get("logic") is not None:
        if not isinstance(value["logic"], str):
            raise invalid(f"{path}.logic", "must be a string")
        group["logic"] = value["logic"]
    return group if conditions or "logic" in group else None


def _check_legacy(value: Any, path: str) -> Json:
    """One deprecated ``filters[]`` entry, with ``field_type`` filled in."""
    if not isinstance(value, dict):
        raise invalid(path, "must be an object")
    _check_function(value.get("function"), f"{path}.function")
    field_type = value.get("field_type") or "Model"
    if field_type not in FIELD_TYPES:
        raise invalid(f"{path}.field_type", f"unknown field type {field_type!r}", FIELD_TYPES)
    checked = {**_without_none(value), "field_type": field_type}
    if field_type == "Model":
        if value.get("field") is None:
            raise invalid(f"{path}.field", "is required for a model filter "
                                           '({"model_id": ..., "field": ...})')
        checked["field"] = check_source(value["field"], f"{path}.field")
    elif not isinstance(value.get("field_id"), str) or not value["field_id"]:
        raise invalid(f"{path}.field_id", "is required for a target filter (the target field "
                                          "id)")
    return checked


def _check_function(function: Any, path: str) -> None:
    if function not in FILTER_FUNCTIONS:
        raise invalid(path, f"unknown filter function {function!r}", FILTER_FUNCTIONS)


def _fill_labels(conditions: list[Json], path: str) -> None:
    """All labelled or none (an empty label counts as none); fill A, B, C... when none."""
    labelled = [bool(c.get("label")) for c in conditions]
    if any(labelled) and not all(labelled):
        index = labelled.index(False)
        raise invalid(f"{path}[{index}].label", "label every condition or none")
    for index, condition in enumerate(conditions):
        if not labelled[index]:
            condition["label"] = _positional_label(index)
        elif not isinstance(condition["label"], str) or not _LABEL.fullmatch(condition["label"]):
            raise invalid(f"{path}[{index}].label", "must start with a letter or underscore, "
                                                    "then letters, digits or underscores")
    labels = [c["label"] for c in conditions]
    for index, label in enumerate(labels):
        if labels.index(label) != index:
            raise invalid(f"{path}[{index}].label", f"label {label!r} is used twice")


def _positional_label(index: int) -> str:
    """A, B, ..., Z, AA, AB, ... like spreadsheet columns."""
    label = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        label = chr(ord("A") + remainder) + label
    return label


def _as_legacy(model: Json | None, target: Json | None) -> list[Json]:
    legacy = []
    for condition in (model or {}).get("conditions", []):
        legacy.append(_without_none({"field": condition["source"], "field_type": "Model",
                                     "function": condition["function"],
                                     "value": condition.get("value"),
                                     "label": condition["label"]}))
    for condition in (target or {}).get("conditions", []):
        legacy.append(_without_none({"field_id": condition["field"], "field_type": "Target",
                                     "function": condition["function"],
                                     "value": condition.get("value"),
                                     "value_field": condition.get("value_source"),
                                     "label": condition["label"]}))
    return legacy


def _from_legacy(legacy: list[Json], logic: str | None) -> tuple[Json | None, Json | None]:
    model = [_without_none({"source": f["field"], "function": f["function"],
                            "value": f.get("value"), "label": f["label"]})
             for f in legacy if f["field_type"] == "Model"]
    target = [_without_none({"field": f["field_id"], "function": f["function"],
                             "value": f.get("value"), "value_source": f.get("value_field"),
                             "label": f["label"]})
              for f in legacy if f["field_type"] == "Target"]
    model_group = {"conditions": model, **({"logic": logic} if logic is not None else {})}
    return (model_group if model or logic is not None else None,
            {"conditions": target} if target else None)


def _meaning(legacy: list[Json]) -> list[tuple[Any, ...]]:
    """What a filter list selects, ignoring labels and spelling."""
    return [(f["field_type"], repr(f.get("field")), f.get("field_id") if f["field_type"] ==
             "Target" else None, f["function"], repr(f.get("value"))) for f in legacy]


def _without_none(value: Json) -> Json:
    return {key: item for key, item in value.items() if item is not None}


# -- applying filters to rows (executions) ----------------------------------------------------


class UnsimulatedFilter(Exception):
    """A filter function the emulator cannot evaluate against sample rows."""


def row_matches(row: Json, model_filters: Json | None) -> bool:
    """Whether a model row (``{field: value}``) passes the sync's model filters."""
    if not model_filters or not model_filters.get("conditions"):
        return True
    results = {c["label"]: _condition_holds(row.get(c["source"]["field"]), c["function"],
                                            c.get("value"))
               for c in model_filters["conditions"]}
    logic = model_filters.get("logic") or " and ".join(results)
    value, _ = _evaluate(_TOKEN.findall(logic), 0, results)
    return value


# Operators from loosest to tightest: ``and`` binds tighter than ``or``.
_PRECEDENCE = ("or", "and")


def _evaluate(tokens: list[str], position: int, results: dict[str, bool],
              level: int = 0) -> tuple[bool, int]:
    if level == len(_PRECEDENCE):
        return _evaluate_atom(tokens, position, results)
    value, position = _evaluate(tokens, position, results, level + 1)
    while position < len(tokens) and tokens[position].lower() == _PRECEDENCE[level]:
        right, position = _evaluate(tokens, position + 1, results, level + 1)
        value = (value or right) if _PRECEDENCE[level] == "or" else (value and right)
    return value, position


def _evaluate_atom(tokens: list[str], position: int, results: dict[str, bool]) -> tuple[bool, int]:
    if tokens[position] == "(":
        value, position = _evaluate(tokens, position + 1, results)
        return value, position + 1
    return results[tokens[position]], position + 1


def _condition_holds(actual: Any, function: str, expected: Any) -> bool:
    text = "" if actual is None else str(actual)
    wanted = "" if expected is None else str(expected)
    checks = {
        "IsNull": lambda: actual is None, "IsNotNull": lambda: actual is not None,
        "True": lambda: actual is True or actual == 1, "False": lambda: actual in (False, 0),
        "Equality": lambda: _compare(actual, expected) == 0,
        "Inequality": lambda: _compare(actual, expected) != 0,
        "GreaterThan": lambda: _compare(actual, expected) > 0,
        "GreaterThanEqual": lambda: _compare(actual, expected) >= 0,
        "LessThan": lambda: _compare(actual, expected) < 0,
        "LessThanEqual": lambda: _compare(actual, expected) <= 0,
        "OnOrAfter": lambda: actual is not None and text >= wanted,
        "OnOrBefore": lambda: actual is not None and text <= wanted,
        "StringContains": lambda: wanted in text,
        "StringDoesNotContain": lambda: wanted not in text,
        "StringStartsWith": lambda: text.startswith(wanted),
        "StringDoesNotStartWith": lambda: not text.startswith(wanted),
        "StringEndsWith": lambda: text.endswith(wanted),
        "StringDoesNotEndWith": lambda: not text.endswith(wanted),
        "StringOneOf": lambda: text in [str(v) for v in _as_list(expected)],
        "StringNotOneOf": lambda: text not in [str(v) for v in _as_list(expected)],
        "Between": lambda: _compare(actual, _as_list(expected)[0]) >= 0
        and _compare(actual, _as_list(expected)[-1]) <= 0,
    }
    if function not in checks:
        raise UnsimulatedFilter(f"the emulator does not evaluate filter function {function}")
    return bool(checks[function]())


def _compare(actual: Any, expected: Any) -> int:
    """-1, 0 or 1; numbers compare as numbers, anything else as text; null is smallest."""
    if actual is None or expected is None:
        return (actual is not None) - (expected is not None)
    try:
        left, right = float(actual), float(expected)
    except (TypeError, ValueError):
        left, right = str(actual), str(expected)  # type: ignore[assignment]
    return (left > right) - (left < right)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
