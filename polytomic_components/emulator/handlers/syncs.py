"""Model syncs: ``/api/syncs`` and ``/api/syncs/{id}`` (create, read, replace, delete, activate).

A request body is checked in two passes: its shape (``sync_rules``, 400), then what it refers
to -- connection, target object, models, fields (422). Only when both pass does anything get
written, including an audience minted for ``target.create``.

Stored syncs carry one private key, ``created_target`` (the audience this sync minted and the
properties it was minted from), so that a later PUT describing the same audience reuses it
instead of minting another. Responses never include it, nor ``target.create``.
"""

from __future__ import annotations

from typing import Any

from .. import linkedin
from ..store import Store
from .common import (
    ACTOR,
    MASK,
    ORGANIZATION_ID,
    Json,
    Request,
    Response,
    bad_reference,
    invalid,
    new_id,
    no_content,
    not_emulated,
    not_found,
    ok,
    optional_bool,
    optional_list,
    paginate,
    require_string,
    utc_now,
)
from .connection_types import TYPES
from .connections import require_authorized
from .sync_filters import check_overrides, check_sync_filters
from .sync_rules import (
    MODES,
    check_field,
    check_identities,
    check_override_field,
    check_schedule,
)
from .targets import check_creation_properties, mint_audience, target_fields_of, target_objects

LEGACY_FULL_LIST_VERSION = "2024-02-08"


def load_sync(store: Store, sync_id: str) -> Json:
    sync = store.get("syncs", sync_id)
    if sync is None:
        raise not_found("sync", sync_id)
    return sync


def problems(store: Store, sync: Json) -> list[Json]:
    """Broken references found when reading the sync; any of them stops it from running."""
    found = []
    for index, model_id in enumerate(sync["model_ids"]):
        if store.get("models", model_id) is None:
            found.append(_problem("model_not_found", f"model {model_id} no longer exists",
                                  f"model_ids[{index}]"))
    for path, source in _sources(sync):
        model = store.get("models", source["model_id"])
        if model and source["field"] not in _field_names(model):
            found.append(_problem("field_not_found", f"model {model['id']} has no field "
                                                     f"{source['field']!r} any more", path))
    target = sync["target"]
    connection = store.get("connections", target["connection_id"])
    if connection is None:
        found.append(_problem("connection_not_found",
                              f"connection {target['connection_id']} no longer exists",
                              "target.connection_id"))
    elif not connection["authorized"]:
        found.append(_problem("connection_not_authorized",
                              f"connection {connection['id']} is not authorized",
                              "target.connection_id"))
    elif target["object"] not in {a["id"] for a in target_objects(store, connection)}:
        found.append(_problem("target_not_found", f"target object {target['object']} is not "
                                                  "available on the connection", "target.object"))
    return found


def list_syncs(request: Request) -> Response:
    """Paginated slim items (2025-09-18), or every full sync without pagination (2024-02-08)."""
    syncs = request.store.find("syncs")
    if request.arg("active") is not None:
        syncs = [s for s in syncs if s["active"] == request.flag("active")]
    if request.arg("mode") is not None:
        syncs = [s for s in syncs if s["mode"] == request.arg("mode")]
    if request.arg("target_connection_id") is not None:
        syncs = [s for s in syncs
                 if s["target"]["connection_id"] == request.arg("target_connection_id")]
    if request.version == LEGACY_FULL_LIST_VERSION:
        return ok([_view(request.store, s) for s in syncs])
    return paginate(request, [_list_item(s) for s in syncs],
                    lambda s: (s["updated_at"], s["id"]))


def get_sync(request: Request) -> Response:
    return ok(_view(request.store, load_sync(request.store, request.params["id"])))


def create_sync(request: Request) -> Response:
    sync = _build_sync(request, previous=None)
    request.store.insert("syncs", sync)
    return ok(_view(request.store, sync))


def update_sync(request: Request) -> Response:
    """Full replacement; an omitted or masked ``encryption_passphrase`` is kept."""
    previous = load_sync(request.store, request.params["id"])
    sync = _build_sync(request, previous)
    request.store.replace("syncs", sync)
    return ok(_view(request.store, sync))


