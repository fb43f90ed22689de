"""A Connection of any type is checked against that type's schema as the service reports it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pulumi.automation import errors as auto_errors

from polytomic_components import Connection
from tests.engine.test_resources_lifecycle import preview, quiet, up

pytestmark = pytest.mark.engine

POSTGRES = {"hostname": "db.example.com", "username": "loader", "database": "analytics", "port": 5432}


def postgres(**overrides: Any) -> Any:
    settings = {"configuration": dict(POSTGRES), "secret_configuration": {"password": "pg-secret-77"},
                **overrides}

    def program() -> None:
        Connection("warehouse", name="Postgres", type="postgresql", **settings)
    return program


def test_a_postgresql_connection_is_created_and_previews_clean_after(polytomic_stack, emulator):
    stack = polytomic_stack(postgres())
    up(stack)
    connections = emulator.api("GET", "/api/connections").json()["data"]
    created = next(c for c in connections if c["name"] == "Postgres")
    assert created["type"]["id"] == "postgresql"
    assert created["configuration"]["password"] != "pg-secret-77"  # masked by the service
    assert preview(stack).change_summary == {"same": 3}


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"configuration": {k: v for k, v in POSTGRES.items() if k != "hostname"}},
     "configuration.hostname: is required for this connection type"),
    ({"configuration": {**POSTGRES, "port": "5432"}}, "configuration.port: expected integer, got str '5432'"),
    ({"configuration": {**POSTGRES, "hostnme": "x"}},
     "configuration.hostnme: is not a setting of this connection type"),
    ({"configuration": {**POSTGRES, "ssh_private_key": "-----BEGIN KEY-----"}},
     "configuration.ssh_private_key: is sensitive; pass it in secret_configuration.ssh_private_key"),
], ids=["required-key-missing", "wrong-type", "unknown-key", "sensitive-key-in-plain-configuration"])
def test_a_connection_against_its_type_schema_fails_preview_naming_the_key(polytomic_stack, emulator,
                                                                          overrides, expected):
    emulator.clear_requests_log()
    with pytest.raises(auto_errors.CommandError, match=re.escape(expected)):
        polytomic_stack(postgres(**overrides)).preview(on_output=quiet)
    assert emulator.writes() == []
