"""SQLite persistence for the emulator: documents, counters and idempotency keys. No HTTP here.

Each resource kind has its own table holding the resource as JSON text (``body``), plus the few
columns that queries filter on. Rows come back in insertion order.

One connection is shared by all request threads and guarded by a re-entrant lock; the server runs
each request inside ``transaction()``, so a request that fails leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from . import linkedin

# table -> columns copied out of the body so they can be filtered on.
TABLES: dict[str, tuple[str, ...]] = {
    "connections": (),
    "models": ("connection_id",),
    "syncs": (),
    "executions": ("sync_id",),
    "audiences": ("account",),
    "queued_outcomes": (),  # admin-queued execution outcomes, keyed by sync id or "*"
}

IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60

_SCHEMA = "\n".join(
    f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, "
    + "".join(f"{column} TEXT NOT NULL, " for column in columns)
    + "body TEXT NOT NULL);"
    for table, columns in TABLES.items()
) + """
CREATE INDEX IF NOT EXISTS models_by_connection ON models (connection_id);
CREATE INDEX IF NOT EXISTS executions_by_sync ON executions (sync_id);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT NOT NULL, key TEXT NOT NULL, created_at REAL NOT NULL,
    status INTEGER, body TEXT,  -- both NULL while the first request is still running
    PRIMARY KEY (scope, key)
);
"""

Document = dict[str, Any]


class Store:
    """All emulator state, in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are opened explicitly in ``transaction()``.
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._depth = 0
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        # executescript commits on its own, so the schema goes in before the first transaction.
        self._db.executescript(_SCHEMA)
        with self.transaction():
            # Nothing can still be running after a restart; a stale marker would block its key.
            self._db.execute("DELETE FROM idempotency WHERE status IS NULL")
            if not self._db.execute("SELECT 1 FROM audiences LIMIT 1").fetchone():
                self._seed()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block atomically and exclusively; nested blocks join the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    # -- documents -------------------------------------------------------------------------

    def get(self, table: str, doc_id: str) -> Document | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT body FROM {_table(table)} WHERE id = ?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def find(self, table: str, **where: str) -> list[Document]:
        """Documents whose filter columns equal the given values, oldest first."""
        columns = TABLES[_table(table)]
        unknown = set(where) - set(columns)
        if unknown:
            raise ValueError(f"{table} cannot be filtered on {sorted(unknown)}")
        clause = " AND ".join(f"{column} = ?" for column in where) or "1"
        with self._lock:
            rows = self._db.execute(
                f"SELECT body FROM {table} WHERE {clause} ORDER BY rowid", tuple(where.values()))
            return [json.loads(row[0]) for row in rows]

    def insert(self, table: str, doc: Document) -> None:
        columns = ("id", *TABLES[_table(table)], "body")
        values = (doc["id"], *(doc[c] for c in TABLES[table]), json.dumps(doc))
        placeholders = ", ".join("?" * len(columns))
        with self._lock:
            self._db.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", values)

    def replace(self, table: str, doc: Document) -> None:
        """Overwrite an existing document (same id), keeping its place in the order."""
        assignments = "".join(f"{column} = ?, " for column in TABLES[_table(table)])
        values = (*(doc[c] for c in TABLES[table]), json.dumps(doc), doc["id"])
        with self._lock:
            self._db.execute(f"UPDATE {table} SET {assignments}body = ? WHERE id = ?", values)

    def delete(self, table: str, doc_id: str) -> None:
        with self._lock:
            self._db.execute(f"DELETE FROM {_table(table)} WHERE id = ?", (doc_id,))

    def count(self, table: str) -> int:
        with self._lock:
            return int(self._db.execute(f"SELECT count(*) FROM {_table(table)}").fetchone()[0])

    def next_number(self, name: str, first: int) -> int:
        """The next value of a named counter (``first`` the first time)."""
        with self.transaction():
            row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
            value = row[0] + 1 if row else first
            self._db.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, value))
        return value

    # -- idempotency keys ------------------------------------------------------------------

    def claim_idempotency_key(self, api_key: str, key: str) -> tuple[int, str] | None:
        """Claim ``key`` for a new request, or return the stored (status, body) to replay.

        Raises ``KeyInFlight`` while another request holding the key is still running. A key
        older than ``IDEMPOTENCY_TTL_SECONDS`` counts as new.
        """
        scope = _scope(api_key)
        now = time.time()
        with self.transaction():
            row = self._db.execute(
                "SELECT created_at, status, body FROM idempotency WHERE scope = ? AND key = ?",
                (scope, key)).fetchone()
            if row and now - row[0] < IDEMPOTENCY_TTL_SECONDS:
                if row[1] is None:
                    raise KeyInFlight(key)
                return int(row[1]), str(row[2])
            self._db.execute(
                "INSERT OR REPLACE INTO idempotency (scope, key, created_at) VALUES (?, ?, ?)",
                (scope, key, now))
        return None

    def finish_idempotency_key(self, api_key: str, key: str, status: int, body: str) -> None:
        """Record the outcome that every later request with ``key`` will get."""
        with self._lock:
            self._db.execute(
                "UPDATE idempotency SET status = ?, body = ? WHERE scope = ? AND key = ?",
                (status, body, _scope(api_key), key))

    def forget_idempotency_keys(self, *, age_seconds: float = 0) -> int:
        """Forget every finished key, as if the 24 h window had passed; return how many.

        With ``age_seconds``, the time that passed also shows: every connection, model and sync
        was created and updated that much earlier.
        """
        with self.transaction():
            cursor = self._db.execute("DELETE FROM idempotency WHERE status IS NOT NULL")
            for table in ("connections", "models", "syncs"):
                for doc in self.find(table):
                    self.replace(table, {**doc, **{stamp: _earlier(doc[stamp], age_seconds)
                                                   for stamp in ("created_at", "updated_at")
                                                   if doc.get(stamp)}})
        return cursor.rowcount

    # -- whole-store operations ------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything and return to the seeded state."""
        with self.transaction():
            for table in (*TABLES, "counters", "idempotency"):
                self._db.execute(f"DELETE FROM {table}")
            self._seed()

    def _seed(self) -> None:
        for audience in linkedin.SEED_AUDIENCES:
            self.insert("audiences", {
                "id": linkedin.audience_id(audience["account"], audience["type"],
                                           audience["number"]),
                "account": audience["account"],
                "type": audience["type"],
                "name": linkedin.audience_name(audience["type"], audience["name"]),
                "created_at": "2024-01-15T09:30:00Z",
            })


class KeyInFlight(Exception):
    """An idempotency key whose first request has not finished yet."""


def _table(name: str) -> str:
    """Table names are interpolated into SQL, so accept only the known ones."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}")
    return name


def _scope(api_key: str) -> str:
    """Keys are scoped per API key; store a digest so the key itself never hits the disk."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def _earlier(stamp: str, seconds: float) -> str:
    """An RFC 3339 time (as ``utc_now`` writes it) moved ``seconds`` into the past."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")) - timedelta(seconds=seconds)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
