"""The one workload every variant deploys: 2 shared connections, then a model and a sync per pipeline.

The library program, the engine floor and the sequential `requests` script all build their
objects from these definitions, so they declare (or send) the same names, queries and mappings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from polytomic_components.args import LinkedInDestination, SnowflakeSource

ACCOUNT = "512630692::urn:li:organization:28818517"
AUDIENCE = f"{ACCOUNT}~user_audience.29728401"  # seeded in the emulator
FIELDS = {"first_name": "FirstName", "last_name": "LastName"}
IDENTITY = {"field": "email", "target": "Email", "function": "Equality"}
SCHEDULE = {"frequency": "continuous"}

SNOWFLAKE = SnowflakeSource(account="uc193736182", username="loader", dbname="analytics",
                            password="bench-sf-password")
LINKEDIN = LinkedInDestination(accounts=[ACCOUNT], client_id="bench-client-id",
                               client_secret="bench-client-secret",
                               oauth_refresh_token="bench-refresh-token")


def connection_inputs(role: str) -> dict[str, Any]:
    """The inputs of the shared `snowflake` or `linkedin` connection (secrets separate)."""
    settings: SnowflakeSource | LinkedInDestination = SNOWFLAKE if role == "snowflake" else LINKEDIN
    return {"name": settings.name, "type": "snowflake" if role == "snowflake" else "linkedinads",
            "configuration": settings.configuration(),
            "secret_configuration": settings.secret_configuration()}


@dataclass(frozen=True)
class Pipeline:
    """Pipeline `index` of `count`: its own query on the shared warehouse, into the one audience."""

    index: int
    count: int

    @property
    def name(self) -> str:
        return f"segment-{self.index:03d}"

    @property
    def model_name(self) -> str:
        return f"Segment {self.index}"

    @property
    def sync_name(self) -> str:
        return f"{self.model_name} to LinkedIn Ads"  # the component's default

    @property
    def query(self) -> str:
        return (f"SELECT email, first_name, last_name FROM users "
                f"WHERE id % {self.count} = {self.index}")

    def model_inputs(self, connection_id: Any) -> dict[str, Any]:
        return {"name": self.model_name, "connection_id": connection_id,
                "configuration": {"query": self.query}}

    def sync_inputs(self, model_id: Any, connection_id: Any) -> dict[str, Any]:
        def mapping(field: str, target: str) -> dict[str, Any]:
            return {"source": {"model_id": model_id, "field": field}, "target": target}

        return {"name": self.sync_name, "mode": "create", "schedule": dict(SCHEDULE),
                "target": {"connection_id": connection_id, "object": AUDIENCE},
                "identity": {**mapping(IDENTITY["field"], IDENTITY["target"]),
                             "function": IDENTITY["function"]},
                "fields": [mapping(field, target) for field, target in FIELDS.items()],
                "active": True, "sync_all_records": False, "skip_initial_backfill": False}


def pipelines(count: int) -> list[Pipeline]:
    return [Pipeline(index, count) for index in range(count)]
