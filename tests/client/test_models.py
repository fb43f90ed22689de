"""PolytomicClient ↔ emulator: the model endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from polytomic_components.client import PolytomicClient
from polytomic_components.errors import NotFoundError

JSON = dict[str, Any]


def test_create_model_detects_the_querys_fields(client: PolytomicClient, model: JSON) -> None:
    fields = {f["name"]: f for f in model["fields"]}
    assert list(fields) == ["first_name", "last_name", "email"]
    assert fields["email"]["type"] == "string"
    assert fields["email"]["remote_type"] == "VARCHAR"


def test_get_and_list_models(client: PolytomicClient, model: JSON) -> None:
    assert client.get_model(model["id"])["fields"] == model["fields"]
    assert model["id"] in {m["id"] for m in client.list_models()}


def test_the_model_list_in_one_answer_holds_each_model_as_get_answers_it(client: PolytomicClient,
                                                                          model: JSON) -> None:
    listed = {m["id"]: m for m in client.list_models_in_one_answer() or ()}
    assert listed[model["id"]] == client.get_model(model["id"])


def test_update_model_redetects_fields(client: PolytomicClient, model: JSON) -> None:
    body = {
        "name": "Emails",
        "connection_id": model["connection_id"],
        "configuration": {"query": "SELECT email, country FROM users"},
    }
    updated = client.update_model(model["id"], body)
    assert updated["name"] == "Emails"
    assert [f["name"] for f in updated["fields"]] == ["email", "country"]


def test_model_sample_returns_records_keyed_by_model(client: PolytomicClient, model: JSON) -> None:
    sample = client.model_sample(model["id"])
    assert sample["records"]
    assert set(sample["records"][0][model["id"]]) == {"first_name", "last_name", "email"}
    assert isinstance(sample["warnings"], list)


def test_deleted_model_is_gone(client: PolytomicClient, model: JSON) -> None:
    client.delete_model(model["id"])
    with pytest.raises(NotFoundError):
        client.get_model(model["id"])
