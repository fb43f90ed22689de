"""The sync options of LinkedInAudiencePipelineArgs (filters, filter logic, overrides, override
fields, per-field settings, sync_all_records, encryption passphrase): what they accept and how they
refuse, in Python and from stack config."""

from __future__ import annotations

import pytest

from polytomic_components import FieldMapping, LinkedInAudiencePipelineArgs, RowFilter, ValueOverride
from polytomic_components.args import ArgumentError, from_config

PROGRAM_GIVEN = {"source_connection_id": "s", "destination_connection_id": "d", "source": None,
                 "destination": None, "sync_name": None, "encryption_passphrase": None}
SOURCE = {"model_id": "m-1", "field": "country"}


def args(**options):
    values = {"model_name": "Users", "query": "SELECT email, country, title FROM users",
              "source_connection_id": "s", "destination_connection_id": "d", "audience_id": "a"}
    return LinkedInAudiencePipelineArgs(**values, **options)


def from_stack_config(**entry):
    values = {"name": "users", "query": "SELECT email, country, title FROM users", "audience": "a", **entry}
    return from_config(LinkedInAudiencePipelineArgs, values, "pipelines[1]", **PROGRAM_GIVEN)


def refusal(build) -> str:
    with pytest.raises(ArgumentError) as error:
        build()
    return str(error.value)


def test_filters_from_config_become_row_filters_in_their_order():
    built = from_stack_config(filters=[{"field": "country", "function": "Equality", "value": "US"},
                                       {"field": "title", "function": "IsNotNull"}])
    assert built.filters == (RowFilter(field="country", function="Equality", value="US"),
                             RowFilter(field="title", function="IsNotNull"))


def test_a_filter_reaches_the_api_as_a_model_filter_without_unset_keys():
    assert RowFilter(field="country", function="IsNull").as_filter(SOURCE) == \
        {"field": SOURCE, "field_type": "Model", "function": "IsNull"}


def test_a_filter_keeps_its_value_and_label():
    condition = RowFilter(field="country", function="StringOneOf", value=["US", "CA"], label="na")
    assert condition.as_filter(SOURCE) == {"field": SOURCE, "field_type": "Model", "function": "StringOneOf",
                                           "value": ["US", "CA"], "label": "na"}


def test_an_unknown_filter_function_names_the_full_key_and_lists_the_functions():
    message = refusal(lambda: from_stack_config(filters=[{"field": "country", "function": "Matches"}]))
    assert message.startswith("pipelines[1].filters[0].function: expected one of Equality, Inequality,")
    assert message.endswith("got 'Matches'")


def test_a_filter_without_a_field_is_refused():
    assert refusal(lambda: from_stack_config(filters=[{"function": "IsNull"}])) == \
        "pipelines[1].filters[0].field: is required"


def test_filters_given_as_one_object_say_a_list_is_expected():
    assert refusal(lambda: args(filters={"field": "country", "function": "IsNull"})).startswith(
        "filters: expected a list of filters such as [{field: country, function: Equality, value: US}]")


def test_a_label_that_filter_logic_could_not_name_is_refused():
    unusable = {"field": "country", "function": "IsNull", "label": "no country"}
    assert refusal(lambda: args(filters=[unusable])).startswith(
        "filters[0].label: expected a letter or underscore, then letters, digits or underscores")


def test_labelling_some_filters_but_not_all_names_the_first_unlabelled_one():
    message = refusal(lambda: args(filters=[{"field": "country", "function": "IsNull", "label": "x"},
                                            {"field": "title", "function": "IsNull"}]))
    assert message == "filters[1].label: is required: label every filter or none (then they are A, B, C...)"


def test_filter_logic_names_the_filters_by_their_position_letters():
    built = args(filters=[{"field": "country", "function": "IsNull"},
                          {"field": "title", "function": "IsNull"},
                          {"field": "email", "function": "IsNotNull"}], filter_logic="A and (B or C)")
    assert built.filter_logic == "A and (B or C)"


def test_filter_logic_naming_a_label_no_filter_has_lists_the_labels():
    message = refusal(lambda: from_stack_config(
        filters=[{"field": "country", "function": "IsNull"}, {"field": "title", "function": "IsNull"}],
        filter_logic="A or C"))
    assert message.splitlines() == ["pipelines[1].filter_logic: names 'C', which no filter has; labels: A, B",
                                    "pipelines[1].filter_logic: must mention every filter; 'B' is missing"]


