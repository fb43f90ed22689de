"""Reading an organization's hand-made pipelines through the API (against the emulator)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from polytomic_components import PolytomicClient, Settings
from polytomic_components.__main__ import main
from polytomic_components.migration import MigrationError, Secret, read_organization

PASSWORD = "hand-made-password-51c9"
CREDENTIALS = {"client_id": "hand-client-id-0b7e", "client_secret": "hand-client-secret-9d24",
               "oauth_refresh_token": "hand-refresh-token-3f81"}
ACCOUNT = {"value": "512630692::urn:li:organization:28818517", "label": "Polytomic Inc. (512630692)"}
NEWSLETTER = "512630692::urn:li:organization:28818517~user_audience.29728401"
QUERY = "SELECT email, first_name, last_name FROM users WHERE is_active"


def created(emulator: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = emulator.api("POST", path, json=body, headers={"X-Polytomic-Version": "2024-02-08"})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def build_pipeline_by_hand(emulator: Any, *, sync_name: str = "Active users to LinkedIn Ads",
                           new_audience: dict[str, str] | None = None, **sync_options: Any) -> dict[str, str]:
    """What a person clicking in the UI (or Terraform) leaves behind: two connections, a model and
    a sync into an existing audience, or into one it creates from `new_audience`. Returns their ids."""
    snowflake = created(emulator, "/api/connections", {
        "name": "Warehouse", "type": "snowflake", "validate": False,
        "configuration": {"account": "uc193736182", "username": "loader", "dbname": "analytics",
                          "warehouse": "load_wh", "password": PASSWORD}})
    linkedin = created(emulator, "/api/connections", {
        "name": "LinkedIn Ads", "type": "linkedinads", "validate": False,
        "configuration": {"accounts": [ACCOUNT], **CREDENTIALS}})
    model = created(emulator, "/api/models", {
        "name": "Active users", "connection_id": snowflake["id"], "configuration": {"query": QUERY}})
    sync = created(emulator, "/api/syncs", {
        "name": sync_name, "mode": "create", "active": True,
        "schedule": {"frequency": "daily", "hour": "6", "minute": "0"},
        "target": {"connection_id": linkedin["id"],
                   **({"create": new_audience} if new_audience else {"object": NEWSLETTER})},
        "identity": {"source": {"model_id": model["id"], "field": "email"}, "target": "Email",
                     "function": "Equality"},
        "fields": [{"source": {"model_id": model["id"], "field": "first_name"}, "target": "FirstName"},
                   {"source": {"model_id": model["id"], "field": "last_name"}, "target": "LastName"}],
        **sync_options})
    return {"snowflake": snowflake["id"], "linkedin": linkedin["id"], "model": model["id"],
            "sync": sync["id"]}


@pytest.fixture
def client(emulator: Any) -> Any:
    with PolytomicClient(Settings(api_key=emulator.api_key, deployment_url=emulator.url)) as client:
        yield client


def test_the_linkedin_connection_its_syncs_their_models_and_sources_are_read(emulator, client):
    ids = build_pipeline_by_hand(emulator)
    inventory = read_organization(client, ids["linkedin"])
    assert [(o.kind, o.id) for o in inventory.objects] == [
        ("connection", ids["linkedin"]), ("connection", ids["snowflake"]),
        ("model", ids["model"]), ("sync", ids["sync"])]
    assert inventory.by_id("model", ids["model"]).settings == {
        "name": "Active users", "connection_id": ids["snowflake"], "configuration": {"query": QUERY}}


def test_secrets_masked_by_the_api_become_markers(emulator, client):
    ids = build_pipeline_by_hand(emulator)
    inventory = read_organization(client, ids["linkedin"])
    snowflake = inventory.by_id("connection", ids["snowflake"])
    linkedin = inventory.by_id("connection", ids["linkedin"])
    assert snowflake.settings["secret_configuration"] == {"password": Secret("password")}
    assert linkedin.settings["secret_configuration"] == {k: Secret(k) for k in CREDENTIALS}
    assert linkedin.settings["configuration"] == {"accounts": [ACCOUNT]}


def test_a_sync_is_read_as_sent_without_what_the_service_fills_in(emulator, client):
    ids = build_pipeline_by_hand(emulator)
    sync = read_organization(client, ids["linkedin"]).by_id("sync", ids["sync"])
    assert sync.settings == {
        "name": "Active users to LinkedIn Ads", "mode": "create",
        "schedule": {"frequency": "daily", "hour": "6", "minute": "0"},
        "target": {"connection_id": ids["linkedin"], "object": NEWSLETTER},
        "fields": [{"source": {"model_id": ids["model"], "field": "first_name"}, "target": "FirstName"},
                   {"source": {"model_id": ids["model"], "field": "last_name"}, "target": "LastName"}],
        "identity": {"source": {"model_id": ids["model"], "field": "email"}, "target": "Email",
                     "function": "Equality"},
    }


def test_a_connection_that_is_not_linkedin_ads_is_refused_listing_those_that_are(emulator, client):
    ids = build_pipeline_by_hand(emulator)
    with pytest.raises(MigrationError, match=f"LinkedIn Ads connections: {ids['linkedin']}"):
        read_organization(client, ids["snowflake"])


def test_export_prints_stack_config_and_the_secret_instructions(emulator, monkeypatch, capsys):
    ids = build_pipeline_by_hand(emulator)
    monkeypatch.setenv("POLYTOMIC_API_KEY", emulator.api_key)
    monkeypatch.setenv("POLYTOMIC_DEPLOYMENT_URL", emulator.url)
    assert main(["export", "--connection", ids["linkedin"], "--stack", "prod"]) == 0
    printed = capsys.readouterr()
    config = yaml.safe_load(printed.out)["config"]
    assert config["polytomic-pipelines:pipelines"][0]["adopt"] == {"model": ids["model"], "sync": ids["sync"],
                                                                   "on_destroy": "keep"}
    assert config["polytomic-pipelines:snowflake"]["on_destroy"] == "keep"
    assert "on_destroy: keep - `pulumi destroy` leaves these objects in Polytomic" in printed.err
    assert config["polytomic-pipelines:snowflake"]["adopt_id"] == ids["snowflake"]
    assert "pulumi config set --secret snowflakePassword" in printed.err
    for secret in (PASSWORD, *CREDENTIALS.values()):
        assert secret not in printed.out + printed.err


def test_export_with_nothing_exportable_fails_saying_why(emulator, monkeypatch, capsys):
    ids = build_pipeline_by_hand(emulator, sync_all_records=True)
    monkeypatch.setenv("POLYTOMIC_API_KEY", emulator.api_key)
    monkeypatch.setenv("POLYTOMIC_DEPLOYMENT_URL", emulator.url)
    assert main(["export", "--connection", ids["linkedin"]]) == 1
    err = capsys.readouterr().err
    assert "no pipeline could be exported" in err
    assert "cannot express sync_all_records" in err


def test_export_never_replaces_an_existing_stack_file(emulator, monkeypatch, capsys, tmp_path):
    ids = build_pipeline_by_hand(emulator)
    monkeypatch.setenv("POLYTOMIC_API_KEY", emulator.api_key)
    monkeypatch.setenv("POLYTOMIC_DEPLOYMENT_URL", emulator.url)
    existing = tmp_path / "Pulumi.prod.yaml"
    existing.write_text("encryptionsalt: v1:abc\n")
    assert main(["export", "--connection", ids["linkedin"], "--out", str(existing)]) == 1
    assert "exists" in capsys.readouterr().err
    assert existing.read_text() == "encryptionsalt: v1:abc\n"
