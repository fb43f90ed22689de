"""Connection types: the list, each type's configuration schema, and configurations checked
against it with no per-type rules beyond the schema (except upstream checks)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api

JSON = dict[str, Any]
MASK = "********"
SCHEMA_TYPES = ("snowflake", "linkedinads", "postgresql", "bigquery", "s3", "salesforce",
                "hubspot")
POSTGRES = {"hostname": "db.example.com", "username": "app", "password": "pg-secret",
            "database": "crm", "port": 5432}


def _create(api: Api, type_id: str, configuration: JSON) -> Any:
    return api("POST", "/api/connections",
               json={"name": type_id, "type": type_id, "configuration": configuration})


def _error_path(api: Api, type_id: str, configuration: JSON) -> str:
    response = _create(api, type_id, configuration)
    assert response.status_code == 400, response.text
    return str(response.json()["metadata"]["path"])


def test_list_has_every_type_with_capabilities(api: Api) -> None:
    types = {t["id"]: t for t in api.data("GET", "/api/connection_types")}
    assert set(SCHEMA_TYPES) <= set(types)
    assert types["linkedinads"]["capabilities"]["destination"] is True
    assert types["linkedinads"]["capabilities"]["source"] is False
    assert types["hubspot"]["use_oauth"] is True and types["postgresql"]["use_oauth"] is False


@pytest.mark.parametrize("type_id", SCHEMA_TYPES)
def test_schema_is_a_bare_json_schema_object(api: Api, type_id: str) -> None:
    response = api("GET", f"/api/connection_types/{type_id}")
    assert response.status_code == 200
    schema = response.json()
    assert "data" not in schema and schema["type"] == "object"
    assert schema["properties"] and set(schema.get("required", [])) <= set(schema["properties"])


def test_schema_marks_secrets_sensitive_and_lists_required(api: Api) -> None:
    schema = api("GET", "/api/connection_types/postgresql").json()
    sensitive = {k for k, p in schema["properties"].items() if p.get("sensitive")}
    assert {"password", "ssh_private_key", "client_key"} <= sensitive
    assert schema["required"] == ["hostname", "username", "password", "database", "port"]
    assert schema["properties"]["port"]["type"] == "integer"


def test_unknown_type_schema_is_404(api: Api) -> None:
    response = api("GET", "/api/connection_types/mysqlx")
    assert response.status_code == 404 and response.json()["key"] == "not_found"


def test_a_schema_only_type_can_be_created_and_its_secret_is_masked(api: Api) -> None:
    created = _create(api, "postgresql", POSTGRES).json()["data"]
    assert created["configuration"]["password"] == MASK
    assert created["status"] == "healthy"
    assert "pg-secret" not in api("GET", f"/api/connections/{created['id']}").text


def test_missing_required_key_is_named(api: Api) -> None:
    config = {k: v for k, v in POSTGRES.items() if k != "database"}
    assert _error_path(api, "postgresql", config) == "configuration.database"


def test_wrong_type_is_named(api: Api) -> None:
    assert _error_path(api, "postgresql", {**POSTGRES, "port": "5432"}) == "configuration.port"


def test_boolean_is_not_a_number(api: Api) -> None:
    assert _error_path(api, "postgresql", {**POSTGRES, "port": True}) == "configuration.port"


def test_enum_value_outside_the_schema_is_named_with_allowed_values(api: Api) -> None:
    response = _create(api, "bigquery", {"auth_method": "password"})
    assert response.status_code == 400
    assert response.json()["metadata"]["path"] == "configuration.auth_method"
    assert "service_account_key" in response.json()["metadata"]["allowed"]


def test_enum_inside_an_array_is_checked(api: Api) -> None:
    config = {"auth_mode": "iam_role", "s3_bucket_region": "us-east-1",
              "s3_bucket_name": "s3://b", "single_table_file_formats": ["csv", "xlsx"]}
    assert _error_path(api, "s3", config) == "configuration.single_table_file_formats[1]"


def test_unknown_key_is_named(api: Api) -> None:
    assert _error_path(api, "postgresql", {**POSTGRES, "schema": "public"}) \
        == "configuration.schema"


def test_read_only_key_is_ignored_on_input(api: Api) -> None:
    config = {"auth_method": "service_account_key", "service_account": "{}",
              "client_email": "forged@example.com"}
    created = _create(api, "bigquery", config).json()["data"]
    assert "client_email" not in created["configuration"]


def test_secret_kept_when_omitted_on_update(api: Api) -> None:
    created = _create(api, "postgresql", POSTGRES).json()["data"]
    config = {k: v for k, v in POSTGRES.items() if k != "password"}
    updated = api("PUT", f"/api/connections/{created['id']}",
                  json={"name": "pg", "type": "postgresql", "configuration": config})
    assert updated.status_code == 200 and updated.json()["data"]["configuration"]["password"] \
        == MASK


def test_oauth_type_without_credentials_waits_for_a_browser(api: Api) -> None:
    created = _create(api, "hubspot", {}).json()["data"]
    assert created["status"] != "healthy"
    assert created["auth_url"].startswith(f"{api.emulator.url}/oauth/hubspot/authorize?")


def test_model_on_a_source_the_emulator_has_no_data_for_is_not_emulated(api: Api) -> None:
    salesforce = _create(api, "salesforce", {"client_id": "c", "client_secret": "s",
                                             "domain": "x.my.salesforce.com",
                                             "oauth_refresh_token": "r"}).json()["data"]
    response = api("POST", "/api/models", json={"name": "m", "connection_id": salesforce["id"],
                                                "configuration": {"query": "SELECT 1"}})
    assert response.status_code == 400 and response.json()["key"] == "not_emulated"


def test_model_on_postgresql_reads_the_sample_warehouse(api: Api) -> None:
    postgres = _create(api, "postgresql", POSTGRES).json()["data"]
    model = api.data("POST", "/api/models", json={"name": "m", "connection_id": postgres["id"],
                                                  "configuration": {"query": "SELECT email "
                                                                             "FROM users"}})
    assert [f["name"] for f in model["fields"]] == ["email"]
