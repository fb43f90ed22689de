"""The test-only admin API: simulated time passing, out-of-band changes, failures, latency."""

from __future__ import annotations

import time
from typing import Any

from ..conftest import Emulator
from .conftest import SNOWFLAKE_CONFIG, Api

JSON = dict[str, Any]
SNOWFLAKE = {"name": "Snowflake", "type": "snowflake", "configuration": SNOWFLAKE_CONFIG}


def test_forgotten_idempotency_key_creates_anew(api: Api) -> None:
    headers = {"Idempotency-Key": "create-snowflake-forget"}
    first = api.data("POST", "/api/connections", json=SNOWFLAKE, headers=headers)
    forgotten = api.admin("POST", "idempotency/forget").json()["data"]
    second = api.data("POST", "/api/connections", json=SNOWFLAKE, headers=headers)
    assert forgotten == {"forgotten": 1}
    assert second["id"] != first["id"] and api.state()["connections"] == 2


def test_audience_deleted_out_of_band_shows_as_a_sync_problem(api: Api, sync: JSON) -> None:
    api.delete_audience(sync["target"]["object"])
    problems = api.data("GET", f"/api/syncs/{sync['id']}")["problems"]
    assert [(p["code"], p["path"]) for p in problems] == [("target_not_found", "target.object")]
    assert sync["target"]["object"] not in {a["id"] for a in api.audiences()}


def test_deleting_an_unknown_audience_is_404(api: Api) -> None:
    response = api.admin("DELETE", "audiences/512630692::urn:li:organization:1~user_audience.9")
    assert response.status_code == 404 and response.json()["key"] == "not_found"


def test_audiences_list_the_seeded_ones_with_member_counts(api: Api) -> None:
    audiences = api.audiences()
    assert len(audiences) == 6 and {a["member_count"] for a in audiences} == {0}


def test_queued_failure_needs_a_message(api: Api) -> None:
    response = api.admin("POST", "executions/fail-next", json={"sync_id": "x"})
    assert response.status_code == 400 and "message" in response.json()["message"]


def test_queued_failure_for_an_unknown_sync_is_404(api: Api) -> None:
    response = api.admin("POST", "executions/fail-next", json={"message": "m", "sync_id": "nope"})
    assert response.status_code == 404


def test_latency_setting_delays_every_api_request(emulator: Emulator, api: Api) -> None:
    emulator.set_faults(latency_ms=100)
    started = time.monotonic()
    for _ in range(3):
        assert api("GET", "/api/connections").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_reset_restores_deleted_audiences(emulator: Emulator, api: Api, sync: JSON) -> None:
    api.delete_audience(sync["target"]["object"])
    emulator.reset()
    assert len(api.audiences()) == 6


def test_reset_forgets_queued_outcomes(emulator: Emulator, api: Api) -> None:
    api.fail_next_execution("boom")
    assert api.state()["queued_outcomes"] == 1
    emulator.reset()
    assert api.state()["queued_outcomes"] == 0
