"""`python -m polytomic_components`: discovery for people writing stack config."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

ACCOUNT = "512630692::urn:li:organization:28818517"


@pytest.fixture
def linkedin_id(emulator):
    body = {"name": "LinkedIn", "type": "linkedinads", "configuration": {
        "client_id": "i", "client_secret": "s", "oauth_refresh_token": "r",
        "accounts": [{"value": ACCOUNT, "label": "Polytomic Inc. (512630692)"}]}}
    return emulator.api("POST", "/api/connections", json=body).json()["data"]["id"]


def run(emulator, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"POLYTOMIC_API_KEY": emulator.api_key, "POLYTOMIC_DEPLOYMENT_URL": emulator.url}
    return subprocess.run([sys.executable, "-m", "polytomic_components", *args], env=env,
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)


def test_audiences_lists_the_enabled_accounts_audiences_with_their_modes(emulator, linkedin_id):
    lines = run(emulator, "audiences", linkedin_id).stdout.splitlines()
    newsletter = f"{ACCOUNT}~user_audience.29728401\tUser Audience: Newsletter Subscribers"
    assert f"{newsletter}\tmodes: create, remove" in lines
    assert all(line.startswith(ACCOUNT) for line in lines)


def test_values_lists_the_allowed_accounts(emulator, linkedin_id):
    listed = run(emulator, "values", linkedin_id, "account").stdout
    assert listed == f"{ACCOUNT}\tPolytomic Inc. (512630692)\n"


def test_an_unknown_connection_fails_with_the_status_and_no_traceback(emulator):
    result = run(emulator, "audiences", "00000000-0000-0000-0000-000000000000")
    assert result.returncode == 1
    assert "404" in result.stderr and "Traceback" not in result.stderr
