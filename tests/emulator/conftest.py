"""Fixtures for the emulator's own tests.

The emulator process comes from ``tests/conftest.py`` (one per session, reset before each test);
here are a raw HTTP caller and the guide's objects built through the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from polytomic_components.emulator import linkedin

from ..conftest import Emulator

JSON = dict[str, Any]
VERSION = "2025-09-18"
SNOWFLAKE_CONFIG = {"account": "uc193736182", "username": "user", "password": "s3cret",
                    "dbname": "database", "warehouse": "COMPUTE_WH"}
LINKEDIN_SECRETS = {"client_id": "cid", "client_secret": "csecret",
                    "oauth_refresh_token": "refresh"}
FIRST_ACCOUNT = linkedin.AD_ACCOUNTS[0]["value"]
USER_AUDIENCE = linkedin.audience_id(FIRST_ACCOUNT, "user_audience", "29728401")


class Api:
    """Raw calls to the emulated REST API with the key and version headers set."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def __call__(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                 **kwargs: Any) -> requests.Response:
        return self.emulator.api(method, path, headers=headers, **kwargs)

    def state(self) -> JSON:
        """Object counts from the admin API (``GET /__emulator/state``)."""
        return self.emulator.state()

    def admin(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call to the test-only admin API (``/__emulator/<path>``)."""
        return requests.request(method, f"{self.emulator.url}/__emulator/{path}", timeout=10,
                                **kwargs)

    def audiences(self) -> list[JSON]:
        """Every simulated LinkedIn audience with its ``member_count``."""
        return list(self.admin("GET", "audiences").json()["data"])

    def delete_audience(self, audience_id: str) -> None:
        """Delete an audience in LinkedIn, behind Polytomic's back."""
        assert self.admin("DELETE", f"audiences/{audience_id}").status_code == 204

    def fail_next_execution(self, message: str, sync_id: str | None = None) -> None:
        body = {"message": message, **({"sync_id": sync_id} if sync_id else {})}
        assert self.admin("POST", "executions/fail-next", json=body).status_code == 200

    def data(self, method: str, path: str, **kwargs: Any) -> Any:
        """The ``data`` of a call that must succeed."""
        response = self(method, path, **kwargs)
        assert response.ok, response.text
        return response.json()["data"]


@pytest.fixture
def api(emulator: Emulator) -> Api:
    return Api(emulator)


@pytest.fixture
def snowflake(api: Api) -> JSON:
    return api.data("POST", "/api/connections", json={
        "name": "Snowflake", "type": "snowflake", "configuration": dict(SNOWFLAKE_CONFIG)})


@pytest.fixture
def linkedin_conn(api: Api) -> JSON:
    """A LinkedIn Ads connection authorized with API credentials, first two accounts enabled."""
    created = api.data("POST", "/api/connections", json={
        "name": "LinkedIn", "type": "linkedinads", "configuration": dict(LINKEDIN_SECRETS)})
    accounts = [dict(a) for a in linkedin.AD_ACCOUNTS[:2]]
    return api.data("PUT", f"/api/connections/{created['id']}", json={
        "name": "LinkedIn", "type": "linkedinads", "configuration": {"accounts": accounts}})


@pytest.fixture
def model(api: Api, snowflake: JSON) -> JSON:
    return api.data("POST", "/api/models", json={
        "name": "Users", "connection_id": snowflake["id"],
        "configuration": {"query": "SELECT email, first_name, last_name, is_active FROM users"}})


@pytest.fixture
def sync_body(model: JSON, linkedin_conn: JSON) -> Callable[..., JSON]:
    """The guide's sync: email identity, first/last name, into ``target`` (default: an audience)."""

    def build(**overrides: Any) -> JSON:
        def source(field: str) -> JSON:
            return {"model_id": model["id"], "field": field}

        body = {
            "name": "Users to LinkedIn", "mode": "create",
            "identity": {"source": source("email"), "target": "Email", "function": "equality"},
            "fields": [{"source": source("first_name"), "target": "FirstName"},
                       {"source": source("last_name"), "target": "LastName"}],
            "schedule": {"frequency": "continuous"},
            "target": {"connection_id": linkedin_conn["id"], "object": USER_AUDIENCE},
        }
        body.update(overrides)
        return body

    return build


@pytest.fixture
def sync(api: Api, sync_body: Callable[..., JSON]) -> JSON:
    return api.data("POST", "/api/syncs", json=sync_body())
