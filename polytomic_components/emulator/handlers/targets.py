"""Destination discovery for LinkedIn Ads: ``/api/connections/{id}/modelsync/...``.

A connection sees the audiences of the ad accounts it has enabled (``configuration.accounts``):
the seeded ones and those minted by syncs through ``target.create``.
"""

from __future__ import annotations

import re
from typing import Any

from .. import linkedin
from ..store import Store
from .common import (
    ApiError,
    Json,
    Request,
    Response,
    bad_reference,
    invalid,
    not_emulated,
    not_found,
    ok,
    utc_now,
)
from .connection_types import TYPES
from .connections import enabled_accounts, load_connection, require_authorized

NEVER_REFRESHED = "0001-01-01T00:00:00Z"
_PROPERTY_PARAM = re.compile(r"properties\[(?P<name>[^\]]+)\]")


def destination(request: Request, connection_id: str) -> Json:
    """The connection, checked to be an authorized sync destination."""
    connection = load_connection(request.store, connection_id)
    ctype = TYPES[connection["type"]]
    if not ctype.destination:
        raise ApiError(400, "not_a_destination",
                       f"connection {connection_id} is a {ctype.name} connection, which cannot "
                       "be a sync target")
    if not ctype.runs_syncs:
        raise not_emulated(f"sync targets on {ctype.name} connections")
    require_authorized(request, connection)
    return connection


def target_objects(store: Store, connection: Json) -> list[Json]:
    """The audiences this connection can sync to, as stored (id, account, type, name)."""
    return [audience for account in enabled_accounts(connection)
            for audience in store.find("audiences", account=account["value"])]


def target_fields_of(audience_type: str) -> list[Json]:
    return linkedin.TARGET_FIELDS[audience_type]


def check_creation_properties(connection: Json, properties: Any, path: str) -> dict[str, str]:
    """Validate ``target.create`` (or ``properties[...]``): account, type and name, all set."""
    if not isinstance(properties, dict):
        raise invalid(path, "must be an object of creation properties")
    allowed = [p["id"] for p in linkedin.CREATION_PROPERTIES]
    for key, value in properties.items():
        if key not in allowed:
            raise invalid(f"{path}.{key}", "is not a creation property", allowed)
        if not isinstance(value, str):
            raise invalid(f"{path}.{key}", "must be a string")
    for key in allowed:
        if not properties.get(key, "").strip():
            raise invalid(f"{path}.{key}", "is required")
    if properties["type"] not in linkedin.AUDIENCE_TYPES:
        raise invalid(f"{path}.type", f"unknown audience type {properties['type']!r}",
                      list(linkedin.AUDIENCE_TYPES))
    accounts = [account["value"] for account in enabled_accounts(connection)]
    if properties["account"] not in accounts:
        raise bad_reference(f"{path}.account",
                            f"{properties['account']!r} is not an ad account enabled on this "
                            "connection", accounts)
    return {key: properties[key] for key in allowed}


def mint_audience(store: Store, properties: dict[str, str]) -> Json:
    """Create a new audience in the simulated LinkedIn account."""
    number = store.next_number("audience", linkedin.FIRST_CREATED_NUMBER)
    audience = {
        "id": linkedin.audience_id(properties["account"], properties["type"], number),
        "account": properties["account"], "type": properties["type"],
        "name": linkedin.audience_name(properties["type"], properties["name"]),
        "created_at": utc_now(),
    }
    store.insert("audiences", audience)
    return audience


def list_target_objects(request: Request) -> Response:
    connection = destination(request, request.params["id"])
    audiences = sorted(target_objects(request.store, connection), key=lambda a: a["name"])
    creation = [dict(p) for p in linkedin.CREATION_PROPERTIES]
    if request.flag("include_target_creation_values"):
        for prop in creation:
            if prop["enum"]:
                prop["values"] = _property_values(connection, prop["id"])
    return ok([{"id": a["id"], "name": a["name"], "modes": linkedin.MODES} for a in audiences],
              target_creation={"supported": True, "properties": creation})


def target_property_values(request: Request) -> Response:
    connection = destination(request, request.params["id"])
    name = request.params["property"]
    known = {p["id"]: p for p in linkedin.CREATION_PROPERTIES}
    if name not in known:
        raise ApiError(404, "not_found", f"no creation property {name!r}; known: "
                                         f"{', '.join(known)}", {"allowed": list(known)})
    if not known[name]["enum"]:
        raise ApiError(400, "bad_request", f"creation property {name!r} is free text and has no "
                                           "values to list")
    # The guide's responses say "enum": false even for enum properties; mirror them.
    return ok({"enum": False, "values": _property_values(connection, name)})


def target_fields(request: Request) -> Response:
    """Describe an existing audience (``target=``) or one to create (``properties[...]``)."""
    connection = destination(request, request.params["id"])
    target = request.arg("target")
    properties = {match["name"]: values[0] for key, values in request.query.items()
                  if (match := _PROPERTY_PARAM.fullmatch(key))}
    if bool(target) == bool(properties):
        raise ApiError(400, "bad_request", "give exactly one of target=<target object id> or "
                                           "properties[<name>]=<value> parameters")
    if target:
        audience = next((a for a in target_objects(request.store, connection)
                         if a["id"] == target), None)
        if audience is None:
            raise not_found("target object", target)
        refreshed_at = utc_now() if request.flag("refresh") else audience["created_at"]
        return _described(audience["id"], audience["name"], audience["type"], refreshed_at)
    props = check_creation_properties(connection, properties, "properties")
    # A placeholder id: the audience only gets a real one when a sync creates it.
    return _described(linkedin.audience_id(props["account"], props["type"], "new"),
                      linkedin.audience_name(props["type"], props["name"]), props["type"],
                      NEVER_REFRESHED)


def _described(target_id: str, name: str, audience_type: str, refreshed_at: str) -> Response:
    return ok({"id": target_id, "name": name, "fields": target_fields_of(audience_type),
               "modes": linkedin.MODE_DETAILS, "properties": linkedin.TARGET_PROPERTIES,
               "refreshed_at": refreshed_at})


def _property_values(connection: Json, name: str) -> list[Json]:
    if name == "account":
        return [{"value": a["value"], "label": a["label"]} for a in enabled_accounts(connection)]
    return [{"value": value, "label": label} for value, label in linkedin.AUDIENCE_TYPES.items()]
