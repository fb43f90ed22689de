"""PolytomicClient ↔ emulator: real error responses become the right typed errors."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from polytomic_components.client import PolytomicClient
from polytomic_components.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PolytomicError,
    ValidationError,
)

from ..conftest import Emulator

JSON = dict[str, Any]


def test_wrong_api_key_is_an_authentication_error(
    make_client: Callable[..., PolytomicClient],
) -> None:
    wrong_key = "wrong-key-do-not-print-0000"
    with pytest.raises(AuthenticationError) as caught:
        make_client(api_key=wrong_key).me()
    error = caught.value
    assert (error.status, error.method, error.path) == (401, "GET", "/api/me")
    assert error.message
    assert wrong_key not in str(error)
    assert "polytomic:apiKey" in str(error)


def test_unknown_id_is_not_found(client: PolytomicClient) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(NotFoundError) as caught:
        client.get_sync(missing)
    error = caught.value
    assert (error.status, error.method, error.path) == (404, "GET", f"/api/syncs/{missing}")
    assert isinstance(error, LookupError)
    assert "pulumi refresh" in str(error)


def test_delete_of_a_missing_object_is_not_found(client: PolytomicClient) -> None:
    with pytest.raises(NotFoundError):
        client.delete_model(str(uuid.uuid4()))


def test_invalid_body_is_a_bad_request_naming_the_field(
    client: PolytomicClient, snowflake_body: JSON
) -> None:
    del snowflake_body["name"]
    with pytest.raises(BadRequestError) as caught:
        client.create_connection(snowflake_body)
    error = caught.value
    assert (error.status, error.key, error.method, error.path) == (
        400,
        "validation_failed",
        "POST",
        "/api/connections",
    )
    assert error.metadata["path"] == "name"
    assert "name" in error.message
    assert snowflake_body["configuration"]["password"] not in str(error)


def test_bad_model_query_is_a_bad_request(client: PolytomicClient, snowflake: JSON) -> None:
    body = {
        "name": "Broken",
        "connection_id": snowflake["id"],
        "configuration": {"query": "SELECT nope FROM missing_table"},
    }
    with pytest.raises(BadRequestError) as caught:
        client.create_model(body)
    assert (caught.value.status, caught.value.key) == (400, "invalid_query")
    assert "missing_table" in caught.value.message


def test_connection_in_use_is_a_validation_error_naming_its_users(
    client: PolytomicClient, snowflake: JSON, model: JSON
) -> None:
    with pytest.raises(ValidationError) as caught:
        client.delete_connection(snowflake["id"])
    error = caught.value
    assert (error.status, error.key, error.method, error.path) == (
        422,
        "connection_in_use",
        "DELETE",
        f"/api/connections/{snowflake['id']}",
    )
    assert error.metadata["model_ids"] == [model["id"]]
    assert "force" in error.message


def test_sync_into_an_unknown_audience_is_refused(client: PolytomicClient, sync_body: Any) -> None:
    with pytest.raises(PolytomicError) as caught:
        client.create_sync(sync_body({"object": "no-such-audience"}))
    assert caught.value.status in (400, 404, 422)
    assert caught.value.path == "/api/syncs"


def test_same_key_while_the_first_request_runs_is_a_conflict(
    client: PolytomicClient, emulator: Emulator, snowflake_body: JSON
) -> None:
    emulator.set_faults(latency_ms=1500)
    key = f"conflict-{uuid.uuid4()}"
    first = threading.Thread(
        target=client.create_connection, args=(snowflake_body,), kwargs={"idempotency_key": key}
    )
    first.start()
    try:
        time.sleep(0.4)  # let the first request claim the key
        with pytest.raises(ConflictError) as caught:
            client.create_connection(snowflake_body, idempotency_key=key)
    finally:
        first.join()
    assert caught.value.status == 409
