"""The emulator's HTTP server: routing, the API's transport rules, faults and the admin API.

Three kinds of path (faults themselves are drawn in ``faults.py``):

- ``/api/...`` -- the Polytomic API. In order: injected faults, ``Authorization: Bearer``,
  ``X-Polytomic-Version``, route lookup, ``Idempotency-Key``, then the handler inside one store
  transaction. Every such request is recorded in the request log.
- ``/__emulator/...`` -- the admin API for tests (loopback clients only, no API key): health,
  reset, request log, fault settings (latency too), state counts, forgetting idempotency keys,
  LinkedIn audiences (list, delete out of band), queued execution outcomes. See the README.
  Started with ``admin=False`` (``--no-admin``) the emulator plays a real deployment: these
  paths answer 404 like any unknown path, so a client can only use the public API.
- ``/oauth/<type>/authorize`` -- the simulated OAuth consent page.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import re
import socket
import struct
import sys
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from .faults import FaultInjector, Roll
from .handlers import connections, executions, me, models, oauth, syncs, targets
from .handlers.common import ApiError, Json, Request, Response, utc_now
from .store import KeyInFlight, Store

SUPPORTED_VERSIONS = ("2025-09-18", "2024-02-08")
DEFAULT_VERSION = SUPPORTED_VERSIONS[0]
VERSION_HEADER = "X-Polytomic-Version"
DEFAULT_DB = Path(".polytomic") / "emulator.db"
DEFAULT_API_KEY = "emulator-api-key"
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{8,255}")

Handler = Callable[[Request], Response]
Route = tuple[str, "re.Pattern[str]", Handler]
H = TypeVar("H")


def _route(method: str, template: str, handler: H) -> tuple[str, re.Pattern[str], H]:
    """A route; ``{name}`` in the template matches one path segment into ``params[name]``."""
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return method, re.compile(pattern), handler


# First match wins, so literal segments (``/test``) come before ``{id}`` on the same prefix.
API_ROUTES: list[Route] = [
    _route("GET", "/api/me", me.me),
    _route("GET", "/api/connection_types", connections.list_connection_types),
    _route("GET", "/api/connection_types/{type}", connections.get_connection_type),
    _route("POST", "/api/connection_types/{type}/parameter_values",
           connections.type_parameter_values),
    _route("GET", "/api/connections", connections.list_connections),
    _route("POST", "/api/connections", connections.create_connection),
    _route("POST", "/api/connections/test", connections.test_connection),
    _route("GET", "/api/connections/{id}", connections.get_connection),
    _route("PUT", "/api/connections/{id}", connections.update_connection),
    # The guide updates with POST; accept it as an alias of PUT.
    _route("POST", "/api/connections/{id}", connections.update_connection),
    _route("DELETE", "/api/connections/{id}", connections.delete_connection),
    _route("GET", "/api/connections/{id}/parameter_values",
           connections.connection_parameter_values),
    _route("GET", "/api/connections/{id}/modelsync/targetobjects", targets.list_target_objects),
    _route("GET", "/api/connections/{id}/modelsync/targetobjects/properties/{property}",
           targets.target_property_values),
    _route("GET", "/api/connections/{id}/modelsync/target/fields", targets.target_fields),
    _route("GET", "/api/models", models.list_models),
    _route("POST", "/api/models", models.create_model),
    _route("GET", "/api/models/{id}", models.get_model),
    _route("PUT", "/api/models/{id}", models.update_model),
    _route("DELETE", "/api/models/{id}", models.delete_model),
    _route("GET", "/api/models/{id}/sample", models.sample_model),
    _route("POST", "/api/model-preview", models.preview_model),
    _route("GET", "/api/syncs", syncs.list_syncs),
    _route("POST", "/api/syncs", syncs.create_sync),
    _route("GET", "/api/syncs/{id}", syncs.get_sync),
    _route("PUT", "/api/syncs/{id}", syncs.update_sync),
    _route("DELETE", "/api/syncs/{id}", syncs.delete_sync),
    _route("POST", "/api/syncs/{id}/activate", syncs.activate_sync),
    _route("POST", "/api/syncs/{id}/cancel", executions.cancel_sync),
    _route("GET", "/api/syncs/{id}/status", executions.sync_status),
    _route("POST", "/api/syncs/{id}/executions", executions.start_execution),
    _route("GET", "/api/syncs/{id}/executions", executions.list_executions),
    _route("GET", "/api/syncs/{id}/executions/{execution_id}", executions.get_execution),
    _route("POST", "/api/syncs/{id}/executions/{execution_id}/cancel",
           executions.cancel_execution),
]

PAGE_ROUTES: list[Route] = [
    _route("GET", "/oauth/{type}/authorize", oauth.authorize),
    _route("POST", "/oauth/{type}/authorize", oauth.authorize),
]


# -- the server --------------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], store: Store, api_key: str, admin: bool) -> None:
        super().__init__(address, _RequestHandler)
        self.store = store
        self.api_key = api_key
        self.admin = admin
        self.faults = FaultInjector()
        self._log: list[Json] = []
        self._log_lock = threading.Lock()

    def record(self, entry: Json) -> None:
        with self._log_lock:
            self._log.append(entry)

    def request_log(self, clear: bool = False) -> list[Json]:
        with self._log_lock:
            entries = list(self._log)
            if clear:
                self._log.clear()
        return entries


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients reuse connections as with the real API
    # Headers and body go out in separate writes; without TCP_NODELAY every keep-alive response
    # after the first waits ~40 ms for a delayed ACK (Nagle), which skews every timing.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: ``GET /__emulator/requests`` is the request log."""

    def _handle(self) -> None:
        url = urlsplit(self.path)
        if url.path.startswith("/api/"):
            self._handle_api(url.path, url.query)
        elif url.path.startswith("/__emulator/") and self.server.admin:
            self._send(self._admin(url.path))
        else:
            self._send(self._page(url.path, url.query))

    # -- /api ------------------------------------------------------------------------------

    def _handle_api(self, path: str, query: str) -> None:
        roll = self.server.faults.roll()
        entry = {"method": self.command, "path": path, "status": None,
                 "idempotency_key": self.headers.get("Idempotency-Key"), "at": utc_now(),
                 "fault": None}
        if roll.reset:
            self.server.record({**entry, "fault": "reset"})
            self._drop_connection()
            return
        raw_body = self._read_body()
        response = self._api_response(path, query, raw_body, roll)
        sent = self.headers.get(VERSION_HEADER)
        response.headers[VERSION_HEADER] = sent if sent in SUPPORTED_VERSIONS else DEFAULT_VERSION
        fault = ("rate_limited" if roll.rate_limited else "unavailable" if roll.unavailable
                 else "drop_after_commit" if roll.drop_after_commit else None)
        self.server.record({**entry, "status": response.status, "fault": fault})
        if roll.drop_after_commit:
            self._drop_connection()
        else:
            self._send(response)

    def _api_response(self, path: str, query: str, raw_body: bytes, roll: Roll) -> Response:
        server = self.server
        try:
            if roll.rate_limited:
                seconds = server.faults.settings["retry_after_seconds"]
                raise ApiError(429, "rate_limited", "too many requests; retry later",
                               headers={"Retry-After": str(int(seconds))})
            if roll.unavailable:
                raise ApiError(503, "unavailable", "service temporarily unavailable; retry")
            self._check_api_key()
            version = self._version()
            handler, params = _match(API_ROUTES, self.command, path)
            key = self._idempotency_key()
            request = self._request(path, query, params, raw_body, version)
        except ApiError as error:
            return error.response()
        return self._run_once(handler, request, key)

    def _check_api_key(self) -> None:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
                token.strip().encode(), self.server.api_key.encode()):
            raise ApiError(401, "unauthorized",
                           "missing or invalid API key: send Authorization: Bearer <api key>")

    def _version(self) -> str:
        version = self.headers.get(VERSION_HEADER) or DEFAULT_VERSION
        if version not in SUPPORTED_VERSIONS:
            raise ApiError(400, "unsupported_version",
                           f"{VERSION_HEADER} {version!r} is not supported; use one of "
                           f"{', '.join(SUPPORTED_VERSIONS)}",
                           {"supported": list(SUPPORTED_VERSIONS)})
        return version

    def _idempotency_key(self) -> str | None:
        """The request's key; only POST and PUT use one (GET and DELETE are idempotent)."""
        key = self.headers.get("Idempotency-Key")
        if key is None or self.command not in ("POST", "PUT"):
            return None
        if not _IDEMPOTENCY_KEY.fullmatch(key):
            raise ApiError(400, "bad_request", "Idempotency-Key must be 8-255 characters from "
                                               "A-Z, a-z, 0-9, '_' and '-'")
        return key

    def _run_once(self, handler: Handler, request: Request, key: str | None) -> Response:
        """Run the handler; with an idempotency key, run it at most once and replay the result."""
        store, api_key = self.server.store, self.server.api_key
        if key:
            try:
                stored = store.claim_idempotency_key(api_key, key)
            except KeyInFlight:
                return ApiError(409, "idempotency_in_flight",
                                "a request with this Idempotency-Key is still running; retry "
                                "after it finishes").response()
            if stored:
                status, body = stored
                return Response(status, body.encode())
        self.server.faults.delay()
        try:
            # The handler's writes and the key's outcome commit together, or not at all.
            with store.transaction():
                response = handler(request)
                if key:
                    store.finish_idempotency_key(api_key, key, response.status,
                                                 _encode(response).decode())
            return response
        except ApiError as error:
            response = error.response()
        except Exception:  # a bug in a handler: answer like a server would, and show the trace
            traceback.print_exc(file=sys.stderr)
            response = ApiError(500, "internal", "internal emulator error").response()
        if key:
            with store.transaction():
                store.finish_idempotency_key(api_key, key, response.status,
                                             _encode(response).decode())
        return response

    def _request(self, path: str, query: str, params: dict[str, str], raw_body: bytes,
                 version: str) -> Request:
        try:
            body = json.loads(raw_body) if raw_body.strip() else None
        except ValueError as error:
            raise ApiError(400, "bad_request", f"request body is not valid JSON: {error}") from None
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        return Request(store=self.server.store, method=self.command, path=path, params=params,
                       query=parse_qs(query, keep_blank_values=True), body=body,
                       base_url=f"http://{host}", version=version)

    # -- pages and admin -------------------------------------------------------------------

    def _page(self, path: str, query: str) -> Response:
        raw_body = self._read_body()
        try:
            handler, params = _match(PAGE_ROUTES, self.command, path)
            request = self._request(path, query, params, raw_body, DEFAULT_VERSION)
            with self.server.store.transaction():
                return handler(request)
        except ApiError as error:
            return error.response()

    def _admin(self, path: str) -> Response:
        raw_body = self._read_body()
        if not ipaddress.ip_address(self.client_address[0]).is_loopback:
            return ApiError(403, "forbidden", "the admin API only answers loopback clients"
                            ).response()
        try:
            body = json.loads(raw_body) if raw_body.strip() else {}
        except ValueError as error:
            return ApiError(400, "bad_request", f"body is not valid JSON: {error}").response()
        try:
            handler, params = _match(_ADMIN_ROUTES, self.command, path)
            return handler(self.server, body, params)
        except ApiError as error:
            return error.response()

    # -- wire ------------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        """Read the body now, even if unused, so the next request on the connection parses."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, response: Response) -> None:
        payload = _encode(response)
        self.send_response(response.status)
        if response.status != 204:
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _drop_connection(self) -> None:
        """Close the socket with a TCP reset and no response, like a crashed proxy."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _match(routes: list[tuple[str, re.Pattern[str], H]], method: str,
           path: str) -> tuple[H, dict[str, str]]:
    """The handler for ``method path``; 405 if only other methods match, 404 if none."""
    allowed = []
    for route_method, pattern, handler in routes:
        match = pattern.fullmatch(path)
        if match:
            if route_method == method:
                return handler, match.groupdict()
            allowed.append(route_method)
    if allowed:
        raise ApiError(405, "method_not_allowed", f"{method} is not allowed on {path}; allowed: "
                                                  f"{', '.join(allowed)}", {"allowed": allowed},
                       headers={"Allow": ", ".join(allowed)})
    raise ApiError(404, "not_found", f"no such endpoint: {method} {path}")


def _encode(response: Response) -> bytes:
    if response.body is None:
        return b""
    if isinstance(response.body, bytes):
        return response.body
    return json.dumps(response.body).encode()


# -- admin API ---------------------------------------------------------------------------------

AdminHandler = Callable[[_HTTPServer, Any, dict[str, str]], Response]


def _health(server: _HTTPServer, body: Any, params: dict[str, str]) -> Response:
    return Response(200, {"ok": True})


def _reset(server: _HTTPServer, body: Any, params: dict[str, str]) -> Response:
    """Back to the seeded state: data, idempotency keys, request log and faults."""
    server.store.reset()
    server.request_log(clear=True)
    server.faults.configure({})
    return Response(200, {"ok": True})


def _requests(server: _HTTPServer, body: Any, params: dict[str, str]) -> Response:
    return Response(200, {"data": server.request_log()})


def _clear_requests(server: _HTTPServer, body: Any, params: dict[str, str]) -> Response:
    server.request_log(clear=True)
    return Response(204)


def _get_faults(server: _HTTPServer, body: Any, params: dict[str, str]) -> Response:
    return Response(200, {"data": server.faults.settings})


def _put_faults(server: _HTTPServer, body: Any, params: dict[str, str]) -> Response:
    server.faults.configure(body)
    return Response(200, {"data": server.faults.settings})


def _state(server: _HTTPServer, body: Any, params: dict[str, str]) -> Response:
    tables = ("connections", "models", "syncs", "audiences", "executions", "queued_outcomes")
    return Response(200, {"data": {table: server.store.count(table) for table in tables}})


def _forget_idempotency_keys(server: _HTTPServer, body: Any, params: dict[str, str]) -> Response:
    """As if the 24 h idempotency window had passed for every key seen so far; with
    ``{"age_seconds": n}``, objects also look that much older."""
    age = body.get("age_seconds", 0) if isinstance(body, dict) else None
    if not isinstance(age, (int, float)) or isinstance(age, bool) or age < 0:
        raise ApiError(400, "bad_request", "age_seconds must be a number >= 0")
    forgotten = server.store.forget_idempotency_keys(age_seconds=age)
    return Response(200, {"data": {"forgotten": forgotten}})


def _audiences(server: _HTTPServer, body: Any, params: dict[str, str]) -> Response:
    """Every audience in the simulated LinkedIn accounts, with its member count."""
    return Response(200, {"data": [
        {**{k: v for k, v in audience.items() if k != "members"},
         "member_count": len(audience.get("members", []))}
        for audience in server.store.find("audiences")]})


def _delete_audience(server: _HTTPServer, body: Any, params: dict[str, str]) -> Response:
    """An audience deleted in LinkedIn, out of band: syncs into it report a problem."""
    if server.store.get("audiences", params["id"]) is None:
        raise ApiError(404, "not_found", f"audience {params['id']} not found",
                       {"id": params["id"]})
    server.store.delete("audiences", params["id"])
    return Response(204)


def _fail_next_execution(server: _HTTPServer, body: Any, params: dict[str, str]) -> Response:
    """``{"message": str, "sync_id": str?}``: the next execution (of that sync, or of any sync)
    fails with ``message``."""
    if not isinstance(body, dict) or not isinstance(body.get("message"), str) \
            or not body["message"]:
        raise ApiError(400, "bad_request", 'body must be {"message": "<error>", '
                                           '"sync_id": "<optional sync id>"}')
    return _queue_outcome(server, "fail", body)


def _stall_next_execution(server: _HTTPServer, body: Any, params: dict[str, str]) -> Response:
    """``{"sync_id": str?}``: the next execution (of that sync, or of any sync) stays
    ``running`` until it is cancelled."""
    return _queue_outcome(server, "stall", body if isinstance(body, dict) else {})


def _queue_outcome(server: _HTTPServer, outcome: str, body: Json) -> Response:
    sync_id = body.get("sync_id")
    if sync_id is not None and server.store.get("syncs", str(sync_id)) is None:
        raise ApiError(404, "not_found", f"sync {sync_id} not found", {"id": sync_id})
    with server.store.transaction():
        queued = executions.queue_outcome(server.store, outcome, sync_id, body.get("message"))
    return Response(200, {"data": queued})


_ADMIN_ROUTES = [
    _route("GET", "/__emulator/health", _health),
    _route("POST", "/__emulator/reset", _reset),
    _route("GET", "/__emulator/requests", _requests),
    _route("DELETE", "/__emulator/requests", _clear_requests),
    _route("GET", "/__emulator/faults", _get_faults),
    _route("PUT", "/__emulator/faults", _put_faults),
    _route("GET", "/__emulator/state", _state),
    _route("POST", "/__emulator/idempotency/forget", _forget_idempotency_keys),
    _route("GET", "/__emulator/audiences", _audiences),
    _route("DELETE", "/__emulator/audiences/{id}", _delete_audience),
    _route("POST", "/__emulator/executions/fail-next", _fail_next_execution),
    _route("POST", "/__emulator/executions/stall-next", _stall_next_execution),
]


# -- in-process use ----------------------------------------------------------------------------


class EmulatorServer:
    """A running emulator: ``url`` to call it, ``shutdown()`` to stop it."""

    def __init__(self, httpd: _HTTPServer, thread: threading.Thread) -> None:
        self._httpd = httpd
        self._thread = thread
        self.store = httpd.store
        host, port = httpd.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    def shutdown(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        self.store.close()


def default_api_key() -> str:
    return os.environ.get("POLYTOMIC_API_KEY") or DEFAULT_API_KEY


def start(host: str = "127.0.0.1", port: int = 0, db_path: str | Path = DEFAULT_DB,
          api_key: str | None = None, *, admin: bool = True) -> EmulatorServer:
    """Open the store at ``db_path`` and serve on ``host:port`` (0 = any free port) in a
    daemon thread. ``admin=False`` serves the public API only (``/__emulator/`` answers 404)."""
    store = Store(db_path)
    httpd = _HTTPServer((host, port), store, api_key or default_api_key(), admin)
    thread = threading.Thread(target=httpd.serve_forever, name="polytomic-emulator", daemon=True)
    thread.start()
    return EmulatorServer(httpd, thread)
