"""Sync executions: start, completion with counts, conflicts, cancel."""

from __future__ import annotations

from typing import Any

from .conftest import Api

JSON = dict[str, Any]


def _start(api: Api, sync: JSON) -> Any:
    return api("POST", f"/api/syncs/{sync['id']}/executions", json={})


def test_start_returns_created_execution(api: Api, sync: JSON) -> None:
    started = _start(api, sync).json()["data"]
    assert set(started) == {"id", "status", "created_at"} and started["status"] == "created"


def test_execution_completes_with_model_row_counts(api: Api, sync: JSON) -> None:
    started = _start(api, sync).json()["data"]
    status = api.data("GET", f"/api/syncs/{sync['id']}/status")
    last = status["last_execution"]
    assert status["current_execution"] is None
    assert (last["id"], last["status"]) == (started["id"], "completed")
    assert last["counts"]["total"] == last["counts"]["insert"] == 50


def test_second_start_while_unfinished_is_409(api: Api, sync: JSON) -> None:
    _start(api, sync)
    second = _start(api, sync)
    assert second.status_code == 409 and second.json()["key"] == "execution_running"


def test_cancel_stops_unfinished_execution(api: Api, sync: JSON) -> None:
    started = _start(api, sync).json()["data"]
    api.data("POST", f"/api/syncs/{sync['id']}/cancel")
    execution = api.data("GET", f"/api/syncs/{sync['id']}/executions/{started['id']}")
    assert execution["status"] == "canceled"


def test_executions_list_newest_first(api: Api, sync: JSON) -> None:
    first = _start(api, sync).json()["data"]["id"]
    api("GET", f"/api/syncs/{sync['id']}/status")
    second = _start(api, sync).json()["data"]["id"]
    listed = api("GET", f"/api/syncs/{sync['id']}/executions").json()
    assert [e["id"] for e in listed["data"]] == [second, first]


def test_sync_with_problems_cannot_start(api: Api, sync: JSON) -> None:
    api("DELETE", f"/api/models/{sync['model_ids'][0]}")
    response = _start(api, sync)
    assert response.status_code == 422 and response.json()["key"] == "sync_has_problems"
