"""Read what an organization already runs into a LinkedIn Ads connection, through the API.

For teams that built pipelines by hand: the LinkedIn Ads connection, every sync into it, the
models those syncs read and the connections behind the models. Reads only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..client import PolytomicClient
from .inventory import (
    FoundObject,
    Inventory,
    MigrationError,
    connection_settings,
    model_settings,
    settings_of,
    sync_settings,
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
    request = {**model,
               "additional_fields": [without_nulls({"name": f["name"], "label": f.get("label"),
                                                    "type": f.get("type")})
                                     for f in model.get("fields") or [] if f.get("user_added")],
               "labels": [label.get("name") for label in model.get("labels") or []]}
    return _found("model", model, model_settings(request))


def _sync(sync: Mapping[str, Any]) -> FoundObject:
    return _found("sync", sync, sync_settings(sync))
