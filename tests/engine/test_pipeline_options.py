"""Sync options in the reference project's stack config, under the real engine: filters, filter
logic, overrides, override fields, per-field settings, sync_all_records and the encryption
passphrase reach the pipeline's sync; what the query does not select fails the preview."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.engine.test_stack_config import ACCOUNT, set_dev_config, syncs, up

pytestmark = pytest.mark.engine

PASSPHRASE = "field-encryption-passphrase-7d1c"
SIGNUPS = {
    "name": "trial-signups",
    "query": "SELECT email, first_name, title, country FROM users",
    "create": {"account": ACCOUNT, "type": "user_audience", "name": "Trial signups"},
    "fields": {"first_name": {"target": "FirstName", "encryption_enabled": True}, "title": "Title"},
    "filters": [{"field": "country", "function": "Equality", "value": "US"},
                {"field": "email", "function": "StringEndsWith", "value": ".com"},
                {"field": "title", "function": "IsNotNull"}],
    "filter_logic": "A and (B or C)",
    "overrides": [{"field": "title", "function": "IsNull", "override": "Unknown"}],
    "override_fields": {"Country": "US"},
    "sync_all_records": True,
}


def with_options(project: Any, **changes: Any) -> None:
    project.run("stack", "select", "--create", "dev")
    project.run("config", "set", "--secret", "encryptionPassphrase", PASSPHRASE, "--stack", "dev")
    set_dev_config(project, pipelines=[{**SIGNUPS, **changes}])


def test_sync_options_in_stack_config_reach_the_sync_and_the_next_preview_is_clean(
        reference_project, emulator, backend_text):
    with_options(reference_project)
    up(reference_project)
    [sync] = syncs(emulator)
    assert [(f["field"]["field"], f["function"], f.get("value"), f["label"]) for f in sync["filters"]] == [
        ("country", "Equality", "US", "A"), ("email", "StringEndsWith", ".com", "B"),
        ("title", "IsNotNull", None, "C")]
    assert sync["filter_logic"] == "A and (B or C)"
    assert [(o["field"]["field"], o["function"], o["override"]) for o in sync["overrides"]] == \
        [("title", "IsNull", "Unknown")]
    assert sync["override_fields"] == [{"target": "Country", "override_value": "US"}]
    assert [(f["source"]["field"], f["target"], f.get("encryption_enabled")) for f in sync["fields"]
            if "source" in f] == [("first_name", "FirstName", True), ("title", "Title", None)]
    assert sync["sync_all_records"] is True
    assert sync["encryption_passphrase"] not in (None, PASSPHRASE)  # set, and masked by the service
    assert PASSPHRASE not in backend_text()

    steps = json.loads(reference_project.run("preview", "--json", "--stack", "dev").stdout)["steps"]
    assert {step["op"] for step in steps} == {"same"}


def test_a_filter_on_a_field_the_query_does_not_select_fails_preview_naming_it(reference_project, emulator):
    with_options(reference_project)
    up(reference_project)
    set_dev_config(reference_project, pipelines=[{
        **SIGNUPS, "filters": [*SIGNUPS["filters"], {"field": "phone", "function": "IsNotNull"}],
        "filter_logic": "A and (B or C) and D"}])
    emulator.clear_requests_log()
    result = reference_project.run("preview", "--stack", "dev", check=False)
    assert result.returncode != 0
    assert "'phone' is not a field this model's query selects" in result.stdout + result.stderr
    assert "`filters[3].field` needs it" in result.stdout + result.stderr
    assert emulator.writes() == []


def test_an_encryption_passphrase_in_plain_config_is_refused_naming_the_secret_to_set(reference_project):
    reference_project.run("stack", "select", "--create", "dev")
    set_dev_config(reference_project, pipelines=[{**SIGNUPS, "encryption_passphrase": PASSPHRASE}])
    result = reference_project.run("preview", "--stack", "dev", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert ("polytomic-pipelines:pipelines[0].encryption_passphrase: is a secret and never goes in plain "
            "config; set it with `pulumi config set --secret encryptionPassphrase`") in output
    assert PASSPHRASE not in output
