"""One table of bad pipeline inputs through every front door: the same cause, in each door's words.

Each row is one mistake in a pipeline, written once in the library's argument names, and fed
- through stack config: an entry of the reference project's `pipelines` (keys as config names
  them: `name`, `audience`; the full config key in the message);
- through Python: `LinkedInAudiencePipelineArgs` in a Pulumi program (the argument path);
- through Pulumi YAML: a `polytomic:LinkedInAudiencePipeline` resource (camelCase properties, as
  the schema names them; the YAML host refuses what the schema rules out, the component the rest);
- through TypeScript: a `new polytomic.LinkedInAudiencePipeline(...)` in a copy of the reference
  TypeScript project set up by `init-project` (the same camelCase properties, typed by the SDK
  generated from the schema; tsc refuses what the types rule out, the component the rest).
In every door `pulumi preview` must fail naming the key as that door's users write it, with the
row's words (names quoted in the door's terms, never another door's), with no Python traceback,
and with no write to Polytomic.

Engine runs are batched. Stack config reports every problem of every entry at once: one preview.
The Python program reports each row's error under the row's id: one preview. The YAML host stops
at the first resource that fails, but one resource reports every problem of its properties, so
rows that touch different arguments share one resource: a preview per batch.

TypeScript users write literals, and `pulumi preview` type-checks the program before it runs it, so
each row is written as a user writes it and the door's answer is tsc's where tsc refuses it: values
of another type, unknown keys, missing required keys, values outside an enum (`ts_words` are tsc's
words; it names the property by line and column, and the test checks that the column is a key or
element on the row's path). tsc reports every refusal of a program at once: one program declares a
pipeline per such row, one preview. Every other row passes tsc as written (schedule numbers may be
text in the schema) and reaches the component, except one kind: a value of another type that the
other doors leave to the component (`schedule.hour: true`). A TypeScript user gets such a value past
tsc only untyped, from `config.requireObject<any>` or with `as any`; the program casts it so
(`UNTYPED`). The engine stops at the first pipeline the component refuses, so those rows are
batched as in YAML. The project is set up once for the module (`init-project`, about a minute):
the door adds two to three minutes in all on two cores (11 previews).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pulumi
import pytest
import yaml
from pulumi.automation import errors as auto_errors

from polytomic_components import LinkedInAudiencePipeline, LinkedInAudiencePipelineArgs

from ..conftest import Emulator, Project, set_up_language_project
from .test_pipeline import existing_connections
from .test_yaml import copy_of_yaml_project, set_up_yaml_project, yaml_env  # noqa: F401

pytestmark = pytest.mark.engine

CONFIG = "polytomic-pipelines"
ACCOUNT = "512630692::urn:li:organization:28818517"
OTHER_ACCOUNT = "509937215::urn:li:organization:76213840"
AUDIENCE = f"{ACCOUNT}~user_audience.29728401"
QUERY = "SELECT email, first_name, last_name, title, country FROM users"
NEW_AUDIENCE = {"account": ACCOUNT, "type": "user_audience", "name": "Trial signups"}
DAILY = {"frequency": "daily", "hour": 6, "minute": 0}
REMOVED = "<removed>"
"""A change's value that removes the argument."""

#: Arguments whose keys are the user's own (model fields, LinkedIn fields), in every door.
USER_KEYED = ("fields", "override_fields")
#: How stack config names the arguments it names otherwise (and the LinkedIn connection's accounts).
CONFIG_NAMES = {"model_name": "name", "audience_id": "audience",
                "encryption_passphrase": "encryptionPassphrase",
                "destination.accounts": "linkedin.accounts"}
#: A pipeline that works, in the library's argument names; every row changes it one way.
BASE = {"model_name": "Active users", "query": QUERY, "audience_id": AUDIENCE,
        "fields": {"first_name": "FirstName"}}
#: The connections: existing Snowflake, new LinkedIn Ads (stack config: its `snowflake`/`linkedin`).
CONNECTIONS = {"source_connection_id": "conn-snowflake", "destination": {"accounts": [ACCOUNT]}}

COMPONENT, TYPECHECK, ACCEPTED = "component", "typecheck", "accepted"
#: TypeScript only: the component refuses it, given untyped (`as any`) as a user gets it past tsc.
UNTYPED = "untyped"
#: How the YAML host refuses an unknown key (it lists the keys there are, in no stable order).
SOME_PROPERTIES = "Existing properties are: "
#: Arguments that a check across arguments reads together: a YAML batch takes a row only when
#: no other row of it touches one of them, so that no row's problem hides another's.
READ_TOGETHER = ({"audience_id", "create"}, {"filters", "filter_logic"}, {"fields", "encryption_passphrase"},
                 {"create", "destination"})


