"""Connections and connection types: ``/api/connections...`` and ``/api/connection_types...``.

A stored connection keeps its secrets in clear (``configuration``) plus emulator bookkeeping
(``authorized``, ``oauth_state``, ``redirect_url``); responses are built from it by the two
``_view`` functions, which mask every secret.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from .. import linkedin
from ..store import Store
from .common import (
    ACTOR,
    MASK,
    ORGANIZATION_ID,
    ApiError,
    Json,
    Request,
    Response,
    invalid,
    new_id,
    no_content,
    not_found,
    ok,
    optional_list,
    require_string,
    utc_now,
)
from .connection_types import (
    LINKEDIN_ADS,
    OAUTH_CREDENTIALS,
    TYPES,
    ConnectionType,
    connection_type,
    validate_configuration,
)

# -- helpers other handler modules use --------------------------------------------------------


def load_connection(store: Store, connection_id: str) -> Json:
    """The stored connection, or 404."""
    connection = store.get("connections", connection_id)
    if connection is None:
        raise not_found("connection", connection_id)
    return connection


def auth_url(base_url: str, connection: Json) -> str:
    """Where a human finishes the (simulated) OAuth flow for this connection."""
    query = urlencode({"connection": connection["id"], "state": connection["oauth_state"]})
    return f"{base_url}/oauth/{connection['type']}/authorize?{query}"


def require_authorized(request: Request, connection: Json) -> None:
    """422 ``connection_not_authorized`` until the OAuth flow has been completed."""
    if not connection["authorized"]:
        url = auth_url(request.base_url, connection)
        raise ApiError(422, "connection_not_authorized",
                       f"connection {connection['id']} is not authorized yet: open {url} in a "
                       "browser to authorize it", {"connection_id": connection["id"],
                                                   "auth_url": url})


def enabled_accounts(connection: Json) -> list[Json]:
    """The ad accounts a LinkedIn Ads connection may use (``configuration.accounts``)."""
    return list(connection["configuration"].get("accounts", []))


def mark_authorized(store: Store, connection: Json) -> None:
    """Record a finished OAuth flow (called by the OAuth page)."""
    connection["authorized"] = True
    if connection["type"] == LINKEDIN_ADS.id:
        connection["configuration"]["connected_user"] = linkedin.CONNECTED_USER
    connection["updated_at"] = utc_now()
    store.replace("connections", connection)


# -- connection types -------------------------------------------------------------------------


def list_connection_types(request: Request) -> Response:
    return ok([ctype.listing() for ctype in TYPES.values()])


def get_connection_type(request: Request) -> Response:
    """The bare JSON Schema of one type's configuration (this endpoint has no envelope)."""
    type_id = request.params["type"]
    if type_id not in TYPES:
        raise not_found("connection type", type_id)
    return Response(200, TYPES[type_id].schema)


def type_parameter_values(request: Request) -> Response:
    """Option values for a configuration field, before or without a saved connection."""
    type_id = request.params["type"]
    if type_id not in TYPES:
        raise not_found("connection type", type_id)
    body = request.json_object()
    field = require_string(body, "field")
    allowed = ["accounts"] if TYPES[type_id] is LINKEDIN_ADS else []
    if field not in allowed:
        raise invalid("field", f"{TYPES[type_id].name} has no parameter field {field!r}", allowed)
    if body.get("connection_id"):
        connection = load_connection(request.store, str(body["connection_id"]))
        require_authorized(request, connection)
    elif not all((body.get("parameters") or {}).get(name) for name in OAUTH_CREDENTIALS):
        raise ApiError(422, "connection_not_authorized",
                       "give connection_id of an authorized connection, or "
                       f"{', '.join(OAUTH_CREDENTIALS)} in parameters")
    return ok(_account_values())


# -- connections ------------------------------------------------------------------------------


def list_connections(request: Request) -> Response:
    return ok([_full_view(request, c) for c in request.store.find("connections")])


def get_connection(request: Request) -> Response:
    return ok(_full_view(request, load_connection(request.store, request.params["id"])))


def create_connection(request: Request) -> Response:
    body = request.json_object()
    name = require_string(body, "name")
    ctype = connection_type(body.get("type"))
    config = _configuration(body)
    for secret in sorted(ctype.sensitive):
        if config.get(secret) == MASK:
            raise invalid(f"configuration.{secret}", "is the mask; send the real secret")
    config = validate_configuration(ctype, config)
    now = utc_now()
    connection = {
        "id": new_id(), "name": name, "type": ctype.id, "configuration": config,
        "authorized": ctype.authorized_by(config),
        "oauth_state": secrets.token_urlsafe(16), "redirect_url": body.get("redirect_url"),
        "healthcheck_interval": body.get("healthcheck_interval"),
        "policies": optional_list(body, "policies"), "created_at": now, "updated_at": now,
    }
    if connection["authorized"] and ctype is LINKEDIN_ADS:
        config["connected_user"] = linkedin.CONNECTED_USER
    request.store.insert("connections", connection)
    return ok(_created_view(request, connection))


