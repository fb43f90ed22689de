"""What every handler shares: the request/response types, the error type, and small helpers."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..store import Store

ORGANIZATION_ID = "6f0d5d2c-3c5e-4b8e-9a36-1f2b7c9e4a10"
ACTOR = {"id": ORGANIZATION_ID, "name": "Emulator organization API key", "type": "organization"}
MASK = "********"

Json = dict[str, Any]


@dataclass
class Request:
    """One parsed API request, as handlers see it."""

    store: Store
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)  # named groups of the route regex
    query: dict[str, list[str]] = field(default_factory=dict)
    body: Any = None  # parsed JSON, or None when the request had no body
    base_url: str = ""  # e.g. http://127.0.0.1:8410, for links back to the emulator
    version: str = ""

    def json_object(self) -> Json:
        """The body, which must be a JSON object."""
        if not isinstance(self.body, dict):
            raise ApiError(400, "bad_request", "request body must be a JSON object")
        return self.body

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def flag(self, name: str) -> bool:
        """A boolean query parameter (``true``/``1`` is true; absent is false)."""
        value = (self.arg(name) or "false").lower()
        if value not in ("true", "1", "false", "0"):
            raise ApiError(400, "bad_request", f"query parameter {name} must be true or false",
                           {"parameter": name})
        return value in ("true", "1")


@dataclass
class Response:
    """What a handler returns; ``body`` is JSON-encoded unless it is already bytes."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


class ApiError(Exception):
    """A Polytomic-shaped error: ``{"status", "message", "key", "metadata"}``."""

    def __init__(self, status: int, key: str, message: str, metadata: Json | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.key = key
        self.message = message
        self.metadata = metadata or {}
        self.headers = headers or {}  # e.g. Retry-After on 429, Allow on 405

    def response(self) -> Response:
        body = {"status": self.status, "message": self.message, "key": self.key,
                "metadata": self.metadata}
        return Response(self.status, body, dict(self.headers))


def invalid(path: str, message: str, allowed: Sequence[Any] | None = None) -> ApiError:
    """400 for a request body that is malformed at ``path`` (shape, type, enum)."""
    return _path_error(400, "validation_failed", path, message, allowed)


def bad_reference(path: str, message: str, allowed: Sequence[Any] | None = None) -> ApiError:
    """422 for a well-formed body that refers to something that does not exist or fit."""
    return _path_error(422, "invalid_reference", path, message, allowed)


def _path_error(status: int, key: str, path: str, message: str,
                allowed: Sequence[Any] | None) -> ApiError:
    metadata: Json = {"path": path}
    text = f"{path}: {message}"
    if allowed is not None:
        metadata["allowed"] = list(allowed)
        text += f" (allowed: {', '.join(map(str, allowed)) or 'none'})"
    return ApiError(status, key, text, metadata)


def not_emulated(what: str) -> ApiError:
    """400 for something the real service does but the emulator does not simulate."""
    return ApiError(400, "not_emulated", f"the emulator does not simulate {what}; use a "
                                         "snowflake source and a linkedinads target")


def not_found(kind: str, resource_id: str) -> ApiError:
    return ApiError(404, "not_found", f"{kind} {resource_id} not found", {"id": resource_id})


def ok(data: Any, status: int = 200, **siblings: Any) -> Response:
    """The success envelope ``{"data": ..., <siblings>}``."""
    return Response(status, {"data": data, **siblings})


def no_content() -> Response:
    return Response(204)


def utc_now() -> str:
    """RFC 3339 with microseconds, so that ``updated_at`` orders records written in a burst."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id() -> str:
    return str(uuid.uuid4())


def require_string(body: Json, key: str, path: str | None = None) -> str:
    """A required, non-empty string member of ``body``."""
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise invalid(path or key, "is required and must be a non-empty string")
    return value


def optional_list(body: Json, key: str, path: str | None = None) -> list[Any]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(path or key, "must be a list")
    return value


def optional_bool(body: Json, key: str, default: bool = False) -> bool:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid(key, "must be true or false")
    return value


PAGE_SIZE = 50


def paginate(request: Request, items: list[Json], sort_key: Callable[[Json], tuple[Any, ...]],
             descending: bool = True) -> Response:
    """One page of ``items`` plus ``pagination.next_page_token``.

    The token names the last item's sort key (not an offset), so records created while a client
    walks the pages do not shift it.
    """
    limit_text = request.arg("limit")
    try:
        limit = int(limit_text) if limit_text else PAGE_SIZE
    except ValueError:
        raise ApiError(400, "bad_request", "limit must be an integer",
                       {"parameter": "limit"}) from None
    limit = PAGE_SIZE if limit <= 0 else min(limit, PAGE_SIZE)

    ordered = sorted(items, key=sort_key, reverse=descending)
    token = request.arg("page_token")
    if token:
        after = tuple(_decode_token(token))
        ordered = [item for item in ordered
                   if (sort_key(item) < after if descending else sort_key(item) > after)]
    page = ordered[:limit]
    pagination: Json = {}
    if len(ordered) > limit:
        pagination["next_page_token"] = _encode_token(list(sort_key(page[-1])))
    return ok(page, pagination=pagination)


def _encode_token(sort_key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(sort_key).encode()).decode()


def _decode_token(token: str) -> list[Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError):
        value = None
    if not isinstance(value, list):
        raise ApiError(400, "bad_request", "page_token is not a token this API issued",
                       {"parameter": "page_token"})
    return value
