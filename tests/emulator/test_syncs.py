"""Model syncs: validation, target.create, secrets, listing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import FIRST_ACCOUNT, USER_AUDIENCE, Api

JSON = dict[str, Any]
NEW_AUDIENCE = {"account": FIRST_ACCOUNT, "type": "user_audience", "name": "Fresh"}


def _error(api: Api, body: JSON) -> JSON:
    response = api("POST", "/api/syncs", json=body)
    assert response.status_code in (400, 422), response.text
    return dict(response.json())


def test_create_returns_full_sync(sync: JSON, model: JSON) -> None:
    assert sync["model_ids"] == [model["id"]]
    assert sync["identities"]["mappings"] == [sync["identity"]]
    assert sync["problems"] == [] and sync["active"] is False


def test_identity_function_is_normalised(sync: JSON) -> None:
    assert sync["identity"]["function"] == "Equality"


def test_unknown_mode_is_400(api: Api, sync_body: Callable[..., JSON]) -> None:
    error = _error(api, sync_body(mode="upsert"))
    assert error["status"] == 400 and error["metadata"]["path"] == "mode"


def test_mode_unsupported_by_audience_is_422(api: Api, sync_body: Callable[..., JSON]) -> None:
    error = _error(api, sync_body(mode="updateOrCreate"))
    assert error["status"] == 422 and error["metadata"]["allowed"] == ["create", "remove"]


def test_unknown_source_field_is_named(api: Api, sync_body: Callable[..., JSON],
                                       model: JSON) -> None:
    fields = [{"source": {"model_id": model["id"], "field": "phone"}, "target": "FirstName"}]
    error = _error(api, sync_body(fields=fields))
    assert error["metadata"]["path"] == "fields[0].source.field"
    assert "email" in error["metadata"]["allowed"]


def test_unknown_target_field_is_named(api: Api, sync_body: Callable[..., JSON]) -> None:
    body = sync_body()
    body["fields"][1]["target"] = "Surname"
    error = _error(api, body)
    assert error["metadata"]["path"] == "fields[1].target"
    assert "LastName" in error["metadata"]["allowed"]


def test_non_identity_target_cannot_be_identity(api: Api, sync_body: Callable[..., JSON]) -> None:
    body = sync_body()
    body["identity"]["target"] = "FirstName"
    assert _error(api, body)["metadata"]["path"] == "identity.target"


def test_object_and_create_together_is_400(api: Api, sync_body: Callable[..., JSON],
                                           linkedin_conn: JSON) -> None:
    target = {"connection_id": linkedin_conn["id"], "object": USER_AUDIENCE,
              "create": NEW_AUDIENCE}
    error = _error(api, sync_body(target=target))
    assert error["status"] == 400 and error["metadata"]["path"] == "target"


@pytest.mark.parametrize(("schedule", "path"), [
    ({"frequency": "fortnightly"}, "schedule.frequency"),
    ({"frequency": "daily", "minute": "5"}, "schedule.hour"),
    ({"frequency": "hourly", "minute": "60"}, "schedule.minute"),
    ({"frequency": "weekly", "hour": "1", "minute": "0", "day_of_week": "funday"},
     "schedule.day_of_week"),
])
def test_bad_schedule_is_400_naming_key(api: Api, sync_body: Callable[..., JSON],
                                        schedule: JSON, path: str) -> None:
    error = _error(api, sync_body(schedule=schedule))
    assert error["status"] == 400 and error["metadata"]["path"] == path


def test_unknown_audience_is_422(api: Api, sync_body: Callable[..., JSON],
                                 linkedin_conn: JSON) -> None:
    target = {"connection_id": linkedin_conn["id"], "object": f"{FIRST_ACCOUNT}~user_audience.1"}
    assert _error(api, sync_body(target=target))["metadata"]["path"] == "target.object"


def test_target_create_mints_listed_audience_and_is_not_echoed(
        api: Api, sync_body: Callable[..., JSON], linkedin_conn: JSON) -> None:
    target = {"connection_id": linkedin_conn["id"], "create": NEW_AUDIENCE}
    sync = api.data("POST", "/api/syncs", json=sync_body(target=target))
    assert "create" not in sync["target"]
    assert sync["target"]["object"].startswith(f"{FIRST_ACCOUNT}~user_audience.")
    objects = api.data("GET", f"/api/connections/{linkedin_conn['id']}/modelsync/targetobjects")
    assert {"id": sync["target"]["object"], "name": "User Audience: Fresh"} in [
        {"id": o["id"], "name": o["name"]} for o in objects]


def test_put_with_same_create_reuses_the_audience(api: Api, sync_body: Callable[..., JSON],
                                                  linkedin_conn: JSON) -> None:
    body = sync_body(target={"connection_id": linkedin_conn["id"], "create": NEW_AUDIENCE})
    sync = api.data("POST", "/api/syncs", json=body)
    updated = api.data("PUT", f"/api/syncs/{sync['id']}", json=body)
    assert updated["target"]["object"] == sync["target"]["object"]
    assert api.state()["audiences"] == 7


def test_create_with_disabled_account_is_422(api: Api, sync_body: Callable[..., JSON],
                                             linkedin_conn: JSON) -> None:
    create = {**NEW_AUDIENCE, "account": "509937215::urn:li:organization:76213840"}
    target = {"connection_id": linkedin_conn["id"], "create": create}
    error = _error(api, sync_body(target=target))
    assert error["status"] == 422 and error["metadata"]["path"] == "target.create.account"


def test_passphrase_is_masked_and_kept_on_put(api: Api, sync_body: Callable[..., JSON]) -> None:
    sync = api.data("POST", "/api/syncs", json=sync_body(encryption_passphrase="hush"))
    assert sync["encryption_passphrase"] == "********"
    updated = api.data("PUT", f"/api/syncs/{sync['id']}", json=sync_body())
    assert updated["encryption_passphrase"] == "********"


def test_put_replaces_whole_sync(api: Api, sync: JSON, sync_body: Callable[..., JSON]) -> None:
    body = sync_body(name="Renamed")
    del body["identity"]
    updated = api.data("PUT", f"/api/syncs/{sync['id']}", json=body)
    assert updated["name"] == "Renamed" and "identity" not in updated


def test_activate_sets_active(api: Api, sync: JSON) -> None:
    result = api.data("POST", f"/api/syncs/{sync['id']}/activate", json={"active": True})
    assert result == {"id": sync["id"], "active": True}


def test_list_pages_through_sixty_syncs(api: Api, sync_body: Callable[..., JSON]) -> None:
    created = {api.data("POST", "/api/syncs", json=sync_body(name=f"s{i}"))["id"]
               for i in range(60)}
    seen: list[str] = []
    params: JSON = {}
    while True:
        page = api("GET", "/api/syncs", params=params).json()
        seen += [item["id"] for item in page["data"]]
        token = page["pagination"].get("next_page_token")
        if not token:
            break
        params = {"page_token": token}
    assert len(seen) == 60 and set(seen) == created
    assert "fields" not in page["data"][0]


def test_list_filters_by_mode(api: Api, sync: JSON) -> None:
    assert api.data("GET", "/api/syncs", params={"mode": "remove"}) == []
    assert [s["id"] for s in api.data("GET", "/api/syncs", params={"mode": "create"})] \
        == [sync["id"]]


def test_old_version_lists_full_syncs_without_pagination(api: Api, sync: JSON) -> None:
    body = api("GET", "/api/syncs", headers={"X-Polytomic-Version": "2024-02-08"}).json()
    assert "pagination" not in body and body["data"][0]["fields"] == sync["fields"]


def test_put_with_same_create_after_the_audience_vanished_mints_a_new_one(
        api: Api, sync_body: Callable[..., JSON], linkedin_conn: JSON) -> None:
    body = sync_body(target={"connection_id": linkedin_conn["id"], "create": NEW_AUDIENCE})
    sync = api.data("POST", "/api/syncs", json=body)
    api.delete_audience(sync["target"]["object"])
    updated = api.data("PUT", f"/api/syncs/{sync['id']}", json=body)
    assert updated["target"]["object"] != sync["target"]["object"]
    assert updated["problems"] == []
