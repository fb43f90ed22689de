"""PolytomicClient: one method per Polytomic REST endpoint the pipeline needs.

Methods return the response's ``data`` as plain dicts and lists, exactly as the API shapes them
(see the API reference); they add no model layer. Failures raise :mod:`.errors` classes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import attrs
import requests
import urllib3
from urllib3.util import Retry

from ._transport import DEFAULT_TIMEOUT, IDEMPOTENCY_HEADER, build_session
from .errors import (
    NotFoundError,
    PolytomicConnectionError,
    PolytomicError,
    ReplayedDeletedObjectError,
    error_from_response,
)
from .settings import Settings

__all__ = ["DEFAULT_API_VERSION", "PolytomicClient", "TargetObjects"]

DEFAULT_API_VERSION = "2025-09-18"

_PAGE_LIMIT = 50  # the API's maximum page size
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{8,255}")
#: How much older than the response a fresh object's ``created_at`` can be (``Date`` has whole
#: seconds, and a create may take a moment); anything older is a replay of an earlier request.
_FRESH_CREATE_SKEW = timedelta(seconds=2)
#: Where two ``Date`` headers joined by a comma meet: before the second one's weekday.
_JOINED_DATES = re.compile(r",\s*(?=(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s)")

_log = logging.getLogger(__name__)

JSON = dict[str, Any]


@attrs.frozen
class TargetObjects:
    """What a destination connection can sync into.

    Attributes:
        objects: existing target objects (``{id, name, modes}``).
        creation: how to create a new one (``{supported, properties}``), if the API said.
    """

    objects: list[JSON]
    creation: JSON | None


def _segment(value: str) -> str:
    """Percent-encode one path segment, so an id can never reroute a request."""
    return quote(value, safe="")


def _flag(value: bool) -> str:
    """Query-string booleans as the API spells them (requests would send ``True``)."""
    return "true" if value else "false"


def _may_be_replayed(response: requests.Response, created: JSON) -> bool:
    """Whether a create's answer may be a replay of an earlier request with the same key.

    A fresh create is stamped (``created_at``) in the second the server answers (``Date``); a
    replay carries the stamp of the first request. Without both stamps, assume a replay: that
    costs one read, while taking a replay for a fresh create could hand back a deleted object.
    """
    stamped = _utc(datetime.fromisoformat, str(created.get("created_at") or "").replace("Z", "+00:00"))
    answered = _answered_at(response.headers.get("Date", ""))
    if stamped is None or answered is None:
        return True
    return answered - stamped > _FRESH_CREATE_SKEW


def _answered_at(header: str) -> datetime | None:
    """When the server answered, from a ``Date`` header as proxies deliver it.

    HTTP dates are always UTC, whatever zone (``-0000``, none, ``+0530``) they are written in;
    a proxy that adds its own ``Date`` leaves two, which arrive joined by a comma. Of several, the
    latest is taken: it can only make an answer look more like a replay, which costs one read.
    """
    dates = [_utc(parsedate_to_datetime, part) for part in _JOINED_DATES.split(header) if part.strip()]
    known = [date for date in dates if date is not None]
    return max(known) if known else None


def _utc(parse: Callable[[str], datetime], text: str) -> datetime | None:
    """``text`` parsed and made timezone-aware (UTC when it names no zone), or None."""
    try:
        parsed = parse(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _cause(exc: requests.RequestException) -> str:
    """What went wrong with a request, in a few words and without a URL (the error names it)."""
    # After retries urllib3 wraps the last failure (MaxRetryError.reason), and requests wraps that.
    last = exc.args[0] if exc.args else None
    reason = getattr(last, "reason", last)
    for kind, words in _CAUSES:
        if isinstance(exc, kind) or isinstance(reason, kind):
            return f"{words}: {type(reason if isinstance(reason, kind) else exc).__name__}"
    return f"no answer: {type(reason if isinstance(reason, Exception) else exc).__name__}"


_CAUSES: tuple[tuple[type[Exception], str], ...] = (
    (requests.ConnectTimeout, "timed out connecting"),
    (urllib3.exceptions.ConnectTimeoutError, "timed out connecting"),
    (requests.ReadTimeout, "timed out waiting for the answer"),
    (urllib3.exceptions.ReadTimeoutError, "timed out waiting for the answer"),
    (requests.exceptions.ChunkedEncodingError, "the answer was cut off"),
    (requests.exceptions.ContentDecodingError, "the answer could not be decoded"),
    (requests.TooManyRedirects, "too many redirects"),
    (urllib3.exceptions.NewConnectionError, "could not connect"),
    (urllib3.exceptions.ProtocolError, "the connection was cut"),
)


def _check_idempotency_key(key: str) -> str:
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise ValueError(
            "an Idempotency-Key must be 8-255 characters from [A-Za-z0-9_-], "
            f"got one of length {len(key)}"
        )
    return key


class PolytomicClient:
    """A synchronous client for the Polytomic REST API.

    Every call carries an explicit ``(connect, read)`` timeout; retries on connection errors,
    429 and 502-504 happen in the transport (POST only when an idempotency key is given).

    Use as a context manager, or call :meth:`close`, to release pooled connections::

        with PolytomicClient(Settings.from_env()) as client:
            client.me()
    """

    def __init__(
        self,
        settings: Settings,
        *,
        version: str = DEFAULT_API_VERSION,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retry: Retry | None = None,
    ) -> None:
        """
        Args:
            settings: API key and deployment URL.
            version: API version sent as ``X-Polytomic-Version``.
            timeout: ``(connect, read)`` seconds for each attempt.
            retry: retry counts/statuses/backoff; see :func:`._transport.default_retry`.
        """
        self._base_url = settings.deployment_url
        self._timeout = timeout
        self._session = build_session(settings.api_key, version, retry=retry)

    @classmethod
    def from_env(cls) -> PolytomicClient:
        """A client configured from ``POLYTOMIC_API_KEY`` and ``POLYTOMIC_DEPLOYMENT_URL``."""
        return cls(Settings.from_env())

    def __repr__(self) -> str:
        return f"PolytomicClient(url={self._base_url!r})"

    def __enter__(self) -> PolytomicClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()

    # -- plumbing -------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: JSON | None = None,
        idempotency_key: str | None = None,
    ) -> JSON:
        """Send one request; return the decoded JSON envelope (``{}`` for an empty body).

        Raises:
            PolytomicError: a subclass chosen by status for any 4xx/5xx left after retries.
            PolytomicConnectionError: no response at all (after retries).
        """
        response = self._send(method, path, params=params, json=json, idempotency_key=idempotency_key)
        return self._decode(response, method, path)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: JSON | None = None,
        idempotency_key: str | None = None,
    ) -> requests.Response:
        headers = {}
        if idempotency_key is not None:
            headers[IDEMPOTENCY_HEADER] = _check_idempotency_key(idempotency_key)
        try:
            response = self._session.request(
                method,
                self._base_url + path,
                params=params,
                json=json,
                headers=headers,
                timeout=self._timeout,
            )
            _log.debug("%s %s -> %s", method, path, response.status_code)
            if response.status_code >= 400:
                raise error_from_response(response)
        except requests.RequestException as exc:
            # No usable answer: refused, timed out, cut off mid-body, undecodable (a broken gzip
            # stream), or redirected in circles. The retries the transport could make are spent.
            raise PolytomicConnectionError(
                f"could not get a usable response ({_cause(exc)})",
                method=method, path=path, deployment_url=self._base_url,
            ) from exc
        except PolytomicError as error:
            # Named as the client called it: the deployment, then the API path (whatever path a
            # same-origin redirect took it to).
            error.deployment_url, error.path = self._base_url, path
            raise
        return response

    def _decode(self, response: requests.Response, method: str, path: str) -> JSON:
        if not response.content:
            return {}
        try:
            envelope = response.json()
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict):
            kind = response.headers.get("Content-Type", "").partition(";")[0] or "no content type"
            raise PolytomicError(
                f"the answer is not a Polytomic API response ({kind})",
                status=response.status_code, method=method, path=path,
                deployment_url=self._base_url,
                hint="Check that polytomic:deploymentUrl (or POLYTOMIC_DEPLOYMENT_URL) points at a "
                     "Polytomic API, not at a web page or a proxy's login page.",
            ) from None
        return envelope

    def _paginate(self, path: str, params: Mapping[str, str]) -> Iterator[JSON]:
        """Yield the items of every page, following ``pagination.next_page_token``.

        Endpoints that do not paginate simply answer without a token, so this reads one page.
        """
        query = {**params, "limit": str(_PAGE_LIMIT)}
        while True:
            envelope = self._request("GET", path, params=query)
            yield from envelope["data"]
            token = (envelope.get("pagination") or {}).get("next_page_token")
            if not token:
                return
            query["page_token"] = token

    def _create(self, collection: str, body: JSON, idempotency_key: str | None) -> JSON:
        """POST a new object to ``/api/<collection>``.

        With an idempotency key the server replays the first outcome for a repeated request, so
        the transport may retry it; without one, a POST is never retried.
        """
        path = f"/api/{collection}"
        response = self._send("POST", path, json=body, idempotency_key=idempotency_key)
        created: JSON = self._decode(response, "POST", path)["data"]
        if idempotency_key is not None and _may_be_replayed(response, created):
            # A replayed key answers with the first response even when that object has since
            # been deleted; only a read can tell, and it is needed only for a replay.
            try:
                self._request("GET", f"{path}/{_segment(created['id'])}")
            except NotFoundError:
                raise ReplayedDeletedObjectError(
                    f"the Idempotency-Key replayed the creation of {collection} {created['id']}, "
                    "which has been deleted since",
                    method="POST", path=path,
                ) from None
        return created

    # -- identity -------------------------------------------------------------------------------

    def me(self) -> JSON:
        """The caller behind the API key (``GET /api/me``); a cheap way to validate a key."""
        return self._request("GET", "/api/me")["data"]

    # -- connections ----------------------------------------------------------------------------

    def list_connections(self) -> list[JSON]:
        """All connections of the organization, secrets masked."""
        return self._request("GET", "/api/connections")["data"]

    def get_connection(self, connection_id: str) -> JSON:
        """One connection, secrets masked."""
        return self._request("GET", f"/api/connections/{_segment(connection_id)}")["data"]

    def create_connection(self, body: JSON, *, idempotency_key: str | None = None) -> JSON:
        """Create a connection (``{name, type, configuration, ...}``); OAuth types may return
        ``auth_url``. With an ``idempotency_key`` the call is safe to retry."""
        return self._create("connections", body, idempotency_key)

    def update_connection(self, connection_id: str, body: JSON) -> JSON:
        """Replace a connection (PUT). Secrets left out, or sent masked, keep their stored value."""
        path = f"/api/connections/{_segment(connection_id)}"
        return self._request("PUT", path, json=body)["data"]

    def delete_connection(self, connection_id: str, *, force: bool = False) -> None:
        """Delete a connection; ``force`` also deletes the models and syncs that use it
        (without it, a connection in use fails with :class:`.ValidationError`)."""
        self._request(
            "DELETE",
            f"/api/connections/{_segment(connection_id)}",
            params={"force": _flag(force)},
        )

    def connection_parameter_values(self, connection_id: str) -> JSON:
        """Choices for a saved connection's settings, e.g. LinkedIn ad accounts:
        ``{<field>: {allows_creation, values: [{value, label, path}]}}``."""
        path = f"/api/connections/{_segment(connection_id)}/parameter_values"
        return self._request("GET", path)["data"]

    def connection_types(self) -> list[JSON]:
        """Every connection type the deployment offers."""
        return self._request("GET", "/api/connection_types")["data"]

    def connection_type_schema(self, type_id: str) -> JSON:
        """The JSON Schema of a connection type's ``configuration`` (``properties`` with
        ``type``, ``enum``, ``sensitive``, ``readOnly``; ``required``)."""
        return self._request("GET", f"/api/connection_types/{_segment(type_id)}")

    def type_parameter_values(self, type_id: str, field: str, parameters: JSON) -> JSON:
        """Choices for a configuration ``field`` of a connection not saved yet, given the rest
        of its configuration: ``{<field>: {allows_creation, values: [{value, label, path}]}}``."""
        path = f"/api/connection_types/{_segment(type_id)}/parameter_values"
        return self._request("POST", path, json={"field": field, "parameters": parameters})["data"]

    # -- models ---------------------------------------------------------------------------------

    def list_models(self) -> list[JSON]:
        """All models of the organization (every page, if the server paginates)."""
        return list(self._paginate("/api/models", {}))

    def list_models_in_one_answer(self) -> list[JSON] | None:
        """Every model of the organization, when the service answers them all at once (the SDK's
        list envelope has no pagination); None when it answers a page of them."""
        envelope = self._request("GET", "/api/models")
        if (envelope.get("pagination") or {}).get("next_page_token"):
            return None
        models: list[JSON] = envelope["data"]
        return models

    def get_model(self, model_id: str) -> JSON:
        """One model, with the fields Polytomic detected from its source."""
        return self._request("GET", f"/api/models/{_segment(model_id)}")["data"]

    def create_model(self, body: JSON, *, idempotency_key: str | None = None) -> JSON:
        """Create a model (``{name, connection_id, configuration, ...}``); blocks until its
        fields are detected. With an ``idempotency_key`` the call is safe to retry."""
        return self._create("models", body, idempotency_key)

    def preview_model(self, body: JSON) -> JSON:
        """What a model (``{name, connection_id, configuration, ...}``) would be, with its detected
        fields, without saving it; the service rejects a query it cannot run."""
        return self._request("POST", "/api/model-preview", json=body)["data"]

    def update_model(self, model_id: str, body: JSON) -> JSON:
        """Replace a model (PUT, full body)."""
        return self._request("PUT", f"/api/models/{_segment(model_id)}", json=body)["data"]

    def delete_model(self, model_id: str) -> None:
        """Delete a model (syncs that use it break)."""
        self._request("DELETE", f"/api/models/{_segment(model_id)}")

    def model_sample(self, model_id: str) -> JSON:
        """A few records of the model: ``{records, warnings}``."""
        return self._request("GET", f"/api/models/{_segment(model_id)}/sample")["data"]

    # -- syncs ----------------------------------------------------------------------------------

    def list_syncs(
        self,
        *,
        active: bool | None = None,
        mode: str | None = None,
        target_connection_id: str | None = None,
    ) -> Iterator[JSON]:
        """Syncs in the slim list shape, newest update first, across every page."""
        params = {}
        if active is not None:
            params["active"] = _flag(active)
        if mode is not None:
            params["mode"] = mode
        if target_connection_id is not None:
            params["target_connection_id"] = target_connection_id
        return self._paginate("/api/syncs", params)

    def get_sync(self, sync_id: str) -> JSON:
        """One sync in full."""
        return self._request("GET", f"/api/syncs/{_segment(sync_id)}")["data"]

    def create_sync(self, body: JSON, *, idempotency_key: str | None = None) -> JSON:
        """Create a sync; with ``target.create`` the new target's id comes back in
        ``target.object``. With an ``idempotency_key`` the call is safe to retry."""
        return self._create("syncs", body, idempotency_key)

    def update_sync(self, sync_id: str, body: JSON) -> JSON:
        """Replace a sync (PUT, full body)."""
        return self._request("PUT", f"/api/syncs/{_segment(sync_id)}", json=body)["data"]

    def delete_sync(self, sync_id: str) -> None:
        """Delete a sync, cancelling a running execution first."""
        self._request("DELETE", f"/api/syncs/{_segment(sync_id)}")

    def activate_sync(self, sync_id: str, active: bool) -> JSON:
        """Switch a sync's schedule on or off: ``{id, active}``."""
        path = f"/api/syncs/{_segment(sync_id)}/activate"
        return self._request("POST", path, json={"active": active})["data"]

    def start_sync(self, sync_id: str, *, resync: bool = False, test: bool = False) -> JSON:
        """Start an execution now: ``{id, status, created_at}``."""
        path = f"/api/syncs/{_segment(sync_id)}/executions"
        return self._request("POST", path, json={"resync": resync, "test": test})["data"]

    def sync_status(self, sync_id: str) -> JSON:
        """``{current_execution, last_execution, next_execution_time}``."""
        return self._request("GET", f"/api/syncs/{_segment(sync_id)}/status")["data"]

    def list_executions(
        self, sync_id: str, *, only_completed: bool = False, ascending: bool = False
    ) -> Iterator[JSON]:
        """A sync's executions, newest first unless ``ascending``, across every page."""
        params = {"only_completed": _flag(only_completed), "ascending": _flag(ascending)}
        return self._paginate(f"/api/syncs/{_segment(sync_id)}/executions", params)

    def get_execution(self, sync_id: str, execution_id: str) -> JSON:
        """One execution of a sync."""
        path = f"/api/syncs/{_segment(sync_id)}/executions/{_segment(execution_id)}"
        return self._request("GET", path)["data"]

    def cancel_sync(self, sync_id: str) -> JSON:
        """Ask a running execution to stop (asynchronous; poll :meth:`sync_status`)."""
        return self._request("POST", f"/api/syncs/{_segment(sync_id)}/cancel")["data"]

    # -- target discovery -----------------------------------------------------------------------

    def target_objects(
        self, connection_id: str, *, include_creation_values: bool = False
    ) -> TargetObjects:
        """Existing targets of a destination (e.g. LinkedIn audiences) and how to create one;
        ``include_creation_values`` inlines the choices of each enum creation property."""
        envelope = self._request(
            "GET",
            f"/api/connections/{_segment(connection_id)}/modelsync/targetobjects",
            params={"include_target_creation_values": _flag(include_creation_values)},
        )
        return TargetObjects(objects=envelope["data"], creation=envelope.get("target_creation"))

    def target_property_values(self, connection_id: str, property: str) -> list[JSON]:
        """Allowed ``{value, label}`` choices of one creation property (e.g. ``account``)."""
        path = (
            f"/api/connections/{_segment(connection_id)}"
            f"/modelsync/targetobjects/properties/{_segment(property)}"
        )
        return self._request("GET", path)["data"]["values"]

    def target_fields(
        self,
        connection_id: str,
        *,
        target: str | None = None,
        properties: Mapping[str, str] | None = None,
        refresh: bool = False,
    ) -> JSON:
        """Fields and modes of an existing ``target``, or of the target that creation
        ``properties`` would make. Pass exactly one of the two; ``refresh`` re-reads the
        cached schema of an existing target."""
        if (target is None) == (not properties):
            raise ValueError("pass exactly one of target= or properties=")
        if target is not None:
            params = {"target": target, "refresh": _flag(refresh)}
        else:
            params = {f"properties[{key}]": value for key, value in (properties or {}).items()}
        path = f"/api/connections/{_segment(connection_id)}/modelsync/target/fields"
        return self._request("GET", path, params=params)["data"]
