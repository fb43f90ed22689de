"""Model preview (and create/update) check SQL against the sample warehouse, as the service would."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api

JSON = dict[str, Any]


def _body(connection: JSON, query: str) -> JSON:
    return {"name": "Preview", "connection_id": connection["id"],
            "configuration": {"query": query}}


@pytest.mark.parametrize(("query", "named"), [
    ("SELEC email FROM users", 'near "SELEC": syntax error'),
    ("SELECT email FROM customers", "no such table: customers"),
    ("SELECT email, phone FROM users", "no such column: phone"),
])
def test_preview_rejects_bad_sql_naming_the_problem(api: Api, snowflake: JSON, query: str,
                                                    named: str) -> None:
    response = api("POST", "/api/model-preview", json=_body(snowflake, query))
    assert response.status_code == 400
    error = response.json()
    assert error["key"] == "invalid_query" and named in error["message"]
    assert error["metadata"]["path"] == "configuration.query"


def test_preview_returns_detected_fields(api: Api, snowflake: JSON) -> None:
    preview = api.data("POST", "/api/model-preview",
                       json=_body(snowflake, "SELECT email, created_at FROM users"))
    assert [(f["name"], f["type"], f["remote_type"]) for f in preview["fields"]] == [
        ("email", "string", "VARCHAR"), ("created_at", "datetime", "TIMESTAMP_NTZ")]


def test_preview_persists_nothing(api: Api, snowflake: JSON) -> None:
    preview = api.data("POST", "/api/model-preview", json=_body(snowflake, "SELECT email FROM users"))
    assert "id" not in preview
    assert api.state()["models"] == 0 and api.data("GET", "/api/models") == []


def test_preview_of_unknown_connection_is_404(api: Api) -> None:
    response = api("POST", "/api/model-preview",
                   json=_body({"id": "00000000-0000-0000-0000-000000000000"}, "SELECT 1"))
    assert response.status_code == 404
    assert response.json()["metadata"]["path"] == "connection_id"


def test_create_rejects_unknown_column(api: Api, snowflake: JSON) -> None:
    response = api("POST", "/api/models", json=_body(snowflake, "SELECT phone FROM users"))
    assert response.status_code == 400 and "no such column: phone" in response.json()["message"]
    assert api.state()["models"] == 0


def test_update_with_bad_sql_leaves_the_model_unchanged(api: Api, model: JSON) -> None:
    body = {**_body({"id": model["connection_id"]}, "SELECT email FROM nowhere"), "name": "X"}
    assert api("PUT", f"/api/models/{model['id']}", json=body).status_code == 400
    assert api.data("GET", f"/api/models/{model['id']}") == model
