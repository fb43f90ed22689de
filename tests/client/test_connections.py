"""PolytomicClient ↔ emulator: identity, connection types and the connection endpoints."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from polytomic_components.client import PolytomicClient
from polytomic_components.errors import NotFoundError, ValidationError

JSON = dict[str, Any]


def _is_mask(value: Any) -> bool:
    return isinstance(value, str) and len(value) > 0 and set(value) == {"*"}


def test_me_describes_the_caller(client: PolytomicClient) -> None:
    me = client.me()
    assert {"id", "email", "organization_id", "organization_name", "role"} <= me.keys()


def test_connection_types_include_the_pipelines_types(client: PolytomicClient) -> None:
    types = {t["id"]: t for t in client.connection_types()}
    assert {"snowflake", "linkedinads"} <= types.keys()
    assert types["snowflake"]["capabilities"]["source"] is True
    assert types["linkedinads"]["capabilities"]["destination"] is True


def test_create_connection_returns_id_and_masks_secrets(
    client: PolytomicClient, snowflake_body: JSON
) -> None:
    created = client.create_connection(snowflake_body)
    assert created["id"]
    assert created["name"] == snowflake_body["name"]
    assert _is_mask(created["configuration"]["password"])
    assert created["configuration"]["account"] == snowflake_body["configuration"]["account"]


def test_get_and_list_connections_mask_secrets(client: PolytomicClient, snowflake: JSON) -> None:
    got = client.get_connection(snowflake["id"])
    assert got["type"]["id"] == "snowflake"
    assert {"status", "created_at", "updated_at", "created_by"} <= got.keys()
    assert _is_mask(got["configuration"]["password"])
    listed = {c["id"]: c for c in client.list_connections()}
    assert _is_mask(listed[snowflake["id"]]["configuration"]["password"])


def test_update_keeps_secret_left_out_and_clears_other_omitted_keys(
    client: PolytomicClient, snowflake_body: JSON
) -> None:
    snowflake_body["configuration"]["warehouse"] = "COMPUTE_WH"
    created = client.create_connection(snowflake_body)
    configuration = dict(snowflake_body["configuration"])
    del configuration["password"], configuration["warehouse"]

    updated = client.update_connection(
        created["id"], {**snowflake_body, "name": "Renamed", "configuration": configuration}
    )

    assert updated["name"] == "Renamed"
    assert _is_mask(updated["configuration"]["password"])
    assert not updated["configuration"].get("warehouse")


def test_update_with_the_mask_keeps_the_secret(client: PolytomicClient, snowflake: JSON) -> None:
    body = {
        "name": snowflake["name"],
        "type": "snowflake",
        "configuration": snowflake["configuration"],
    }
    updated = client.update_connection(snowflake["id"], body)
    assert _is_mask(client.get_connection(updated["id"])["configuration"]["password"])


def test_oauth_connection_without_credentials_offers_auth_url(client: PolytomicClient) -> None:
    created = client.create_connection(
        {"name": "LinkedIn Ads", "type": "linkedinads", "configuration": {}}
    )
    assert urlsplit(created["auth_url"]).scheme in ("http", "https")


def test_parameter_values_offer_ad_accounts(client: PolytomicClient, linkedin_body: JSON) -> None:
    created = client.create_connection(linkedin_body)
    accounts = client.connection_parameter_values(created["id"])["accounts"]
    assert accounts["values"]
    assert all({"value", "label"} <= v.keys() for v in accounts["values"])


def test_selected_accounts_are_stored(client: PolytomicClient, linkedin: JSON) -> None:
    accounts = client.get_connection(linkedin["id"])["configuration"]["accounts"]
    assert [a["value"] for a in accounts] == [
        a["value"] for a in linkedin["configuration"]["accounts"]
    ]


def test_deleted_connection_is_gone(client: PolytomicClient, snowflake: JSON) -> None:
    client.delete_connection(snowflake["id"])
    with pytest.raises(NotFoundError):
        client.get_connection(snowflake["id"])


def test_connection_in_use_is_refused_unless_forced(
    client: PolytomicClient, snowflake: JSON, model: JSON
) -> None:
    with pytest.raises(ValidationError):
        client.delete_connection(snowflake["id"])

    client.delete_connection(snowflake["id"], force=True)

    with pytest.raises(NotFoundError):
        client.get_model(model["id"])


def test_ids_cannot_reroute_a_request(client: PolytomicClient) -> None:
    with pytest.raises(NotFoundError):
        client.get_connection("../me")