def update_connection(request: Request) -> Response:
    """Full replacement, except that secrets omitted or sent masked keep their stored value."""
    connection = load_connection(request.store, request.params["id"])
    body = request.json_object()
    ctype = TYPES[connection["type"]]
    sent_type = body.get("type")
    if isinstance(sent_type, dict):  # the ``type`` object of a GET response sent back as is
        sent_type = sent_type.get("id")
    if sent_type is not None and sent_type != ctype.id:
        raise invalid("type", f"cannot change from {ctype.id!r} to {sent_type!r}; "
                              "create a new connection instead")
    config = _configuration(body)
    stored = connection["configuration"]
    for secret in ctype.sensitive:
        if config.get(secret) in (None, MASK):
            config.pop(secret, None)
            if secret in stored:
                config[secret] = stored[secret]
    config = validate_configuration(ctype, config)
    authorized = connection["authorized"] or ctype.authorized_by(config)
    if authorized and ctype is LINKEDIN_ADS:
        config["connected_user"] = stored.get("connected_user", linkedin.CONNECTED_USER)
    connection.update({
        "name": require_string(body, "name"), "configuration": config, "authorized": authorized,
        "healthcheck_interval": body.get("healthcheck_interval"),
        "policies": optional_list(body, "policies"), "updated_at": utc_now(),
    })
    request.store.replace("connections", connection)
    return ok(_created_view(request, connection))


def delete_connection(request: Request) -> Response:
    """422 while models or syncs use the connection, unless ``force=true`` deletes them first."""
    store = request.store
    connection = load_connection(store, request.params["id"])
    models = store.find("models", connection_id=connection["id"])
    model_ids = {model["id"] for model in models}
    syncs = [sync for sync in store.find("syncs")
             if sync["target"]["connection_id"] == connection["id"]
             or model_ids.intersection(sync["model_ids"])]
    if (models or syncs) and not request.flag("force"):
        users = [f"model {m['id']}" for m in models] + [f"sync {s['id']}" for s in syncs]
        raise ApiError(422, "connection_in_use",
                       f"connection in use by {', '.join(users)}; delete those first or pass "
                       "force=true to delete them with it",
                       {"model_ids": sorted(model_ids), "sync_ids": [s["id"] for s in syncs]})
    for sync in syncs:
        for execution in store.find("executions", sync_id=sync["id"]):
            store.delete("executions", execution["id"])
        store.delete("syncs", sync["id"])
    for model in models:
        store.delete("models", model["id"])
    store.delete("connections", connection["id"])
    return no_content()


def test_connection(request: Request) -> Response:
    """Validate a configuration without saving it (merged over a saved one if named)."""
    body = request.json_object()
    config = _configuration(body)
    authorized = False
    if body.get("connection_id"):
        connection = load_connection(request.store, str(body["connection_id"]))
        ctype = TYPES[connection["type"]]
        authorized = connection["authorized"]
        merged = dict(connection["configuration"])
        merged.update({k: v for k, v in config.items() if v != MASK})
        config = merged
    else:
        ctype = connection_type(body.get("type"))
    config = validate_configuration(ctype, config)
    if not (authorized or ctype.authorized_by(config)):
        raise ApiError(422, "connection_not_authorized",
                       f"{ctype.name} needs {', '.join(OAUTH_CREDENTIALS)}, or a saved "
                       "connection that finished the OAuth flow")
    return no_content()


def connection_parameter_values(request: Request) -> Response:
    connection = load_connection(request.store, request.params["id"])
    if connection["type"] != LINKEDIN_ADS.id:
        return ok({})
    require_authorized(request, connection)
    return ok(_account_values())


# -- internals --------------------------------------------------------------------------------


def _configuration(body: Json) -> Json:
    config = body.get("configuration")
    if not isinstance(config, dict):
        raise invalid("configuration", "is required and must be an object ({} is allowed)")
    return dict(config)


def _account_values() -> Json:
    return {"accounts": {"allows_creation": False,
                         "values": [{**account, "path": ""} for account in linkedin.AD_ACCOUNTS]}}


def _masked(ctype: ConnectionType, config: Json) -> Json:
    return {key: MASK if key in ctype.sensitive and value else value
            for key, value in config.items()}


def _status(request: Request, connection: Json) -> tuple[str, str]:
    if connection["authorized"]:
        return "healthy", ""
    return "unauthorized", ("not authorized yet: open "
                            f"{auth_url(request.base_url, connection)} to finish the OAuth flow")


def _created_view(request: Request, connection: Json) -> Json:
    """CreateConnectionResponseSchema: the create/update shape (no timestamps or actors)."""
    ctype = TYPES[connection["type"]]
    status, status_error = _status(request, connection)
    view: dict[str, Any] = {
        "id": connection["id"], "name": connection["name"], "organization_id": ORGANIZATION_ID,
        "type": ctype.summary(), "configuration": _masked(ctype, connection["configuration"]),
        "status": status, "status_error": status_error, "saved": True,
        "policies": connection["policies"],
        "healthcheck_interval": connection["healthcheck_interval"],
    }
    if not connection["authorized"]:
        view["auth_url"] = auth_url(request.base_url, connection)
    return view


def _full_view(request: Request, connection: Json) -> Json:
    """ConnectionResponseSchema: the get/list shape."""
    view = _created_view(request, connection)
    view.pop("auth_url", None)
    view.pop("healthcheck_interval")
    view.update({
        "parent_connection_id": None, "api_calls_last_24_hours": None,
        "rate_limit": {"currently_limited": False, "limited_since": None, "expires_at": None},
        "created_at": connection["created_at"], "created_by": ACTOR,
        "updated_at": connection["updated_at"], "updated_by": ACTOR,
    })
    return view
