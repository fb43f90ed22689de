"""A real HTTP front end for tests: a reverse proxy on 127.0.0.1 that perturbs what it relays.

Real deployments sit behind proxies and load balancers that add or rewrite `Date` headers,
compress bodies, answer with their own HTML error pages, cut connections, stall, ask clients to
come back later and redirect. `FrontEnd` relays every request to an upstream (the emulator) over
a real socket and applies one such perturbation, chosen by name (see `PERTURBATIONS`), to the
requests it selects.
"""

from __future__ import annotations

import gzip
import http.client
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

#: Where the `redirect-307` perturbation sends requests: a path prefix this proxy also serves.
EDGE_PREFIX = "/edge"

_HTML_PAGE = """<html>
<head><title>{status} {reason}</title></head>
<body>
<center><h1>{status} {reason}</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""

#: Every perturbation, with what a real front end does that it imitates.
PERTURBATIONS = {
    "date-duplicate": "a proxy adds its own Date header beside the service's (two lines)",
    "date-missing": "the Date header is stripped",
    "date-naive": "Date written with the zone -0000 (no known offset)",
    "date-odd-zone": "Date written in local time with a +0530 offset",
    "gzip": "the body is gzip-compressed (Content-Encoding: gzip)",
    "html-502": "the load balancer answers 502 with its HTML page instead of relaying",
    "html-504": "the load balancer answers 504 with its HTML page instead of relaying",
    "reset-mid-body": "the request is relayed, then the answer is cut off half-way through its body",
    "slow-first-byte": "the answer's first byte comes only after a pause",
    "retry-after-date": "503 with Retry-After given as an HTTP date instead of seconds",
    "redirect-307": "307 to the same request under another path of the same front end",
    "redirect-307-elsewhere": "307 to another origin (the upstream's own address)",
}


class FrontEnd:
    """A reverse proxy in front of `upstream`, perturbing the requests `select` picks.

    Args:
        upstream: base URL of the service relayed to (plain http, loopback).
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.perturbation: str | None = None
        #: Which requests to perturb: (method, path, index of the request) -> bool.
        self.select: Callable[[str, str, int], bool] = lambda method, path, index: True
        #: How many requests were perturbed; and every request seen, as (method, path).
        self.perturbed = 0
        self.seen: list[tuple[str, str]] = []
        self.first_byte_delay = 2.0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def perturb(self, name: str | None, *, select: Callable[[str, str, int], bool] | None = None,
                ) -> None:
        """Apply perturbation `name` (None: relay faithfully) to the requests `select` picks
        (default: every request)."""
        if name is not None and name not in PERTURBATIONS:
            raise ValueError(f"unknown perturbation {name!r}; known: {', '.join(PERTURBATIONS)}")
        with self._lock:
            self.perturbation, self.perturbed, self.seen = name, 0, []
            self.select = select or (lambda method, path, index: True)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _choose(self, method: str, path: str) -> str | None:
        """The perturbation for this request, if it is selected; counts it."""
        with self._lock:
            self.seen.append((method, path))
            if self.perturbation and self.select(method, path, len(self.seen) - 1):
                self.perturbed += 1
                return self.perturbation
            return None


def _handler_for(front: FrontEnd) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read `FrontEnd.seen`."""

        def do_GET(self) -> None:
            self._relay()

        do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            redirected = self.path.startswith(EDGE_PREFIX + "/")
            path = self.path[len(EDGE_PREFIX):] if redirected else self.path
            fault = None if redirected else front._choose(self.command, path.partition("?")[0])
            if fault in ("html-502", "html-504"):
                status = 502 if fault == "html-502" else 504
                return self._answer(status, [("Content-Type", "text/html")], _HTML_PAGE.format(
                    status=status, reason=http.client.responses[status]).encode())
            if fault == "retry-after-date":
                when = formatdate(time.time() + 1, usegmt=True)
                return self._answer(503, [("Content-Type", "text/html"), ("Retry-After", when)],
                                    b"<html><body>Service Unavailable</body></html>")
            if fault == "redirect-307":
                return self._answer(307, [("Location", EDGE_PREFIX + self.path)], b"")
            if fault == "redirect-307-elsewhere":
                return self._answer(307, [("Location", front.upstream + self.path)], b"")
            if fault == "slow-first-byte":
                time.sleep(front.first_byte_delay)
            status, headers, payload = self._forward(path, body)
            self._answer(status, _perturbed_headers(fault, headers), payload, fault)

        def _forward(self, path: str, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
            target = urlsplit(front.upstream)
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            try:
                relayed = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection", "accept-encoding")}
                connection.request(self.command, path, body=body or None, headers=relayed)
                answer = connection.getresponse()
                payload = answer.read()
                headers = [(k, v) for k, v in answer.getheaders()
                           if k.lower() not in ("connection", "transfer-encoding", "content-length",
                                                "server")]
                return answer.status, headers, payload
            finally:
                connection.close()

        def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes,
                    fault: str | None = None) -> None:
            if fault == "gzip":
                payload = gzip.compress(payload)
                headers = [*headers, ("Content-Encoding", "gzip")]
            self.send_response_only(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            if fault == "reset-mid-body":
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def _perturbed_headers(fault: str | None, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The relayed headers with the Date header(s) a perturbation calls for (always one Date
    otherwise, as the proxy would stamp it)."""
    now = datetime.now(timezone.utc)
    kept = [(k, v) for k, v in headers if k.lower() != "date"]
    if fault == "date-missing":
        return kept
    if fault == "date-duplicate":
        return [*kept, ("Date", format_datetime(now - timedelta(seconds=1), usegmt=True)),
                ("Date", format_datetime(now, usegmt=True))]
    if fault == "date-naive":
        return [*kept, ("Date", now.strftime("%a, %d %b %Y %H:%M:%S -0000"))]
    if fault == "date-odd-zone":
        local = now.astimezone(timezone(timedelta(hours=5, minutes=30)))
        return [*kept, ("Date", format_datetime(local))]
    return [*kept, ("Date", format_datetime(now, usegmt=True))]
