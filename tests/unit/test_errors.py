"""errors: status → class, the body shapes the API uses, and messages that never leak secrets."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from polytomic_components.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PolytomicError,
    RateLimitedError,
    ServerError,
    ValidationError,
    error_from_response,
)

SECRET = "sk-live-do-not-print-0123456789"


def _response(
    status: int,
    body: Any,
    *,
    method: str = "POST",
    url: str = "https://app.polytomic.com/api/syncs",
    reason: str = "",
) -> requests.Response:
    """A response to a request that carries a secret in its header, query and body."""
    request = requests.Request(
        method,
        f"{url}?token={SECRET}",
        headers={"Authorization": f"Bearer {SECRET}"},
        json={"configuration": {"password": SECRET}},
    ).prepare()
    response = requests.Response()
    response.status_code = status
    response.reason = reason
    response.request = request
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return response


@pytest.mark.parametrize(
    ("status", "cls", "builtin"),
    [
        (400, BadRequestError, ValueError),
        (401, AuthenticationError, PermissionError),
        (403, PermissionDeniedError, PermissionError),
        (404, NotFoundError, LookupError),
        (409, ConflictError, PolytomicError),
        (422, ValidationError, ValueError),
        (429, RateLimitedError, PolytomicError),
        (500, ServerError, PolytomicError),
        (503, ServerError, PolytomicError),
    ],
)
def test_status_maps_to_class_that_also_is_a_builtin(
    status: int, cls: type[PolytomicError], builtin: type[Exception]
) -> None:
    error = error_from_response(_response(status, {"status": status, "message": "nope"}))
    assert type(error) is cls
    assert isinstance(error, builtin)
    assert error.status == status


def test_unmapped_status_is_the_root_class() -> None:
    error = error_from_response(_response(418, {"message": "teapot"}))
    assert type(error) is PolytomicError
    assert error.status == 418


def test_current_body_fields_are_carried() -> None:
    body = {
        "status": 422,
        "message": "name is required",
        "key": "validation_failed",
        "metadata": {"field": "name"},
    }
    error = error_from_response(_response(422, body))
    assert (error.message, error.key, error.metadata) == (
        "name is required",
        "validation_failed",
        {"field": "name"},
    )
    assert (error.method, error.path) == ("POST", "/api/syncs")


def test_str_names_method_path_status_key_message_and_hint() -> None:
    error = error_from_response(
        _response(422, {"message": "name is required", "key": "validation_failed"})
    )
    assert str(error) == (
        "POST /api/syncs failed with 422 (validation_failed): name is required. "
        + ValidationError.default_hint
    )


def test_legacy_401_body_is_understood() -> None:
    body = {
        "status": "Unauthorized",
        "error": "invalid API key",
        "code": 401,
        "context": {"org": "x"},
    }
    error = error_from_response(_response(401, body, method="GET", url="https://h/api/me"))
    assert isinstance(error, AuthenticationError)
    assert error.message == "invalid API key"
    assert error.metadata == {"org": "x"}
    assert error.key is None
    assert "polytomic:apiKey" in str(error)


def test_non_json_body_becomes_a_short_message_on_one_line() -> None:
    html = b"<html><body>\n<h1>Bad Gateway</h1>\n" + b"Bad Gateway\n" * 100 + b"</body></html>"
    error = error_from_response(_response(502, html, reason="Bad Gateway"))
    assert isinstance(error, ServerError)
    assert error.message.startswith("Bad Gateway Bad Gateway")
    assert len(error.message) <= 200 and "\n" not in error.message


def test_an_html_error_page_is_known_by_its_title() -> None:
    html = b"<html><head><title>504 Gateway Time-out</title></head><body><h1>504</h1></body></html>"
    assert error_from_response(_response(504, html)).message == "504 Gateway Time-out"


def test_empty_body_falls_back_to_the_reason_phrase() -> None:
    error = error_from_response(_response(503, b"", reason="Service Unavailable"))
    assert error.message == "Service Unavailable"


def test_404_hint_suggests_refresh() -> None:
    error = error_from_response(_response(404, {"message": "sync not found"}, method="GET"))
    assert "pulumi refresh" in str(error)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 429, 500])
def test_str_never_contains_request_secrets_or_query(status: int) -> None:
    error = error_from_response(_response(status, {"message": "failed"}))
    assert SECRET not in str(error)
    assert SECRET not in repr(error)
    assert error.path == "/api/syncs"
