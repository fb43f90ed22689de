"""The sample warehouse a ``snowflake`` connection reads from.

Two tables (and one view), seeded with the same rows on every run:

- ``users`` (id, email, first_name, last_name, title, company_id, country, created_at, is_active)
  -- 50 rows
- ``companies`` (id, name, domain, industry, city, country, employee_count) -- 15 rows
- ``active_users`` -- view of ``users`` where ``is_active``

Every query runs in its own throwaway in-memory SQLite database, so no query can change what the
next one sees. The query is wrapped in a temporary view: that accepts only a single SELECT (or
WITH/VALUES) statement, and lets SQLite report the declared type of every column that comes
straight from a table. Columns are declared with Snowflake type names, which become the fields'
``remote_type``; computed columns get a type inferred from their values.
"""

from __future__ import annotations

import random
import sqlite3
import time
from datetime import datetime, timedelta

Column = tuple[str, str, str]
"""(name, Polytomic type, remote type), e.g. ``("email", "string", "VARCHAR")``."""

# Snowflake remote type -> Polytomic's normalised type.
POLYTOMIC_TYPES = {
    "VARCHAR": "string",
    "NUMBER": "number",
    "BOOLEAN": "boolean",
    "TIMESTAMP_NTZ": "datetime",
}

QUERY_TIME_LIMIT_SECONDS = 2.0


class QueryError(Exception):
    """A model query the warehouse rejected; the message is SQLite's own."""

_SCHEMA = """
CREATE TABLE companies (
    id NUMBER PRIMARY KEY, name VARCHAR, domain VARCHAR, industry VARCHAR, city VARCHAR,
    country VARCHAR, employee_count NUMBER
);
CREATE TABLE users (
    id NUMBER PRIMARY KEY, email VARCHAR, first_name VARCHAR, last_name VARCHAR, title VARCHAR,
    company_id NUMBER REFERENCES companies (id), country VARCHAR, created_at TIMESTAMP_NTZ,
    is_active BOOLEAN
);
CREATE VIEW active_users AS SELECT * FROM users WHERE is_active;
"""

_COMPANIES = [
    (1, "Polytomic", "polytomic.com", "Software", "San Francisco", "US", 85),
    (2, "Northwind Traders", "northwind.example", "Wholesale", "Seattle", "US", 1200),
    (3, "Acme Analytics", "acme-analytics.example", "Software", "Austin", "US", 340),
    (4, "Globex", "globex.example", "Manufacturing", "Chicago", "US", 5400),
    (5, "Initech", "initech.example", "Financial Services", "Dallas", "US", 780),
    (6, "Umbrella Health", "umbrella-health.example", "Healthcare", "Boston", "US", 2300),
    (7, "Stark Logistics", "stark-logistics.example", "Logistics", "Rotterdam", "NL", 950),
    (8, "Wayne Retail", "wayne-retail.example", "Retail", "Manchester", "GB", 3100),
    (9, "Hooli", "hooli.example", "Software", "Palo Alto", "US", 12000),
    (10, "Vandelay Industries", "vandelay.example", "Import/Export", "New York", "US", 60),
    (11, "Soylent Foods", "soylent.example", "Food & Beverage", "Toronto", "CA", 410),
    (12, "Cyberdyne Systems", "cyberdyne.example", "Robotics", "Munich", "DE", 1650),
    (13, "Tyrell Bio", "tyrell-bio.example", "Biotechnology", "Dublin", "IE", 520),
    (14, "Oceanic Airlines", "oceanic.example", "Aviation", "Sydney", "AU", 8700),
    (15, "Pied Piper", "piedpiper.example", "Software", "Berlin", "DE", 45),
]

_FIRST_NAMES = ["Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Priya", "Lucas", "Sofia", "Omar",
                "Hana", "Mateo", "Grace", "Kenji", "Elena", "Samuel", "Aisha", "Leo", "Chloe",
                "Diego"]
_LAST_NAMES = ["Nguyen", "Smith", "Garcia", "Patel", "Kim", "Johnson", "Rossi", "Müller", "Okafor",
               "Silva", "Cohen", "Tanaka", "Dubois", "Larsen", "O'Brien", "Khan", "Novak", "Reyes"]
_TITLES = ["Head of Growth", "Marketing Manager", "Data Engineer", "VP Sales", "Account Executive",
           "CTO", "Product Manager", "Demand Generation Lead", "Analytics Engineer", "CMO"]


def _users() -> list[tuple[object, ...]]:
    """Fifty users spread over the companies; a fixed seed keeps every run identical."""
    rng = random.Random(20240208)
    start = datetime(2023, 1, 2, 9, 0, 0)
    rows: list[tuple[object, ...]] = []
    for user_id in range(1, 51):
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        company = _COMPANIES[(user_id - 1) % len(_COMPANIES)]
        local = f"{first}.{last}".lower().replace("'", "").replace("ü", "u")
        created = start + timedelta(days=user_id * 7, minutes=rng.randrange(600))
        rows.append((user_id, f"{local}{user_id}@{company[2]}", first, last, rng.choice(_TITLES),
                     company[0], company[5], created.isoformat(), int(rng.random() < 0.8)))
    return rows


_USERS = _users()


def _seeded_database() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(_SCHEMA)
    db.executemany("INSERT INTO companies VALUES (?, ?, ?, ?, ?, ?, ?)", _COMPANIES)
    db.executemany("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _USERS)
    return db


def _inferred_remote_type(values: list[object]) -> str:
    """Type of a computed column, judged by its first non-null value."""
    sample = next((v for v in values if v is not None), None)
    return "NUMBER" if isinstance(sample, (int, float)) else "VARCHAR"


def select_all(table: str) -> str:
    """The query that reads a whole table or view, with the name safely quoted."""
    return 'SELECT * FROM "{}"'.format(table.replace('"', '""'))


def run(query: str) -> tuple[list[Column], list[dict[str, object]]]:
    """Run one read-only query; return its columns and its rows as dicts.

    Raises ``QueryError`` with SQLite's own message when the query is invalid or runs longer
    than ``QUERY_TIME_LIMIT_SECONDS``.
    """
    db = _seeded_database()
    deadline = time.monotonic() + QUERY_TIME_LIMIT_SECONDS
    # A non-zero return aborts the statement ("interrupted"), so runaway queries end.
    db.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        db.execute("CREATE TEMP VIEW __model AS " + query.strip().rstrip(";"))
        declared = [(row[1], row[2]) for row in db.execute("PRAGMA table_info(__model)")]
        raw_rows = db.execute("SELECT * FROM __model").fetchall()
    except sqlite3.Error as error:
        if time.monotonic() > deadline:
            raise QueryError(f"query ran longer than {QUERY_TIME_LIMIT_SECONDS:g}s") from error
        raise QueryError(str(error)) from error
    finally:
        db.close()

    columns: list[Column] = []
    for index, (name, declared_type) in enumerate(declared):
        remote = declared_type.upper()
        if remote not in POLYTOMIC_TYPES:
            remote = _inferred_remote_type([row[index] for row in raw_rows])
        columns.append((name, POLYTOMIC_TYPES[remote], remote))

    rows = []
    for raw in raw_rows:
        rows.append({
            name: bool(value) if kind == "boolean" and value is not None else value
            for (name, kind, _), value in zip(columns, raw, strict=True)
        })
    return columns, rows