@attrs.frozen
class Row:
    """One mistake: the change to `BASE`, the path of the problem, the words every door says."""

    id: str
    change: Mapping[str, Any]
    path: str
    """The problem's path in library names (`schedule.day_of_week`); "" for the entry as a whole."""
    words: str
    names: tuple[str, ...] = ()
    """Library names the message quotes (in backticks), each shown in the door's terms."""
    yaml: str = COMPONENT
    """Who refuses it in YAML: the component, the YAML host's type check against the schema, or
    nobody (`ACCEPTED`: YAML reads it as something valid; `yaml_words` says why)."""
    yaml_words: str = ""
    """For TYPECHECK rows, the YAML host's words."""
    ts: str = ""
    """Who refuses it in TypeScript, where not as in YAML: tsc (`TYPECHECK`), or the component with
    the value given untyped (`UNTYPED`)."""
    ts_words: str = ""
    """For rows tsc refuses, tsc's words."""

    @property
    def typescript(self) -> str:
        return self.ts or self.yaml


def row(id_: str, path: str, words: str, *, names: tuple[str, ...] = (), yaml: str = COMPONENT,
        yaml_words: str = "", ts: str = "", ts_words: str = "", **change: Any) -> Row:
    return Row(id_, change, path, words, names, yaml, yaml_words, ts, ts_words)


def allowed(*values: str) -> str:
    """How the YAML host lists an enum's values: `Create ("create"), Remove ("remove")`."""
    return ", ".join(f'{"".join(p[:1].upper() + p[1:] for p in v.split("_"))} ("{v}")' for v in values)


#: The type tsc names for `fields`.
FIELDS_TYPE = "{ [key: string]: Input<string> | Input<FieldSettingArgs>; }"


def not_assignable(given: str, expected: str) -> str:
    """How tsc refuses a value of another type: `Type 'string' is not assignable to type 'X'`."""
    return f"Type '{given}' is not assignable to type '{expected}'"


def not_a_key(key: str, expected: str) -> str:
    """How tsc refuses an unknown key in an object literal."""
    return f"'\"{key}\"' does not exist in type '{expected}'"


def missing(key: str) -> str:
    """How tsc refuses an object literal without a required key."""
    return f"Property '{key}' is missing in type"


