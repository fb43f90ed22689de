"""Stack config of the reference project, under the real engine: what each key does once it is valid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.engine

ACCOUNT = "512630692::urn:li:organization:28818517"
NAMESPACE = "polytomic-pipelines"
SIGNUPS = {"name": "trial-signups", "query": "SELECT email, first_name FROM users",
           "create": {"account": ACCOUNT, "type": "user_audience", "name": "Trial signups"},
           "fields": {"first_name": "FirstName"}}


def set_dev_config(project: Any, **sections: Any) -> None:
    """Replace sections of the dev stack's config (`pipelines=[...]`), keeping its secrets."""
    stack_file = Path(project.directory) / "stacks" / "Pulumi.dev.yaml"
    settings = yaml.safe_load(stack_file.read_text())
    settings["config"].update({f"{NAMESPACE}:{key}": value for key, value in sections.items()})
    stack_file.write_text(yaml.safe_dump(settings))


def up(project: Any) -> dict[str, Any]:
    project.run("up", "--yes", "--skip-preview", "--stack", "dev")
    return json.loads(project.run("stack", "output", "--json", "--stack", "dev").stdout)


def preview_steps(project: Any) -> list[dict[str, Any]]:
    return json.loads(project.run("preview", "--json", "--stack", "dev").stdout)["steps"]


def syncs(emulator: Any) -> list[dict[str, Any]]:
    listed = emulator.api("GET", "/api/syncs").json()["data"]
    return [emulator.api("GET", f"/api/syncs/{s['id']}").json()["data"] for s in listed]


def test_a_pipeline_renamed_with_renamed_from_keeps_its_model_sync_and_audience(reference_project, emulator):
    reference_project.run("stack", "select", "--create", "dev")
    set_dev_config(reference_project, pipelines=[SIGNUPS])
    before = up(reference_project)["audiences"]["trial-signups"]
    objects = {k: emulator.state()[k] for k in ("models", "syncs", "audiences")}

    renamed = {**SIGNUPS, "name": "signups", "renamed_from": "trial-signups"}
    set_dev_config(reference_project, pipelines=[renamed])
    operations = {step["op"] for step in preview_steps(reference_project)}
    assert operations <= {"same", "update"}
    after = up(reference_project)["audiences"]["signups"]
    assert after == before
    assert {k: emulator.state()[k] for k in ("models", "syncs", "audiences")} == objects


def test_schedule_numbers_written_as_yaml_numbers_reach_the_service_as_text(reference_project, emulator):
    reference_project.run("stack", "select", "--create", "dev")
    set_dev_config(reference_project, pipelines=[
        {**SIGNUPS, "schedule": {"frequency": "daily", "hour": 6, "minute": 0}}])
    up(reference_project)
    assert [s["schedule"] for s in syncs(emulator)] == [{"frequency": "daily", "hour": "6", "minute": "0"}]


def test_a_company_audience_matches_on_the_identity_given_in_config(reference_project, emulator):
    reference_project.run("stack", "select", "--create", "dev")
    set_dev_config(reference_project, pipelines=[{
        "name": "target-accounts", "query": "SELECT domain, name FROM companies",
        "create": {"account": ACCOUNT, "type": "company_audience", "name": "Target accounts"},
        "identity": {"source": "domain", "target": "CompanyDomain", "function": "DomainMatch"},
        "fields": {"name": "CompanyName"}}])
    up(reference_project)
    [sync] = syncs(emulator)
    identity = sync["identity"]
    assert (identity["source"]["field"], identity["target"], identity["function"]) == \
        ("domain", "CompanyDomain", "DomainMatch")


def test_adopt_ids_in_config_manage_existing_objects_instead_of_creating_new_ones(reference_project,
                                                                                  emulator):
    reference_project.run("stack", "select", "--create", "dev")
    set_dev_config(reference_project, pipelines=[SIGNUPS])
    up(reference_project)
    existing = {k: emulator.state()[k] for k in ("connections", "models", "syncs")}
    [sync] = syncs(emulator)
    [model_id] = sync["model_ids"]
    model = emulator.api("GET", f"/api/models/{model_id}").json()["data"]
    # Forget them on the Pulumi side only, then declare them as existing objects to manage.
    reference_project.run("stack", "rm", "--yes", "--force", "--preserve-config", "dev")
    reference_project.run("stack", "select", "--create", "dev")
    stack_file = Path(reference_project.directory) / "stacks" / "Pulumi.dev.yaml"
    config = yaml.safe_load(stack_file.read_text())["config"]
    set_dev_config(
        reference_project,
        snowflake={**config[f"{NAMESPACE}:snowflake"], "adopt_id": model["connection_id"]},
        linkedin={**config[f"{NAMESPACE}:linkedin"], "adopt_id": sync["target"]["connection_id"]},
        pipelines=[{**SIGNUPS, "create": None, "audience": sync["target"]["object"],
                    "adopt": {"model": model_id, "sync": sync["id"]}}])
    up(reference_project)
    assert {k: emulator.state()[k] for k in ("connections", "models", "syncs")} == existing
