"""The HTTP session every client call goes through: auth, version header, retries.

Retries live here, in urllib3's ``Retry`` on a mounted adapter, so call sites never loop or sleep.
Timeouts cannot be set on a session; the client passes one on every call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import metadata
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.util import Retry

from .errors import PolytomicError

__all__ = ["DEFAULT_TIMEOUT", "IDEMPOTENCY_HEADER", "POOL_SIZE", "RetryProgress", "build_session",
           "default_retry"]

IDEMPOTENCY_HEADER = "Idempotency-Key"

#: (connect, read) seconds. Synchronous model calls may take a while on the server side.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 60.0)

# PUT is a full replacement and DELETE is idempotent, so repeating either is harmless.
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def default_retry(
    *,
    total: int = 5,
    backoff_factor: float = 0.5,
    backoff_max: float = 10.0,
    backoff_jitter: float = 0.5,
    retry_after_max: int = 60,
) -> Retry:
    """The retry policy: up to ``total`` retries on connection errors, 429, 502, 503 and 504.

    Sleeps ``backoff_factor * 2**n`` plus up to ``backoff_jitter`` seconds, capped at
    ``backoff_max``, or what the server's ``Retry-After`` says, capped at ``retry_after_max``;
    together with ``total`` that bounds the time one call can take. 500 is not retried: the
    server replays a stored 500 for a repeated Idempotency-Key, so a retry could not help.
    """
    return Retry(
        total=total,
        status_forcelist=(429, 502, 503, 504),
        backoff_factor=backoff_factor,
        backoff_max=backoff_max,
        backoff_jitter=backoff_jitter,
        respect_retry_after_header=True,
        retry_after_max=retry_after_max,
        # Hand the last 429/5xx back to the client, which turns it into a typed error.
        raise_on_status=False,
    )


class RetryProgress(logging.Handler):
    """Reports each retry after a connection failed, so a deployment that does not answer is
    never a silent wait of up to a minute.

    urllib3's ``Retry`` logs one warning per such retry on the ``urllib3.connectionpool`` logger;
    :meth:`attach` puts this handler there (which also keeps urllib3's own wording off stderr).
    """

    logger = logging.getLogger("urllib3.connectionpool")

    def __init__(self, url: str, report: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self.url, self.report, self.attempt = url, report, 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("Retrying"):
            self.attempt += 1
            self.report(f"no answer from {self.url} yet; trying again (retry {self.attempt})")

    def attach(self) -> None:
        self.logger.addHandler(self)

    def detach(self) -> None:
        self.logger.removeHandler(self)


#: Connections kept open to one host: one per call the provider process runs at once
#: (`resources/_host.py`), so none is opened and thrown away under load.
POOL_SIZE = 16


class _IdempotencyAwareAdapter(HTTPAdapter):
    """Retries a POST only when it carries an Idempotency-Key.

    urllib3's ``Retry`` sees the method but never the headers, so the choice is made here, per
    request: a POST without a key goes through a twin adapter whose ``Retry`` leaves POST out
    (repeating it could create a second object); everything else uses the full policy. Which
    methods are retried is fixed here; the given ``retry`` tunes counts, statuses and backoff.
    """

    def __init__(self, retry: Retry) -> None:
        super().__init__(max_retries=retry.new(allowed_methods=_IDEMPOTENT_METHODS | {"POST"}),
                         pool_maxsize=POOL_SIZE)
        self._unkeyed_post = HTTPAdapter(max_retries=retry.new(allowed_methods=_IDEMPOTENT_METHODS),
                                         pool_maxsize=POOL_SIZE)

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if request.method == "POST" and IDEMPOTENCY_HEADER not in request.headers:
            return self._unkeyed_post.send(request, *args, **kwargs)
        return super().send(request, *args, **kwargs)

    def close(self) -> None:
        self._unkeyed_post.close()
        super().close()


class _BearerAuth(AuthBase):
    """``Authorization: Bearer <key>``.

    Set as the session's auth rather than a plain header so that requests does not replace it
    with credentials from ``~/.netrc``, and so the key is not visible in ``session.headers``.
    """

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._api_key}"
        return request


def _same_origin_redirects_only(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """Refuse a redirect to another scheme, host or port (a response hook).

    requests would follow it without the API key (it strips credentials on a change of origin),
    so the call would fail with a misleading 401; and the key must not follow a redirect blindly
    anyway. A redirect within the deployment (a load balancer's 307 to another path) is followed.
    """
    if not response.is_redirect:
        return
    target = urljoin(response.url, response.headers["Location"])
    here, there = urlsplit(response.url), urlsplit(target)
    if (here.scheme, here.netloc) != (there.scheme, there.netloc):
        origin = f"{there.scheme}://{there.netloc}"
        raise PolytomicError(
            f"the deployment redirected ({response.status_code}) to {origin}, which is not followed "
            "with the API key",
            status=response.status_code, method=response.request.method,
            path=urlsplit(response.request.url or "").path,
            hint=f"If {origin} is the Polytomic API, set polytomic:deploymentUrl (or "
                 f"POLYTOMIC_DEPLOYMENT_URL) to {origin}.")


def _package_version() -> str:
    try:
        return metadata.version("polytomic-components")
    except metadata.PackageNotFoundError:  # imported from a source checkout, not installed
        return "0+unknown"


def build_session(api_key: str, version: str, *, retry: Retry | None = None) -> requests.Session:
    """A session that authenticates with ``api_key`` and pins API ``version``.

    Args:
        api_key: Polytomic API key, sent as a Bearer token.
        version: value of ``X-Polytomic-Version`` (``YYYY-MM-DD``).
        retry: retry counts/statuses/backoff; :func:`default_retry` when ``None``.
    """
    session = requests.Session()
    session.auth = _BearerAuth(api_key)
    session.headers.update(
        {
            "Accept": "application/json",
            "User-Agent": f"polytomic-components/{_package_version()}",
            "X-Polytomic-Version": version,
        }
    )
    session.hooks["response"].append(_same_origin_redirects_only)
    adapter = _IdempotencyAwareAdapter(retry or default_retry())
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
