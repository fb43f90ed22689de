"""Read what an organization already runs into a LinkedIn Ads connection, through the API.

For teams that built pipelines by hand: the LinkedIn Ads connection, every sync into it, the
models those syncs read and the connections behind the models. Reads only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..client import PolytomicClient
from ..resources.sync import normalise_field, normalise_identity
from .inventory import (
    FoundObject,
    Inventory,
    MigrationError,
    Secret,
    connection_settings,
    settings_of,
    without_nulls,
)


def read_organization(client: PolytomicClient, linkedin_connection_id: str) -> Inventory:
    """The LinkedIn Ads connection, its syncs, their models and the models' connections.

    Raises:
        MigrationError: `linkedin_connection_id` is not a LinkedIn Ads connection of the organization.
        PolytomicError: an API call failed.
    """
    connections = {c["id"]: c for c in client.list_connections()}
    linkedin = connections.get(linkedin_connection_id)
    if linkedin is None or _type(linkedin) != "linkedinads":
        found = ", ".join(f"{c['id']} ({c.get('name')})" for c in connections.values()
                          if _type(c) == "linkedinads")
        raise MigrationError(f"{linkedin_connection_id!r} is not a LinkedIn Ads connection of this "
                             "organization", hint=f"LinkedIn Ads connections: {found or 'none'}")
    syncs = [client.get_sync(s["id"])
             for s in client.list_syncs(target_connection_id=linkedin_connection_id)]
    model_ids = list(dict.fromkeys(model_id for sync in syncs for model_id in sync.get("model_ids", [])))
    models = [client.get_model(model_id) for model_id in model_ids]
    sources = list(dict.fromkeys(model["connection_id"] for model in models))
    objects = [
        *(_connection(connections[id_]) for id_ in [linkedin_connection_id, *sources] if id_ in connections),
        *(_model(model) for model in models),
        *(_sync(sync) for sync in syncs),
    ]
    return Inventory.build(objects, source="the organization")


def _type(connection: Mapping[str, Any]) -> str:
    kind = connection.get("type")
    return str(kind.get("id") if isinstance(kind, Mapping) else kind)


def _is_masked(value: Any) -> bool:
    """Polytomic answers a set secret with a run of asterisks (its length is not fixed)."""
    return isinstance(value, str) and value != "" and set(value) == {"*"}


def _found(kind: str, api_object: Mapping[str, Any], settings: dict[str, Any]) -> FoundObject:
    name = api_object.get("name") or kind
    return FoundObject(kind=kind, id=api_object["id"], name=name,
                       origin=f"{kind} {name!r} ({api_object['id']})", settings=settings)


def _connection(connection: Mapping[str, Any]) -> FoundObject:
    configuration = connection.get("configuration") or {}
    masked = [key for key, value in configuration.items() if _is_masked(value)]
    settings = connection_settings(_type(connection), connection.get("name") or "", configuration, masked)
    settings.update(settings_of({"policies": connection.get("policies")}))
    return _found("connection", connection, settings)


def _model(model: Mapping[str, Any]) -> FoundObject:
    declared = [{"name": f["name"], "label": f.get("label"), "type": f.get("type")}
                for f in model.get("fields") or [] if f.get("user_added")]
    return _found("model", model, settings_of({
        "name": model.get("name"),
        "connection_id": model.get("connection_id"),
        "configuration": model.get("configuration"),
        "identifier": model.get("identifier"),
        "tracking_columns": model.get("tracking_columns"),
        "additional_fields": [without_nulls(f) for f in declared],
        "relations": model.get("relations"),
        "labels": [label.get("name") for label in model.get("labels") or []],
        "policies": model.get("policies"),
        "enricher": model.get("enricher"),
    }))


def _sync(sync: Mapping[str, Any]) -> FoundObject:
    target = sync.get("target") or {}
    identity = sync.get("identity")
    mappings = (sync.get("identities") or {}).get("mappings") or []
    model_filters = sync.get("model_filters") or {}
    target_filters = sync.get("target_filters") or {}
    return _found("sync", sync, settings_of({
        "name": sync.get("name"),
        "mode": sync.get("mode"),
        "schedule": without_nulls(sync.get("schedule") or {}),
        "target": {"connection_id": target.get("connection_id"), "object": target.get("object")},
        "fields": [normalise_field(f) for f in sync.get("fields") or []],
        "identity": normalise_identity(identity) if identity else None,
        "active": sync.get("active"),
        "sync_all_records": sync.get("sync_all_records"),
        "skip_initial_backfill": sync.get("skip_initial_backfill"),
        "only_enrich_updates": sync.get("only_enrich_updates"),
        "encryption_passphrase": Secret("encryption_passphrase")
        if sync.get("encryption_passphrase") else None,
        "override_fields": sync.get("override_fields"),
        "overrides": sync.get("overrides"),
        "filters": sync.get("filters"),
        "filter_logic": sync.get("filter_logic"),
        "model_filters": model_filters if model_filters.get("conditions") else None,
        "target_filters": target_filters if target_filters.get("conditions") else None,
        "identities": sync.get("identities") if len(mappings) > 1 else None,
        "policies": sync.get("policies"),
        "identity.new_field": (identity or {}).get("new_field") or None,
        "target.configuration": target.get("configuration"),
        "target.new_name": target.get("new_name"),
        "target.search_values": target.get("search_values"),
    }))
