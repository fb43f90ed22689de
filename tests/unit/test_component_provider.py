"""The `polytomic` component provider's typed arguments: in step with the library's, and a schema."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any, get_args, get_origin

import attrs
import pytest
from typing_extensions import NotRequired, is_typeddict

from polytomic_components import args as library
from polytomic_components import pipeline
from polytomic_components.component_provider import component
from polytomic_components.component_provider.provider import PolytomicProvider, camel_case, property_problems
from polytomic_components.resources.sync import SCHEDULE_FIELDS
from tests.conftest import REPO_ROOT


def nested_typed_args() -> dict[str, Any]:
    """The component's arguments that are typed objects of their own, by argument name."""
    found = {}
    for name, hint in component.LinkedInAudiencePipelineArgs.__annotations__.items():
        inner = get_args(hint)[0] if get_origin(hint) is NotRequired else hint
        if is_typeddict(inner) and name not in component.PLAIN_OBJECTS:
            found[name] = inner
    return found


def listed_typed_args() -> dict[str, Any]:
    """The component's arguments that are lists of typed objects, by argument name."""
    found = {}
    for name, hint in component.LinkedInAudiencePipelineArgs.__annotations__.items():
        inner = get_args(hint)[0] if get_origin(hint) is NotRequired else hint
        if get_origin(inner) is list and is_typeddict(get_args(inner)[0]):
            found[name] = get_args(inner)[0]
    return found


#: Each typed argument class and the library class of the same name that it becomes.
MIRRORS = [(typed, getattr(library, typed.__name__))
           for typed in (component.LinkedInAudiencePipelineArgs, *nested_typed_args().values(),
                         *listed_typed_args().values())]
MIRROR_IDS = [typed.__name__ for typed, _ in MIRRORS]
EXISTING = {"model_name": "Active users", "query": "SELECT email FROM users",
            "source_connection_id": "snowflake-id", "destination_connection_id": "linkedin-id",
            "audience_id": "512630692::urn:li:organization:28818517~user_audience.29728401"}


def schema() -> dict[str, Any]:
    return json.loads(PolytomicProvider("0.1.0").schema)


@pytest.mark.parametrize(("typed", "attrs_class"), MIRRORS, ids=MIRROR_IDS)
def test_typed_args_have_the_arguments_of_the_library_class(typed, attrs_class):
    assert set(typed.__annotations__) == set(attrs.fields_dict(attrs_class))


@pytest.mark.parametrize(("typed", "attrs_class"), MIRRORS, ids=MIRROR_IDS)
def test_typed_args_require_what_the_library_requires(typed, attrs_class):
    required = {f.name for f in attrs.fields(attrs_class) if f.default is attrs.NOTHING}
    assert set(typed.__required_keys__) == required


def test_every_nested_argument_is_converted_to_its_library_class():
    assert {name: typed.__name__ for name, typed in nested_typed_args().items()} == \
        {name: cls.__name__ for name, cls in component.NESTED_ARGUMENTS.items()}


def test_component_has_the_outputs_of_the_library_component():
    assert set(inspect.get_annotations(component.LinkedInAudiencePipeline)) == \
        set(inspect.get_annotations(pipeline.LinkedInAudiencePipeline))


def test_schema_declares_the_pipeline_under_the_polytomic_package():
    resource = schema()["resources"]["polytomic:index:LinkedInAudiencePipeline"]
    assert resource["isComponent"] is True
    assert resource["requiredInputs"] == ["modelName", "query"]
    assert set(resource["properties"]) == {
        "snowflakeConnectionId", "linkedinConnectionId", "modelId", "modelFields", "syncId",
        "audienceId", "authUrl", "firstRunStatus", "firstRunCounts"}
    assert resource["properties"]["modelFields"]["type"] == "array"


def test_schema_documents_every_resource_type_and_property():
    document = schema()
    resource = document["resources"]["polytomic:index:LinkedInAudiencePipeline"]
    described = [("LinkedInAudiencePipeline", resource),
                 *((name, {"description": t.get("description"), "inputProperties": t.get("properties", {})})
                   for name, t in document["types"].items())]
    undocumented = [f"{owner}.{prop}" for owner, definition in described
                    for section in ("inputProperties", "properties")
                    for prop, spec in definition.get(section, {}).items() if not spec.get("description")]
    undocumented += [owner for owner, definition in described if not definition["description"]]
    assert undocumented == []


