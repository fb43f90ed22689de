"""Models: ``/api/models...`` and ``/api/model-preview``.

A model's fields are detected by running its query against the sample warehouse. Field ids stay
the same across updates for as long as a field's name does, so filters and mappings that refer
to them survive a query edit. ``async`` is not supported: every call answers synchronously.
"""

from __future__ import annotations

from typing import Any

from .. import warehouse
from ..store import Store
from .common import (
    ACTOR,
    ORGANIZATION_ID,
    ApiError,
    Json,
    Request,
    Response,
    invalid,
    new_id,
    no_content,
    not_emulated,
    not_found,
    ok,
    optional_list,
    require_string,
    utc_now,
)
from .connection_types import TYPES

SAMPLE_SIZE = 10
_CONFIGURATION_KEYS = ("query", "schema", "table", "view")


def load_model(store: Store, model_id: str) -> Json:
    model = store.get("models", model_id)
    if model is None:
        raise not_found("model", model_id)
    return model


def model_query(configuration: Json) -> str:
    """The SQL a model configuration stands for: its ``query``, or all of a table or view.

    ``schema`` is accepted and ignored: the sample warehouse has a single schema.
    """
    for key, value in configuration.items():
        if key not in _CONFIGURATION_KEYS:
            raise invalid(f"configuration.{key}", "is not a Snowflake model configuration key",
                          _CONFIGURATION_KEYS)
        if not isinstance(value, str):
            raise invalid(f"configuration.{key}", "must be a string")
    given = [key for key in ("query", "table", "view") if configuration.get(key, "").strip()]
    if len(given) != 1:
        raise invalid("configuration", "give exactly one of query, table or view")
    if given[0] == "query":
        return str(configuration["query"])
    return warehouse.select_all(configuration[given[0]])


def run_model(configuration: Json) -> tuple[list[warehouse.Column], list[dict[str, Any]]]:
    """Run a model's query; 400 ``invalid_query`` with the database's message if it fails."""
    try:
        return warehouse.run(model_query(configuration))
    except warehouse.QueryError as error:
        path = "configuration.query" if "query" in configuration else "configuration"
        raise ApiError(400, "invalid_query", f"query failed: {error}", {"path": path}) from None


def list_models(request: Request) -> Response:
    """Every model, oldest first, in one answer: the SDK's list envelope has no pagination."""
    return ok(request.store.find("models"))


def get_model(request: Request) -> Response:
    return ok(load_model(request.store, request.params["id"]))


def create_model(request: Request) -> Response:
    model = _build_model(request, previous=None)
    request.store.insert("models", model)
    return ok(model)


def update_model(request: Request) -> Response:
    """Full replacement. ``version`` is left alone: Polytomic's Terraform provider keeps it
    unchanged across updates (see the emulator README's list of guesses)."""
    previous = load_model(request.store, request.params["id"])
    model = _build_model(request, previous)
    request.store.replace("models", model)
    return ok(model)


def delete_model(request: Request) -> Response:
    """Allowed even while syncs use the model; they then report a problem."""
    load_model(request.store, request.params["id"])
    request.store.delete("models", request.params["id"])
    return no_content()


def preview_model(request: Request) -> Response:
    """What creating the model would return, without saving anything."""
    return ok(_build_model(request, previous=None, preview=True))


def sample_model(request: Request) -> Response:
    model = load_model(request.store, request.params["id"])
    _, rows = run_model(model["configuration"])
    names = [f["name"] for f in model["fields"] if not f["user_added"]]
    records = [{model["id"]: {name: row.get(name) for name in names}}
               for row in rows[:SAMPLE_SIZE]]
    return ok({"records": records, "warnings": []})


