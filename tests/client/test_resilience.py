"""PolytomicClient ↔ emulator under injected faults: idempotent creates never duplicate."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from polytomic_components.client import PolytomicClient
from polytomic_components.errors import PolytomicConnectionError

from ..conftest import Emulator

JSON = dict[str, Any]


def _key() -> str:
    return f"test-{uuid.uuid4()}"


def test_same_idempotency_key_replays_the_first_create(
    client: PolytomicClient, emulator: Emulator, snowflake_body: JSON
) -> None:
    key = _key()
    first = client.create_connection(snowflake_body, idempotency_key=key)
    second = client.create_connection(snowflake_body, idempotency_key=key)
    assert second["id"] == first["id"]
    assert emulator.state()["connections"] == 1


def test_creates_with_keys_survive_rate_limits_and_server_errors(
    make_client: Callable[..., PolytomicClient], emulator: Emulator, snowflake_body: JSON
) -> None:
    emulator.set_faults(error_429_rate=0.3, error_5xx_rate=0.2, retry_after_seconds=0, seed=7)
    client = make_client(retries=10)
    ids = [
        client.create_connection({**snowflake_body, "name": f"c{i}"}, idempotency_key=_key())["id"]
        for i in range(20)
    ]
    emulator.set_faults(error_429_rate=0, error_5xx_rate=0)
    assert len(set(ids)) == 20
    assert emulator.state()["connections"] == 20
    retried = [r for r in emulator.requests_log() if r["status"] in (429, 502, 503, 504)]
    assert retried, "the faults should have been hit at least once"


def test_dropped_response_after_commit_is_replayed_not_duplicated(
    client: PolytomicClient, emulator: Emulator, snowflake_body: JSON
) -> None:
    emulator.set_faults(drop_after_commit_rate=1.0, seed=1)
    key = _key()
    with pytest.raises(PolytomicConnectionError):
        # Every attempt commits and then loses its response: retries exhaust...
        client.create_connection(snowflake_body, idempotency_key=key)
    # ...yet the key kept them from creating more than one connection.
    assert emulator.state()["connections"] == 1
    emulator.set_faults(drop_after_commit_rate=0)
    replayed = client.create_connection(snowflake_body, idempotency_key=key)
    assert [c["id"] for c in client.list_connections()] == [replayed["id"]]


def test_occasionally_dropped_responses_with_keys_create_exactly_once(
    client: PolytomicClient, emulator: Emulator, snowflake_body: JSON
) -> None:
    emulator.set_faults(drop_after_commit_rate=0.3, seed=3)
    for i in range(10):
        client.create_connection({**snowflake_body, "name": f"conn-{i}"}, idempotency_key=_key())
    emulator.set_faults(drop_after_commit_rate=0)
    assert emulator.state()["connections"] == 10


def test_post_without_key_is_not_retried_after_a_dropped_response(
    client: PolytomicClient, emulator: Emulator, snowflake_body: JSON
) -> None:
    emulator.set_faults(drop_after_commit_rate=1.0, seed=1)
    with pytest.raises(PolytomicConnectionError) as caught:
        client.create_connection(snowflake_body)
    assert caught.value.status is None
    assert isinstance(caught.value, ConnectionError)
    assert emulator.state()["connections"] == 1
    assert len([r for r in emulator.requests_log() if r["method"] == "POST"]) == 1


def test_reads_survive_connection_resets(
    client: PolytomicClient, emulator: Emulator, snowflake: JSON
) -> None:
    emulator.set_faults(reset_rate=0.3, seed=5)
    for _ in range(10):
        assert client.get_connection(snowflake["id"])["id"] == snowflake["id"]