def delete_sync(request: Request) -> Response:
    store = request.store
    sync = load_sync(store, request.params["id"])
    for execution in store.find("executions", sync_id=sync["id"]):
        store.delete("executions", execution["id"])
    store.delete("syncs", sync["id"])
    return no_content()


def activate_sync(request: Request) -> Response:
    sync = load_sync(request.store, request.params["id"])
    body = request.json_object()
    if not isinstance(body.get("active"), bool):
        raise invalid("active", "is required and must be true or false")
    sync.update(active=body["active"], updated_at=utc_now())
    request.store.replace("syncs", sync)
    return ok({"id": sync["id"], "active": sync["active"]})


# -- building a sync from a request -----------------------------------------------------------


def _build_sync(request: Request, previous: Json | None) -> Json:
    body = request.json_object()
    shape = _checked_shape(body)
    # A secret: omitted or masked on PUT means "keep the stored one".
    passphrase = body.get("encryption_passphrase")
    if passphrase in (None, MASK):
        passphrase = previous["encryption_passphrase"] if previous else None
    elif not isinstance(passphrase, str):
        raise invalid("encryption_passphrase", "must be a string")

    target = shape["target"]
    connection, audience_type, create = _resolve_target(request, target, previous)
    _check_references(request.store, shape, audience_type)

    created_target = None
    if create is not None:
        audience = mint_audience(request.store, create)
        target["object"] = audience["id"]
        created_target = {"object": audience["id"], "properties": create}
    elif previous and (previous.get("created_target") or {}).get("object") == target["object"]:
        created_target = previous["created_target"]

    now = utc_now()
    mappings = shape["mappings"]
    sent_target = {key: value for key, value in target.items()
                   if key != "create" and value is not None}
    return {
        "id": previous["id"] if previous else new_id(), "name": shape["name"],
        "organization_id": ORGANIZATION_ID, "active": optional_bool(body, "active"),
        "mode": shape["mode"], "model_ids": _model_ids(shape["fields"], mappings),
        "target": {**sent_target, "connection_id": connection["id"], "object": target["object"]},
        "fields": shape["fields"], "override_fields": shape["override_fields"],
        "overrides": shape["overrides"],
        "identity": mappings[0] if mappings else None,
        "identities": _identities(mappings, shape["strategy"]),
        "model_filters": shape["filters"]["model_filters"],
        "target_filters": shape["filters"]["target_filters"],
        "filters": shape["filters"]["filters"], "filter_logic": shape["filters"]["filter_logic"],
        "schedule": shape["schedule"],
        "sync_all_records": optional_bool(body, "sync_all_records"),
        "skip_initial_backfill": optional_bool(body, "skip_initial_backfill"),
        "only_enrich_updates": optional_bool(body, "only_enrich_updates"),
        "encryption_passphrase": passphrase, "policies": optional_list(body, "policies"),
        "created_at": previous["created_at"] if previous else now, "updated_at": now,
        "created_target": created_target,
    }


def _identities(mappings: list[Json], strategy: str | None) -> Json | None:
    if not mappings:
        return None
    return {"mappings": mappings, **({"strategy": strategy} if strategy else {})}


def _checked_shape(body: Json) -> Json:
    """First pass: everything that can be judged from the body alone (400s)."""
    name = require_string(body, "name")
    mode = body.get("mode")
    if mode not in MODES:
        raise invalid("mode", f"unknown mode {mode!r}", MODES)
    schedule = check_schedule(body.get("schedule"))
    target = body.get("target")
    if not isinstance(target, dict):
        raise invalid("target", "is required and must be an object")
    require_string(target, "connection_id", "target.connection_id")
    if not isinstance(body.get("fields"), list):
        raise invalid("fields", "is required and must be a list (it may be empty)")
    mappings, strategy = check_identities(body)
    fields = [check_field(item, f"fields[{i}]") for i, item in enumerate(body["fields"])]
    override_fields = [check_override_field(item, f"override_fields[{i}]") for i, item
                       in enumerate(optional_list(body, "override_fields"))]
    overrides, override_sources = check_overrides(body)
    return {
        "name": name, "mode": mode, "schedule": schedule, "target": dict(target),
        "fields": _folded(fields, override_fields),
        "override_fields": _unique([f for f in fields if "source" not in f] + override_fields),
        "overrides": overrides, "override_sources": override_sources,
        # As sent, so that errors name the entry where the body put it.
        "sent": {"fields": fields, "override_fields": override_fields},
        "mappings": mappings, "strategy": strategy,
        # Errors name the mappings where the body put them.
        "identity_path": "identity" if body.get("identities") is None else "identities.mappings",
        "filters": check_sync_filters(body),
    }


