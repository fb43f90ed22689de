"""The sample warehouse, in-process."""

from __future__ import annotations

import pytest

from polytomic_components.emulator import warehouse


def test_tables_are_seeded_deterministically() -> None:
    assert warehouse.run("SELECT * FROM users") == warehouse.run("SELECT * FROM users")
    assert len(warehouse.run("SELECT * FROM users")[1]) == 50
    assert len(warehouse.run("SELECT * FROM companies")[1]) == 15


def test_declared_types_become_snowflake_remote_types() -> None:
    columns, rows = warehouse.run("SELECT id, email, is_active, created_at FROM users LIMIT 1")
    assert columns == [("id", "number", "NUMBER"), ("email", "string", "VARCHAR"),
                       ("is_active", "boolean", "BOOLEAN"),
                       ("created_at", "datetime", "TIMESTAMP_NTZ")]
    assert isinstance(rows[0]["is_active"], bool)


def test_queries_cannot_write() -> None:
    with pytest.raises(warehouse.QueryError):
        warehouse.run("DELETE FROM users")
    with pytest.raises(warehouse.QueryError):
        warehouse.run("SELECT 1; DROP TABLE users")


def test_runaway_query_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warehouse, "QUERY_TIME_LIMIT_SECONDS", 0.05)
    endless = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT max(x) FROM n"
    with pytest.raises(warehouse.QueryError, match="longer than"):
        warehouse.run(endless)
