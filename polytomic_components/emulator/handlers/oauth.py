"""The simulated OAuth consent page behind a connection's ``auth_url``.

``GET /oauth/<type>/authorize?connection=<id>&state=<state>`` shows a page with one button;
submitting it (``POST`` to the same URL) authorizes the connection and either says so or
redirects to the ``redirect_url`` given when the connection was created. A browser is the
client here, so answers are HTML pages and no API key is needed: the ``state`` is the secret.
"""

from __future__ import annotations

import html
import secrets

from .common import Request, Response
from .connection_types import TYPES
from .connections import mark_authorized


def authorize(request: Request) -> Response:
    connection_id = request.arg("connection") or ""
    connection = request.store.get("connections", connection_id)
    if connection is None or connection["type"] != request.params["type"]:
        return _page(404, "Unknown connection",
                     f"There is no {html.escape(request.params['type'])} connection "
                     f"{html.escape(connection_id)!r}.")
    if connection["authorized"]:
        return _page(200, "Already authorized", "This connection is authorized; you can close "
                                                "this window.")
    if not secrets.compare_digest(request.arg("state") or "", connection["oauth_state"]):
        return _page(400, "Link expired", "This authorization link is not valid for the "
                                          "connection; use the auth_url of the latest response.")
    if request.method == "GET":
        name = html.escape(connection["name"])
        service = html.escape(TYPES[connection["type"]].name)
        return _page(200, f"Authorize {service}",
                     f"Polytomic (emulated) asks for access to {service} for connection "
                     f"<b>{name}</b>.",
                     form='<form method="post"><button type="submit">Authorize</button></form>')
    mark_authorized(request.store, connection)
    if connection.get("redirect_url"):
        return Response(303, b"", {"Location": connection["redirect_url"]}, "text/html")
    return _page(200, "Authorized", "Authorized; you can close this window.")


def _page(status: int, title: str, message: str, form: str = "") -> Response:
    """A minimal HTML page; ``message`` and ``form`` must already be HTML-safe."""
    page = (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>"
            f"<body><h1>{title}</h1><p>{message}</p>{form}</body></html>")
    return Response(status, page.encode(), content_type="text/html; charset=utf-8")