def _folded(fields: list[Json], override_fields: list[Json]) -> list[Json]:
    """``fields`` with the override fields folded in, as the service reports them; an override
    field already among the fields (a client sending back what it read) is not added twice."""
    return fields + [f for f in _unique(override_fields) if f not in fields]


def _unique(items: list[Json]) -> list[Json]:
    return [item for index, item in enumerate(items) if item not in items[:index]]


def _resolve_target(request: Request, target: Json,
                    previous: Json | None) -> tuple[Json, str, dict[str, str] | None]:
    """The target connection, the audience type, and creation properties if one must be minted.

    ``object`` and ``create`` are exclusive, except that a PUT still describing the audience
    this sync created earlier (by its id, or by the same properties) reuses it.
    """
    create = target.get("create")
    reused = _previously_created(request.store, previous, target)
    if reused:
        target["object"], create = reused, None
    if target.get("object") and create is not None:
        raise invalid("target", "give either target.object (an existing audience) or "
                                "target.create (a new one), not both")
    if not target.get("object") and create is None:
        raise invalid("target.object", "is required (or give target.create to create a new "
                                       "audience)")

    connection = request.store.get("connections", target["connection_id"])
    if connection is None:
        raise bad_reference("target.connection_id",
                            f"connection {target['connection_id']} not found")
    ctype = TYPES[connection["type"]]
    if not ctype.destination:
        raise bad_reference("target.connection_id",
                            f"a {ctype.name} connection cannot be a sync target")
    if not ctype.runs_syncs:
        raise not_emulated(f"syncs into {ctype.name}")
    require_authorized(request, connection)

    if create is not None:
        properties = check_creation_properties(connection, create, "target.create")
        return connection, properties["type"], properties
    audiences = {a["id"]: a for a in target_objects(request.store, connection)}
    if target["object"] not in audiences:
        raise bad_reference("target.object", f"no target object {target['object']!r} on "
                                             "this connection", sorted(audiences))
    return connection, audiences[target["object"]]["type"], None


def _previously_created(store: Store, previous: Json | None, target: Json) -> str | None:
    if previous is None or not previous["created_target"]:
        return None
    created = previous["created_target"]
    if store.get("audiences", created["object"]) is None:
        return None  # it vanished from LinkedIn: describing it again creates a new one
    if target["connection_id"] != previous["target"]["connection_id"]:
        return None
    if target.get("object") == created["object"]:
        return str(created["object"])
    if not target.get("object") and target.get("create") == created["properties"]:
        return str(created["object"])
    return None


