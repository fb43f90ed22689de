"""What the migration writes: a Pulumi program or reference stack config, and the instructions."""

from __future__ import annotations

import ast
import json
from typing import Any

import yaml

from polytomic_components.__main__ import main
from polytomic_components.migration import read_state, render_program, render_stack_config
from tests.unit.test_migration_terraform import (
    LINKEDIN,
    LINKEDIN_SECRETS,
    MODEL,
    PASSPHRASE,
    SNOWFLAKE,
    SNOWFLAKE_PASSWORD,
    SYNC,
    model_instance,
    pipeline_state,
    resource,
    sync_instance,
    terraform_state,
)

SECRETS = (SNOWFLAKE_PASSWORD, PASSPHRASE, *LINKEDIN_SECRETS.values())


def calls(program: str) -> dict[str, ast.Call]:
    """Resource declarations of a generated program: variable name → call."""
    return {node.targets[0].id: node.value for node in ast.parse(program).body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            and isinstance(node.targets[0], ast.Name) and node.targets[0].id != "config"}


def keyword(call: ast.Call, name: str) -> str:
    return next(ast.unparse(k.value) for k in call.keywords if k.arg == name)


def test_the_program_declares_each_object_with_its_kind_and_adopts_it_by_id():
    program = render_program(read_state(pipeline_state()), "migrated").files["__main__.py"]
    declared = {variable: (ast.unparse(call.func), call.args[0].value, keyword(call, "adopt_id"))
                for variable, call in calls(program).items()}
    assert declared == {
        "connection_warehouse": ("Connection", "warehouse", repr(SNOWFLAKE["id"])),
        "connection_ads": ("Connection", "ads", repr(LINKEDIN["id"])),
        "model_active_users": ("Model", "active_users", repr(MODEL["id"])),
        "sync_active_users": ("Sync", "active_users", repr(SYNC["id"])),
    }


def test_the_program_refers_to_adopted_objects_by_variable_not_by_literal_id():
    program = render_program(read_state(pipeline_state()), "migrated").files["__main__.py"]
    declared = calls(program)
    assert keyword(declared["model_active_users"], "connection_id") == "connection_warehouse.id"
    target = keyword(declared["sync_active_users"], "target")
    assert "'connection_id': connection_ads.id" in target
    assert "model_active_users.id" in keyword(declared["sync_active_users"], "fields")


def test_an_object_outside_the_state_is_referred_to_by_its_id():
    state = terraform_state(resource("polytomic_model", "m", model_instance(MODEL)))
    program = render_program(read_state(state), "migrated").files["__main__.py"]
    assert keyword(calls(program)["model_m"], "connection_id") == repr(SNOWFLAKE["id"])


def test_secrets_are_read_from_stack_config_and_listed_as_instructions_never_copied():
    rendering = render_program(read_state(pipeline_state(encryption_passphrase=PASSPHRASE)), "migrated")
    program = rendering.files["__main__.py"]
    declared = calls(program)
    assert keyword(declared["connection_warehouse"], "secret_configuration") == \
        "{'password': config.require_secret('warehousePassword')}"
    assert keyword(declared["sync_active_users"], "encryption_passphrase") == \
        "config.require_secret('activeUsersEncryptionPassphrase')"
    assert [(s.config_key, s.origin) for s in rendering.secrets] == [
        ("warehousePassword", "polytomic_snowflake_connection.warehouse: secret_configuration.password"),
        ("adsClientId", "polytomic_linkedinads_connection.ads: secret_configuration.client_id"),
        ("adsClientSecret", "polytomic_linkedinads_connection.ads: secret_configuration.client_secret"),
        ("adsOauthRefreshToken",
         "polytomic_linkedinads_connection.ads: secret_configuration.oauth_refresh_token"),
        ("activeUsersEncryptionPassphrase", "polytomic_sync.active_users: encryption_passphrase"),
    ]
    for secret in SECRETS:
        assert secret not in program


