"""Models: field detection, query errors, replacement, samples."""

from __future__ import annotations

from typing import Any

from .conftest import Api

JSON = dict[str, Any]


def _model_body(connection: JSON, **configuration: str) -> JSON:
    return {"name": "M", "connection_id": connection["id"], "configuration": configuration}


def test_query_fields_and_types_are_detected(model: JSON) -> None:
    fields = {f["name"]: (f["type"], f["remote_type"]) for f in model["fields"]}
    assert fields == {"email": ("string", "VARCHAR"), "first_name": ("string", "VARCHAR"),
                      "last_name": ("string", "VARCHAR"), "is_active": ("boolean", "BOOLEAN")}
    assert model["version"] == 1


def test_computed_columns_get_inferred_types(api: Api, snowflake: JSON) -> None:
    query = "SELECT country, count(*) AS n, max(created_at) AS latest FROM users GROUP BY 1"
    model = api.data("POST", "/api/models", json=_model_body(snowflake, query=query))
    types = {f["name"]: f["type"] for f in model["fields"]}
    assert types == {"country": "string", "n": "number", "latest": "string"}


def test_table_configuration_selects_whole_table(api: Api, snowflake: JSON) -> None:
    model = api.data("POST", "/api/models",
                     json=_model_body(snowflake, schema="public", table="companies"))
    assert [f["name"] for f in model["fields"]][:3] == ["id", "name", "domain"]
    assert model["fields"][0]["remote_type"] == "NUMBER"


def test_bad_query_is_400_with_database_message(api: Api, snowflake: JSON) -> None:
    body = _model_body(snowflake, query="SELECT nope FROM users")
    response = api("POST", "/api/models", json=body)
    assert response.status_code == 400
    assert response.json()["key"] == "invalid_query"
    assert "no such column: nope" in response.json()["message"]


def test_writing_query_is_rejected(api: Api, snowflake: JSON) -> None:
    response = api("POST", "/api/models", json=_model_body(snowflake, query="DELETE FROM users"))
    assert response.status_code == 400
    assert api("POST", "/api/model-preview",
               json=_model_body(snowflake, query="SELECT * FROM users")).json()["data"]["fields"]


def test_destination_connection_cannot_back_a_model(api: Api, linkedin_conn: JSON) -> None:
    response = api("POST", "/api/models", json=_model_body(linkedin_conn, query="SELECT 1"))
    assert response.status_code == 400
    assert response.json()["metadata"]["path"] == "connection_id"


def test_update_keeps_field_ids(api: Api, model: JSON) -> None:
    body = _model_body({"id": model["connection_id"]}, query="SELECT email, country FROM users")
    updated = api.data("PUT", f"/api/models/{model['id']}", json=body)
    ids = {f["name"]: f["id"] for f in model["fields"]}
    assert updated["fields"][0]["id"] == ids["email"]
    assert [f["name"] for f in updated["fields"]] == ["email", "country"]


def test_identifier_must_be_a_field(api: Api, snowflake: JSON) -> None:
    body = {**_model_body(snowflake, query="SELECT email FROM users"), "identifier": "id"}
    assert api("POST", "/api/models", json=body).status_code == 400


def test_sample_returns_records_keyed_by_model(api: Api, model: JSON) -> None:
    sample = api.data("GET", f"/api/models/{model['id']}/sample")
    assert len(sample["records"]) == 10
    assert set(sample["records"][0][model["id"]]) == {"email", "first_name", "last_name",
                                                      "is_active"}


def test_models_list_answers_every_model_at_once(api: Api, snowflake: JSON) -> None:
    for _ in range(3):
        api("POST", "/api/models", json=_model_body(snowflake, query="SELECT 1 AS one"))
    body = api("GET", "/api/models", params={"limit": 2}).json()
    assert len(body["data"]) == 3 and "pagination" not in body


def test_deleting_a_used_model_leaves_a_sync_problem(api: Api, sync: JSON) -> None:
    assert api("DELETE", f"/api/models/{sync['model_ids'][0]}").status_code == 204
    problems = api.data("GET", f"/api/syncs/{sync['id']}")["problems"]
    assert [p["code"] for p in problems] == ["model_not_found"]