def test_filter_logic_must_mention_every_filter():
    message = refusal(lambda: args(filters=[{"field": "country", "function": "IsNull", "label": "us"},
                                            {"field": "title", "function": "IsNull", "label": "titled"}],
                                   filter_logic="us"))
    assert message == "filter_logic: must mention every filter; 'titled' is missing"


def test_an_override_replaces_a_value_where_its_condition_holds():
    built = from_stack_config(overrides=[{"field": "title", "function": "IsNull", "override": "Unknown"}])
    assert built.overrides == (ValueOverride(field="title", function="IsNull", override="Unknown"),)
    assert built.overrides[0].as_override({"model_id": "m-1", "field": "title"}) == \
        {"field": {"model_id": "m-1", "field": "title"}, "function": "IsNull", "override": "Unknown"}


def test_an_override_without_the_value_it_writes_is_refused():
    assert refusal(lambda: from_stack_config(overrides=[{"field": "title", "function": "IsNull"}])) == \
        "pipelines[1].overrides[0].override: is required"


def test_override_fields_are_sorted_by_target_field():
    built = from_stack_config(override_fields={"Title": "Member", "Country": "US"})
    assert list(built.override_fields.items()) == [("Country", "US"), ("Title", "Member")]


def test_an_override_field_that_is_not_text_names_its_target_field():
    assert refusal(lambda: from_stack_config(override_fields={"Country": 1})) == (
        "pipelines[1].override_fields.Country: expected text (in YAML, quote numbers and true/false); "
        "got 1 (a number)")


def test_override_fields_as_a_list_say_a_mapping_is_expected():
    assert refusal(lambda: args(override_fields=["Country"])).startswith(
        "override_fields: expected a mapping of target field to the text written to it, e.g. {Country: US}")


def test_field_settings_sit_next_to_plain_mappings_in_config():
    built = from_stack_config(fields={"first_name": "FirstName",
                                      "title": {"target": "Title", "sync_mode": "create", "new": False}})
    assert built.fields == (FieldMapping(source="first_name", target="FirstName"),
                            FieldMapping(source="title", target="Title", sync_mode="create", new=False))


def test_field_settings_reach_the_api_only_when_given():
    assert FieldMapping(source="title", target="Title").settings() == {}
    assert FieldMapping(source="title", target="Title", encryption_enabled=True).settings() == \
        {"encryption_enabled": True}


def test_an_unknown_field_sync_mode_names_the_field_and_the_modes():
    fields = {"title": {"target": "Title", "sync_mode": "always"}}
    assert refusal(lambda: from_stack_config(fields=fields)) == \
        "pipelines[1].fields.title.sync_mode: expected one of updateOrCreate, create; got 'always'"


def test_an_unknown_field_setting_lists_the_settings():
    assert refusal(lambda: from_stack_config(fields={"title": {"target": "Title", "encrypt": True}})) == (
        "pipelines[1].fields.title.encrypt: unknown key; allowed keys: encryption_enabled, new, sync_mode, "
        "target")


def test_a_field_setting_that_is_not_true_or_false_is_refused():
    fields = [{"source": "title", "target": "Title", "encryption_enabled": "yes"}]
    assert refusal(lambda: args(fields=fields)) == \
        "fields[0].encryption_enabled: expected true or false; got 'yes'"


def test_sync_all_records_defaults_to_false_and_must_be_true_or_false():
    assert args().sync_all_records is False
    assert from_stack_config(sync_all_records=True).sync_all_records is True
    assert refusal(lambda: from_stack_config(sync_all_records="yes")) == \
        "pipelines[1].sync_all_records: expected true or false; got 'yes'"


def test_the_encryption_passphrase_never_shows():
    assert "correct horse" not in repr(args(encryption_passphrase="correct horse"))
    message = refusal(lambda: args(encryption_passphrase=424242))
    assert message.startswith("encryption_passphrase: expected a non-empty string")
    assert "424242" not in message


def test_the_encryption_passphrase_is_not_a_config_key():
    assert refusal(lambda: from_stack_config(encryption_passphrase="p")).startswith(
        "pipelines[1].encryption_passphrase: unknown key")