ROWS = [
    # The pipeline's own text arguments.
    row("model-name-empty", "model_name", "expected a non-empty string; got ''", model_name=""),
    row("model-name-blank", "model_name", "expected a non-empty string; got '  '", model_name="  "),
    row("model-name-a-number", "model_name", "expected a non-empty string; got 5 (a number)",
        model_name=5, yaml=ACCEPTED, yaml_words="YAML gives 5 where text is expected as the text '5'",
        ts=TYPECHECK, ts_words=not_assignable("number", "string")),
    row("query-empty", "query", "expected a non-empty string; got ''", query=""),
    row("query-blank", "query", "expected a non-empty string; got '   '", query="   "),
    row("query-a-list", "query", "expected a non-empty string; got [", query=["SELECT email FROM users"],
        yaml=TYPECHECK, yaml_words="query: Cannot assign 'List<string>' to 'string'",
        ts_words=not_assignable("string[]", "string")),
    row("audience-empty", "audience_id", "expected a non-empty string; got ''", audience_id=""),
    row("audience-a-number", "audience_id", "expected a non-empty string; got 29728401 (a number)",
        audience_id=29728401, yaml=ACCEPTED, yaml_words="YAML gives a number as text",
        ts=TYPECHECK, ts_words=not_assignable("number", "Input<string> | undefined")),
    row("audience-and-create", "", "give exactly one of", names=("audience_id", "create"),
        create=NEW_AUDIENCE),
    row("neither-audience-nor-create", "", "got neither", names=("audience_id", "create"),
        audience_id=REMOVED),
    # create: a new audience.
    row("create-not-an-object", "create", "expected an object with the keys account, name, type; got 'New'",
        audience_id=REMOVED, create="New", yaml=TYPECHECK,
        yaml_words="create: Cannot assign type 'string' to type 'polytomic:index:NewAudience'",
        ts_words=not_assignable("string", "NewAudienceArgs")),
    row("create-unknown-key", "create.size", "unknown key; allowed keys: account, name, type",
        audience_id=REMOVED, create={**NEW_AUDIENCE, "size": 9}, yaml=TYPECHECK,
        yaml_words=SOME_PROPERTIES, ts_words=not_a_key("size", "NewAudienceArgs")),
    row("create-type-unknown", "create.type",
        "expected one of user_audience, company_audience; got 'group_audience'",
        audience_id=REMOVED, create={**NEW_AUDIENCE, "type": "group_audience"}, yaml=TYPECHECK,
        yaml_words=allowed("user_audience", "company_audience"),
        ts_words=not_assignable('"group_audience"', "AudienceType")),
    row("create-type-misspelt", "create.type", "(did you mean 'user_audience'?)",
        audience_id=REMOVED, create={**NEW_AUDIENCE, "type": "user_audiense"}, yaml=TYPECHECK,
        yaml_words=allowed("user_audience", "company_audience"),
        ts_words=not_assignable('"user_audiense"', "AudienceType")),
    row("create-name-missing", "create.name", "is required", audience_id=REMOVED,
        create={"account": ACCOUNT, "type": "user_audience"}, yaml=TYPECHECK,
        yaml_words="name: Missing required property 'name'", ts_words=missing("name")),
    row("create-account-empty", "create.account", "expected a non-empty string; got ''",
        audience_id=REMOVED, create={**NEW_AUDIENCE, "account": ""}),
    row("create-account-not-enabled", "create.account", "is not one of the ad accounts in",
        names=("destination.accounts",), audience_id=REMOVED,
        create={**NEW_AUDIENCE, "account": OTHER_ACCOUNT}),
    # fields.
    row("fields-text", "fields", "expected a mapping of model field to target field", fields="first_name",
        yaml=TYPECHECK, yaml_words="fields: Cannot assign type 'string' to type",
        ts_words=not_assignable("string", FIELDS_TYPE)),
    row("fields-a-list-of-names", "fields[0]", "expected an object with the keys", fields=["first_name"],
        yaml=TYPECHECK, yaml_words="fields: Cannot assign 'List<string>' to 'Map<",
        ts_words=not_assignable("string[]", FIELDS_TYPE)),
    row("field-target-a-number", "fields.first_name", "expected a target field id such as FirstName",
        fields={"first_name": 1}, yaml=ACCEPTED, yaml_words="YAML gives a number as text",
        ts=TYPECHECK, ts_words=not_assignable("number", "Input<string> | Input<FieldSettingArgs>")),
    row("field-target-empty", "fields.first_name",
        "expected a target field id such as FirstName, or an object",
        fields={"first_name": ""}),
    row("field-setting-unknown-key", "fields.first_name.syncmode", "unknown key; did you mean",
        fields={"first_name": {"target": "FirstName", "syncmode": "create"}}, yaml=TYPECHECK,
        yaml_words=SOME_PROPERTIES,
        ts_words=not_a_key("syncmode", "Promise<string> | OutputInstance<string> | FieldSettingArgs | "
                                       "Promise<FieldSettingArgs> | OutputInstance<FieldSettingArgs>")),
    row("field-sync-mode-unknown", "fields.first_name.sync_mode",
        "expected one of updateOrCreate, create; got 'upsert'",
        # Not checked by the YAML host: it does not check enums inside a union.
        fields={"first_name": {"target": "FirstName", "sync_mode": "upsert"}},
        ts=TYPECHECK, ts_words=not_assignable('"upsert"', "FieldSyncMode | undefined")),
    row("field-target-missing", "fields.first_name.target", "is required",
        fields={"first_name": {"sync_mode": "create"}}, yaml=TYPECHECK,
        yaml_words="Missing required property 'target'", ts_words=missing("target")),
    row("field-encryption-not-a-flag", "fields.first_name.encryption_enabled",
        "expected true or false; got 'yes'",
        fields={"first_name": {"target": "FirstName", "encryption_enabled": "yes"}}, yaml=TYPECHECK,
        yaml_words="encryptionEnabled: Cannot assign type 'string' to type 'boolean'",
        ts_words=not_assignable("string", "boolean | undefined")),
    row("field-encrypted-without-passphrase", "fields.first_name.encryption_enabled",
        "is true, but no", names=("encryption_passphrase",),
        fields={"first_name": {"target": "FirstName", "encryption_enabled": True}}),
    # identity.
    row("identity-text", "identity", "expected an object with the keys function, source, target; got 'email'",
        identity="email", yaml=TYPECHECK,
        yaml_words="identity: Cannot assign type 'string' to type 'polytomic:index:IdentityMapping'",
        ts_words=not_assignable("string", "IdentityMappingArgs")),
    row("identity-unknown-key", "identity.match", "unknown key; allowed keys: function, source, target",
        identity={"source": "email", "target": "Email", "match": "exact"}, yaml=TYPECHECK,
        yaml_words=SOME_PROPERTIES, ts_words=not_a_key("match", "IdentityMappingArgs")),
    row("identity-function-unknown", "identity.function", "expected one of Equality, ISubstring",
        identity={"source": "email", "target": "Email", "function": "Fuzzy"}, yaml=TYPECHECK,
        yaml_words=allowed("Equality", "ISubstring", "OneOf", "DomainMatch", "HostnameMatch"),
        ts_words=not_assignable('"Fuzzy"', "IdentityFunction | undefined")),
    row("identity-target-missing", "identity.target", "is required", identity={"source": "email"},
        yaml=TYPECHECK, yaml_words="Missing required property 'target'", ts_words=missing("target")),
    row("identity-source-empty", "identity.source", "expected a non-empty string; got ''",
        identity={"source": "", "target": "Email"}),
    # schedule.
    row("schedule-text", "schedule", "expected an object such as {frequency: daily, hour: 6, minute: 0}",
        schedule="daily", yaml=TYPECHECK,
        yaml_words="schedule: Cannot assign type 'string' to type 'polytomic:index:Schedule'",
        ts_words=not_assignable("string", "ScheduleArgs")),
    row("schedule-unknown-key", "schedule.timezone", "unknown key; allowed keys: frequency, minute, hour",
        schedule={**DAILY, "timezone": "UTC"}, yaml=TYPECHECK, yaml_words=SOME_PROPERTIES,
        ts_words=not_a_key("timezone", "ScheduleArgs")),
    row("schedule-key-misspelt", "schedule.minut", "did you mean", names=("minute",),
        schedule={"frequency": "hourly", "minute": 5, "minut": 5}, yaml=TYPECHECK,
        yaml_words=SOME_PROPERTIES, ts_words=not_a_key("minut", "ScheduleArgs")),
    row("schedule-frequency-missing", "schedule.frequency", "is required; use one of: manual, continuous",
        schedule={"minute": 5}, yaml=TYPECHECK, yaml_words="Missing required property 'frequency'",
        ts_words=missing("frequency")),
    row("schedule-frequency-unknown", "schedule.frequency", "'often' is not allowed; use one of: manual",
        schedule={"frequency": "often"}, yaml=TYPECHECK,
        yaml_words=allowed("manual", "continuous", "hourly"),
        ts_words=not_assignable('"often"', "ScheduleFrequency")),
    row("schedule-frequency-misspelt", "schedule.frequency", "(did you mean 'daily'?)",
        schedule={**DAILY, "frequency": "dayly"}, yaml=TYPECHECK, yaml_words=allowed("daily", "weekly"),
        ts_words=not_assignable('"dayly"', "ScheduleFrequency")),
    row("schedule-hour-25", "schedule.hour", "25 must be a whole number from 0 to 23 (UTC)",
        schedule={**DAILY, "hour": 25}),
    row("schedule-hour-as-text-24", "schedule.hour", "'24' must be a whole number from 0 to 23 (UTC)",
        schedule={**DAILY, "hour": "24"}),
    row("schedule-hour-fractional", "schedule.hour", "expected a whole number; got 6.5 (a number)",
        schedule={**DAILY, "hour": 6.5}),
    row("schedule-hour-a-flag", "schedule.hour", "expected a whole number; got true (true/false)",
        schedule={**DAILY, "hour": True}, ts=UNTYPED),
    row("schedule-minute-negative", "schedule.minute", "-5 must be a whole number from 0 to 59 (UTC)",
        schedule={**DAILY, "minute": -5}),
    row("schedule-minute-sixty", "schedule.minute", "60 must be a whole number from 0 to 59 (UTC)",
        schedule={"frequency": "hourly", "minute": 60}),
    row("schedule-minute-words", "schedule.minute", "'five' must be a whole number from 0 to 59 (UTC)",
        schedule={"frequency": "hourly", "minute": "five"}),
    row("schedule-daily-minute-missing", "schedule.minute", "is required when",
        names=("schedule.frequency",), schedule={"frequency": "daily", "hour": 6}),
    row("schedule-weekly-day-missing", "schedule.day_of_week", "is required when",
        names=("schedule.frequency",), schedule={**DAILY, "frequency": "weekly"}),
    row("schedule-day-unknown", "schedule.day_of_week", "'funday' is not a day; use one of: monday",
        schedule={**DAILY, "frequency": "weekly", "day_of_week": "funday"}, yaml=TYPECHECK,
        yaml_words=allowed("monday", "tuesday"),
        ts_words=not_assignable('"funday"', "DayOfWeek | undefined")),
    row("schedule-hourly-minute-missing", "schedule.minute", "is required when",
        names=("schedule.frequency",), schedule={"frequency": "hourly"}),
    # filters and overrides.
    row("filters-text", "filters", "expected a list of filters such as", filters="country", yaml=TYPECHECK,
        yaml_words="filters: Cannot assign type 'string' to type 'List<polytomic:index:RowFilter>'",
        ts_words=not_assignable("string", "RowFilterArgs[]")),
    row("filter-not-an-object", "filters[0]",
        "expected an object with the keys field, function, label, value",
        filters=["country"], yaml=TYPECHECK,
        yaml_words="Cannot assign type 'string' to type 'polytomic:index:RowFilter'",
        ts_words=not_assignable("string", "RowFilterArgs")),
    row("filter-unknown-key", "filters[0].valeu", "unknown key; did you mean", names=("value",),
        filters=[{"field": "country", "function": "Equality", "valeu": "US"}], yaml=TYPECHECK,
        yaml_words=SOME_PROPERTIES, ts_words=not_a_key("valeu", "RowFilterArgs")),
    row("filter-function-unknown", "filters[0].function", "expected one of Equality, Inequality",
        # Not checked by the YAML host: it does not check enums inside a list.
        filters=[{"field": "country", "function": "Equals", "value": "US"}],
        ts=TYPECHECK, ts_words=not_assignable('"Equals"', "FilterFunction")),
    row("filter-field-missing", "filters[0].field", "is required", filters=[{"function": "IsNull"}],
        yaml=TYPECHECK, yaml_words="Missing required property 'field'", ts_words=missing("field")),
    row("filter-field-empty", "filters[0].field", "expected a non-empty string; got ''",
        filters=[{"field": "", "function": "IsNull"}]),
    row("filter-label-not-a-name", "filters[0].label", "expected a letter or underscore",
        filters=[{"field": "country", "function": "IsNull", "label": "1st"}]),
    row("filter-labels-partial", "filters[1].label", "is required: label every filter or none",
        filters=[{"field": "country", "function": "IsNull", "label": "A"},
                 {"field": "title", "function": "IsNull"}]),
    row("filter-logic-unknown-label", "filter_logic", "names 'C', which no filter has",
        filters=[{"field": "country", "function": "IsNull"}, {"field": "title", "function": "IsNull"}],
        filter_logic="A or C"),
    row("filter-logic-empty", "filter_logic", "expected a non-empty string; got ''", filter_logic=""),
    row("overrides-text", "overrides", "expected a list of overrides such as", overrides="title",
        yaml=TYPECHECK, yaml_words="overrides: Cannot assign type 'string' to type",
        ts_words=not_assignable("string", "ValueOverrideArgs[]")),
    row("override-without-override", "overrides[0].override", "is required",
        overrides=[{"field": "title", "function": "IsNull"}], yaml=TYPECHECK,
        yaml_words="Missing required property 'override'", ts_words=missing("override")),
    row("override-function-unknown", "overrides[0].function", "expected one of Equality",
        overrides=[{"field": "title", "function": "Empty", "override": "Unknown"}],
        ts=TYPECHECK, ts_words=not_assignable('"Empty"', "FilterFunction")),
    row("override-fields-text", "override_fields", "expected a mapping of target field to the text",
        override_fields="US", yaml=TYPECHECK, yaml_words="overrideFields: Cannot assign type 'string'",
        ts_words=not_assignable("string", "{ [key: string]: string; }")),
    row("override-field-value-a-flag", "override_fields.Country", "expected text (in YAML, quote numbers",
        override_fields={"Country": True}, yaml=ACCEPTED, yaml_words="YAML gives true as text",
        ts=TYPECHECK, ts_words=not_assignable("boolean", "string")),
    # Flags, the first-run gate.
    row("sync-all-records-text", "sync_all_records", "expected true or false; got 'yes'",
        sync_all_records="yes", yaml=TYPECHECK,
        yaml_words="syncAllRecords: Cannot assign type 'string' to type 'boolean'",
        ts_words=not_assignable("string", "boolean | undefined")),
    row("first-run-text", "first_run", "expected true, false or an object such as {timeout: 300}; got 'yes'",
        first_run="yes", yaml=TYPECHECK,
        yaml_words="firstRun: Cannot assign type 'string' to type 'polytomic:index:FirstRun'",
        ts_words="Type 'string' has no properties in common with type 'FirstRunArgs'"),
    row("first-run-timeout-zero", "first_run.timeout",
        "expected a whole number of seconds from 1 to 86400; got 0",
        first_run={"timeout": 0}),
    row("first-run-timeout-too-long", "first_run.timeout", "from 1 to 86400; got 100000",
        first_run={"timeout": 100000}),
    row("first-run-unknown-key", "first_run.wait", "unknown key; allowed keys: timeout",
        first_run={"wait": 5}, yaml=TYPECHECK, yaml_words="Existing properties are: timeout",
        ts_words=not_a_key("wait", "FirstRunArgs")),
]


