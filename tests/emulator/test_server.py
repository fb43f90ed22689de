"""Transport rules: auth, versions, routing, idempotency, faults, the admin API, persistence."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest
import requests

from ..conftest import Emulator, start_emulator
from .conftest import SNOWFLAKE_CONFIG, Api

SNOWFLAKE = {"name": "Snowflake", "type": "snowflake", "configuration": SNOWFLAKE_CONFIG}


def test_missing_key_gets_401_error_body(emulator: Emulator) -> None:
    response = requests.get(f"{emulator.url}/api/connections", timeout=10)
    assert response.status_code == 401
    body = response.json()
    assert body["status"] == 401 and body["key"] == "unauthorized" and body["metadata"] == {}
    assert body["message"]


def test_wrong_key_is_not_echoed(api: Api) -> None:
    response = api("GET", "/api/connections", headers={"Authorization": "Bearer not-the-key"})
    assert response.status_code == 401
    assert "not-the-key" not in response.text


def test_version_header_is_echoed(api: Api) -> None:
    response = api("GET", "/api/connections", headers={"X-Polytomic-Version": "2024-02-08"})
    assert response.headers["X-Polytomic-Version"] == "2024-02-08"


def test_absent_version_is_served_as_newest(emulator: Emulator) -> None:
    response = requests.get(f"{emulator.url}/api/connections", timeout=10,
                            headers={"Authorization": f"Bearer {emulator.api_key}"})
    assert response.status_code == 200
    assert response.headers["X-Polytomic-Version"] == "2025-09-18"


def test_unsupported_version_is_400_naming_supported_ones(api: Api) -> None:
    response = api("GET", "/api/connections", headers={"X-Polytomic-Version": "2021-05-23"})
    assert response.status_code == 400
    assert response.json()["key"] == "unsupported_version"
    assert "2025-09-18" in response.json()["message"] and "2024-02-08" in response.json()["message"]


def test_unknown_route_is_404_error_body(api: Api) -> None:
    response = api("GET", "/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["key"] == "not_found"


def test_wrong_method_is_405_with_allow(api: Api) -> None:
    response = api("PATCH", "/api/connections")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_idempotent_replay_returns_same_object_once(api: Api) -> None:
    headers = {"Idempotency-Key": "create-snowflake-1"}
    first = api("POST", "/api/connections", json=SNOWFLAKE, headers=headers)
    second = api("POST", "/api/connections", json=SNOWFLAKE, headers=headers)
    assert second.json() == first.json()
    assert api.state()["connections"] == 1


def test_idempotent_replay_repeats_errors(api: Api) -> None:
    headers = {"Idempotency-Key": "bad-snowflake-1"}
    bad = {**SNOWFLAKE, "configuration": {"account": "a"}}
    assert api("POST", "/api/connections", json=bad, headers=headers).status_code == 400
    replay = api("POST", "/api/connections", json=SNOWFLAKE, headers=headers)
    assert replay.status_code == 400


def test_malformed_idempotency_key_is_400(api: Api) -> None:
    response = api("POST", "/api/connections", json=SNOWFLAKE, headers={"Idempotency-Key": "a b"})
    assert response.status_code == 400


def test_key_in_flight_is_409(api: Api, emulator: Emulator) -> None:
    emulator.set_faults(latency_ms=600)
    headers = {"Idempotency-Key": "slow-create-1"}
    first: list[requests.Response] = []
    thread = threading.Thread(target=lambda: first.append(
        api("POST", "/api/connections", json=SNOWFLAKE, headers=headers)))
    thread.start()
    time.sleep(0.2)  # the first request has claimed the key and is sleeping out its latency
    second = api("POST", "/api/connections", json=SNOWFLAKE, headers=headers)
    thread.join()
    assert second.status_code == 409
    assert second.json()["key"] == "idempotency_in_flight"
    assert first[0].status_code == 200


def test_rate_limit_fault_sends_retry_after(api: Api, emulator: Emulator) -> None:
    emulator.set_faults(error_429_rate=1.0, retry_after_seconds=3)
    response = api("GET", "/api/connections")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.json()["key"] == "rate_limited"


def test_5xx_fault_is_503_error_body(api: Api, emulator: Emulator) -> None:
    emulator.set_faults(error_5xx_rate=1.0)
    response = api("GET", "/api/connections")
    assert response.status_code == 503
    assert response.json()["status"] == 503


def test_reset_fault_closes_connection_without_processing(api: Api, emulator: Emulator) -> None:
    emulator.set_faults(reset_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        api("POST", "/api/connections", json=SNOWFLAKE)
    emulator.set_faults()
    assert api.state()["connections"] == 0


def test_dropped_response_is_replayed_by_same_key(api: Api, emulator: Emulator) -> None:
    headers = {"Idempotency-Key": "dropped-create-1"}
    emulator.set_faults(drop_after_commit_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        api("POST", "/api/connections", json=SNOWFLAKE, headers=headers)
    emulator.set_faults()
    replay = api("POST", "/api/connections", json=SNOWFLAKE, headers=headers)
    assert replay.status_code == 200
    assert [c["id"] for c in api.data("GET", "/api/connections")] == [replay.json()["data"]["id"]]


def test_faults_settings_default_unspecified_keys(emulator: Emulator) -> None:
    emulator.set_faults(latency_ms=5)
    faults = requests.get(f"{emulator.url}/__emulator/faults", timeout=10).json()["data"]
    assert faults["latency_ms"] == 5 and faults["error_429_rate"] == 0


def test_unknown_fault_setting_is_400(emulator: Emulator) -> None:
    response = requests.put(f"{emulator.url}/__emulator/faults", json={"chaos": 1}, timeout=10)
    assert response.status_code == 400


def test_request_log_records_api_calls_in_order(api: Api, emulator: Emulator) -> None:
    api("POST", "/api/connections", json=SNOWFLAKE, headers={"Idempotency-Key": "logged-key-1"})
    api("GET", "/api/connections")
    log = emulator.requests_log()
    assert [(r["method"], r["path"], r["status"]) for r in log] == [
        ("POST", "/api/connections", 200), ("GET", "/api/connections", 200)]
    assert log[0]["idempotency_key"] == "logged-key-1" and log[0]["at"]


def test_reset_returns_to_seeded_state(api: Api, emulator: Emulator) -> None:
    api("POST", "/api/connections", json=SNOWFLAKE)
    emulator.reset()
    assert api.state() == {"connections": 0, "models": 0, "syncs": 0, "audiences": 6,
                           "executions": 0, "queued_outcomes": 0}
    assert emulator.requests_log() == []


def test_state_survives_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    process, url = start_emulator(db, "restart-key")
    api = Api(Emulator(url=url, api_key="restart-key"))
    created = api.data("POST", "/api/connections", json=SNOWFLAKE,
                       headers={"Idempotency-Key": "restart-key-1"})
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0

    process, url = start_emulator(db, "restart-key")
    try:
        api = Api(Emulator(url=url, api_key="restart-key"))
        assert api.data("GET", f"/api/connections/{created['id']}")["name"] == "Snowflake"
        replay = api.data("POST", "/api/connections", json=SNOWFLAKE,
                          headers={"Idempotency-Key": "restart-key-1"})
        assert replay["id"] == created["id"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_an_emulator_without_admin_api_answers_404_on_every_admin_path(public_emulator: Emulator) -> None:
    for method, path in [("GET", "health"), ("POST", "reset"), ("GET", "requests"), ("GET", "state"),
                         ("PUT", "faults"), ("POST", "idempotency/forget"), ("GET", "audiences")]:
        response = requests.request(method, f"{public_emulator.url}/__emulator/{path}", timeout=10)
        assert (response.status_code, response.json()["key"]) == (404, "not_found"), path


def test_an_emulator_without_admin_api_serves_the_public_api(public_emulator: Emulator) -> None:
    response = public_emulator.api("GET", "/api/connection_types")

    assert response.status_code == 200
    assert "snowflake" in {t["id"] for t in response.json()["data"]}
