"""`python -m polytomic_components doctor` against emulators: one that plays a deployment (every
guess holds), and one made to answer otherwise through its admin API (the guess differs)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from polytomic_components.doctor import CHECKS, LIVE_PREFIX
from tests.conftest import REPO_ROOT, Emulator

LINKEDIN_ACCOUNT = "512630692::urn:li:organization:28818517"
AUDIENCE = f"{LINKEDIN_ACCOUNT}~user_audience.29728401"


def doctor(emulator: Emulator, *options: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "POLYTOMIC_API_KEY": emulator.api_key,
           "POLYTOMIC_DEPLOYMENT_URL": emulator.url}
    return subprocess.run([sys.executable, "-m", "polytomic_components", "doctor", *options],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)


def verdicts(report: str) -> dict[str, str]:
    """`{check: verdict}` from the printed table."""
    rows = [line.split(" | ") for line in report.splitlines() if line.startswith("| ")]
    return {row[0].removeprefix("| "): row[-1].removesuffix(" |") for row in rows[1:]}


def ids(emulator: Emulator) -> dict[str, set[str]]:
    return {collection: {o["id"] for o in emulator.api("GET", f"/api/{collection}").json()["data"]}
            for collection in ("connections", "models", "syncs")}


def make(emulator: Emulator, collection: str, body: dict[str, Any]) -> str:
    response = emulator.api("POST", f"/api/{collection}", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"])


@pytest.fixture
def organization(public_emulator: Emulator) -> Iterator[Emulator]:
    """The public emulator with what an organization in use has: connections, a model, a sync.
    Removed afterwards, and the emulator left as it was."""
    before = ids(public_emulator)
    name = f"{LIVE_PREFIX}-doctor-test"
    source = make(public_emulator, "connections", {"name": name, "type": "snowflake", "configuration": {
        "account": "a", "username": "u", "dbname": "d", "password": "p"}})
    destination = make(public_emulator, "connections", {
        "name": name, "type": "linkedinads", "configuration": {
        "client_id": "c", "client_secret": "s", "oauth_refresh_token": "r",
        "accounts": [{"value": LINKEDIN_ACCOUNT, "label": "Ads"}]}})
    model = make(public_emulator, "models", {"name": name, "connection_id": source,
                                             "configuration": {"query": "SELECT email FROM users"}})
    make(public_emulator, "syncs", {
        "name": name, "mode": "create", "schedule": {"frequency": "manual"},
        "target": {"connection_id": destination, "object": AUDIENCE},
        "identity": {"source": {"model_id": model, "field": "email"}, "target": "Email",
                     "function": "Equality"}, "fields": []})
    yield public_emulator
    for connection in (source, destination):
        public_emulator.api("DELETE", f"/api/connections/{connection}", params={"force": "true"})
    assert ids(public_emulator) == before


def test_every_guess_holds_on_an_emulator_that_plays_a_deployment(organization):
    before = ids(organization)

    result = doctor(organization, "--write")

    assert result.returncode == 0, result.stdout + result.stderr
    assert verdicts(result.stdout) == {check.name: "holds" for check in CHECKS}
    assert ids(organization) == before  # the throwaway objects are gone


def test_without_write_doctor_changes_nothing_and_says_what_it_did_not_check(emulator):
    result = doctor(emulator)

    assert result.returncode == 0, result.stdout + result.stderr
    written = [r for r in emulator.writes() if r["status"] < 400]
    assert written == []
    found = verdicts(result.stdout)
    assert found["replay-stamps"] == "not checked (creates throwaway objects: run with --write)"
    assert found["sync-field-keys"].startswith("not checked (the organization has no sync")


def test_a_deployment_that_forgets_idempotency_keys_differs_on_the_replay_guess(emulator):
    make(emulator, "connections", {"name": "Warehouse", "type": "snowflake", "configuration": {
        "account": "a", "username": "u", "dbname": "d", "password": "p"}})
    stop = threading.Event()

    def forget_keys() -> None:  # a service that keeps no key: every repeat is a new request
        while not stop.wait(0.1):
            requests.post(f"{emulator.url}/__emulator/idempotency/forget", timeout=10)

    forgetting = threading.Thread(target=forget_keys)
    forgetting.start()
    try:
        result = doctor(emulator, "--write")
    finally:
        stop.set()
        forgetting.join()

    assert result.returncode == 1, result.stdout + result.stderr
    assert verdicts(result.stdout)["replay-stamps"] == "differs"
    assert "a NEW object" in result.stdout and "differ (replay-stamps)" in result.stdout
    assert ids(emulator)["models"] == set()  # both models it made are deleted


def test_a_key_the_deployment_refuses_stops_doctor_before_any_check(public_emulator):
    refused = Emulator(url=public_emulator.url, api_key="not-the-key")

    result = doctor(refused)

    assert result.returncode == 2
    assert "GET /api/me failed with 401" in result.stderr and "| check |" not in result.stdout


def test_doctor_reads_the_deployment_and_key_from_a_stacks_config(public_emulator, engine_env, tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: doctor-config\nruntime: python\n")

    def pulumi(*args: str, stdin: str | None = None) -> None:
        subprocess.run(["pulumi", *args, "--non-interactive"], cwd=tmp_path, env=engine_env, check=True,
                       capture_output=True, text=True, input=stdin)

    pulumi("stack", "init", "dev")
    pulumi("config", "set", "polytomic:deploymentUrl", public_emulator.url)
    pulumi("config", "set", "--secret", "polytomic:apiKey", stdin=public_emulator.api_key)

    result = subprocess.run([sys.executable, "-m", "polytomic_components", "doctor", "--stack", "dev",
                             "--cwd", str(tmp_path)], env=engine_env, capture_output=True, text=True,
                            timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Guesses checked against {public_emulator.url}" in result.stdout
