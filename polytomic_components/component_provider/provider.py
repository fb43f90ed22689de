"""The `polytomic` component provider: the SDK's inferred schema, made self-describing, and
argument errors shown as property problems.

The SDK infers the schema from the typed arguments in `component.py`. What type hints cannot
say is added here, from the library's own constants: enums for closed sets, `secret` on secrets,
`oneOf` where a value may take two shapes (a field mapped to a target id or to its settings; a
schedule number written as a number or as text). Every language's SDK is generated from this
schema, so it is the contract other languages build on.

An argument error in the component becomes the engine's `InputPropertiesError`: each problem is
reported against the camelCase property path the user wrote. No error of the component reaches
the user as a Python traceback (see `reporting`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi.errors import InputPropertiesError
from pulumi.provider.experimental.analyzer import ComponentDefinition
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.experimental.schema import generate_schema
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ComponentInitError

from .. import args as library
from ..errors import ArgumentError
from ..reporting import message_for
from ..resources import sync
from . import component

PACKAGE = "polytomic"
_TYPE = f"{PACKAGE}:index:"
_RESOURCE = f"{_TYPE}LinkedInAudiencePipeline"

#: Closed sets, as schema enums: name → (values, description).
ENUMS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "AudienceType": (library.AUDIENCE_TYPES, "The kind of LinkedIn audience: members are people "
                     "(`user_audience`) or companies (`company_audience`)."),
    "AudienceMode": (library.AUDIENCE_MODES, "`create` adds the model's rows to the audience; "
                     "`remove` removes them from it."),
    "ScheduleFrequency": (sync.FREQUENCIES, "How often the sync runs."),
    "DayOfWeek": (sync.DAYS, "A day of the week (UTC)."),
    "IdentityFunction": (sync.IDENTITY_FUNCTIONS, "How a model row is matched to an audience member."),
    "FilterFunction": (sync.FILTER_FUNCTIONS, "A condition of the API's filters."),
    "FieldSyncMode": (library.FIELD_SYNC_MODES, "`updateOrCreate` writes every value; `create` writes "
                      "only where the target field is empty."),
}
#: (owner type or "" for the component's inputs, property) → the enum it takes.
ENUM_PROPERTIES: Mapping[tuple[str, str], str] = {
    ("NewAudience", "type"): "AudienceType",
    ("", "mode"): "AudienceMode",
    ("Schedule", "frequency"): "ScheduleFrequency",
    ("Schedule", "dayOfWeek"): "DayOfWeek",
    ("IdentityMapping", "function"): "IdentityFunction",
    ("RowFilter", "function"): "FilterFunction",
    ("ValueOverride", "function"): "FilterFunction",
    ("FieldSetting", "syncMode"): "FieldSyncMode",
}
#: Properties whose values are secrets: stored encrypted, never shown.
SECRET_PROPERTIES = (
    ("SnowflakeSource", "password"), ("SnowflakeSource", "privateKey"),
    ("SnowflakeSource", "privateKeyPassphrase"), ("LinkedInDestination", "clientId"),
    ("LinkedInDestination", "clientSecret"), ("LinkedInDestination", "oauthRefreshToken"),
    ("", "encryptionPassphrase"),
)
#: Schedule settings the API takes as text holding a whole number; YAML and TypeScript write numbers.
NUMBER_OR_TEXT = ("minute", "hour", "dayOfMonth", "month")
#: Arguments whose keys are the user's own (model fields, target fields), not property names.
USER_KEYED = ("fields", "override_fields")


def refine(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` as the SDK inferred it, with enums, secrets and `oneOf`s added (in place)."""
    types, resource = schema["types"], schema["resources"][_RESOURCE]

    def properties(owner: str) -> dict[str, Any]:
        return resource["inputProperties"] if not owner else types[_TYPE + owner]["properties"]

    for name, (values, description) in ENUMS.items():
        types[_TYPE + name] = {"type": "string", "description": description,
                               "enum": [{"name": _enum_name(v), "value": v} for v in values]}
    for (owner, prop), enum in ENUM_PROPERTIES.items():
        spec = properties(owner)[prop]
        spec.pop("type", None)
        spec["$ref"] = f"#/types/{_TYPE}{enum}"
    for owner, prop in SECRET_PROPERTIES:
        properties(owner)[prop]["secret"] = True
    schedule = properties("Schedule")
    for prop in NUMBER_OR_TEXT:
        schedule[prop] = {"description": schedule[prop]["description"], "plain": True,
                          "oneOf": [{"type": "integer"}, {"type": "string"}]}
    fields = resource["inputProperties"]["fields"]["additionalProperties"]
    fields.pop("$ref", None)
    fields["oneOf"] = [{"type": "string"}, {"$ref": f"#/types/{_TYPE}FieldSetting"}]
    return schema


def _enum_name(value: str) -> str:
    """A language-neutral member name: `user_audience` → `UserAudience`, `runafter` → `Runafter`."""
    return "".join(part[:1].upper() + part[1:] for part in value.split("_"))


def camel_case(name: str) -> str:
    """`day_of_week` → `dayOfWeek`: an argument as YAML and TypeScript write it."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def property_problems(error: ArgumentError) -> InputPropertiesError:
    """`error` as the engine reports bad properties: one per problem, at its camelCase path."""
    shown = error.in_words_of(camel_case, keys_of=USER_KEYED)
    # A problem of the arguments together (`audienceId` and `create`) has no one property.
    general = [p.reason for p in shown.problems if not p.key_path]
    properties = [p for p in shown.problems if p.key_path]
    count = f"{len(properties)} properties" if len(properties) > 1 else "a property"
    message = "; ".join([*general, *([f"{count} cannot work as given"] if properties else [])])
    return InputPropertiesError(message, [{"property_path": p.key_path, "reason": p.reason}
                                          for p in properties] or None)


class PolytomicProvider(ComponentProvider):
    """The component provider with the refined schema and readable argument errors."""

    def __init__(self, version: str) -> None:
        super().__init__([component.LinkedInAudiencePipeline], PACKAGE, None, version)
        # `fields` values are a target id or a settings object: the SDK cannot infer a union, so
        # the settings type is analyzed on its own and the schema generated again with it.
        self.analyzer.analyze_property(component.FieldSetting, component.LinkedInAudiencePipelineArgs,
                                       "fields", can_be_plain=True, is_component_output=False)
        schema = generate_schema(PACKAGE, version, None, self._component_defs, self._type_defs,
                                 self._dependencies).to_json()
        self.schema = json.dumps(refine(schema))

    def map_inputs(self, inputs: Any, component_def: ComponentDefinition) -> Any:
        # `fields` is typed by `refine`, not by the SDK: its values pass as written.
        mapped = dict(super().map_inputs({k: v for k, v in inputs.items() if k != "fields"}, component_def))
        if "fields" in inputs:
            mapped["fields"] = inputs["fields"]
        return mapped

    def construct(self, name: str, resource_type: str, inputs: Any, options: Any = None) -> ConstructResult:
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as error:
            if isinstance(error.inner, ArgumentError):
                raise property_problems(error.inner) from None
            # Anything else is reported without the SDK's traceback too: a bug names its trace file.
            raise InputPropertiesError(message_for(error.inner)) from None