def test_fields_reach_the_library_sorted_by_model_field_whatever_order_the_map_has():
    one = component.to_library_args({**EXISTING, "fields": {"title": "Title", "first_name": "FirstName"}})
    other = component.to_library_args({**EXISTING, "fields": {"first_name": "FirstName", "title": "Title"}})
    assert [f.source for f in one.fields] == ["first_name", "title"]
    assert one.fields == other.fields


def test_nested_arguments_become_the_library_classes():
    args = component.to_library_args({
        "model_name": "Trial signups", "query": "SELECT email FROM users",
        "source": {"account": "uc193736182", "username": "loader", "dbname": "analytics",
                   "password": "sf-secret"},
        "destination": {"accounts": ["512630692::urn:li:organization:28818517"]},
        "create": {"account": "512630692::urn:li:organization:28818517", "type": "user_audience",
                   "name": "Trial signups"},
        "identity": {"source": "work_email", "target": "Email"},
    })
    assert args.source == library.SnowflakeSource(account="uc193736182", username="loader",
                                                  dbname="analytics", password="sf-secret")
    assert args.destination.accounts == ("512630692::urn:li:organization:28818517",)
    assert args.create.type == "user_audience"
    assert (args.identity.source, args.identity.function) == ("work_email", "Equality")


def test_field_settings_written_in_camel_case_reach_the_library_by_its_names():
    title = {"target": "Title", "syncMode": "create", "encryptionEnabled": True}
    args = component.to_library_args({**EXISTING, "encryption_passphrase": "p",
                                      "fields": {"first_name": "FirstName", "title": title}})
    assert args.fields == (library.FieldMapping(source="first_name", target="FirstName"),
                           library.FieldMapping(source="title", target="Title", sync_mode="create",
                                                encryption_enabled=True))


def test_filters_and_overrides_become_the_library_classes():
    args = component.to_library_args({
        **EXISTING, "filters": [{"field": "country", "function": "Equality", "value": "US", "label": "us"}],
        "filter_logic": "us", "overrides": [{"field": "title", "function": "IsNull", "override": "Unknown"}],
        "override_fields": {"Country": "US"}})
    assert args.filters == (library.RowFilter(field="country", function="Equality", value="US", label="us"),)
    assert args.overrides == (library.ValueOverride(field="title", function="IsNull", override="Unknown"),)
    assert args.override_fields == {"Country": "US"}


def test_schema_types_the_filters_and_leaves_a_filter_value_open():
    types = schema()["types"]
    assert set(types["polytomic:index:RowFilter"]["properties"]) == {"field", "function", "value", "label"}
    assert types["polytomic:index:RowFilter"]["properties"]["value"]["$ref"] == "pulumi.json#/Any"
    assert set(types["polytomic:index:ValueOverride"]["required"]) == {"field", "function", "override"}


def test_the_library_validation_reaches_the_component_user():
    with pytest.raises(ValueError, match="mode"):
        component.to_library_args({**EXISTING, "mode": "upsert"})


