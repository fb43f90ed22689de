"""PolytomicClient ↔ emulator: real error responses become the right typed errors."""

from __future__ import annotations

import threading
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


def test_invalid_body_is_a_typed_error_with_the_servers_message(
    client: PolytomicClient, snowflake_body: JSON
) -> None:
    del snowflake_body["name"]
    with pytest.raises((BadRequestError, ValidationError)) as caught:
        client.create_connection(snowflake_body)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.status in (400, 422)
    assert (error.method, error.path) == ("POST", "/api/connections")
    assert error.message
    assert snowflake_body["configuration"]["password"] not in str(error)


def test_sync_into_an_unknown_audience_is_refused(client: PolytomicClient, sync_body: Any) -> None:
    with pytest.raises(PolytomicError) as caught:
        client.create_sync(sync_body({"object": "no-such-audience"}))
    assert caught.value.status in (400, 404, 422)
    assert caught.value.path == "/api/syncs"


def test_same_key_while_the_first_request_runs_is_a_conflict(
    client: PolytomicClient, emulator: Emulator, snowflake_body: JSON
) -> None:
    emulator.set_faults(latency_ms=600)
    key = f"conflict-{uuid.uuid4()}"
    first = threading.Thread(
        target=client.create_connection, args=(snowflake_body,), kwargs={"idempotency_key": key}
    )
    first.start()
    try:
        threading.Event().wait(0.2)  # let the first request claim the key
        with pytest.raises(ConflictError) as caught:
            client.create_connection(snowflake_body, idempotency_key=key)
    finally:
        first.join()
    assert caught.value.status == 409
