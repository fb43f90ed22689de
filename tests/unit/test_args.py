"""LinkedInAudiencePipelineArgs and its parts reject bad values when they are built, naming the key,
what was given and what is expected."""

from __future__ import annotations

import pulumi
import pytest

from polytomic_components import (
    FieldMapping,
    IdentityMapping,
    LinkedInAudiencePipelineArgs,
    LinkedInDestination,
    NewAudience,
    PipelineAdoption,
    SnowflakeSource,
)
from polytomic_components.args import ArgumentError

ACCOUNT = "512630692::urn:li:organization:28818517"


def args(**overrides):
    values = {"model_name": "Users", "query": "SELECT email FROM users",
              "source_connection_id": "s", "destination_connection_id": "d", "audience_id": "a"}
    return LinkedInAudiencePipelineArgs(**{**values, **overrides})


def refusal(build) -> str:
    with pytest.raises(ArgumentError) as error:
        build()
    return str(error.value)


def test_audience_and_create_together_are_refused():
    message = refusal(lambda: args(create=NewAudience(account=ACCOUNT, type="user_audience", name="New")))
    assert message == ("give exactly one of `audience_id` or `create` (an existing audience or a new one); "
                       "got both")


def test_neither_audience_nor_create_is_refused():
    assert refusal(lambda: args(audience_id=None)).endswith("got neither")


def test_a_new_and_an_existing_source_together_are_refused():
    source = SnowflakeSource(account="a", username="u", dbname="d", password="p")
    message = refusal(lambda: args(source=source))
    assert "`source` or `source_connection_id`" in message


def test_an_unknown_audience_type_names_the_key_the_value_and_the_choices():
    message = refusal(lambda: NewAudience(account=ACCOUNT, type="group_audience", name="New"))
    assert message == "type: expected one of user_audience, company_audience; got 'group_audience'"


def test_an_unknown_mode_shows_no_attrs_internals():
    message = refusal(lambda: args(mode="updateOrCreate"))
    assert message == "mode: expected one of create, remove; got 'updateOrCreate'"


def test_a_number_where_text_is_expected_says_so():
    assert refusal(lambda: args(query=42)) == "query: expected a non-empty string; got 42 (a number)"


def test_a_blank_name_is_refused():
    assert refusal(lambda: args(model_name="  ")).startswith("model_name: expected a non-empty string")


def test_fields_as_a_mapping_are_sorted_by_model_field():
    built = args(fields={"last_name": "LastName", "first_name": "FirstName"})
    assert built.fields == (FieldMapping(source="first_name", target="FirstName"),
                            FieldMapping(source="last_name", target="LastName"))


def test_fields_as_a_list_keep_their_order():
    given = [FieldMapping(source="b", target="B"), {"source": "a", "target": "A"}]
    assert args(fields=given).fields == (FieldMapping(source="b", target="B"),
                                         FieldMapping(source="a", target="A"))


def test_fields_as_a_list_of_names_say_what_a_field_mapping_is():
    assert refusal(lambda: args(fields=["first_name"])) == \
        "fields[0]: expected an object with the keys encryption_enabled, new, source, sync_mode, target; " \
        "got 'first_name'"


def test_fields_as_text_are_refused():
    assert refusal(lambda: args(fields="first_name")).startswith("fields: expected a mapping of model field")


def test_a_field_mapped_to_a_non_text_target_names_the_field():
    assert refusal(lambda: args(fields={"first_name": 1})) == \
        "fields.first_name: expected a target field id such as FirstName, or an object such as " \
        "{target: FirstName, sync_mode: create}; got 1 (a number)"


def test_defaults_follow_the_guide():
    built = args()
    assert (built.mode, dict(built.schedule)) == ("create", {"frequency": "continuous"})
    assert built.identity == IdentityMapping(source="email", target="Email", function="Equality")