def test_readme_yaml_examples_are_the_reference_yaml_project():
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("\n## From TypeScript, Go and Pulumi YAML", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    project = (REPO_ROOT / "stacks" / "yaml" / "Pulumi.yaml").read_text()
    assert examples
    assert [example for example in examples if example not in project] == []


RESOURCE = "polytomic:index:LinkedInAudiencePipeline"


def type_properties(document: dict[str, Any], name: str) -> dict[str, Any]:
    return document["types"][f"polytomic:index:{name}"]["properties"]


def every_property_name(document: dict[str, Any]) -> list[str]:
    names = list(document["resources"][RESOURCE]["inputProperties"])
    names += list(document["resources"][RESOURCE]["properties"])
    names += [name for t in document["types"].values() for name in t.get("properties", {})]
    return names


def test_schema_names_every_property_in_camel_case_schedule_keys_included():
    document = schema()
    assert [n for n in every_property_name(document) if "_" in n] == []
    assert {"dayOfWeek", "dayOfMonth", "runAfter"} <= set(type_properties(document, "Schedule"))


def test_schema_schedule_has_every_schedule_setting_of_the_api():
    assert set(type_properties(schema(), "Schedule")) == {camel_case(k) for k in SCHEDULE_FIELDS}


@pytest.mark.parametrize(("owner", "prop", "values"), [
    ("NewAudience", "type", library.AUDIENCE_TYPES),
    ("", "mode", library.AUDIENCE_MODES),
    ("Schedule", "frequency", ("manual", "continuous", "hourly", "daily", "weekly")),
    ("Schedule", "dayOfWeek", ("monday", "sunday")),
    ("IdentityMapping", "function", ("Equality", "DomainMatch")),
    ("FieldSetting", "syncMode", library.FIELD_SYNC_MODES),
    ("RowFilter", "function", ("Equality", "IsNull", "StringEndsWith")),
], ids=lambda v: v if isinstance(v, str) else None)
def test_schema_offers_closed_sets_as_enums(owner, prop, values):
    document = schema()
    properties = (document["resources"][RESOURCE]["inputProperties"] if not owner
                  else type_properties(document, owner))
    enum = document["types"][properties[prop]["$ref"].removeprefix("#/types/")]
    assert enum["description"]
    assert set(values) <= {member["value"] for member in enum["enum"]}


@pytest.mark.parametrize(("owner", "prop"), [
    ("SnowflakeSource", "password"), ("SnowflakeSource", "privateKey"),
    ("SnowflakeSource", "privateKeyPassphrase"), ("LinkedInDestination", "clientId"),
    ("LinkedInDestination", "clientSecret"), ("LinkedInDestination", "oauthRefreshToken"),
    ("", "encryptionPassphrase")])
def test_schema_marks_secrets_secret(owner, prop):
    document = schema()
    properties = (document["resources"][RESOURCE]["inputProperties"] if not owner
                  else type_properties(document, owner))
    assert properties[prop]["secret"] is True


def test_schema_types_fields_as_a_map_of_a_target_id_or_its_settings():
    document = schema()
    values = document["resources"][RESOURCE]["inputProperties"]["fields"]["additionalProperties"]
    assert values["oneOf"] == [{"type": "string"}, {"$ref": "#/types/polytomic:index:FieldSetting"}]
    assert set(type_properties(document, "FieldSetting")) == {"target", "syncMode", "encryptionEnabled",
                                                              "new"}


def test_field_settings_are_the_library_field_mapping_without_its_source():
    mapping = set(attrs.fields_dict(library.FieldMapping)) - {"source"}
    assert set(component.FieldSetting.__annotations__) == mapping


def test_schema_takes_schedule_numbers_as_numbers_or_text():
    schedule = type_properties(schema(), "Schedule")
    assert schedule["hour"]["oneOf"] == [{"type": "integer"}, {"type": "string"}]


def test_schema_outputs_include_the_first_run_status_and_counts_described():
    outputs = schema()["resources"][RESOURCE]["properties"]
    assert outputs["firstRunStatus"]["description"] and outputs["firstRunCounts"]["description"]
    assert outputs["firstRunCounts"]["additionalProperties"]["type"] == "integer"


def test_every_enum_reference_resolves_to_a_type():
    text = json.dumps(document := schema())
    refs = set(re.findall(r'"#/types/([^"]+)"', text))
    assert refs - set(document["types"]) == set()


def test_an_argument_error_becomes_property_problems_at_the_camel_case_paths_the_user_wrote():
    with pytest.raises(library.ArgumentError) as error:
        component.to_library_args({
            **EXISTING, "schedule": {"frequency": "weekly", "hour": 25.0, "minute": 0.0},
            "fields": {"first_name": {"target": "FirstName", "syncMode": "upsert"}}})
    problems = property_problems(error.value)
    assert problems.message == "3 properties cannot work as given"
    assert problems.errors == [
        {"property_path": "fields.first_name.syncMode",
         "reason": "expected one of updateOrCreate, create; got 'upsert'"},
        {"property_path": "schedule.dayOfWeek", "reason": "is required when schedule.frequency is 'weekly'"},
        {"property_path": "schedule.hour", "reason": "25 must be a whole number from 0 to 23 (UTC)"}]


def test_a_problem_of_arguments_together_leads_the_message():
    with pytest.raises(library.ArgumentError) as error:
        component.to_library_args({**EXISTING,
                                   "create": {"account": "a", "type": "user_audience", "name": "n"}})
    problems = property_problems(error.value)
    assert problems.message == ("give exactly one of `audienceId` or `create` (an existing audience or a "
                                "new one); got both")
    assert problems.errors is None
