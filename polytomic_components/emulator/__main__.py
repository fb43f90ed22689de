"""Command line: ``python -m polytomic_components.emulator [--host] [--port] [--db] [--api-key]
[--no-admin]``.

Prints exactly one line, ``polytomic emulator listening on <url>``, once it accepts requests
(other programs wait for it), and exits cleanly on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Sequence

from .server import DEFAULT_DB, default_api_key, start


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m polytomic_components.emulator",
                                     description="Local emulator of the Polytomic REST API.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1; the admin API and the data "
                             "are unauthenticated or test-only, so keep it on loopback)")
    parser.add_argument("--port", type=int, default=8410, help="port; 0 picks a free one")
    parser.add_argument("--db", default=str(DEFAULT_DB), help="SQLite file holding all state")
    parser.add_argument("--api-key", default=None,
                        help="API key clients must send (default: $POLYTOMIC_API_KEY, else "
                             "emulator-api-key)")
    parser.add_argument("--no-admin", dest="admin", action="store_false",
                        help="serve the public API only, as a real deployment does: the test-only "
                             "admin API (/__emulator/...) answers 404")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    server = start(args.host, args.port, args.db, args.api_key or default_api_key(),
                   admin=args.admin)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(f"polytomic emulator listening on {server.url}", flush=True)
    # A timeout keeps the main thread waking up, so signal handlers always get to run.
    while not stop.wait(0.5):
        pass
    server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