@pytest.mark.parametrize("hour", [6, 6.0, "6"])
def test_schedule_numbers_may_be_yaml_numbers(hour):
    built = args(schedule={"frequency": "daily", "hour": hour, "minute": 0})
    assert built.schedule == {"frequency": "daily", "hour": "6", "minute": "0"}


def test_a_fractional_schedule_number_is_refused():
    assert refusal(lambda: args(schedule={"frequency": "daily", "hour": 6.5, "minute": 0})) == \
        "schedule.hour: expected a whole number; got 6.5 (a number)"


def test_an_out_of_range_hour_is_refused():
    assert refusal(lambda: args(schedule={"frequency": "daily", "hour": 24, "minute": 0})).startswith(
        "schedule.hour: 24 must be a whole number from 0 to 23")


def test_a_schedule_without_the_keys_its_frequency_needs_is_refused():
    assert refusal(lambda: args(schedule={"frequency": "daily", "hour": 6})).startswith(
        "schedule.minute: is required when schedule.frequency is 'daily'")


def test_an_unknown_schedule_key_lists_the_allowed_keys():
    message = refusal(lambda: args(schedule={"frequency": "hourly", "minute": 5, "hours": 3}))
    assert message.startswith("schedule.hours: unknown key; did you mean `hour`? "
                              "allowed keys: frequency, minute, hour, ")


def test_an_unknown_frequency_lists_the_frequencies():
    assert "use one of: manual, continuous" in refusal(lambda: args(schedule={"frequency": "often"}))


def test_identity_may_be_a_mapping_with_a_company_field_and_function():
    built = args(identity={"source": "domain", "target": "CompanyDomain", "function": "DomainMatch"})
    assert built.identity == IdentityMapping(source="domain", target="CompanyDomain", function="DomainMatch")


def test_identity_function_defaults_to_equality_and_accepts_the_guides_spelling():
    assert args(identity={"source": "email", "target": "Email"}).identity.function == "Equality"
    assert args(identity={"source": "e", "target": "Email", "function": "equality"}).identity.function == \
        "Equality"


def test_identity_as_a_field_mapping_matches_by_equality():
    built = args(identity=FieldMapping(source="email", target="Email"))
    assert built.identity == IdentityMapping(source="email", target="Email")


def test_an_unknown_identity_function_lists_the_functions():
    message = refusal(lambda: args(identity={"source": "e", "target": "Email", "function": "Fuzzy"}))
    assert message.startswith("identity.function: expected one of Equality, ISubstring, OneOf,")


def test_an_unknown_identity_key_is_refused():
    message = refusal(lambda: args(identity={"source": "e", "target": "Email", "match": "exact"}))
    assert message == "identity.match: unknown key; allowed keys: function, source, target"


def test_values_from_other_resources_are_accepted_as_outputs():
    built = args(source_connection_id=pulumi.Output.from_input("s"),
                 destination_connection_id=pulumi.Output.from_input("d"),
                 audience_id=pulumi.Output.from_input("a"))
    assert isinstance(built.audience_id, pulumi.Output)


def test_adoption_takes_a_model_a_sync_or_both():
    assert args(adopt=PipelineAdoption(sync_id="sync-1")).adopt == PipelineAdoption(sync_id="sync-1")
    assert args(adopt={"model": "m-1", "sync": "s-1"}).adopt == \
        PipelineAdoption(model_id="m-1", sync_id="s-1")


def test_an_empty_adoption_is_refused():
    assert refusal(PipelineAdoption) == "give `model_id`, `sync_id` or both (the ids of existing objects)"


def test_snowflake_needs_a_password_or_a_private_key_but_not_both():
    assert refusal(lambda: SnowflakeSource(account="a", username="u", dbname="d")).endswith("got neither")
    assert refusal(lambda: SnowflakeSource(account="a", username="u", dbname="d", password="p",
                                           private_key="k")).endswith("got both")


