"""`from_config` builds arguments from stack config; errors carry the key's full path."""

from __future__ import annotations

import pytest

from polytomic_components import (
    FieldMapping,
    LinkedInAudiencePipelineArgs,
    LinkedInDestination,
    NewAudience,
    PipelineAdoption,
    SnowflakeSource,
)
from polytomic_components.args import ArgumentError, from_config

ACCOUNT = "512630692::urn:li:organization:28818517"
# What the reference program gives itself, so these are not config keys.
CONNECTIONS = {"source_connection_id": "s", "destination_connection_id": "d", "source": None,
               "destination": None, "sync_name": None, "encryption_passphrase": None}


def pipeline(**entry):
    values = {"name": "users", "query": "SELECT email FROM users", "audience": "a", **entry}
    return from_config(LinkedInAudiencePipelineArgs, values, "pipelines[1]", **CONNECTIONS)


def refusal(build) -> str:
    with pytest.raises(ArgumentError) as error:
        build()
    return str(error.value)


def test_config_keys_become_arguments():
    built = pipeline(fields={"first_name": "FirstName"}, mode="remove", adopt={"model": "m-1"},
                     schedule={"frequency": "daily", "hour": 6, "minute": 30})
    assert (built.model_name, built.audience_id, built.mode) == ("users", "a", "remove")
    assert built.fields == (FieldMapping(source="first_name", target="FirstName"),)
    assert built.adopt == PipelineAdoption(model_id="m-1")
    assert built.schedule == {"frequency": "daily", "hour": "6", "minute": "30"}


def test_a_new_audience_comes_from_its_own_object():
    built = pipeline(audience=None, create={"account": ACCOUNT, "type": "company_audience", "name": "Acme"})
    assert built.create == NewAudience(account=ACCOUNT, type="company_audience", name="Acme")


def test_an_error_names_the_full_path_of_a_nested_key():
    assert refusal(lambda: pipeline(schedule={"frequency": "daily", "hour": 24, "minute": 0})).startswith(
        "pipelines[1].schedule.hour: 24 must be a whole number from 0 to 23")


def test_an_error_uses_the_config_key_not_the_argument_name():
    assert refusal(lambda: pipeline(audience=7)) == \
        "pipelines[1].audience: expected a non-empty string; got 7 (a number)"
    assert refusal(lambda: pipeline(adopt={"sync": ""})).startswith("pipelines[1].adopt.sync: expected")


def test_a_choice_between_keys_is_worded_with_config_keys():
    message = refusal(lambda: pipeline(create={"account": ACCOUNT, "type": "user_audience", "name": "N"}))
    assert message == ("pipelines[1]: give exactly one of `audience` or `create` "
                       "(an existing audience or a new one); got both")


def test_an_unknown_key_lists_the_allowed_keys():
    assert refusal(lambda: pipeline(audiense="a")) == (
        "pipelines[1].audiense: unknown key; did you mean `audience`? "
        "allowed keys: adopt, audience, create, fields, filter_logic, "
        "filters, first_run, identity, mode, name, override_fields, overrides, query, schedule, "
        "sync_all_records")


@pytest.mark.parametrize(("key", "value", "allowed"), [
    ("create", {"account": ACCOUNT, "type": "user_audience", "name": "N", "size": 3}, "account, name, type"),
    ("identity", {"source": "e", "target": "Email", "fn": "Equality"}, "function, source, target"),
    ("adopt", {"models": "m-1"}, "model, on_destroy, sync"),
], ids=["create", "identity", "adopt"])
def test_an_unknown_key_inside_a_nested_object_lists_its_allowed_keys(key, value, allowed):
    entry = {key: value, **({"audience": None} if key == "create" else {})}
    assert refusal(lambda: pipeline(**entry)).endswith(f"allowed keys: {allowed}")


def test_arguments_the_program_gives_are_not_config_keys():
    assert refusal(lambda: pipeline(source_connection_id="x")).startswith(
        "pipelines[1].source_connection_id: unknown key")


def test_keys_left_to_the_caller_are_allowed_and_listed():
    values = {"name": "users", "query": "q", "audience": "a", "renamed_from": "old"}
    assert from_config(LinkedInAudiencePipelineArgs, values, "p", ignore=("renamed_from",),
                       **CONNECTIONS).model_name == "users"
    assert "renamed_from" in refusal(lambda: from_config(
        LinkedInAudiencePipelineArgs, {**values, "x": 1}, "p", ignore=("renamed_from",), **CONNECTIONS))


def test_a_missing_required_key_is_named():
    assert refusal(lambda: from_config(LinkedInAudiencePipelineArgs, {"name": "users", "audience": "a"},
                                       "pipelines[0]", **CONNECTIONS)) == "pipelines[0].query: is required"


def test_a_section_that_is_not_an_object_says_what_an_object_holds():
    assert refusal(lambda: from_config(NewAudience, "Trial signups", "pipelines[0].create")) == (
        "pipelines[0].create: expected an object with the keys account, name, type; got 'Trial signups'")


def test_a_list_of_fields_names_the_index():
    assert refusal(lambda: pipeline(fields=[{"source": "first_name"}])) == \
        "pipelines[1].fields[0].target: is required"


def test_connection_sections_take_their_secrets_from_the_program():
    settings = {"account": "a", "username": "u", "dbname": "d", "adopt_id": "c-1"}
    snowflake = from_config(SnowflakeSource, settings, "snowflake", password="p", private_key=None,
                            private_key_passphrase=None)
    assert (snowflake.adopt_id, snowflake.secret_configuration()) == ("c-1", {"password": "p"})
    secrets = {"client_id": None, "client_secret": None, "oauth_refresh_token": None}
    assert refusal(lambda: from_config(LinkedInDestination, {"accounts": [ACCOUNT], "client_id": "x"},
                                       "linkedin", **secrets)).startswith("linkedin.client_id: unknown key")


def test_linkedin_accounts_errors_name_the_index():
    message = refusal(lambda: from_config(LinkedInDestination, {"accounts": [ACCOUNT, ""]}, "linkedin"))
    assert message.startswith("linkedin.accounts[1]: expected an ad account value")
