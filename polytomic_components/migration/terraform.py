"""Read a Terraform state file (format version 4) written by Polytomic's Terraform provider (v2).

Attribute names and shapes are the provider's: ``polytomic_<type>_connection`` (a nested
``configuration`` object), ``polytomic_model`` (``configuration`` a JSON string from schema
version 1, a map of strings before), ``polytomic_sync`` (``target``, ``fields``, ``filters``,
``overrides``, ... with ``value`` and ``target.configuration`` as JSON strings). Each is turned into
the API's shape, which is what this library's resources take.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .inventory import (
    FoundObject,
    Inventory,
    MigrationError,
    connection_settings,
    model_settings,
    sync_settings,
    without_nulls,
)

_CONNECTION_TYPE = re.compile(r"polytomic_(?P<type>.+)_connection")
_STATE_FORMAT = 4


def read_state_file(path: str | Path) -> Inventory:
    """The Polytomic objects a Terraform state file manages.

    Raises:
        MigrationError: the file is not a version-4 Terraform state.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise MigrationError(f"cannot read {path}: {error.strerror}",
                             hint="Give the path of a terraform.tfstate file "
                                  "(`terraform state pull > terraform.tfstate` writes one)") from None
    return read_state(text, source=path.name)


def read_state(text: str, *, source: str = "terraform.tfstate") -> Inventory:
    """The Polytomic objects a Terraform state (its JSON text) manages."""
    try:
        state = json.loads(text)
    except ValueError:
        raise MigrationError(f"{source} is not JSON", hint="Give a Terraform state file") from None
    if not isinstance(state, Mapping) or state.get("version") != _STATE_FORMAT:
        version = state.get("version") if isinstance(state, Mapping) else None
        raise MigrationError(f"{source} is not a Terraform state in format version {_STATE_FORMAT} "
                             f"(found version {version!r})",
                             hint="Run `terraform state pull > terraform.tfstate` with Terraform "
                                  "0.12 or later and migrate that file")
    found = []
    skipped = []
    for address, resource_type, name, instance in _polytomic_instances(state):
        kind = _kind(resource_type)
        if kind is None:
            skipped.append(f"{address}: not migrated; this library manages connections, models "
                           "and syncs only")
            continue
        if "deposed" in instance:
            skipped.append(f"{address} (deposed {instance['deposed']}): not migrated; Terraform "
                           "replaced this object and deletes it on its next apply")
            continue
        attributes = instance.get("attributes") or {}
        if not attributes.get("id"):
            skipped.append(f"{address}: not migrated; the state holds no id for it (its create "
                           "failed?): run `terraform refresh` and pull the state again")
            continue
        settings, notes = _READERS[kind](address, resource_type, attributes, _sensitive_paths(instance))
        found.append(FoundObject(kind=kind, id=str(attributes["id"]), name=name,
                                 origin=address, settings=settings, notes=notes))
    return Inventory.build(found, source, skipped)


# -- walking the state -------------------------------------------------------------------------


