"""Responses echo what the client sent: nothing invented, nothing changed that was not asked for.

Held to what Polytomic's own Terraform provider (v2.0) expects back from the real service, and to
what it sends (API version 2024-02-08, no Idempotency-Key, a model PUT body repeated in the query).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from .conftest import USER_AUDIENCE, Api

JSON = dict[str, Any]
TERRAFORM_HEADERS = {"X-Polytomic-Version": "2024-02-08"}


def _plain_mappings(model: JSON) -> list[JSON]:
    return [{"source": {"model_id": model["id"], "field": name}, "target": target}
            for name, target in (("first_name", "FirstName"), ("last_name", "LastName"))]


def test_field_mappings_read_back_exactly_as_sent(api: Api, sync_body: Callable[..., JSON],
                                                  model: JSON) -> None:
    sent = _plain_mappings(model)
    sync = api.data("POST", "/api/syncs", json=sync_body(fields=sent))
    assert sync["fields"] == sent
    assert api.data("GET", f"/api/syncs/{sync['id']}")["fields"] == sent


def test_field_mappings_stay_as_sent_after_put(api: Api, sync: JSON,
                                               sync_body: Callable[..., JSON],
                                               model: JSON) -> None:
    sent = _plain_mappings(model)[:1]
    updated = api.data("PUT", f"/api/syncs/{sync['id']}", json=sync_body(fields=sent))
    assert updated["fields"] == sent


def test_per_field_settings_come_back_when_sent(api: Api, sync_body: Callable[..., JSON],
                                                model: JSON) -> None:
    sent = [{**_plain_mappings(model)[0], "sync_mode": "create", "new": False,
             "encryption_enabled": True}]
    assert api.data("POST", "/api/syncs", json=sync_body(fields=sent))["fields"] == sent


def test_filter_logic_is_absent_when_never_set(api: Api, sync: JSON) -> None:
    assert sync.get("filter_logic") is None
    assert api.data("GET", f"/api/syncs/{sync['id']}").get("filter_logic") is None


def test_identity_reads_back_without_invented_keys(api: Api, sync: JSON, model: JSON) -> None:
    assert sync["identity"] == {"source": {"model_id": model["id"], "field": "email"},
                                "target": "Email", "function": "Equality"}


def test_target_reads_back_without_invented_keys(api: Api, sync: JSON) -> None:
    assert sync["target"] == {"connection_id": sync["target"]["connection_id"],
                              "object": USER_AUDIENCE}


def test_model_update_leaves_version_alone(api: Api, model: JSON) -> None:
    body = {"name": "Renamed", "connection_id": model["connection_id"],
            "configuration": {"query": "SELECT email, country FROM users"}}
    updated = api.data("PUT", f"/api/models/{model['id']}", json=body)
    assert updated["version"] == model["version"] == 1
    assert api.data("GET", f"/api/models/{model['id']}")["version"] == 1


def test_model_put_accepts_body_repeated_in_query_string(api: Api, model: JSON) -> None:
    body = {"name": "Renamed", "connection_id": model["connection_id"],
            "configuration": {"query": "SELECT email FROM users"}}
    query = urlencode({"name": "Renamed", "connection_id": model["connection_id"],
                       "configuration": '{"query": "SELECT email FROM users"}'})
    response = api("PUT", f"/api/models/{model['id']}?{query}", json=body,
                   headers=TERRAFORM_HEADERS)
    assert response.status_code == 200, response.text
    assert [f["name"] for f in response.json()["data"]["fields"]] == ["email"]


def test_terraform_style_create_without_idempotency_key_succeeds(
        api: Api, sync_body: Callable[..., JSON], model: JSON) -> None:
    response = api("POST", "/api/syncs", json=sync_body(fields=_plain_mappings(model)),
                   headers=TERRAFORM_HEADERS)
    assert response.status_code == 200, response.text
    assert response.headers["X-Polytomic-Version"] == "2024-02-08"
    assert response.json()["data"]["fields"] == _plain_mappings(model)


def test_schedule_reads_back_as_sent(api: Api, sync_body: Callable[..., JSON]) -> None:
    schedule = {"frequency": "weekly", "day_of_week": "Monday", "hour": "06", "minute": "0"}
    assert api.data("POST", "/api/syncs", json=sync_body(schedule=schedule))["schedule"] \
        == schedule


def test_schedule_numbers_are_refused_as_the_api_types_them_as_strings(
        api: Api, sync_body: Callable[..., JSON]) -> None:
    response = api("POST", "/api/syncs",
                   json=sync_body(schedule={"frequency": "daily", "hour": 6, "minute": "0"}))
    assert response.status_code == 400 and response.json()["metadata"]["path"] == "schedule.hour"
