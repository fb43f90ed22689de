"""The simulated LinkedIn OAuth flow behind ``auth_url``."""

from __future__ import annotations

from typing import Any

import requests

from .conftest import Api

JSON = dict[str, Any]


def _unauthorized(api: Api, **extra: Any) -> JSON:
    return api.data("POST", "/api/connections",
                    json={"name": "LI", "type": "linkedinads", "configuration": {}, **extra})


def test_empty_configuration_is_saved_unauthorized_with_auth_url(api: Api) -> None:
    created = _unauthorized(api)
    assert created["status"] == "unauthorized" and created["saved"] is True
    assert created["auth_url"].startswith(f"{api.emulator.url}/oauth/linkedinads/authorize?")


def test_unauthorized_connection_refuses_discovery_with_auth_url(api: Api) -> None:
    created = _unauthorized(api)
    response = api("GET", f"/api/connections/{created['id']}/parameter_values")
    assert response.status_code == 422
    assert response.json()["key"] == "connection_not_authorized"
    assert created["auth_url"] in response.json()["message"]


def test_auth_page_shows_a_form(api: Api) -> None:
    page = requests.get(_unauthorized(api)["auth_url"], timeout=10)
    assert page.status_code == 200 and "<form" in page.text


def test_submitting_the_page_authorizes_the_connection(api: Api) -> None:
    created = _unauthorized(api)
    page = requests.post(created["auth_url"], timeout=10)
    assert "you can close this window" in page.text
    got = api.data("GET", f"/api/connections/{created['id']}")
    assert got["status"] == "healthy" and got["configuration"]["connected_user"]


def test_submitting_redirects_to_redirect_url(api: Api) -> None:
    created = _unauthorized(api, redirect_url="https://app.example/done")
    page = requests.post(created["auth_url"], timeout=10, allow_redirects=False)
    assert page.status_code == 303 and page.headers["Location"] == "https://app.example/done"


def test_wrong_state_is_refused(api: Api) -> None:
    created = _unauthorized(api)
    page = requests.post(created["auth_url"].replace("state=", "state=x"), timeout=10)
    assert page.status_code == 400
    assert api.data("GET", f"/api/connections/{created['id']}")["status"] == "unauthorized"