def _polytomic_instances(state: Mapping[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(address, resource type, resource name, instance) of every managed `polytomic_*` instance.

    The name joins module names, the resource name and the index key:
    `module.a.polytomic_model.users["x"]` → `a-users-x`.
    """
    for resource in state.get("resources") or []:
        resource_type = resource.get("type", "")
        if resource.get("mode") != "managed" or not resource_type.startswith("polytomic_"):
            continue
        module = resource.get("module") or ""
        modules = [step for i, step in enumerate(module.split(".")) if i % 2 == 1]
        for instance in resource.get("instances") or []:
            index = [str(instance["index_key"])] if "index_key" in instance else []
            address = f"{module + '.' if module else ''}{resource_type}.{resource['name']}"
            address += f"[{json.dumps(instance['index_key'])}]" if index else ""
            yield address, resource_type, "-".join([*modules, resource["name"], *index]), instance


def _kind(resource_type: str) -> str | None:
    """`connection`, `model` or `sync`; None for Polytomic resources this library does not manage."""
    if resource_type in ("polytomic_model", "polytomic_sync"):
        return resource_type.removeprefix("polytomic_")
    return "connection" if _CONNECTION_TYPE.fullmatch(resource_type) else None


def _sensitive_paths(instance: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """Attribute paths Terraform recorded as sensitive, e.g. ('configuration', 'password')."""
    paths = []
    for path in instance.get("sensitive_attributes") or []:
        steps = tuple(str(step.get("value")) for step in path
                      if isinstance(step, Mapping) and step.get("type") == "get_attr")
        if steps:
            paths.append(steps)
    return paths


def _json(address: str, attribute: str, value: Any) -> Any:
    """A JSON-string attribute (the provider stores `value`, `configuration` so) decoded."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise MigrationError(f"{address}: {attribute} is not valid JSON") from None


# -- one reader per kind -------------------------------------------------------------------------


_Read = tuple[dict[str, Any], tuple[str, ...]]


def _connection(address: str, resource_type: str, attributes: Mapping[str, Any],
                sensitive: list[tuple[str, ...]]) -> _Read:
    match = _CONNECTION_TYPE.fullmatch(resource_type)
    assert match is not None  # _kind only lets connection types through
    marked = [path[1] for path in sensitive if len(path) == 2 and path[0] == "configuration"]
    settings = connection_settings(match["type"], attributes.get("name") or "",
                                   attributes.get("configuration") or {}, marked)
    if attributes.get("force_destroy"):
        settings["force_destroy"] = True
    return settings, ()


def _model(address: str, resource_type: str, attributes: Mapping[str, Any],
           sensitive: list[tuple[str, ...]]) -> _Read:
    # Schema version 0 kept `configuration` as a map of strings, version 1 as a JSON string.
    settings = model_settings({
        **attributes, "fields": None,
        "configuration": _json(address, "configuration", attributes.get("configuration")),
        "additional_fields": [without_nulls(f) for f in attributes.get("additional_fields") or []],
        "relations": [without_nulls(r) for r in attributes.get("relations") or []]})
    notes: tuple[str, ...] = ()
    if attributes.get("fields"):
        # The provider marks `fields` Optional+Computed, so a state lists every enabled field
        # whether or not the user chose them; it cannot tell a choice from the default.
        notes = (f"{address}: fields ({', '.join(sorted(attributes['fields']))}) is not carried "
                 "over; Polytomic keeps every field the query returns",)
    return settings, notes


def _sync(address: str, resource_type: str, attributes: Mapping[str, Any],
          sensitive: list[tuple[str, ...]]) -> _Read:
    target = attributes.get("target") or {}
    notes: tuple[str, ...] = ()
    if target.get("object") and target.get("create"):
        notes = (f"{address}: the target Terraform created from target.create is adopted as "
                 f"the existing object {target['object']!r}; nothing is created again",)
    settings = sync_settings({
        **attributes,
        "target": {**target, "configuration": _json(address, "target.configuration",
                                                    target.get("configuration"))},
        # The provider sends both filter sets as the API's `filters`, told apart by `field_type`.
        "filters": [*(_model_filter(address, f) for f in attributes.get("filters") or []),
                    *(_target_filter(address, f) for f in attributes.get("target_filters") or [])],
        "target_filters": None,
        "overrides": [_override(address, o) for o in attributes.get("overrides") or []],
    })
    return settings, notes


def _model_filter(address: str, tf_filter: Mapping[str, Any]) -> dict[str, Any]:
    return without_nulls({"field": tf_filter.get("source"), "field_type": "Model",
                          "function": tf_filter.get("function"), "label": tf_filter.get("label"),
                          "value": _json(address, "filters.value", tf_filter.get("value"))})


def _target_filter(address: str, tf_filter: Mapping[str, Any]) -> dict[str, Any]:
    return without_nulls({"field_id": tf_filter.get("field"), "field_type": "Target",
                          "function": tf_filter.get("function"), "label": tf_filter.get("label"),
                          "value": _json(address, "target_filters.value", tf_filter.get("value"))})


def _override(address: str, override: Mapping[str, Any]) -> dict[str, Any]:
    return without_nulls({"field": override.get("source"), "function": override.get("function"),
                          "value": _json(address, "overrides.value", override.get("value")),
                          "override": _json(address, "overrides.override", override.get("override"))})


_READERS = {"connection": _connection, "model": _model, "sync": _sync}