def _build_model(request: Request, previous: Json | None, preview: bool = False) -> Json:
    """The model a create, update or preview request describes, checked field by field.

    A preview is the same model without an id, and is never stored.
    """
    body = request.json_object()
    name = require_string(body, "name")
    connection_id = require_string(body, "connection_id")
    connection = request.store.get("connections", connection_id)
    if connection is None:
        # The SDK declares 404 for preview and only 400 for create and update.
        raise ApiError(404 if preview else 400, "not_found" if preview else "validation_failed",
                       f"connection_id: connection {connection_id} not found",
                       {"path": "connection_id"})
    ctype = TYPES[connection["type"]]
    if not ctype.source:
        raise invalid("connection_id", f"a {ctype.name} connection cannot back a model")
    if not ctype.runs_models:
        raise not_emulated(f"models on {ctype.name} connections")
    configuration = body.get("configuration")
    if not isinstance(configuration, dict):
        raise invalid("configuration", "is required and must be an object")

    columns, rows = run_model(configuration)
    now = utc_now()
    known = {f["name"]: f for f in previous["fields"]} if previous else {}
    fields = [_field(known.get(col_name), col_name, kind, remote,
                     rows[0].get(col_name) if rows else None, False, now)
              for col_name, kind, remote in columns]
    fields = _enabled(fields, optional_list(body, "fields"))
    for index, extra in enumerate(optional_list(body, "additional_fields")):
        fields.append(_additional_field(extra, f"additional_fields[{index}]", known, fields, now))

    names = [f["name"] for f in fields]
    identifier = body.get("identifier") or None
    if identifier is not None and identifier not in names:
        raise invalid("identifier", f"{identifier!r} is not a field of this model", names)
    tracking = optional_list(body, "tracking_columns")
    for index, column in enumerate(tracking):
        if column not in names:
            raise invalid(f"tracking_columns[{index}]", f"{column!r} is not a field", names)
    for f in fields:
        f["unique"] = f["name"] == identifier
    labels = optional_list(body, "labels")
    for index, label in enumerate(labels):
        if not isinstance(label, str) or not label.strip():
            raise invalid(f"labels[{index}]", "must be a non-empty string")

    model = {
        "id": previous["id"] if previous else new_id(),
        "name": name, "connection_id": connection_id, "organization_id": ORGANIZATION_ID,
        "type": connection["type"], "version": previous["version"] if previous else 1,
        "configuration": configuration, "fields": fields, "identifier": identifier,
        "tracking_columns": tracking,
        "relations": [_relation(request.store, relation, f"relations[{index}]", names)
                      for index, relation in enumerate(optional_list(body, "relations"))],
        "labels": [{"name": label} for label in labels],
        "policies": optional_list(body, "policies"), "enricher": body.get("enricher"),
        "created_at": previous["created_at"] if previous else now, "created_by": ACTOR,
        "updated_at": now, "updated_by": ACTOR,
    }
    if preview:
        del model["id"]
    return model


def _relation(store: Store, relation: Any, path: str, names: list[str]) -> Json:
    """``{"from": <field of this model>, "to": {"model_id", "field"}}``, both ends existing."""
    if not isinstance(relation, dict) or not isinstance(relation.get("to"), dict):
        raise invalid(path, 'must be an object {"from": ..., "to": {"model_id": ..., '
                            '"field": ...}}')
    source = require_string(relation, "from", f"{path}.from")
    if source not in names:
        raise invalid(f"{path}.from", f"{source!r} is not a field of this model", names)
    to = relation["to"]
    model_id = require_string(to, "model_id", f"{path}.to.model_id")
    related = store.get("models", model_id)
    if related is None:
        raise invalid(f"{path}.to.model_id", f"model {model_id} not found")
    related_names = [f["name"] for f in related["fields"]]
    field = require_string(to, "field", f"{path}.to.field")
    if field not in related_names:
        raise invalid(f"{path}.to.field", f"{field!r} is not a field of model {model_id}",
                      related_names)
    return {"from": source, "to": {"model_id": model_id, "field": field}}


def _field(previous: Json | None, name: str, kind: str, remote: str, example: Any,
           user_added: bool, now: str) -> Json:
    """A model field; it keeps the id it had when a field of the same name existed before."""
    return {
        "id": previous["id"] if previous else new_id(), "name": name, "label": name,
        "type": kind, "remote_type": remote, "description": "",
        "example": None if example is None else str(example), "unique": False,
        "user_added": user_added, "created_at": previous["created_at"] if previous else now,
        "created_by": ACTOR, "updated_at": now,
    }


def _enabled(fields: list[Json], wanted: list[Any]) -> list[Json]:
    """Keep only the detected fields named in the request's ``fields`` (all when empty)."""
    names = [f["name"] for f in fields]
    for index, name in enumerate(wanted):
        if name not in names:
            raise invalid(f"fields[{index}]", f"{name!r} is not a column of the query", names)
    return [f for f in fields if not wanted or f["name"] in wanted]


def _additional_field(extra: Any, path: str, known: dict[str, Json], fields: list[Json],
                      now: str) -> Json:
    if not isinstance(extra, dict):
        raise invalid(path, "must be an object with name, label and type")
    name = require_string(extra, "name", f"{path}.name")
    label = require_string(extra, "label", f"{path}.label")
    if any(f["name"] == name for f in fields):
        raise invalid(f"{path}.name", f"{name!r} is already a field of this model")
    kind = require_string(extra, "type", f"{path}.type")
    if kind not in warehouse.POLYTOMIC_TYPES.values():
        raise invalid(f"{path}.type", f"unknown type {kind!r}",
                      sorted(set(warehouse.POLYTOMIC_TYPES.values())))
    field = _field(known.get(name), name, kind, "", extra.get("example"), True, now)
    field["label"] = label
    return field