def test_a_program_without_secrets_reads_no_config():
    state = terraform_state(resource("polytomic_model", "m", model_instance(MODEL)))
    program = render_program(read_state(state), "migrated").files["__main__.py"]
    assert "pulumi.Config()" not in program
    assert "require_secret" not in program


def test_an_object_with_settings_the_library_cannot_express_is_left_out_with_a_warning():
    state = pipeline_state(only_enrich_updates=True)
    rendering = render_program(read_state(state), "migrated")
    assert "sync_active_users" not in calls(rendering.files["__main__.py"])
    assert [o.origin for o in rendering.adopted] == [
        "polytomic_snowflake_connection.warehouse", "polytomic_linkedinads_connection.ads",
        "polytomic_model.active_users"]
    assert ("polytomic_sync.active_users: left out, because polytomic_components cannot express "
            "only_enrich_updates yet and adopting it would overwrite them; keep managing "
            "it where it is") in rendering.warnings


def test_notes_and_skipped_resources_are_warnings_of_the_rendering():
    state = json.loads(pipeline_state())
    state["resources"].append(resource("polytomic_policy", "p", {"attributes": {"id": "p1"}}))
    rendering = render_program(read_state(json.dumps(state)), "migrated")
    assert any(w.startswith("polytomic_policy.p: not migrated") for w in rendering.warnings)
    assert any(w.startswith("polytomic_model.active_users: fields") for w in rendering.warnings)


def test_the_generated_program_is_valid_python_and_pulumi_yaml_names_the_project():
    rendering = render_program(read_state(pipeline_state(encryption_passphrase=PASSPHRASE)), "team-x")
    compile(rendering.files["__main__.py"], "__main__.py", "exec")
    assert yaml.safe_load(rendering.files["Pulumi.yaml"])["name"] == "team-x"
    assert yaml.safe_load(rendering.files["Pulumi.yaml"])["runtime"] == "python"


# -- stack config for the reference project ------------------------------------------------------


def stack_config(state: str, stack: str = "prod") -> tuple[Any, Any]:
    rendering = render_stack_config(read_state(state), stack)
    document = yaml.safe_load(rendering.files[f"Pulumi.{stack}.yaml"]) if rendering.files else None
    return document, rendering


def test_a_snowflake_to_linkedin_pipeline_becomes_reference_stack_config_with_adoption_ids():
    document, rendering = stack_config(pipeline_state())
    assert document == {"config": {
        "polytomic-pipelines:snowflake": {"adopt_id": SNOWFLAKE["id"], "on_destroy": "delete",
                                          "account": "uc193736182",
                                          "username": "loader", "dbname": "analytics",
                                          "warehouse": "load_wh", "name": "Warehouse"},
        "polytomic-pipelines:linkedin": {"adopt_id": LINKEDIN["id"], "on_destroy": "delete",
                                         "accounts": ["512630692::urn:li:organization:28818517"]},
        "polytomic-pipelines:pipelines": [{
            "name": "Active users", "query": MODEL["configuration"]["query"],
            "audience": SYNC["target"]["object"], "fields": {"first_name": "FirstName"},
            "mode": "create", "schedule": {"frequency": "daily", "hour": "6", "minute": "0"},
            "adopt": {"model": MODEL["id"], "sync": SYNC["id"], "on_destroy": "delete"},
        }],
    }}
    assert "on_destroy: delete - `pulumi destroy` deletes these objects" in \
        rendering.files["Pulumi.prod.yaml"]
    assert [s.config_key for s in rendering.secrets] == [
        "snowflakePassword", "linkedinClientId", "linkedinClientSecret", "linkedinRefreshToken"]


def test_stack_config_carries_no_secret_and_says_how_to_set_each():
    _, rendering = stack_config(pipeline_state())
    text = rendering.files["Pulumi.prod.yaml"]
    assert "#   pulumi config set --secret snowflakePassword --stack prod\n" in text
    for secret in SECRETS:
        assert secret not in text


