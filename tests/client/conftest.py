"""Fixtures for contract tests of PolytomicClient against the emulator.

The emulator itself (one process per session, reset before each test) comes from
``tests/conftest.py``; here are a client pointed at it and the guide's objects, built through the
client so each fixture is also a check of the calls it makes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from polytomic_components._transport import default_retry
from polytomic_components.client import PolytomicClient
from polytomic_components.settings import Settings

from ..conftest import Emulator

JSON = dict[str, Any]

SNOWFLAKE_PASSWORD = "sf-password-do-not-print"
LINKEDIN_SECRETS = {
    "client_id": "li-client-id-0001",
    "client_secret": "li-client-secret-do-not-print",
    "oauth_refresh_token": "li-refresh-token-do-not-print",
}
MODEL_QUERY = "SELECT first_name, last_name, email FROM users"


@pytest.fixture
def make_client(emulator: Emulator) -> Iterator[Callable[..., PolytomicClient]]:
    """Build clients for the emulator; the retry policy is the real one with near-zero sleeps."""
    clients: list[PolytomicClient] = []

    def make(*, api_key: str | None = None, retries: int = 5) -> PolytomicClient:
        settings = Settings(api_key=api_key or emulator.api_key, deployment_url=emulator.url)
        retry = default_retry(total=retries, backoff_factor=0.01, backoff_jitter=0.01)
        clients.append(PolytomicClient(settings, retry=retry))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., PolytomicClient]) -> PolytomicClient:
    return make_client()


@pytest.fixture
def snowflake_body() -> JSON:
    return {
        "name": "Snowflake Connection",
        "type": "snowflake",
        "configuration": {
            "account": "uc193736182",
            "username": "user",
            "password": SNOWFLAKE_PASSWORD,
            "dbname": "database",
        },
    }


@pytest.fixture
def linkedin_body() -> JSON:
    """A LinkedIn Ads connection authorised without a browser (API-supplied OAuth secrets)."""
    return {"name": "LinkedIn Ads", "type": "linkedinads", "configuration": dict(LINKEDIN_SECRETS)}


@pytest.fixture
def snowflake(client: PolytomicClient, snowflake_body: JSON) -> JSON:
    return client.create_connection(snowflake_body)


@pytest.fixture
def linkedin(client: PolytomicClient, linkedin_body: JSON) -> JSON:
    """A LinkedIn connection with every offered ad account enabled (guide step 2)."""
    created = client.create_connection(linkedin_body)
    accounts = client.connection_parameter_values(created["id"])["accounts"]["values"]
    body = {
        **linkedin_body,
        "configuration": {
            "accounts": [{"value": a["value"], "label": a["label"]} for a in accounts]
        },
    }
    return client.update_connection(created["id"], body)


@pytest.fixture
def model(client: PolytomicClient, snowflake: JSON) -> JSON:
    return client.create_model(
        {
            "name": "Active Users",
            "connection_id": snowflake["id"],
            "configuration": {"query": MODEL_QUERY},
        }
    )


@pytest.fixture
def audience(client: PolytomicClient, linkedin: JSON) -> JSON:
    """An existing user audience on the LinkedIn connection."""
    objects = client.target_objects(linkedin["id"]).objects
    return next(o for o in objects if "~user_audience." in o["id"])


def guide_sync_body(model_id: str, linkedin_id: str, target: JSON,
                    name: str = "Snowflake to LinkedIn") -> JSON:
    """The guide's sync (email identity; first/last name) into ``target`` (object or create)."""

    def source(field: str) -> JSON:
        return {"model_id": model_id, "field": field}

    return {
        "name": name,
        "mode": "create",
        "identity": {"source": source("email"), "target": "Email", "function": "Equality"},
        "fields": [
            {"source": source("first_name"), "target": "FirstName"},
            {"source": source("last_name"), "target": "LastName"},
        ],
        "schedule": {"frequency": "continuous"},
        "target": {"connection_id": linkedin_id, **target},
    }


@pytest.fixture
def sync_body(model: JSON, linkedin: JSON) -> Callable[..., JSON]:
    """`guide_sync_body` for the fixtures' model and LinkedIn connection."""

    def build(target: JSON, name: str = "Snowflake to LinkedIn") -> JSON:
        return guide_sync_body(model["id"], linkedin["id"], target, name)

    return build


@pytest.fixture
def sync(client: PolytomicClient, sync_body: Callable[..., JSON], audience: JSON) -> JSON:
    return client.create_sync(sync_body({"object": audience["id"]}))
