"""Errors raised by the Polytomic client.

One root, :class:`PolytomicError`, so callers can catch everything from this package at once.
Each leaf also subclasses the builtin a caller would reach for without knowing this package
(``except LookupError`` catches a 404, ``except PermissionError`` a 401/403).

Messages name the method, the path (ids only, never a query string), the status, the server's
message and what to do next. They never include request headers or bodies, so an API key or a
connection secret cannot leak into Pulumi's output or logs.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import requests

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "NotFoundError",
    "PermissionDeniedError",
    "PolytomicConnectionError",
    "PolytomicError",
    "RateLimitedError",
    "ReplayedDeletedObjectError",
    "ServerError",
    "ValidationError",
    "error_from_response",
]

# Non-JSON error bodies are usually proxy or load-balancer HTML pages; a short excerpt of their
# text, on one line, is enough to recognise one without flooding Pulumi's output.
_RAW_BODY_EXCERPT = 200
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


class PolytomicError(Exception):
    """Root of every error raised by this package.

    Attributes:
        status: HTTP status of the failed call; ``None`` when no response was received.
        message: the server's message (or ours, when no response was received).
        key: the server's machine-readable error key, when it sent one.
        metadata: extra context the server attached to the error.
        method: HTTP method of the failed call.
        path: URL path of the failed call (ids only; no query string).
        hint: what the user can do about it.
        deployment_url: the Polytomic deployment the call went to (the client sets it), so
            that a failure behind a proxy or at the wrong URL says where it happened.
    """

    default_hint: ClassVar[str] = ""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        key: str | None = None,
        metadata: dict[str, Any] | None = None,
        method: str | None = None,
        path: str | None = None,
        hint: str | None = None,
        deployment_url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.key = key
        self.metadata = metadata or {}
        self.method = method
        self.path = path
        self.hint = self.default_hint if hint is None else hint
        self.deployment_url = deployment_url

    def __str__(self) -> str:
        where = f"{self.deployment_url or ''}{self.path}"
        head = f"{self.method} {where} failed" if self.method and self.path else ""
        if head and self.status is not None:
            head += f" with {self.status}"
        if head and self.key:
            head += f" ({self.key})"
        text = f"{head}: {self.message}" if head else self.message
        return f"{text.rstrip('.')}. {self.hint}" if self.hint else text


class BadRequestError(PolytomicError, ValueError):
    """400: the request was malformed or named something the service does not accept."""

    default_hint = "Correct the input named in the message and run again."


class AuthenticationError(PolytomicError, PermissionError):
    """401: the API key is missing, wrong or revoked."""

    default_hint = (
        "Check the API key: `pulumi config set --secret polytomic:apiKey <key>` "
        "or `export POLYTOMIC_API_KEY=<key>`."
    )


class PermissionDeniedError(PolytomicError, PermissionError):
    """403: the API key is valid but may not touch this object."""

    default_hint = "Use an API key of the organization that owns the object, with enough rights."


class NotFoundError(PolytomicError, LookupError):
    """404: the object does not exist (or not in this organization)."""

    default_hint = (
        "The object may have been deleted outside Pulumi; run `pulumi refresh` to reconcile."
    )


class ReplayedDeletedObjectError(NotFoundError):
    """A create's Idempotency-Key replayed an earlier creation whose object is gone since."""

    default_hint = "Create it again with a new Idempotency-Key."


class ConflictError(PolytomicError):
    """409: a request with the same Idempotency-Key is in flight, or the object is locked."""

    default_hint = (
        "Another request with the same Idempotency-Key is still running, or the object is "
        "managed elsewhere (for example by a Harbor); wait for it to finish and run again."
    )


class ValidationError(PolytomicError, ValueError):
    """422: the request was well formed but the service refused it (e.g. connection in use)."""

    default_hint = "Correct the input named in the message and run again."


class RateLimitedError(PolytomicError):
    """429: too many requests, still refused after the transport's retries."""

    default_hint = "Polytomic is rate limiting this API key; run again later."


class ServerError(PolytomicError):
    """5xx: the service failed, still failing after the transport's retries."""

    default_hint = "Polytomic had a server-side problem; run again later."


class PolytomicConnectionError(PolytomicError, ConnectionError):
    """No usable response: DNS, TCP, TLS or a timeout, after the transport's retries."""

    default_hint = (
        "Check polytomic:deploymentUrl (or POLYTOMIC_DEPLOYMENT_URL), your network and proxy "
        "settings, and that the service is up."
    )


class ConfigurationError(PolytomicError, ValueError):
    """The API key or deployment URL is missing or unusable; raised before any request."""


_BY_STATUS: dict[int, type[PolytomicError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitedError,
}


def error_from_response(response: requests.Response) -> PolytomicError:
    """Build the error for a non-2xx ``response``, picking the class from its status.

    Understands the current body ``{status, message, key, metadata}``, the legacy 401 body
    ``{status: "<text>", error, code, context}`` and bodies that are not JSON at all.
    """
    status = response.status_code
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else PolytomicError)
    message, key, metadata = _parse_error_body(response)
    return cls(
        message,
        status=status,
        key=key,
        metadata=metadata,
        method=response.request.method,
        # The path only: query strings can carry values, ids in the path cannot be secrets.
        path=response.request.path_url.partition("?")[0],
    )


def _page_text(page: str) -> str:
    """A page's title, else its text without markup, on one line and short."""
    title = _TITLE.search(page)
    text = title.group(1) if title else _MARKUP.sub(" ", page)
    return " ".join(text.split())[:_RAW_BODY_EXCERPT]


def _parse_error_body(response: requests.Response) -> tuple[str, str | None, dict[str, Any]]:
    """``(message, key, metadata)`` from an error body in any of the shapes the API uses."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        text = _page_text(response.text)
        return text or response.reason or "no error message", None, {}
    message = body.get("message") or body.get("error") or response.reason or "no error message"
    metadata = body.get("metadata") or body.get("context") or {}
    return str(message), body.get("key"), metadata if isinstance(metadata, dict) else {}