def test_an_identity_other_than_email_is_written_with_its_function():
    identity = {"source": {"model_id": MODEL["id"], "field": "domain"}, "target": "CompanyDomain",
                "function": "DomainMatch", "remote_field_type_id": None, "new_field": None}
    document, _ = stack_config(pipeline_state(identity=identity))
    pipeline = document["config"]["polytomic-pipelines:pipelines"][0]
    assert pipeline["identity"] == {"source": "domain", "target": "CompanyDomain", "function": "DomainMatch"}


def test_a_sync_named_otherwise_is_adopted_with_a_warning_that_it_will_be_renamed():
    _, rendering = stack_config(pipeline_state(name="Users (hand made)"))
    assert rendering.warnings == (
        "polytomic_sync.active_users: the first `pulumi up` renames it to 'Active users to LinkedIn Ads'",)


def test_a_sync_the_stack_config_cannot_express_is_left_out_naming_why():
    document, rendering = stack_config(pipeline_state(sync_all_records=True))
    assert document is None
    assert rendering.warnings == ("polytomic_sync.active_users: left out of the stack config, because "
                                  "the stack config cannot express sync_all_records",)


def test_pipelines_on_a_second_pair_of_connections_are_left_out_of_the_one_stack():
    other_model = {**MODEL, "id": "m-2", "name": "Other", "connection_id": "elsewhere"}
    other_sync = {**SYNC, "id": "s-2", "fields": [], "identity": {**SYNC["identity"],
                                                                  "source": {"model_id": "m-2",
                                                                             "field": "email"}}}
    state = json.loads(pipeline_state())
    state["resources"] += [resource("polytomic_model", "other", model_instance(other_model)),
                           resource("polytomic_sync", "other", sync_instance(other_sync))]
    document, rendering = stack_config(json.dumps(state))
    assert [p["adopt"]["sync"] for p in document["config"]["polytomic-pipelines:pipelines"]] == [SYNC["id"]]
    assert any(w.startswith("polytomic_sync.other: left out of the stack config, because its model's "
                            "connection") for w in rendering.warnings)


# -- the command line ----------------------------------------------------------------------------


def test_migrate_terraform_writes_the_project_and_prints_each_step(tmp_path, capsys):
    state = tmp_path / "terraform.tfstate"
    state.write_text(pipeline_state())
    assert main(["migrate-terraform", str(state), "--out", str(tmp_path / "out"), "--stack", "prod"]) == 0
    printed = capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "MIGRATION.md", "Pulumi.yaml", "__main__.py", "reference-stack"]
    assert (tmp_path / "out" / "reference-stack" / "Pulumi.prod.yaml").is_file()
    assert "pulumi config set --secret warehousePassword" in printed
    assert ("terraform state rm polytomic_snowflake_connection.warehouse "
            "polytomic_linkedinads_connection.ads polytomic_model.active_users "
            "polytomic_sync.active_users") in printed
    assert printed.strip() in (tmp_path / "out" / "MIGRATION.md").read_text()
    written = "".join(p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file())
    for secret in SECRETS:
        assert secret not in printed
        assert secret not in written


def test_migrate_terraform_never_overwrites_a_project(tmp_path, capsys):
    state = tmp_path / "terraform.tfstate"
    state.write_text(pipeline_state())
    (tmp_path / "Pulumi.yaml").write_text("name: mine\n")
    assert main(["migrate-terraform", str(state), "--out", str(tmp_path)]) == 1
    assert "already holds a Pulumi project" in capsys.readouterr().err
    assert (tmp_path / "Pulumi.yaml").read_text() == "name: mine\n"


def test_migrate_terraform_of_a_missing_file_fails_naming_it(tmp_path, capsys):
    assert main(["migrate-terraform", str(tmp_path / "nope.tfstate"), "--out", str(tmp_path / "o")]) == 1
    assert "cannot read" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_sync_filters_are_carried_into_the_program():
    source = {"model_id": MODEL["id"], "field": "email"}
    state = pipeline_state(filters=[{"source": source, "function": "IsNotNull", "value": None,
                                     "label": None}])
    rendering = render_program(read_state(state), "migrated")
    assert "filters=" in rendering.files["__main__.py"]
    assert not any("cannot express" in warning for warning in rendering.warnings)
