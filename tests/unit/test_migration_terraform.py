"""Reading Terraform state written by Polytomic's Terraform provider (v2.0).

`terraform_state` and the `*_instance` builders write state exactly as Terraform does for that
provider: format version 4, every schema attribute present (unset ones null, Optional+Computed ones
as the provider read them back), sensitive attributes listed in `sensitive_attributes`, a model's
`configuration` as a JSON string (schema version 1) and JSON-string filter values. The attribute
names are those of the provider's schemas (provider/resource_model.go, resource_sync.go and the
generated `polytomic_<type>_connection` resources). The engine test builds its state with them too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from polytomic_components.migration import MigrationError, Secret, read_state

PROVIDER = 'provider["registry.terraform.io/polytomic/polytomic"]'
ORGANIZATION = "5f0b7c2e-8d51-4a43-9a4e-000000000001"
ACTOR = {"id": "8c3e1d7a-0d6b-4f7e-9a55-3a1f2b4c5d6e", "name": "Terraform", "type": "user"}

#: `configuration` attributes of the generated connection resources, and which are Sensitive.
CONFIGURATION_ATTRIBUTES: Mapping[str, Mapping[str, Any]] = {
    "snowflake": {"account": "", "bulk_sync_staging_schema": "", "dbname": "", "key_pair_auth": False,
                  "params": "", "password": "", "private_key": "", "private_key_passphrase": "",
                  "use_bulk_sync_staging_schema": False, "username": "", "warehouse": ""},
    "linkedinads": {"accounts": None, "client_id": "", "client_secret": "", "connected_user": "",
                    "oauth_refresh_token": ""},
}
SENSITIVE_ATTRIBUTES = {"snowflake": ("password", "private_key", "private_key_passphrase"),
                        "linkedinads": ("client_id", "client_secret", "oauth_refresh_token")}

SNOWFLAKE_PASSWORD = "tf-state-password-6d1f0c"
LINKEDIN_SECRETS = {"client_id": "tf-client-id-93be", "client_secret": "tf-client-secret-41aa",
                    "oauth_refresh_token": "tf-refresh-token-c07d"}
PASSPHRASE = "tf-passphrase-7e2b"
AUDIENCE = "512630692::urn:li:organization:28818517~user_audience.29728401"
ACCOUNT = {"value": "512630692::urn:li:organization:28818517", "label": "Polytomic Inc. (512630692)"}


def _attribute_path(*steps: str) -> list[dict[str, str]]:
    return [{"type": "get_attr", "value": step} for step in steps]


def instance(attributes: dict[str, Any], *, schema_version: int = 0,
             sensitive: list[list[dict[str, str]]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"schema_version": schema_version, "attributes": attributes,
            "sensitive_attributes": sensitive or [], "private": "bnVsbA==", **extra}


def connection_instance(connection: Mapping[str, Any], secrets: Mapping[str, str]) -> dict[str, Any]:
    """A `polytomic_<type>_connection` instance from an API connection and the secrets Terraform
    was given (the API masks them; the provider keeps the configured values in state)."""
    kind = connection["type"]["id"] if isinstance(connection["type"], Mapping) else connection["type"]
    configuration = {key: default for key, default in CONFIGURATION_ATTRIBUTES[kind].items()}
    configuration.update({k: v for k, v in connection["configuration"].items()
                          if k in configuration and k not in SENSITIVE_ATTRIBUTES[kind]})
    configuration.update(secrets)
    return instance(
        {"id": connection["id"], "name": connection["name"], "organization": ORGANIZATION,
         "force_destroy": None, "configuration": configuration},
        sensitive=[_attribute_path("configuration", key) for key in SENSITIVE_ATTRIBUTES[kind]])


def model_instance(model: Mapping[str, Any]) -> dict[str, Any]:
    """A `polytomic_model` instance (schema version 1: `configuration` is a JSON string)."""
    return instance({
        "id": model["id"], "organization": ORGANIZATION, "connection_id": model["connection_id"],
        "name": model["name"], "type": model.get("type", "snowflake"), "version": model.get("version", 1),
        "configuration": json.dumps(model["configuration"]),
        "fields": sorted(f["name"] for f in model.get("fields", [])),
        "additional_fields": [], "relations": [], "identifier": model.get("identifier") or "",
        "tracking_columns": [], "policies": [],
        "created_at": "2026-11-02T09:30:00Z", "created_by": ACTOR,
        "updated_at": "2026-11-02T09:30:00Z", "updated_by": ACTOR,
    }, schema_version=1)


def _schedule(schedule: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("frequency", "day_of_week", "hour", "minute", "month", "day_of_month", "job_id",
            "connection_id", "run_after", "run_after_success_only")
    return {key: schedule.get(key) for key in keys}


def _source(source: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return {"model_id": source["model_id"], "field": source["field"]} if source else None


def sync_instance(sync: Mapping[str, Any], *, passphrase: str | None = None,
                  **attributes: Any) -> dict[str, Any]:
    """A `polytomic_sync` instance from an API sync; `attributes` overrides any attribute."""
    identity = sync.get("identity")
    target = sync["target"]
    return instance({
        "id": sync["id"], "organization": ORGANIZATION, "name": sync["name"],
        "target": {"connection_id": target["connection_id"], "object": target.get("object"),
                   "configuration": None, "new_name": None, "create": target.get("create"),
                   "filter_logic": None},
        "active": sync.get("active", True), "mode": sync["mode"],
        "fields": [{"source": _source(f.get("source")), "target": f["target"], "new": None,
                    "override_value": None, "sync_mode": None, "encryption_enabled": None}
                   for f in sync["fields"]],
        "override_fields": None, "filters": None, "target_filters": None, "filter_logic": None,
        "overrides": None, "schedule": _schedule(sync.get("schedule") or {"frequency": "continuous"}),
        "identity": {"source": _source(identity["source"]), "target": identity["target"],
                     "function": identity["function"], "remote_field_type_id": None,
                     "new_field": None} if identity else None,
        "sync_all_records": sync.get("sync_all_records", False), "encryption_passphrase": passphrase,
        "only_enrich_updates": False, "skip_initial_backfill": sync.get("skip_initial_backfill", False),
        "model_ids": sync.get("model_ids", []), "policies": [],
        "created_at": "2026-11-02T09:31:00Z", "created_by": ACTOR,
        "updated_at": "2026-11-02T09:31:00Z", "updated_by": ACTOR,
        **attributes,
    }, sensitive=[_attribute_path("encryption_passphrase")] if passphrase else None)


def resource(resource_type: str, name: str, *instances: dict[str, Any], module: str | None = None,
             mode: str = "managed") -> dict[str, Any]:
    entry = {"mode": mode, "type": resource_type, "name": name, "provider": PROVIDER,
             "instances": list(instances)}
    if module:
        entry["module"] = module
    return entry


def terraform_state(*resources: dict[str, Any]) -> str:
    return json.dumps({"version": 4, "terraform_version": "1.9.8", "serial": 14,
                       "lineage": "0b0c3a8e-3f43-7a55-1e7d-6d4f3b2a1c0e", "outputs": {},
                       "resources": list(resources), "check_results": None}, indent=2)


# -- a pipeline as Terraform manages it ------------------------------------------------------------

SNOWFLAKE = {"id": "c1a5e1f2-0000-4000-8000-000000000001", "name": "Warehouse",
             "type": {"id": "snowflake"},
             "configuration": {"account": "uc193736182", "username": "loader", "dbname": "analytics",
                               "warehouse": "load_wh"}}
LINKEDIN = {"id": "c1a5e1f2-0000-4000-8000-000000000002", "name": "LinkedIn Ads",
            "type": {"id": "linkedinads"},
            "configuration": {"accounts": [ACCOUNT], "connected_user": "Jordan Rivera"}}
MODEL = {"id": "d2b6f203-0000-4000-8000-000000000003", "name": "Active users",
         "connection_id": SNOWFLAKE["id"],
         "configuration": {"query": "SELECT email, first_name FROM users WHERE is_active"},
         "fields": [{"name": "email"}, {"name": "first_name"}]}
SYNC = {"id": "e3c70314-0000-4000-8000-000000000004", "name": "Active users to LinkedIn Ads",
        "mode": "create", "target": {"connection_id": LINKEDIN["id"], "object": AUDIENCE},
        "fields": [{"source": {"model_id": MODEL["id"], "field": "first_name"}, "target": "FirstName"}],
        "identity": {"source": {"model_id": MODEL["id"], "field": "email"}, "target": "Email",
                     "function": "Equality"},
        "schedule": {"frequency": "daily", "hour": "6", "minute": "0"}, "model_ids": [MODEL["id"]]}


def pipeline_state(**sync_attributes: Any) -> str:
    return terraform_state(
        resource("polytomic_snowflake_connection", "warehouse",
                 connection_instance(SNOWFLAKE, {"password": SNOWFLAKE_PASSWORD})),
        resource("polytomic_linkedinads_connection", "ads", connection_instance(LINKEDIN, LINKEDIN_SECRETS)),
        resource("polytomic_model", "active_users", model_instance(MODEL)),
        resource("polytomic_sync", "active_users", sync_instance(SYNC, **sync_attributes)),
    )


def found(inventory: Any, origin: str) -> Any:
    return next(o for o in inventory.objects if o.origin == origin)


# -- tests ---------------------------------------------------------------------------------------


def test_connections_are_read_with_their_type_and_only_the_settings_that_were_set():
    inventory = read_state(pipeline_state())
    snowflake = found(inventory, "polytomic_snowflake_connection.warehouse")
    assert (snowflake.kind, snowflake.id, snowflake.name) == ("connection", SNOWFLAKE["id"], "warehouse")
    assert snowflake.settings == {
        "name": "Warehouse", "type": "snowflake",
        "configuration": {"account": "uc193736182", "username": "loader", "dbname": "analytics",
                          "warehouse": "load_wh"},
        "secret_configuration": {"password": Secret("password")},
    }


def test_a_linkedin_connection_keeps_its_accounts_and_drops_what_polytomic_sets_itself():
    linkedin = found(read_state(pipeline_state()), "polytomic_linkedinads_connection.ads")
    assert linkedin.settings["configuration"] == {"accounts": [ACCOUNT]}
    assert linkedin.settings["secret_configuration"] == {k: Secret(k) for k in LINKEDIN_SECRETS}


def test_secret_values_never_reach_the_inventory():
    text = repr(read_state(pipeline_state(encryption_passphrase=PASSPHRASE)))
    for secret in (SNOWFLAKE_PASSWORD, PASSPHRASE, *LINKEDIN_SECRETS.values()):
        assert secret not in text


def test_a_configuration_key_terraform_marks_sensitive_is_a_secret_whatever_its_name():
    linkedin = json.loads(pipeline_state())["resources"][1]
    linkedin["instances"][0]["attributes"]["configuration"]["connected_user"] = "someone"
    linkedin["instances"][0]["sensitive_attributes"].append(
        _attribute_path("configuration", "accounts"))
    state = terraform_state(linkedin)
    settings = read_state(state).objects[0].settings
    assert settings["secret_configuration"]["accounts"] == Secret("accounts")
    assert "accounts" not in settings.get("configuration", {})


def test_a_connection_of_any_type_is_read_and_secret_looking_keys_are_secrets_without_markers():
    postgres = instance({"id": "p-1", "name": "Orders DB", "organization": ORGANIZATION,
                         "force_destroy": True,
                         "configuration": {"hostname": "db.internal", "port": 5432, "ssl": False,
                                           "password": "pg-password-1", "ssh_private_key": "",
                                           "api_key": "key-2"}})
    connection = read_state(terraform_state(resource("polytomic_postgresql_connection", "orders",
                                                     postgres))).objects[0]
    assert connection.settings == {
        "name": "Orders DB", "type": "postgresql",
        "configuration": {"hostname": "db.internal", "port": 5432},
        "secret_configuration": {"password": Secret("password"), "api_key": Secret("api_key")},
        "force_destroy": True,
    }


def test_a_model_configuration_is_decoded_from_the_json_string_of_schema_version_1():
    model = found(read_state(pipeline_state()), "polytomic_model.active_users")
    assert model.settings == {"name": "Active users", "connection_id": SNOWFLAKE["id"],
                              "configuration": MODEL["configuration"]}


def test_a_model_of_schema_version_0_has_its_configuration_as_a_map():
    old = model_instance(MODEL)
    old["schema_version"] = 0
    old["attributes"]["configuration"] = {"query": MODEL["configuration"]["query"]}
    model = read_state(terraform_state(resource("polytomic_model", "old", old))).objects[0]
    assert model.settings["configuration"] == MODEL["configuration"]


def test_the_enabled_fields_terraform_computed_are_reported_not_carried_over():
    model = found(read_state(pipeline_state()), "polytomic_model.active_users")
    assert "fields" not in model.settings
    assert model.notes == ("polytomic_model.active_users: fields (email, first_name) is not carried "
                           "over; Polytomic keeps every field the query returns",)


def test_a_sync_is_read_in_the_api_shape_without_unset_attributes():
    sync = found(read_state(pipeline_state()), "polytomic_sync.active_users")
    assert sync.settings == {
        "name": SYNC["name"], "mode": "create",
        "schedule": {"frequency": "daily", "hour": "6", "minute": "0"},
        "target": {"connection_id": LINKEDIN["id"], "object": AUDIENCE},
        "fields": SYNC["fields"],
        "identity": SYNC["identity"],
    }


def test_an_audience_terraform_created_is_adopted_as_the_existing_object():
    created = {**SYNC, "target": {**SYNC["target"], "create": {"name": "New", "type": "user_audience",
                                                                "account": ACCOUNT["value"]}}}
    state = terraform_state(resource("polytomic_sync", "s", sync_instance(created)))
    sync = read_state(state).objects[0]
    assert sync.settings["target"] == {"connection_id": LINKEDIN["id"], "object": AUDIENCE}
    assert "adopted as the existing object" in sync.notes[0]


def test_an_encryption_passphrase_is_a_secret_marker():
    sync = found(read_state(pipeline_state(encryption_passphrase=PASSPHRASE)), "polytomic_sync.active_users")
    assert sync.settings["encryption_passphrase"] == Secret("encryption_passphrase")


def test_filters_target_filters_and_overrides_are_read_in_the_api_shape_with_json_values_decoded():
    source = {"model_id": MODEL["id"], "field": "email"}
    sync = found(read_state(pipeline_state(
        filters=[{"source": source, "function": "StringEndsWith", "value": '"@example.com"', "label": "A"}],
        target_filters=[{"field": "Email", "function": "IsNotNull", "value": None, "label": "B"}],
        filter_logic="A and B",
        overrides=[{"source": source, "function": "Equality", "value": '"x"', "override": '"y"'}],
    )), "polytomic_sync.active_users")
    assert sync.settings["filters"] == [
        {"field": source, "field_type": "Model", "function": "StringEndsWith", "label": "A",
         "value": "@example.com"},
        {"field_id": "Email", "field_type": "Target", "function": "IsNotNull", "label": "B"},
    ]
    assert sync.settings["filter_logic"] == "A and B"
    assert sync.settings["overrides"] == [{"field": source, "function": "Equality", "value": "x",
                                           "override": "y"}]


def test_instances_in_modules_and_with_index_keys_get_distinct_names_and_addresses():
    model = model_instance(MODEL)
    state = terraform_state(
        resource("polytomic_model", "users", {**model, "index_key": "eu"}, {**model, "index_key": "us"},
                 module="module.audiences"),
        resource("polytomic_model", "users", {**model, "index_key": 0}))
    inventory = read_state(state)
    assert [(o.origin, o.name) for o in inventory.objects] == [
        ('module.audiences.polytomic_model.users["eu"]', "audiences-users-eu"),
        ('module.audiences.polytomic_model.users["us"]', "audiences-users-us"),
        ("polytomic_model.users[0]", "users-0"),
    ]


def test_other_polytomic_resources_are_reported_and_data_sources_and_other_providers_ignored():
    state = terraform_state(
        resource("polytomic_bulk_sync", "copy", instance({"id": "b1"})),
        resource("polytomic_snowflake_connection", "lookup", instance({"id": "x"}), mode="data"),
        resource("aws_s3_bucket", "logs", instance({"id": "bucket"})),
        resource("polytomic_model", "m", model_instance(MODEL)))
    inventory = read_state(state)
    assert [o.origin for o in inventory.objects] == ["polytomic_model.m"]
    assert inventory.skipped == ("polytomic_bulk_sync.copy: not migrated; this library manages "
                                 "connections, models and syncs only",)


def test_a_deposed_object_terraform_is_about_to_delete_is_not_migrated():
    current, deposed = model_instance(MODEL), model_instance({**MODEL, "id": "old-model"})
    state = terraform_state(resource("polytomic_model", "m", current, {**deposed, "deposed": "00000001"}))
    inventory = read_state(state)
    assert [o.id for o in inventory.objects] == [MODEL["id"]]
    assert inventory.skipped[0].startswith("polytomic_model.m (deposed 00000001): not migrated")


def test_an_instance_without_an_id_is_reported_not_migrated():
    inventory = read_state(terraform_state(resource("polytomic_model", "m", instance({"id": None}))))
    assert inventory.objects == ()
    assert inventory.skipped[0].startswith("polytomic_model.m: not migrated; the state holds no id")


def test_objects_come_in_dependency_order_whatever_the_state_order():
    state = json.loads(pipeline_state())
    state["resources"].reverse()
    kinds = [o.kind for o in read_state(json.dumps(state)).objects]
    assert kinds == ["connection", "connection", "model", "sync"]


@pytest.mark.parametrize(("text", "expected"), [
    (json.dumps({"version": 3, "modules": []}), r"format version 4 \(found version 3\)"),
    ("not json", "is not JSON"),
])
def test_what_is_not_a_version_4_state_is_refused_saying_so(text, expected):
    with pytest.raises(MigrationError, match=expected):
        read_state(text)
