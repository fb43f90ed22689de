"""Model options the API documents: stored, echoed, and checked against the model's fields."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api

JSON = dict[str, Any]
QUERY = "SELECT id, email, first_name, company_id, created_at FROM users"


@pytest.fixture
def body(snowflake: JSON) -> JSON:
    return {"name": "Users", "connection_id": snowflake["id"], "configuration": {"query": QUERY}}


@pytest.fixture
def companies(api: Api, snowflake: JSON) -> JSON:
    return api.data("POST", "/api/models", json={
        "name": "Companies", "connection_id": snowflake["id"],
        "configuration": {"table": "companies"}})


def _error(api: Api, body: JSON) -> JSON:
    response = api("POST", "/api/models", json=body)
    assert response.status_code == 400, response.text
    return dict(response.json())


def test_identifier_and_tracking_columns_are_echoed(api: Api, body: JSON) -> None:
    model = api.data("POST", "/api/models", json={**body, "identifier": "id",
                                                  "tracking_columns": ["created_at"]})
    assert model["identifier"] == "id" and model["tracking_columns"] == ["created_at"]
    assert [f["name"] for f in model["fields"] if f["unique"]] == ["id"]


def test_unknown_tracking_column_is_named(api: Api, body: JSON) -> None:
    error = _error(api, {**body, "tracking_columns": ["created_at", "updated_at"]})
    assert error["metadata"]["path"] == "tracking_columns[1]"
    assert "created_at" in error["metadata"]["allowed"]


def test_unknown_identifier_is_named(api: Api, body: JSON) -> None:
    assert _error(api, {**body, "identifier": "uuid"})["metadata"]["path"] == "identifier"


def test_additional_fields_join_the_fields_as_user_added(api: Api, body: JSON) -> None:
    extra = {"name": "segment", "label": "Segment", "type": "string", "example": "smb"}
    model = api.data("POST", "/api/models", json={**body, "additional_fields": [extra]})
    added = [f for f in model["fields"] if f["user_added"]]
    assert [(f["name"], f["label"], f["type"], f["example"]) for f in added] == [
        ("segment", "Segment", "string", "smb")]


def test_additional_field_needs_a_label(api: Api, body: JSON) -> None:
    error = _error(api, {**body, "additional_fields": [{"name": "segment", "type": "string"}]})
    assert error["metadata"]["path"] == "additional_fields[0].label"


def test_additional_field_cannot_shadow_a_column(api: Api, body: JSON) -> None:
    extra = {"name": "email", "label": "Email", "type": "string"}
    error = _error(api, {**body, "additional_fields": [extra]})
    assert error["metadata"]["path"] == "additional_fields[0].name"


def test_tracking_column_may_be_an_additional_field(api: Api, body: JSON) -> None:
    extra = {"name": "segment", "label": "Segment", "type": "string"}
    model = api.data("POST", "/api/models", json={**body, "additional_fields": [extra],
                                                  "tracking_columns": ["segment"]})
    assert model["tracking_columns"] == ["segment"]


def test_relations_are_echoed(api: Api, body: JSON, companies: JSON) -> None:
    relation = {"from": "company_id", "to": {"model_id": companies["id"], "field": "id"}}
    model = api.data("POST", "/api/models", json={**body, "relations": [relation]})
    assert model["relations"] == [relation]


@pytest.mark.parametrize(("relation", "path"), [
    ({"from": "company", "to": {"field": "id"}}, "relations[0].from"),
    ({"from": "company_id", "to": {"field": "uuid"}}, "relations[0].to.field"),
    ({"from": "company_id", "to": {"model_id": "00000000-0000-0000-0000-000000000000",
                                   "field": "id"}}, "relations[0].to.model_id"),
])
def test_relation_to_unknown_field_or_model_is_named(api: Api, body: JSON, companies: JSON,
                                                     relation: JSON, path: str) -> None:
    relation["to"].setdefault("model_id", companies["id"])
    assert _error(api, {**body, "relations": [relation]})["metadata"]["path"] == path


def test_labels_are_echoed_as_label_objects(api: Api, body: JSON) -> None:
    model = api.data("POST", "/api/models", json={**body, "labels": ["marketing", "pii"]})
    assert model["labels"] == [{"name": "marketing"}, {"name": "pii"}]


def test_label_must_be_a_string(api: Api, body: JSON) -> None:
    assert _error(api, {**body, "labels": [7]})["metadata"]["path"] == "labels[0]"


def test_options_survive_a_get(api: Api, body: JSON) -> None:
    model = api.data("POST", "/api/models", json={**body, "identifier": "id",
                                                  "labels": ["pii"], "fields": ["id", "email"]})
    assert api.data("GET", f"/api/models/{model['id']}") == model
    assert [f["name"] for f in model["fields"]] == ["id", "email"]
