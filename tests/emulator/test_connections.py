"""Connections: validation, masking, full-replacement updates, deletion rules."""

from __future__ import annotations

from typing import Any

from polytomic_components.emulator import linkedin

from .conftest import LINKEDIN_SECRETS, SNOWFLAKE_CONFIG, Api

JSON = dict[str, Any]
MASK = "********"


def _put(api: Api, connection: JSON, configuration: JSON) -> Any:
    return api("PUT", f"/api/connections/{connection['id']}",
               json={"name": connection["name"], "type": connection["type"]["id"],
                     "configuration": configuration})


def test_unknown_type_is_400_naming_allowed(api: Api) -> None:
    response = api("POST", "/api/connections",
                   json={"name": "x", "type": "mysqlx", "configuration": {}})
    assert response.status_code == 400
    assert "linkedinads" in response.json()["message"] and "snowflake" in response.json()["message"]


def test_secrets_are_masked_on_create_get_and_list(api: Api, snowflake: JSON) -> None:
    assert snowflake["configuration"]["password"] == MASK
    assert api.data("GET", f"/api/connections/{snowflake['id']}")["configuration"]["password"] \
        == MASK
    assert api.data("GET", "/api/connections")[0]["configuration"]["password"] == MASK
    assert "s3cret" not in api("GET", "/api/connections").text


def test_unset_secrets_are_absent(snowflake: JSON) -> None:
    assert "private_key" not in snowflake["configuration"]


def test_get_shape_has_timestamps_and_create_shape_does_not(api: Api, snowflake: JSON) -> None:
    got = api.data("GET", f"/api/connections/{snowflake['id']}")
    assert {"created_at", "updated_by", "rate_limit"} <= got.keys()
    assert "created_at" not in snowflake and snowflake["type"]["id"] == "snowflake"


def test_missing_required_key_is_400_naming_it(api: Api) -> None:
    config = {k: v for k, v in SNOWFLAKE_CONFIG.items() if k != "dbname"}
    response = api("POST", "/api/connections",
                   json={"name": "x", "type": "snowflake", "configuration": config})
    assert response.status_code == 400
    assert response.json()["metadata"]["path"] == "configuration.dbname"


def test_unknown_config_key_is_400(api: Api) -> None:
    response = api("POST", "/api/connections", json={
        "name": "x", "type": "snowflake", "configuration": {**SNOWFLAKE_CONFIG, "role": "r"}})
    assert response.status_code == 400
    assert "configuration.role" in response.json()["message"]


def test_key_pair_auth_needs_pem_private_key(api: Api) -> None:
    config = {"account": "a", "username": "u", "dbname": "d", "key_pair_auth": True,
              "private_key": "not a key"}
    response = api("POST", "/api/connections",
                   json={"name": "x", "type": "snowflake", "configuration": config})
    assert response.status_code == 400
    assert response.json()["metadata"]["path"] == "configuration.private_key"


def test_put_keeps_secret_when_omitted(api: Api, snowflake: JSON) -> None:
    config = {k: v for k, v in SNOWFLAKE_CONFIG.items() if k != "password"}
    assert _put(api, snowflake, config).status_code == 200
    test = api("POST", "/api/connections/test",
               json={"connection_id": snowflake["id"], "configuration": {}})
    assert test.status_code == 204  # still valid: the stored password was kept


def test_put_keeps_secret_when_masked(api: Api, snowflake: JSON) -> None:
    updated = _put(api, snowflake, {**SNOWFLAKE_CONFIG, "password": MASK}).json()["data"]
    assert updated["configuration"]["password"] == MASK


def test_put_clears_omitted_non_secret_keys(api: Api, snowflake: JSON) -> None:
    config = {k: v for k, v in SNOWFLAKE_CONFIG.items() if k not in ("warehouse", "password")}
    updated = _put(api, snowflake, config).json()["data"]
    assert "warehouse" not in updated["configuration"]


def test_put_cannot_change_type(api: Api, snowflake: JSON) -> None:
    response = api("PUT", f"/api/connections/{snowflake['id']}",
                   json={"name": "x", "type": "linkedinads", "configuration": {}})
    assert response.status_code == 400


def test_post_is_an_alias_of_put(api: Api, snowflake: JSON) -> None:
    response = api("POST", f"/api/connections/{snowflake['id']}",
                   json={"name": "Renamed", "type": "snowflake", "configuration": SNOWFLAKE_CONFIG})
    assert response.json()["data"]["name"] == "Renamed"


def test_linkedin_with_credentials_is_healthy_and_masked(api: Api) -> None:
    created = api.data("POST", "/api/connections", json={
        "name": "LI", "type": "linkedinads", "configuration": LINKEDIN_SECRETS})
    assert created["status"] == "healthy" and "auth_url" not in created
    assert created["configuration"]["connected_user"] == linkedin.CONNECTED_USER
    assert {created["configuration"][k] for k in LINKEDIN_SECRETS} == {MASK}


def test_parameter_values_offer_three_ad_accounts(api: Api, linkedin_conn: JSON) -> None:
    values = api.data("GET", f"/api/connections/{linkedin_conn['id']}/parameter_values")
    accounts = values["accounts"]
    assert accounts["allows_creation"] is False
    assert [v["value"] for v in accounts["values"]] == [a["value"] for a in linkedin.AD_ACCOUNTS]


def test_unknown_ad_account_is_422_listing_allowed(api: Api, linkedin_conn: JSON) -> None:
    response = _put(api, linkedin_conn, {"accounts": [{"value": "1::urn:li:organization:2"}]})
    assert response.status_code == 422
    assert response.json()["metadata"]["allowed"] == [a["value"] for a in linkedin.AD_ACCOUNTS]


def test_delete_in_use_is_422_naming_users(api: Api, snowflake: JSON, model: JSON) -> None:
    response = api("DELETE", f"/api/connections/{snowflake['id']}")
    assert response.status_code == 422
    assert response.json()["key"] == "connection_in_use"
    assert response.json()["metadata"]["model_ids"] == [model["id"]]
    assert model["id"] in response.json()["message"]


def test_force_delete_removes_dependents(api: Api, sync: JSON, snowflake: JSON) -> None:
    response = api("DELETE", f"/api/connections/{snowflake['id']}", params={"force": "true"})
    assert response.status_code == 204 and response.content == b""
    assert api("GET", f"/api/syncs/{sync['id']}").status_code == 404
    assert api.data("GET", "/api/models") == []