def test_snowflake_key_pair_sets_key_pair_auth():
    source = SnowflakeSource(account="a", username="u", dbname="d", private_key="-----BEGIN")
    assert source.configuration()["key_pair_auth"] is True
    assert source.secret_configuration() == {"private_key": "-----BEGIN"}


def test_snowflake_secrets_may_be_outputs():
    source = SnowflakeSource(account="a", username="u", dbname="d", password=pulumi.Output.secret("p"))
    assert isinstance(source.secret_configuration()["password"], pulumi.Output)


def test_a_secret_of_the_wrong_type_is_refused_without_showing_it():
    message = refusal(lambda: SnowflakeSource(account="a", username="u", dbname="d", password=31337))
    assert message.startswith("password: expected a non-empty string")
    assert "31337" not in message


def test_linkedin_credentials_come_all_or_none():
    assert refusal(lambda: LinkedInDestination(accounts=[ACCOUNT], client_id="id")).startswith(
        "give all of client_id, client_secret and oauth_refresh_token")


def test_linkedin_accounts_as_one_string_are_refused_not_split_into_characters():
    assert refusal(lambda: LinkedInDestination(accounts=ACCOUNT)).startswith(
        "accounts: expected a non-empty list of ad account values")


def test_a_linkedin_account_that_is_not_text_names_its_index():
    assert refusal(lambda: LinkedInDestination(accounts=[ACCOUNT, 7])).startswith("accounts[1]: expected")


def test_connections_may_name_an_existing_connection_to_adopt():
    snowflake = SnowflakeSource(account="a", username="u", dbname="d", password="p", adopt_id="c-1")
    assert snowflake.adopt_id == "c-1"
    assert LinkedInDestination(accounts=[ACCOUNT], adopt_id="c-2").adopt_id == "c-2"


def test_secrets_stay_out_of_repr():
    source = SnowflakeSource(account="a", username="u", dbname="d", password="hunter2")
    destination = LinkedInDestination(accounts=[ACCOUNT], client_id="i", client_secret="s3cr3t",
                                      oauth_refresh_token="r3fr3sh")
    assert "hunter2" not in repr(source)
    assert "s3cr3t" not in repr(destination) and "r3fr3sh" not in repr(destination)


def test_an_unknown_argument_is_an_unknown_key_with_the_closest_argument():
    message = refusal(lambda: args(querry="SELECT 1"))
    assert message.startswith("querry: unknown key; did you mean `query`? allowed keys: adopt, ")


def test_every_problem_of_a_schedule_is_reported_at_once():
    problems = refusal(lambda: args(schedule={"frequency": "dayly", "hour": 25})).splitlines()
    assert problems == [
        "schedule.frequency: 'dayly' is not allowed; use one of: manual, continuous, hourly, daily, "
        "weekly, custom, builder, runafter, multi, dbtcloud (did you mean 'daily'?)",
        "schedule.hour: 25 must be a whole number from 0 to 23 (UTC)"]


def test_a_bad_argument_does_not_hide_a_problem_across_the_good_ones():
    problems = refusal(lambda: args(
        query="", audience_id=None, destination_connection_id=None,
        destination=LinkedInDestination(accounts=[ACCOUNT]),
        create={"account": "509937215::urn:li:organization:76213840", "type": "user_audience",
                "name": "New"})).splitlines()
    assert [p.partition(":")[0] for p in problems] == ["query", "create.account"]
    assert "is not one of the ad accounts in `destination.accounts`" in problems[1]


def test_an_encrypted_field_needs_the_passphrase():
    message = refusal(lambda: args(fields={"title": {"target": "Title", "encryption_enabled": True}}))
    assert message == ("fields.title.encryption_enabled: is true, but no `encryption_passphrase` is given: "
                       "the passphrase the field is encrypted with")


def test_a_mistyped_choice_gets_the_closest_allowed_value():
    assert refusal(lambda: args(mode="remov")).endswith("got 'remov' (did you mean 'remove'?)")
