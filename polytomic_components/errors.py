"""Errors of this package: the Polytomic client's, and arguments or stack config that cannot work.

One root, :class:`PolytomicError`, so callers can catch everything from this package at once.
The root is a `pulumi.RunError`, so an uncaught one ends a Pulumi program with its message alone,
not a Python traceback.
Each leaf also subclasses the builtin a caller would reach for without knowing this package
(``except LookupError`` catches a 404, ``except PermissionError`` a 401/403).

Messages name the method, the path (ids only, never a query string), the status, the server's
message and what to do next. They never include request headers or bodies, so an API key or a
connection secret cannot leak into Pulumi's output or logs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

import pulumi
import requests

__all__ = [
    "ArgumentError",
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


class PolytomicError(pulumi.RunError):
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


class ArgumentError(PolytomicError, ValueError):
    """An argument or stack-config value that cannot work: which key, what was given, what is expected.

    `key_path` is the key's path from the object being built (`schedule.hour`, `fields[0].target`);
    a caller building a bigger object prefixes it with `under`. `names` are argument names quoted
    in the problem as `{0}`, `{1}`; each front door shows the path and these names in the words its
    users write (`renamed` for stack config keys, `in_words_of` for camelCase properties).
    `problems` lists every problem when there are several (see `of`); one error is its own list.
    """

    def __init__(self, key_path: str, problem: str, *, names: Sequence[str] = ()) -> None:
        self.key_path, self.problem, self.names = key_path, problem, tuple(names)
        self.problems: tuple[ArgumentError, ...] = (self,)
        super().__init__(self._text())

    def _text(self) -> str:
        return f"{self.key_path}: {self.reason}" if self.key_path else self.reason

    def __str__(self) -> str:
        return "\n".join(p._text() for p in self.problems)

    @property
    def reason(self) -> str:
        """The problem without its path, names filled in."""
        return self.problem.format(*map(_Name, self.names)) if self.names else self.problem

    @classmethod
    def of(cls, problems: Iterable[ArgumentError]) -> ArgumentError:
        """One error reporting every problem in `problems` (each may hold several)."""
        flat = tuple(p for error in problems for p in error.problems)
        if len(flat) == 1:
            return flat[0]
        error = cls(flat[0].key_path, flat[0].problem, names=flat[0].names)
        error.problems = flat
        error.message = str(error)
        error.args = (error.message,)
        return error

    def _each(self, change: Callable[[ArgumentError], ArgumentError]) -> ArgumentError:
        return ArgumentError.of(change(p) for p in self.problems) if len(self.problems) > 1 \
            else change(self)

    def under(self, prefix: str) -> ArgumentError:
        """The same error seen from the object that holds `prefix`."""
        return self._each(lambda p: ArgumentError(join_path(prefix, p.key_path), p.problem, names=p.names))

    def renamed(self, names: Mapping[str, str]) -> ArgumentError:
        """The same error with argument names shown as the keys `names` maps them to: the path's
        first key and the quoted names (stack config names a few arguments its own way)."""
        def rename(p: ArgumentError) -> ArgumentError:
            head, rest = re.match(r"([^.\[]*)(.*)", p.key_path).groups()  # type: ignore[union-attr]
            return ArgumentError(f"{names.get(head, head)}{rest}", p.problem,
                                 names=[names.get(n, n) for n in p.names])
        return self._each(rename)

    def in_words_of(self, name_of: Callable[[str], str], *, keys_of: Iterable[str] = ()) -> ArgumentError:
        """The same error with every argument name in its path and problem shown by `name_of`
        (e.g. camelCase). Keys directly under an argument in `keys_of` are the user's own map
        keys (a model field under `fields`) and are shown as written."""
        maps = set(keys_of)

        def path(key_path: str) -> str:
            steps, shown = re.findall(r"\[[^\]]*\]|[^.\[]+", key_path), list[str]()
            for index, step in enumerate(steps):
                if step.startswith("["):
                    shown[-1:] = [shown[-1] + step] if shown else [step]
                else:
                    shown.append(step if index and steps[index - 1] in maps else name_of(step))
            return ".".join(shown)

        return self._each(lambda p: ArgumentError(path(p.key_path), p.problem,
                                                  names=[path(n) for n in p.names]))


class _Name(str):
    """A name in a problem: `{0}` shows it quoted (`` `query` ``), `{0:bare}` as it is (in lists)."""

    def __format__(self, spec: str) -> str:
        return str(self) if spec == "bare" else f"`{self!s}`"


def join_path(prefix: str, path: str) -> str:
    """`prefix` and the `path` under it: `schedule` + `hour`, `fields` + `[0]`."""
    if not path:
        return prefix
    return f"{prefix}{path}" if not prefix or path.startswith("[") else f"{prefix}.{path}"


def unknown_key(key: str, allowed: Sequence[str]) -> ArgumentError:
    """`key` is not one of `allowed`: the closest allowed key, then all of them."""
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.8)
    names = [*close, *allowed]
    listed = ", ".join(f"{{{i}:bare}}" for i in range(len(close), len(names)))
    guess = "did you mean {0}? " if close else ""
    return ArgumentError(key, f"unknown key; {guess}allowed keys: {listed}", names=names)


def did_you_mean(value: Any, allowed: Sequence[str]) -> str:
    """` (did you mean 'daily'?)` when `value` is close to one of `allowed`, else nothing."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.8) or [
        a for a in allowed if a.lower() == value.lower()]
    return f" (did you mean {close[0]!r}?)" if close else ""


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
