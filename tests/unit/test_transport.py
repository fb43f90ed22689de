"""_transport: headers, and which requests the retry policy repeats.

A tiny HTTP server on 127.0.0.1 answers 503 a fixed number of times, then 200, and counts hits.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from polytomic_components._transport import build_session, default_retry

KEY = "sk-test-0123456789abcdef"
FAILURES = 2


class _FlakyServer(ThreadingHTTPServer):
    """Answers ``failure_status`` for the first ``failures`` hits, then 200 ``{}``."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.failures = FAILURES
        self.failure_status = 503
        self.retry_after: str | None = None
        self.hits = 0
        self.last_headers: dict[str, str] = {}
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _FlakyServer

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.hits += 1
            self.server.last_headers = dict(self.headers)
            failing = self.server.hits <= self.server.failures
        self.send_response(self.server.failure_status if failing else 200)
        if failing and self.server.retry_after is not None:
            self.send_header("Retry-After", self.server.retry_after)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture
def server() -> Iterator[_FlakyServer]:
    server = _FlakyServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    session = build_session(
        KEY, "2025-09-18", retry=default_retry(backoff_factor=0, backoff_jitter=0)
    )
    yield session
    session.close()


def _send(session: requests.Session, method: str, url: str, **kwargs: object) -> requests.Response:
    return session.request(method, url, timeout=(2, 5), **kwargs)  # type: ignore[arg-type]


def test_session_sends_auth_version_accept_and_user_agent(
    server: _FlakyServer, session: requests.Session
) -> None:
    server.failures = 0
    _send(session, "GET", f"{server.url}/api/me")
    headers = server.last_headers
    assert headers["Authorization"] == f"Bearer {KEY}"
    assert headers["X-Polytomic-Version"] == "2025-09-18"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"].startswith("polytomic-components/")


def test_api_key_is_not_in_session_headers(session: requests.Session) -> None:
    assert KEY not in repr(session.headers)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_methods_are_retried(
    server: _FlakyServer, session: requests.Session, method: str
) -> None:
    response = _send(session, method, f"{server.url}/api/syncs/1")
    assert response.status_code == 200
    assert server.hits == FAILURES + 1


def test_post_with_idempotency_key_is_retried(
    server: _FlakyServer, session: requests.Session
) -> None:
    response = _send(
        session, "POST", f"{server.url}/api/syncs", json={}, headers={"Idempotency-Key": "k" * 16}
    )
    assert response.status_code == 200
    assert server.hits == FAILURES + 1


def test_post_without_idempotency_key_is_sent_once(
    server: _FlakyServer, session: requests.Session
) -> None:
    response = _send(session, "POST", f"{server.url}/api/syncs", json={})
    assert response.status_code == 503
    assert server.hits == 1


def test_500_is_not_retried(server: _FlakyServer, session: requests.Session) -> None:
    server.failure_status = 500
    response = _send(session, "GET", f"{server.url}/api/syncs/1")
    assert response.status_code == 500
    assert server.hits == 1


def test_429_with_retry_after_is_retried(server: _FlakyServer, session: requests.Session) -> None:
    server.failure_status = 429
    server.retry_after = "0"
    response = _send(session, "GET", f"{server.url}/api/syncs/1")
    assert response.status_code == 200
    assert server.hits == FAILURES + 1


def test_last_failure_is_returned_when_retries_run_out(server: _FlakyServer) -> None:
    server.failures = 100
    retry = default_retry(total=3, backoff_factor=0, backoff_jitter=0)
    with build_session(KEY, "2025-09-18", retry=retry) as session:
        response = _send(session, "GET", f"{server.url}/api/syncs/1")
    assert response.status_code == 503
    assert server.hits == 4


def test_default_policy_is_bounded() -> None:
    retry = default_retry()
    assert retry.total == 5
    assert retry.backoff_max <= 10
    assert retry.retry_after_max <= 60
    assert set(retry.status_forcelist) == {429, 502, 503, 504}
    assert retry.raise_on_status is False