def _check_references(store: Store, shape: Json, audience_type: str) -> None:
    """Second pass: the mode, target fields and model fields must exist on the other side."""
    modes = {mode["id"]: mode for mode in linkedin.MODES}
    if shape["mode"] not in modes:
        raise bad_reference("mode", f"mode {shape['mode']!r} is not supported by this target",
                            list(modes))
    mode = modes[shape["mode"]]
    if mode["requires_identity"] and not shape["mappings"]:
        raise invalid("identity", f"is required for mode {shape['mode']!r}")
    if shape["filters"]["target_filters"] and not mode["supports_target_filters"]:
        raise bad_reference("target_filters", "this target does not support target filters")

    target_fields = {field["id"]: field for field in target_fields_of(audience_type)}
    for key in ("fields", "override_fields"):
        for index, mapping in enumerate(shape["sent"][key]):
            if mapping["target"] not in target_fields:
                raise bad_reference(f"{key}[{index}].target",
                                    f"unknown target field {mapping['target']!r}",
                                    list(target_fields))
    for index, identity in enumerate(shape["mappings"]):
        path = _identity_path(shape, index)
        field = target_fields.get(identity["target"])
        if field is None or not field["supports_identity"]:
            raise bad_reference(f"{path}.target", f"{identity['target']!r} cannot be an identity",
                                [f["id"] for f in target_fields.values() if f["supports_identity"]])
        functions = [function["id"] for function in field["identity_functions"]]
        if identity["function"] not in functions:
            raise bad_reference(f"{path}.function", f"{field['id']} does not support "
                                                    f"{identity['function']}", functions)

    sources = [(f"fields[{i}].source", m["source"]) for i, m in enumerate(shape["fields"])
               if "source" in m]
    sources += [(f"{_identity_path(shape, i)}.source", m["source"])
                for i, m in enumerate(shape["mappings"])]
    sources += shape["filters"]["sources"] + shape["override_sources"]
    for path, source in sources:
        _check_source(store, path, source)
    for index, sync_id in enumerate(shape["schedule"].get("run_after", {}).get("sync_ids", [])):
        if store.get("syncs", sync_id) is None:
            raise bad_reference(f"schedule.run_after.sync_ids[{index}]",
                                f"sync {sync_id} not found")


def _identity_path(shape: Json, index: int) -> str:
    prefix = shape["identity_path"]
    return prefix if prefix == "identity" else f"{prefix}[{index}]"


def _check_source(store: Store, path: str, source: Any) -> None:
    if not isinstance(source, dict) or not source.get("model_id"):
        raise invalid(path, 'must be an object {"model_id": ..., "field": ...}')
    model = store.get("models", source["model_id"])
    if model is None:
        raise bad_reference(f"{path}.model_id", f"model {source['model_id']} not found")
    names = _field_names(model)
    if source.get("field") not in names:
        raise bad_reference(f"{path}.field", f"{source.get('field')!r} is not a field of model "
                                             f"{model['id']}", names)


# -- responses --------------------------------------------------------------------------------


def _view(store: Store, sync: Json) -> Json:
    """ModelSyncV5Response: the stored sync minus private keys, secrets masked, problems added."""
    # Unset values stay unset: a key the client never gave is left out, not reported as null.
    view = {key: value for key, value in sync.items()
            if key != "created_target" and value is not None}
    if view.get("encryption_passphrase"):
        view["encryption_passphrase"] = MASK
    view.update(problems=problems(store, sync), created_by=ACTOR, updated_by=ACTOR)
    return view


def _list_item(sync: Json) -> Json:
    """ListSyncItem: the slim 2025-09-18 list shape."""
    keys = ("id", "name", "active", "mode", "model_ids", "organization_id", "schedule",
            "sync_all_records", "skip_initial_backfill", "only_enrich_updates", "created_at",
            "updated_at")
    item = {key: sync[key] for key in keys}
    item.update(target_connection_id=sync["target"]["connection_id"],
                target_object=sync["target"]["object"], created_by=ACTOR, updated_by=ACTOR)
    return item


def _model_ids(fields: list[Json], mappings: list[Json]) -> list[str]:
    """Models the sync reads, in order of first mention."""
    ids = [m["source"]["model_id"] for m in (*mappings, *fields) if "source" in m]
    return list(dict.fromkeys(ids))


def _sources(sync: Json) -> list[tuple[str, Json]]:
    return ([(f"fields[{i}].source.field", f["source"]) for i, f in enumerate(sync["fields"])
             if "source" in f]
            + [(f"identities.mappings[{i}].source.field", m["source"])
               for i, m in enumerate((sync["identities"] or {}).get("mappings", []))])


def _field_names(model: Json) -> list[str]:
    return [field["name"] for field in model["fields"]]


def _problem(code: str, message: str, path: str) -> Json:
    return {"code": code, "message": message, "path": path, "severity": "error"}

