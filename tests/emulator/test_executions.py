"""Sync executions: start, completion with counts, conflicts, cancel."""

from __future__ import annotations

from collections.abc import Callable
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


def _status(api: Api, sync: JSON) -> JSON:
    return dict(api.data("GET", f"/api/syncs/{sync['id']}/status"))


def _run(api: Api, sync: JSON, **options: Any) -> JSON:
    """Start an execution and read it back finished."""
    started = api("POST", f"/api/syncs/{sync['id']}/executions", json=options)
    assert started.status_code == 200, started.text
    return dict(api.data("GET", f"/api/syncs/{sync['id']}/executions/"
                                f"{started.json()['data']['id']}"))


def _audience(api: Api, sync: JSON) -> JSON:
    audiences = {a["id"]: a for a in api.audiences()}
    return audiences[sync["target"]["object"]]


def test_get_execution_matches_the_status_report(api: Api, sync: JSON) -> None:
    execution = _run(api, sync)
    assert _status(api, sync)["last_execution"] == execution


def test_rows_become_audience_members(api: Api, sync: JSON) -> None:
    _run(api, sync)
    assert _audience(api, sync)["member_count"] == 50


def test_model_filters_decide_which_rows_are_sent(api: Api, sync_body: Callable[..., JSON],
                                                  model: JSON) -> None:
    active = {"source": {"model_id": model["id"], "field": "is_active"}, "function": "True"}
    sync = api.data("POST", "/api/syncs",
                    json=sync_body(model_filters={"conditions": [active]}))
    counts = _run(api, sync)["counts"]
    assert 0 < counts["insert"] == counts["total"] < 50


def test_unchanged_records_are_not_sent_again(api: Api, sync: JSON) -> None:
    _run(api, sync)
    assert _run(api, sync)["counts"] == dict.fromkeys(
        ("insert", "update", "delete", "upserts", "error", "warnings", "total"), 0)


def test_resync_sends_every_record_again_as_updates(api: Api, sync: JSON) -> None:
    _run(api, sync)
    counts = _run(api, sync, resync=True)["counts"]
    assert counts["update"] == counts["total"] == 50 and counts["insert"] == 0


def test_rows_without_an_identity_value_are_record_errors(
        api: Api, snowflake: JSON, sync_body: Callable[..., JSON]) -> None:
    query = ("SELECT CASE WHEN id % 10 = 0 THEN NULL ELSE email END AS email, first_name, "
             "last_name FROM users")
    model = api.data("POST", "/api/models", json={"name": "Gappy", "connection_id": snowflake["id"],
                                                  "configuration": {"query": query}})
    source = {"model_id": model["id"], "field": "email"}
    body = sync_body(identity={"source": source, "target": "Email", "function": "Equality"},
                     fields=[{"source": {**source, "field": "first_name"},
                              "target": "FirstName"}])
    execution = _run(api, api.data("POST", "/api/syncs", json=body))
    assert execution["status"] == "completed"
    assert (execution["counts"]["error"], execution["counts"]["insert"]) == (5, 45)


def test_remove_mode_takes_members_out(api: Api, sync: JSON,
                                       sync_body: Callable[..., JSON]) -> None:
    _run(api, sync)
    remover = api.data("POST", "/api/syncs", json=sync_body(name="Remove", mode="remove"))
    assert _run(api, remover)["counts"]["delete"] == 50
    assert _audience(api, sync)["member_count"] == 0


def test_execution_into_a_vanished_audience_fails_naming_it(api: Api, sync: JSON) -> None:
    api.delete_audience(sync["target"]["object"])
    execution = _run(api, sync)
    assert execution["status"] == "failed"
    assert sync["target"]["object"] in execution["errors"][0]
    assert _status(api, sync)["last_execution"]["status"] == "failed"


def test_execution_of_a_sync_whose_model_is_gone_fails(api: Api, sync: JSON) -> None:
    api("DELETE", f"/api/models/{sync['model_ids'][0]}")
    execution = _run(api, sync)
    assert execution["status"] == "failed" and "no longer exists" in execution["errors"][0]


def test_queued_failure_fails_the_next_execution_only(api: Api, sync: JSON) -> None:
    api.fail_next_execution("LinkedIn API rate limit exceeded")
    failed = _run(api, sync)
    assert (failed["status"], failed["errors"]) == ("failed", ["LinkedIn API rate limit exceeded"])
    assert _run(api, sync)["status"] == "completed"


def test_queued_failure_for_one_sync_spares_the_others(api: Api, sync: JSON,
                                                       sync_body: Callable[..., JSON]) -> None:
    other = api.data("POST", "/api/syncs", json=sync_body(name="Other"))
    api.fail_next_execution("boom", sync_id=sync["id"])
    assert _run(api, other)["status"] == "completed"
    assert _run(api, sync)["status"] == "failed"


def test_filter_logic_binds_and_tighter_than_or(api: Api, snowflake: JSON,
                                                sync_body: Callable[..., JSON]) -> None:
    model = api.data("POST", "/api/models", json={
        "name": "Countries", "connection_id": snowflake["id"],
        "configuration": {"query": "SELECT email, first_name, is_active, country FROM users"}})

    def source(field: str) -> JSON:
        return {"model_id": model["id"], "field": field}

    conditions = [{"source": source("email"), "function": "IsNotNull", "label": "A"},
                  {"source": source("is_active"), "function": "True", "label": "B"},
                  {"source": source("country"), "function": "Equality", "value": "US",
                   "label": "C"}]
    body = sync_body(identity={"source": source("email"), "target": "Email",
                               "function": "Equality"},
                     fields=[{"source": source("first_name"), "target": "FirstName"}],
                     model_filters={"conditions": conditions, "logic": "A or B and C"})
    assert _run(api, api.data("POST", "/api/syncs", json=body))["counts"]["insert"] == 50


def test_stalled_execution_keeps_running_until_cancelled(api: Api, sync: JSON) -> None:
    assert api.admin("POST", "executions/stall-next", json={"sync_id": sync["id"]}).ok
    started = _start(api, sync).json()["data"]
    for _ in range(3):
        assert _status(api, sync)["current_execution"]["status"] == "running"
    api.data("POST", f"/api/syncs/{sync['id']}/cancel")
    assert _status(api, sync)["last_execution"]["id"] == started["id"]
    assert _status(api, sync)["last_execution"]["status"] == "canceled"