# --- each door's view of a row ------------------------------------------------------------------


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def changed(base: Mapping[str, Any], change: Mapping[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(dict(base))
    for key, value in change.items():
        if value == REMOVED:
            result.pop(key, None)
        else:
            result[key] = copy.deepcopy(value)
    return result


def steps(path: str) -> list[str]:
    return re.findall(r"\[\d+\]|[^.\[]+", path)


def door_path(door: str, path: str) -> str:
    """`path` as the door's users write it."""
    if door == "python" or not path:
        return path
    if door == "config":
        head, *rest = path.split(".", 1)
        return ".".join([CONFIG_NAMES.get(head, head), *rest])
    shown: list[str] = []
    parts = steps(path)
    for index, step in enumerate(parts):
        if step.startswith("["):
            shown[-1] += step
        else:
            shown.append(step if index and parts[index - 1] in USER_KEYED else camel(step))
    return ".".join(shown)


def door_name(door: str, name: str) -> str:
    if door == "config":
        return CONFIG_NAMES.get(name, name)
    return name if door == "python" else door_path("yaml", name)


def config_entry(row: Row, index: int) -> dict[str, Any]:
    values = changed(BASE, row.change)
    entry = {CONFIG_NAMES.get(k, k): v for k, v in values.items()}
    if "model_name" not in row.change:
        entry["name"] = f"row-{index}"
    return entry


def yaml_value(value: Any, parent: str | None = None) -> Any:
    """`value` in YAML's camelCase; the keys of `fields` and `override_fields` as the user wrote them."""
    if isinstance(value, Mapping):
        return {(k if parent in USER_KEYED else camel(k)): yaml_value(v, None if parent in USER_KEYED else k)
                for k, v in value.items()}
    if isinstance(value, list):
        return [yaml_value(v, parent) for v in value]
    return value


# --- the previews ---------------------------------------------------------------------------------


@attrs.frozen
class Outcome:
    failed: bool
    output: str
    writes: list[dict[str, Any]]
    program: str = ""
    """The program previewed, where the test needs it (TypeScript: tsc names lines and columns)."""


def lines_naming(output: str, prefix: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if prefix in line]


def preview_stack_config(project: Project, emulator: Emulator) -> Outcome:
    stack_file = project.directory / "stacks" / "Pulumi.dev.yaml"
    stack = yaml.safe_load(stack_file.read_text())
    stack["config"][f"{CONFIG}:pipelines"] = [config_entry(r, i) for i, r in enumerate(ROWS)]
    stack_file.write_text(yaml.safe_dump(stack))
    project.run("stack", "select", "--create", "dev")
    emulator.clear_requests_log()
    result = project.run("preview", "--stack", "dev", check=False)
    return Outcome(result.returncode != 0, result.stdout + result.stderr, emulator.writes())


def python_program() -> None:
    reports = []
    for entry in ROWS:
        try:
            LinkedInAudiencePipelineArgs(**changed({**BASE, **CONNECTIONS}, entry.change))
        except Exception as error:  # any error is reported: the test judges it
            reports += [f"[{entry.id}] {line}" for line in str(error).splitlines()]
        else:
            reports.append(f"[{entry.id}] accepted")
    raise pulumi.RunError("\n".join(reports))


def preview_python(stack_factory: Any, emulator: Emulator) -> Outcome:
    stack = stack_factory(python_program)
    emulator.clear_requests_log()
    try:
        stack.preview(program=python_program, on_output=lambda _line: None)
    except auto_errors.CommandError as error:
        return Outcome(True, str(error), emulator.writes())
    return Outcome(False, "", emulator.writes())


def batches(rows: Iterable[Row]) -> list[list[Row]]:
    """`rows` grouped so that the rows of a group change different arguments (one resource each)."""
    groups: list[tuple[set[str], list[Row]]] = []
    for entry in rows:
        keys = set(entry.change).union(*(group for group in READ_TOGETHER if group & set(entry.change)))
        group = next((g for g in groups if g[0].isdisjoint(keys)), None)
        if group is None:
            groups.append((set(), []))
            group = groups[-1]
        group[0].update(keys)
        group[1].append(entry)
    return [rows for _, rows in groups]


def batch_values(rows: list[Row]) -> dict[str, Any]:
    """The pipeline with every row's change, in YAML's and TypeScript's camelCase."""
    values = {**BASE, **CONNECTIONS}
    for entry in rows:
        values = changed(values, entry.change)
    return yaml_value(values)


def yaml_program(rows: list[Row]) -> dict[str, Any]:
    return {"bad-pipeline": {"type": "polytomic:LinkedInAudiencePipeline", "properties": batch_values(rows)}}


def preview_yaml(project: Project, emulator: Emulator, rows: list[Row]) -> Outcome:
    program_file = project.directory / "Pulumi.yaml"
    program = yaml.safe_load(program_file.read_text())
    program.pop("config", None)
    program.pop("outputs", None)
    program["resources"] = yaml_program(rows)
    program_file.write_text(yaml.safe_dump(program, sort_keys=False))
    emulator.clear_requests_log()
    result = project.run("preview", check=False)
    return Outcome(result.returncode != 0, result.stdout + result.stderr, emulator.writes())


def typescript_literal(values: Mapping[str, Any], untyped: Iterable[str] = ()) -> str:
    """`values` as a TypeScript object literal on one line; the arguments in `untyped` cast `as any`."""
    cast = set(untyped)
    return "{" + ", ".join(f"{json.dumps(key)}: {json.dumps(value)}{' as any' if key in cast else ''}"
                           for key, value in values.items()) + "}"


def typescript_program(pipelines: Mapping[str, str]) -> str:
    """A program declaring each named pipeline with its literal arguments, one pipeline a line."""
    return "\n".join(['import * as polytomic from "@pulumi/polytomic";', "",
                      *(f"new polytomic.LinkedInAudiencePipeline({json.dumps(name)}, {literal});"
                        for name, literal in pipelines.items())]) + "\n"


def preview_typescript(project: Project, emulator: Emulator, program: str) -> Outcome:
    (project.directory / "index.ts").write_text(program)
    emulator.clear_requests_log()
    result = project.run("preview", check=False)
    return Outcome(result.returncode != 0, result.stdout + result.stderr, emulator.writes(), program)


_outcomes: dict[str, Outcome] = {}


@pytest.fixture
def config_outcome(request: pytest.FixtureRequest) -> Outcome:
    if "config" not in _outcomes:
        _outcomes["config"] = preview_stack_config(request.getfixturevalue("reference_project"),
                                                   request.getfixturevalue("emulator"))
    return _outcomes["config"]


@pytest.fixture
def python_outcome(request: pytest.FixtureRequest) -> Outcome:
    if "python" not in _outcomes:
        _outcomes["python"] = preview_python(request.getfixturevalue("polytomic_stack"),
                                             request.getfixturevalue("emulator"))
    return _outcomes["python"]


@pytest.fixture
def yaml_outcomes(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Outcome]:
    """Every YAML batch's preview, keyed by row id, run once for the module."""
    if not any(key.startswith("yaml:") for key in _outcomes):
        emulator = request.getfixturevalue("emulator")
        project = copy_of_yaml_project(tmp_path, request.getfixturevalue("yaml_env"),
                                       request.getfixturevalue("set_up_yaml_project"))
        project.run("stack", "init", "dev")
        project.run("config", "set", "--secret", "polytomic:apiKey", emulator.api_key)
        project.run("config", "set", "polytomic:deploymentUrl", emulator.url)
        try:
            for kind in (COMPONENT, TYPECHECK):
                for rows in batches(r for r in ROWS if r.yaml == kind):
                    outcome = preview_yaml(project, emulator, rows)
                    _outcomes.update({f"yaml:{r.id}": outcome for r in rows})
        finally:
            project.run("stack", "rm", "--yes", "--force", "dev", check=False)
    return {key.removeprefix("yaml:"): o for key, o in _outcomes.items() if key.startswith("yaml:")}


@pytest.fixture(scope="module")
def typescript_outcomes(engine_env: dict[str, str], emulator_session: Emulator,
                        tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every TypeScript preview, keyed by row id, run once for the module in one copy of the
    reference TypeScript project (`init-project`). tsc reports every refusal of a program: one
    program declares a pipeline per row it refuses. The engine stops at the first pipeline the
    component refuses: the other rows share one pipeline per batch, as in YAML."""
    directory = tmp_path_factory.mktemp("typescript-doors") / "project"
    project, _ = set_up_language_project("typescript", "nodejs", engine_env, directory)
    emulator_session.reset()
    project.run("stack", "init", "doors")
    project.run("config", "set", "--secret", "polytomic:apiKey", emulator_session.api_key)
    project.run("config", "set", "polytomic:deploymentUrl", emulator_session.url)
    refused = [r for r in ROWS if r.typescript == TYPECHECK]
    programs = [(refused, typescript_program({r.id: typescript_literal(batch_values([r])) for r in refused}))]
    for rows in batches(r for r in ROWS if r.typescript in (COMPONENT, UNTYPED)):
        untyped = {camel(key) for r in rows if r.typescript == UNTYPED for key in r.change}
        programs.append((rows, typescript_program({"bad-pipeline": typescript_literal(batch_values(rows),
                                                                                       untyped)})))
    outcomes: dict[str, Outcome] = {}
    try:
        for rows, program in programs:
            outcome = preview_typescript(project, emulator_session, program)
            outcomes.update(dict.fromkeys((r.id for r in rows), outcome))
    finally:
        project.run("stack", "rm", "--yes", "--force", "doors", check=False)
    return outcomes


# --- the tests ----------------------------------------------------------------------------------


def assert_clean_failure(outcome: Outcome) -> None:
    assert outcome.failed, "the preview succeeded"
    assert "Traceback" not in outcome.output, outcome.output[-3000:]
    assert "value {<nil>}" not in outcome.output, outcome.output[-3000:]
    assert outcome.writes == []


def assert_component_says(outcome: Outcome, door: str, entry: Row) -> None:
    """The component's words for the row, against the camelCase property path (or the resource)."""
    path = door_path(door, entry.path)
    prefix = f"property {path} " if path else "resource 'bad-pipeline' has a problem:"
    said = lines_naming(outcome.output, prefix)
    assert said, f"no line names {prefix!r}:\n{outcome.output[-3000:]}"
    assert_says(next((line for line in said if entry.words in line), said[0]), door, entry)


def assert_says(line: str, door: str, entry: Row) -> None:
    """The line carries the row's words and quotes its names as the door's users write them."""
    assert entry.words in line, f"{door}: {entry.words!r} not in {line!r}"
    for name in entry.names:
        assert f"`{door_name(door, name)}`" in line or f" {door_name(door, name)} " in line, \
            f"{door}: {door_name(door, name)!r} not in {line!r}"
    if door in ("yaml", "typescript"):  # no argument is named the Python way
        assert [w for w in re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", line)
                if w in {*(s for n in (entry.path, *entry.names) for s in steps(n))}
                and w not in entry.change.get("fields", {})] == [], line


def test_the_table_has_at_least_60_bad_inputs_and_each_door_sees_most_of_them():
    assert len(ROWS) >= 60
    assert len({r.id for r in ROWS}) == len(ROWS)
    assert sum(r.yaml != ACCEPTED for r in ROWS) >= 60
    assert sum(r.typescript != ACCEPTED for r in ROWS) >= 60


@pytest.mark.parametrize("entry", ROWS, ids=lambda r: r.id)
def test_stack_config_names_the_full_config_key(entry, config_outcome):
    assert_clean_failure(config_outcome)
    index = ROWS.index(entry)
    path = door_path("config", entry.path)
    key = f"{CONFIG}:pipelines[{index}]" + (f".{path}:" if path else ":")
    said = lines_naming(config_outcome.output, key)
    assert said, f"no line names {key}:\n{config_outcome.output[-3000:]}"
    assert_says(next((line for line in said if entry.words in line), said[0]), "config", entry)


@pytest.mark.parametrize("entry", ROWS, ids=lambda r: r.id)
def test_python_names_the_argument_path(entry, python_outcome):
    assert_clean_failure(python_outcome)
    prefix = f"[{entry.id}] " + (f"{entry.path}: " if entry.path else "")
    said = lines_naming(python_outcome.output, prefix)
    assert said, f"no line starts {prefix!r}:\n{python_outcome.output[-3000:]}"
    assert_says(next((line for line in said if entry.words in line), said[0]), "python", entry)


@pytest.mark.parametrize("entry", ROWS, ids=lambda r: r.id)
def test_yaml_names_the_camel_case_property_path(entry, yaml_outcomes):
    if entry.yaml == ACCEPTED:
        pytest.skip(f"not an error in YAML: {entry.yaml_words}")
    outcome = yaml_outcomes[entry.id]
    assert_clean_failure(outcome)
    path = door_path("yaml", entry.path)
    if entry.yaml == TYPECHECK:
        # The YAML host's own words, under the property the user wrote.
        assert f"{steps(path)[0]}: Cannot assign" in outcome.output, outcome.output[-3000:]
        assert entry.yaml_words in outcome.output, outcome.output[-3000:]
        return
    assert_component_says(outcome, "yaml", entry)


def tsc_errors(output: str) -> list[tuple[int, int, str]]:
    """tsc's errors in a preview's output: line, column, and the message with its indented details."""
    found = re.finditer(r"index\.ts\((\d+),(\d+)\): error (TS\d+: .*(?:\n[ \t]+(?!index\.ts\()\S.*)*)",
                        output)
    return [(int(m[1]), int(m[2]), m[3]) for m in found]


def ts_anchors(values: Any, path: str) -> tuple[str, ...]:
    """Where each step of `path` that a literal of `values` writes begins in the program's text: a
    key as `"key"`, a list element as its value."""
    anchors: list[str] = []
    for step in steps(path):
        if step.startswith("["):
            index = int(step[1:-1])
            if not isinstance(values, list) or index >= len(values):
                break
            values = values[index]
            anchors.append(json.dumps(values))
        else:
            if not isinstance(values, Mapping) or step not in values:
                break
            values = values[step]
            anchors.append(json.dumps(step))
    return tuple(anchors)


@pytest.mark.parametrize("entry", ROWS, ids=lambda r: r.id)
def test_typescript_names_the_camel_case_property_path(entry, typescript_outcomes):
    outcome = typescript_outcomes[entry.id]
    assert_clean_failure(outcome)
    path = door_path("typescript", entry.path)
    if entry.typescript == TYPECHECK:
        # tsc's own words, at the property the user wrote: the row's line, a key on the path's column.
        declares = f"new polytomic.LinkedInAudiencePipeline({json.dumps(entry.id)},"
        number, line = next((n, text) for n, text in enumerate(outcome.program.splitlines(), 1)
                            if text.startswith(declares))
        anchors = ts_anchors(batch_values([entry]), path)
        said = [message for at, column, message in tsc_errors(outcome.output)
                if at == number and line[column - 1:].startswith(anchors)]
        assert said, f"no tsc error at {anchors} on line {number}:\n{outcome.output[-3000:]}"
        assert [m for m in said if entry.ts_words in m], f"{entry.ts_words!r} not in {said}"
        return
    assert "unhandled exception" not in outcome.output, outcome.output[-3000:]  # no JavaScript stack
    assert_component_says(outcome, "typescript", entry)


def test_python_programs_end_with_the_message_alone(polytomic_stack, emulator):
    def program() -> None:
        LinkedInAudiencePipelineArgs(**changed({**BASE, **CONNECTIONS}, {"schedule": {"frequency": "dayly"}}))

    stack = polytomic_stack(program)
    emulator.clear_requests_log()
    with pytest.raises(auto_errors.CommandError) as failure:
        stack.preview(on_output=lambda _line: None)
    assert "schedule.frequency: 'dayly' is not allowed" in str(failure.value)
    assert "Traceback" not in str(failure.value)
    assert emulator.writes() == []



def test_a_query_without_the_default_identity_names_the_identity_not_an_internal_property(
        polytomic_stack, emulator):
    connections = existing_connections(emulator)

    def program() -> None:
        LinkedInAudiencePipeline("users", LinkedInAudiencePipelineArgs(
            model_name="Users", query="SELECT first_name FROM users", fields={"first_name": "FirstName"},
            audience_id=AUDIENCE, **connections))

    stack = polytomic_stack(program)
    emulator.clear_requests_log()
    with pytest.raises(auto_errors.CommandError) as failure:
        stack.preview(on_output=lambda _line: None)
    message = str(failure.value)
    assert ("'email' is not a field this model's query selects (it selects: first_name); "
            "`identity.source` (the default identity, email → Email) needs it") in message
    assert "required_fields" not in message and "value {<nil>}" not in message
    assert emulator.writes() == []


def test_missing_secrets_name_the_config_keys_and_the_commands_that_set_them(reference_project, emulator):
    stack_file = reference_project.directory / "stacks" / "Pulumi.dev.yaml"
    stack = yaml.safe_load(stack_file.read_text())
    for key in ("snowflakePassword", "linkedinClientSecret", "linkedinRefreshToken"):
        del stack["config"][f"{CONFIG}:{key}"]
    stack_file.write_text(yaml.safe_dump(stack))
    reference_project.run("stack", "select", "--create", "dev")
    emulator.clear_requests_log()
    result = reference_project.run("preview", "--stack", "dev", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert ("give exactly one of `snowflakePassword` or `snowflakePrivateKey` (password or key-pair "
            "authentication); got neither; set one with `pulumi config set --secret snowflakePassword`"
            in output)
    assert ("missing: `linkedinClientSecret`, `linkedinRefreshToken`; set `pulumi config set --secret "
            "linkedinClientSecret`, `pulumi config set --secret linkedinRefreshToken`" in output)
    assert "client_secret" not in output and "Traceback" not in output
    assert emulator.writes() == []
