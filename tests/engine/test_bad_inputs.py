"""Every invalid input fails `pulumi preview`, naming its key or property, before anything is written.

A table of invalid inputs across the reference project's stack config, the component's arguments
and the three resources. Each case must make the preview fail with a message that names the
path of the bad value, and the emulator must have seen no write during that preview.

The engine stops a preview at the first resource whose check fails, but reports every failure of
that check; the reference program reports every config problem at once. So cases share a preview
wherever that still shows which case produced which message:
- stack config: one stack whose pipelines are each broken in one way (plus one broken value in
  each other section); the entry's index is in every path;
- component arguments: one program that builds every bad argument set and reports each error
  under its case id;
- resource inputs: one resource broken in several independent properties;
- facts only the service knows (queries, fields, accounts, ids): one preview each, against
  connections and a model arranged in the emulator beforehand.
Each family of previews runs once, in the first test that needs it; the other tests read its
outcome.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pulumi
import pytest
import yaml
from pulumi.automation import errors as auto_errors

from polytomic_components import (
    Connection,
    FieldMapping,
    IdentityMapping,
    LinkedInAudiencePipelineArgs,
    LinkedInDestination,
    Model,
    NewAudience,
    PipelineAdoption,
    SnowflakeSource,
    Sync,
)

pytestmark = pytest.mark.engine

ACCOUNT = "512630692::urn:li:organization:28818517"
NOT_ENABLED_ACCOUNT = "509937215::urn:li:organization:76213840"
NOT_OFFERED_ACCOUNT = "100000001::urn:li:organization:1"
AUDIENCE = f"{ACCOUNT}~user_audience.29728401"
CREDENTIALS = {"client_id": "li-client", "client_secret": "li-secret", "oauth_refresh_token": "li-refresh"}
QUERY = "SELECT email, first_name, last_name FROM users"
CONFIG = "polytomic-pipelines"
REMOVED = object()
"""A mutation value: remove the key."""


@attrs.frozen
class Case:
    """One invalid input: what the failure must name, the preview that covers it, what breaks it."""

    id: str
    path: str
    """The key or property path the message must name (a phrase, where no single key is at fault)."""
    run: str
    change: Any
    """Family-specific: mutations of a valid value, or a callable that builds bad arguments."""


@attrs.frozen
class Outcome:
    """What one `pulumi preview` did."""

    failed: bool
    output: str
    writes: list[dict[str, Any]]


def names(output: str, path: str) -> bool:
    """True when `output` names `path` as a key: `path:` or a deeper key under it (`path.x`, `path[0]`),
    or as the engine words a check failure (`property path value`)."""
    if " " in path:
        return path in output
    key = rf"(?<![\w.\[\]]){re.escape(path)}(?=[:.\[])"
    return re.search(rf"{key}|property {re.escape(path)}\S* value", output) is not None


def mutated(value: Any, mutations: Mapping[str, Any]) -> Any:
    """A copy of `value` with each `a.b[0].c` path set to its value (or removed, for REMOVED)."""
    result = copy.deepcopy(value)
    for path, new in mutations.items():
        steps: list[Any] = [int(s) if s.isdigit() else s for s in re.findall(r"[^.\[\]]+", path)]
        holder = result
        for step in steps[:-1]:
            holder = holder[step]
        if new is REMOVED:
            del holder[steps[-1]]
        else:
            holder[steps[-1]] = copy.deepcopy(new)
    return result


def covered_paths_are_distinct(cases: Iterable[Case]) -> None:
    """Within one preview no path may lie under another's, or one message could pass for two cases."""
    by_run: dict[str, list[str]] = defaultdict(list)
    for case in cases:
        by_run[case.run].append(case.path)
    for run, paths in by_run.items():
        for path in paths:
            others = [p for p in paths if p != path and names(p + ":", path)]
            assert not others, f"run {run}: {path} also names {others}"


# --- stack config (the reference project, `pulumi preview` of its dev stack) ---------------------

REFERENCE_PIPELINE = {"name": "newsletter-subscribers", "query": QUERY, "audience": AUDIENCE,
                      "fields": {"first_name": "FirstName"}}
NEW_AUDIENCE = {"account": ACCOUNT, "type": "user_audience", "name": "Trial signups"}
DAILY = {"frequency": "daily", "hour": 6, "minute": 0}


def entry(case_id: str, key: str, whole: Any = None, **changes: Any) -> tuple[str, str, Any]:
    """A pipeline entry broken one way: `changes` to a valid entry, or a `whole` replacement."""
    return case_id, key, whole if whole is not None else changes


PIPELINE_ENTRIES = [
    entry("pipeline-not-an-object", "", whole="newsletter-subscribers"),
    entry("pipeline-unknown-key", ".audiense", audiense=AUDIENCE),
    entry("pipeline-name-missing", ".name", name=REMOVED),
    entry("pipeline-name-not-text", ".name", name=42),
    entry("pipeline-name-duplicate", "", name="newsletter-subscribers"),
    entry("pipeline-query-missing", ".query", query=REMOVED),
    entry("pipeline-query-empty", ".query", query=""),
    entry("pipeline-query-a-list", ".query", query=["SELECT email FROM users"]),
    entry("pipeline-audience-and-create", "", create=NEW_AUDIENCE),
    entry("pipeline-neither-audience-nor-create", "", audience=REMOVED),
    entry("pipeline-audience-a-number", ".audience", audience=29728401),
    entry("pipeline-create-not-an-object", ".create", audience=REMOVED, create="Trial signups"),
    entry("pipeline-create-unknown-key", ".create.size", audience=REMOVED,
          create={**NEW_AUDIENCE, "size": 9}),
    entry("pipeline-create-type-unknown", ".create.type", audience=REMOVED,
          create={**NEW_AUDIENCE, "type": "group_audience"}),
    entry("pipeline-create-name-missing", ".create.name", audience=REMOVED,
          create={"account": ACCOUNT, "type": "user_audience"}),
    entry("pipeline-fields-a-list-of-names", ".fields[0]", fields=["first_name"]),
    entry("pipeline-fields-text", ".fields", fields="first_name"),
    entry("pipeline-fields-target-a-number", ".fields.first_name", fields={"first_name": 1}),
    entry("pipeline-fields-item-unknown-key", ".fields[0].to",
          fields=[{"source": "first_name", "to": "FirstName"}]),
    entry("pipeline-mode-unknown", ".mode", mode="upsert"),
    entry("pipeline-schedule-text", ".schedule", schedule="daily"),
    entry("pipeline-schedule-unknown-key", ".schedule.timezone", schedule={**DAILY, "timezone": "UTC"}),
    entry("pipeline-schedule-hour-out-of-range", ".schedule.hour", schedule={**DAILY, "hour": 24}),
    entry("pipeline-schedule-hour-fractional", ".schedule.hour", schedule={**DAILY, "hour": 6.5}),
    entry("pipeline-schedule-minute-negative", ".schedule.minute", schedule={**DAILY, "minute": -5}),
    entry("pipeline-schedule-frequency-unknown", ".schedule.frequency", schedule={"frequency": "often"}),
    entry("pipeline-schedule-frequency-missing", ".schedule.frequency", schedule={"minute": 5}),
    entry("pipeline-schedule-minute-missing", ".schedule.minute", schedule={"frequency": "daily", "hour": 6}),
    entry("pipeline-schedule-day-unknown", ".schedule.day_of_week",
          schedule={**DAILY, "frequency": "weekly", "day_of_week": "funday"}),
    entry("pipeline-identity-unknown-key", ".identity.match",
          identity={"source": "email", "target": "Email", "match": "exact"}),
    entry("pipeline-identity-function-unknown", ".identity.function",
          identity={"source": "email", "target": "Email", "function": "Fuzzy"}),
    entry("pipeline-identity-target-missing", ".identity.target", identity={"source": "email"}),
    entry("pipeline-identity-text", ".identity", identity="email"),
    entry("pipeline-adopt-empty", ".adopt", adopt={}),
    entry("pipeline-adopt-unknown-key", ".adopt.models", adopt={"models": "m-1"}),
    entry("pipeline-adopt-model-a-number", ".adopt.model", adopt={"model": 5}),
    entry("pipeline-renamed-from-a-number", ".renamed_from", renamed_from=5),
    entry("pipeline-renamed-from-itself", ".renamed_from", name="reports", renamed_from=["old", "reports"]),
]
#: The valid first entry is index 0; broken entries follow in table order.
CONFIG_PIPELINE_CASES = [
    Case(case_id, f"{CONFIG}:pipelines[{index}]{key}", "config-1", change)
    for index, (case_id, key, change) in enumerate(PIPELINE_ENTRIES, start=1)
]


def section(case_id: str, key: str, sub_key: str, change: Any, *, whole: bool = False,
            config_key: str | None = None, path: str | None = None) -> tuple[str, Case]:
    """A section broken one way: `change` to it, or a `whole` replacement of `config_key` (default: `key`)."""
    return key, Case(case_id, path or f"{CONFIG}:{key}{sub_key}", "", (config_key or key, whole, change))


SECTION_CASES = [
    section("snowflake-unknown-key", "snowflake", ".acount", {"acount": "uc193736182"}),
    section("snowflake-password-in-plain-config", "snowflake", ".password", {"password": "hunter2"}),
    section("snowflake-dbname-missing", "snowflake", ".dbname", {"dbname": REMOVED}),
    section("snowflake-not-an-object", "snowflake", "", "uc193736182", whole=True),
    section("snowflake-adopt-id-a-number", "snowflake", ".adopt_id", {"adopt_id": 7}),
    section("snowflake-no-password-secret", "snowflake", "", REMOVED, whole=True,
            config_key="snowflakePassword", path="`snowflakePassword` or `snowflakePrivateKey`"),
    section("linkedin-accounts-text", "linkedin", ".accounts", {"accounts": ACCOUNT}),
    section("linkedin-accounts-empty", "linkedin", ".accounts", {"accounts": []}),
    section("linkedin-account-a-number", "linkedin", ".accounts[0]", {"accounts": [512630692]}),
    section("linkedin-unknown-key", "linkedin", ".region", {"region": "emea"}),
    section("linkedin-secret-in-plain-config", "linkedin", ".client_secret", {"client_secret": "s3cr3t"}),
    section("pipelines-not-a-list", "pipelines", "", {"name": "newsletter-subscribers"}, whole=True),
    section("pipelines-empty", "pipelines", "", [], whole=True),
]


def spread(sections: list[tuple[str, Case]]) -> list[Case]:
    """Section cases spread so that each preview breaks each section at most once."""
    cases = []
    per_section: dict[str, int] = defaultdict(int)
    for key, case in sections:
        per_section[key] += 1
        # The first preview's `pipelines` holds the broken entries.
        run = per_section[key] + (1 if key == "pipelines" else 0)
        cases.append(attrs.evolve(case, run=f"config-{run}"))
    return cases


CONFIG_SECTION_CASES = spread(SECTION_CASES)
CONFIG_CASES = [*CONFIG_PIPELINE_CASES, *CONFIG_SECTION_CASES]


def config_of(run: str, reference: Mapping[str, Any]) -> dict[str, Any]:
    """The dev stack's config with this preview's cases applied."""
    config = copy.deepcopy(dict(reference))
    if run == "config-1":
        config[f"{CONFIG}:pipelines"] = [REFERENCE_PIPELINE, *(
            mutated({**REFERENCE_PIPELINE, "name": f"pipeline-{index}"}, case.change)
            if isinstance(case.change, dict) else case.change
            for index, case in enumerate(CONFIG_PIPELINE_CASES, start=1))]
    for case in CONFIG_SECTION_CASES:
        if case.run == run:
            key, whole, change = case.change
            if change is REMOVED:
                del config[f"{CONFIG}:{key}"]
            else:
                config[f"{CONFIG}:{key}"] = change if whole else mutated(config[f"{CONFIG}:{key}"], change)
    return config


def run_config_previews(project: Any, emulator: Any) -> dict[str, Outcome]:
    stack_file = Path(project.directory) / "stacks" / "Pulumi.dev.yaml"
    reference = yaml.safe_load(stack_file.read_text())
    project.run("stack", "select", "--create", "dev")
    outcomes = {}
    for run in sorted({c.run for c in CONFIG_CASES}):
        stack_file.write_text(yaml.safe_dump({**reference, "config": config_of(run, reference["config"])}))
        emulator.clear_requests_log()
        result = project.run("preview", "--stack", "dev", check=False)
        outcomes[run] = Outcome(result.returncode != 0, result.stdout + result.stderr, emulator.writes())
    return outcomes


# --- component arguments (built in the program, which reports each error under its case id) -------


def pipeline_args(**changes: Any) -> LinkedInAudiencePipelineArgs:
    values = {"model_name": "Active users", "query": QUERY, "source_connection_id": "conn-snowflake",
              "destination_connection_id": "conn-linkedin", "audience_id": AUDIENCE,
              "fields": {"first_name": "FirstName"}}
    return LinkedInAudiencePipelineArgs(**{**values, **changes})


def snowflake(**changes: Any) -> SnowflakeSource:
    return SnowflakeSource(**{"account": "uc193736182", "username": "loader", "dbname": "analytics",
                              "password": "sf-secret", **changes})


def argument(case_id: str, path: str, build: Callable[[], Any]) -> Case:
    return Case(case_id, path, "arguments", build)


ARGUMENT_CASES = [
    argument("args-model-name-a-number", "model_name", lambda: pipeline_args(model_name=5)),
    argument("args-query-missing", "query", lambda: pipeline_args(query=None)),
    argument("args-query-blank", "query", lambda: pipeline_args(query="   ")),
    argument("args-source-connection-id-a-number", "source_connection_id",
             lambda: pipeline_args(source_connection_id=7)),
    argument("args-audience-id-empty", "audience_id", lambda: pipeline_args(audience_id="")),
    argument("args-new-and-existing-source", "`source` or `source_connection_id`",
             lambda: pipeline_args(source=snowflake())),
    argument("args-no-destination", "`destination` or `destination_connection_id`",
             lambda: pipeline_args(destination_connection_id=None)),
    argument("args-source-as-mapping-unknown-key", "source.acount",
             lambda: pipeline_args(source_connection_id=None, source={"acount": "x"})),
    argument("args-destination-not-an-object", "destination",
             lambda: pipeline_args(destination_connection_id=None, destination=ACCOUNT)),
    argument("args-create-type-unknown", "create.type", lambda: pipeline_args(
        audience_id=None, create={"account": ACCOUNT, "type": "group_audience", "name": "New"})),
    argument("args-create-not-an-object", "create", lambda: pipeline_args(audience_id=None, create="New")),
    argument("args-fields-a-list-of-names", "fields[0]", lambda: pipeline_args(fields=["first_name"])),
    argument("args-fields-a-number", "fields", lambda: pipeline_args(fields=5)),
    argument("args-fields-target-none", "fields.first_name",
             lambda: pipeline_args(fields={"first_name": None})),
    argument("args-identity-function-unknown", "identity.function", lambda: pipeline_args(
        identity={"source": "email", "target": "Email", "function": "Fuzzy"})),
    argument("args-identity-text", "identity", lambda: pipeline_args(identity="email")),
    argument("args-mode-a-number", "mode", lambda: pipeline_args(mode=1)),
    argument("args-schedule-a-list", "schedule", lambda: pipeline_args(schedule=["daily"])),
    argument("args-schedule-unknown-key", "schedule.every",
             lambda: pipeline_args(schedule={"frequency": "hourly", "minute": "5", "every": 2})),
    argument("args-schedule-hour-25", "schedule.hour", lambda: pipeline_args(schedule={**DAILY, "hour": 25})),
    argument("args-schedule-hour-a-bool", "schedule.hour",
             lambda: pipeline_args(schedule={**DAILY, "hour": True})),
    argument("args-adopt-empty", "adopt", lambda: pipeline_args(adopt={})),
    argument("args-adoption-model-id-a-number", "model_id", lambda: PipelineAdoption(model_id=5)),
    argument("args-sync-name-empty", "sync_name", lambda: pipeline_args(sync_name="")),
    argument("args-snowflake-password-a-number", "password", lambda: snowflake(password=5)),
    argument("args-snowflake-no-authentication", "`password` or `private_key`",
             lambda: snowflake(password=None)),
    argument("args-snowflake-account-empty", "account", lambda: snowflake(account="")),
    argument("args-snowflake-adopt-id-a-number", "adopt_id", lambda: snowflake(adopt_id=9)),
    argument("args-linkedin-accounts-text", "accounts", lambda: LinkedInDestination(accounts=ACCOUNT)),
    argument("args-linkedin-accounts-empty", "accounts", lambda: LinkedInDestination(accounts=[])),
    argument("args-linkedin-some-credentials", "client_id, client_secret and oauth_refresh_token",
             lambda: LinkedInDestination(accounts=[ACCOUNT], client_id="id")),
    argument("args-linkedin-adopt-id-empty", "adopt_id", lambda: LinkedInDestination(accounts=[ACCOUNT],
                                                                                    adopt_id="")),
    argument("args-new-audience-name-empty", "name",
             lambda: NewAudience(account=ACCOUNT, type="user_audience", name="")),
    argument("args-field-mapping-source-a-number", "source",
             lambda: FieldMapping(source=1, target="FirstName")),
    argument("args-identity-mapping-target-empty", "target",
             lambda: IdentityMapping(source="email", target="")),
]


def arguments_program() -> None:
    reports = []
    for case in ARGUMENT_CASES:
        try:
            case.change()
        except Exception as error:  # any error is reported: the test judges whether it is readable
            reports.append(f"[{case.id}] {error}")
        else:
            reports.append(f"[{case.id}] accepted")
    raise pulumi.RunError("\n".join(reports))


# --- resources (Connection, Model, Sync) ----------------------------------------------------------

#: Valid inputs per kind; `$snowflake`, `$linkedin`, `$model` are ids of objects arranged beforehand.
VALID_INPUTS: Mapping[str, tuple[type, dict[str, Any]]] = {
    "snowflake": (Connection, {
        "name": "Warehouse", "type": "snowflake",
        "configuration": {"account": "uc193736182", "username": "loader", "dbname": "analytics"},
        "secret_configuration": {"password": "sf-secret"}}),
    "linkedin": (Connection, {
        "name": "LinkedIn", "type": "linkedinads",
        "configuration": {"accounts": [{"value": ACCOUNT, "label": ACCOUNT}]},
        "secret_configuration": CREDENTIALS}),
    "model": (Model, {"name": "Active users", "connection_id": "$snowflake",
                      "configuration": {"query": QUERY}}),
    "sync": (Sync, {
        "name": "Active users to LinkedIn", "mode": "create",
        "schedule": {"frequency": "daily", "hour": "6", "minute": "0"},
        "target": {"connection_id": "$linkedin", "object": AUDIENCE},
        "fields": [{"source": {"model_id": "$model", "field": "first_name"}, "target": "FirstName"},
                   {"source": {"model_id": "$model", "field": "last_name"}, "target": "LastName"}],
        "identity": {"source": {"model_id": "$model", "field": "email"}, "target": "Email",
                     "function": "Equality"}}),
}


def static(run: str, case_id: str, path: str, mutations: Mapping[str, Any]) -> Case:
    """A shape, enum or type problem, covered with others of the same resource in `run`."""
    return Case(case_id, path, run, (run.split("-")[0], mutations))


def service(kind: str, case_id: str, path: str, mutations: Mapping[str, Any]) -> Case:
    """A problem only the service can see: a preview of its own."""
    return Case(case_id, path, case_id, (kind, mutations))


RESOURCE_CASES = [
    # Connection: shapes, types and the rules of each type.
    static("snowflake-1", "connection-name-empty", "name", {"name": ""}),
    static("snowflake-1", "connection-sensitive-key-in-configuration", "configuration.password",
           {"configuration.password": "hunter2"}),
    static("snowflake-1", "connection-snowflake-account-missing", "configuration.account",
           {"configuration.account": REMOVED}),
    static("snowflake-1", "connection-force-destroy-not-a-bool", "force_destroy", {"force_destroy": "yes"}),
    static("snowflake-2", "connection-snowflake-password-missing", "secret_configuration.password",
           {"secret_configuration": {}}),
    static("snowflake-2", "connection-redirect-url-a-number", "redirect_url", {"redirect_url": 8080}),
    static("snowflake-2", "connection-name-a-number", "name", {"name": 42}),
    static("snowflake-3", "connection-key-pair-without-private-key", "secret_configuration.private_key",
           {"configuration.key_pair_auth": True}),
    static("snowflake-5", "connection-type-empty", "type", {"type": ""}),
    static("snowflake-4", "connection-configuration-text", "configuration", {"configuration": "account=x"}),
    static("snowflake-4", "connection-secret-configuration-text", "secret_configuration",
           {"secret_configuration": "password=x"}),
    static("linkedin-1", "connection-linkedin-some-credentials", "secret_configuration",
           {"secret_configuration.client_secret": REMOVED}),
    static("linkedin-1", "connection-linkedin-account-without-value", "configuration.accounts[0]",
           {"configuration.accounts": [{"label": "Acme"}]}),
    static("linkedin-2", "connection-linkedin-accounts-text", "configuration.accounts",
           {"configuration.accounts": ACCOUNT}),
    service("snowflake", "connection-type-unknown", "type", {"type": "snowflak"}),
    service("snowflake", "connection-configuration-unknown-key", "configuration.acount",
            {"configuration.acount": "uc193736182"}),
    service("linkedin", "connection-linkedin-account-not-offered", "configuration.accounts[0]",
            {"configuration.accounts": [{"value": NOT_OFFERED_ACCOUNT, "label": "Nobody"}]}),
    service("snowflake", "connection-adopt-id-unknown", "adopt_id", {"adopt_id": "no-such-connection"}),
    # Model.
    static("model-1", "model-name-empty", "name", {"name": ""}),
    static("model-1", "model-connection-id-empty", "connection_id", {"connection_id": ""}),
    static("model-1", "model-query-and-table", "configuration", {"configuration.table": "users"}),
    static("model-2", "model-configuration-text", "configuration", {"configuration": QUERY}),
    static("model-2", "model-identifier-a-number", "identifier", {"identifier": 5}),
    static("model-2", "model-name-a-number", "name", {"name": 3}),
    static("model-3", "model-configuration-empty", "configuration", {"configuration": {}}),
    service("model", "model-sql-syntax-error", "configuration.query",
            {"configuration.query": "SELEC email FROM users"}),
    service("model", "model-sql-unknown-column", "configuration.query",
            {"configuration.query": "SELECT emial FROM users"}),
    service("model", "model-sql-unknown-table", "configuration.query",
            {"configuration.query": "SELECT email FROM customers"}),
    service("model", "model-connection-does-not-exist", "connection_id",
            {"connection_id": "no-such-connection"}),
    service("model", "model-on-a-destination-connection", "connection_id", {"connection_id": "$linkedin"}),
    service("model", "model-identifier-not-selected", "identifier", {"identifier": "title"}),
    service("model", "model-adopt-id-unknown", "adopt_id", {"adopt_id": "no-such-model"}),
    # Sync.
    static("sync-1", "sync-name-empty", "name", {"name": ""}),
    static("sync-1", "sync-mode-unknown", "mode", {"mode": "upsert"}),
    static("sync-1", "sync-schedule-hour-out-of-range", "schedule.hour", {"schedule.hour": "24"}),
    static("sync-1", "sync-target-connection-id-empty", "target.connection_id", {"target.connection_id": ""}),
    static("sync-1", "sync-field-target-missing", "fields[0].target", {"fields[0].target": REMOVED}),
    static("sync-1", "sync-field-source-model-missing", "fields[1].source",
           {"fields[1].source.model_id": REMOVED}),
    static("sync-1", "sync-identity-function-unknown", "identity.function", {"identity.function": "Fuzzy"}),
    static("sync-2", "sync-schedule-frequency-unknown", "schedule.frequency",
           {"schedule": {"frequency": "often"}}),
    static("sync-2", "sync-target-object-and-create", "target",
           {"target.create": {"account": ACCOUNT, "type": "user_audience", "name": "New"}}),
    static("sync-2", "sync-fields-text", "fields", {"fields": "first_name"}),
    static("sync-2", "sync-identity-target-empty", "identity.target", {"identity.target": ""}),
    static("sync-2", "sync-active-not-a-bool", "active", {"active": "yes"}),
    static("sync-3", "sync-schedule-day-unknown", "schedule.day_of_week",
           {"schedule.frequency": "weekly", "schedule.day_of_week": "funday"}),
    static("sync-3", "sync-target-text", "target", {"target": AUDIENCE}),
    static("sync-3", "sync-identity-source-missing", "identity.source", {"identity.source": REMOVED}),
    static("sync-3", "sync-sync-all-records-not-a-bool", "sync_all_records", {"sync_all_records": "no"}),
    static("sync-3", "sync-name-a-number", "name", {"name": 7}),
    static("sync-4", "sync-schedule-unknown-key", "schedule.hours", {"schedule.hours": "6"}),
    static("sync-4", "sync-create-account-empty", "target.create.account",
           {"target.object": REMOVED,
            "target.create": {"account": "", "type": "user_audience", "name": "N"}}),
    static("sync-4", "sync-mode-a-number", "mode", {"mode": 3}),
    static("sync-4", "sync-field-text", "fields[0]", {"fields[0]": "first_name"}),
    static("sync-5", "sync-schedule-minute-missing", "schedule.minute", {"schedule.minute": REMOVED}),
    static("sync-7", "sync-identity-text", "identity", {"identity": "email"}),
    static("sync-5", "sync-skip-initial-backfill-not-a-bool", "skip_initial_backfill",
           {"skip_initial_backfill": "x"}),
    static("sync-6", "sync-schedule-text", "schedule", {"schedule": "daily"}),
    static("sync-6", "sync-field-source-text", "fields[0].source", {"fields[0].source": "first_name"}),
    static("sync-6", "sync-target-connection-id-missing", "target.connection_id",
           {"target.connection_id": REMOVED}),
    service("sync", "sync-target-is-a-source-connection", "target.connection_id",
            {"target.connection_id": "$snowflake"}),
    service("sync", "sync-target-connection-does-not-exist", "target.connection_id",
            {"target.connection_id": "no-such-connection"}),
    service("sync", "sync-audience-unknown", "target.object",
            {"target.object": f"{ACCOUNT}~user_audience.1"}),
    service("sync", "sync-account-not-enabled", "target.create.account", {
        "target.object": REMOVED,
        "target.create": {"account": NOT_ENABLED_ACCOUNT, "type": "user_audience", "name": "New"}}),
    service("sync", "sync-audience-type-unknown", "target.create.type", {
        "target.object": REMOVED,
        "target.create": {"account": ACCOUNT, "type": "group_audience", "name": "N"}}),
    service("sync", "sync-mode-not-offered-by-target", "mode", {"mode": "update"}),
    service("sync", "sync-target-field-unknown", "fields[0].target", {"fields[0].target": "JobTitle"}),
    service("sync", "sync-identity-target-unknown", "identity.target", {"identity.target": "Emial"}),
    service("sync", "sync-source-field-not-selected", "fields[0].source",
            {"fields[0].source.field": "title"}),
    service("sync", "sync-source-model-does-not-exist", "fields[0].source",
            {"fields[0].source.model_id": "no-such-model"}),
    service("sync", "sync-identity-function-not-offered", "identity.function",
            {"identity.function": "DomainMatch"}),
    service("sync", "sync-adopt-id-unknown", "adopt_id", {"adopt_id": "no-such-sync"}),
]


@attrs.frozen
class Arranged:
    """Objects that exist before the preview, as a user's existing connections and model would."""

    ids: Mapping[str, str]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("$"):
            return self.ids[value[1:]]
        if isinstance(value, Mapping):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value


def arrange(emulator: Any) -> Arranged:
    def created(path: str, body: dict[str, Any]) -> str:
        response = emulator.api("POST", path, json=body)
        assert response.status_code < 300, response.text
        return str(response.json()["data"]["id"])

    ids = {}
    for kind in ("snowflake", "linkedin"):
        inputs = VALID_INPUTS[kind][1]
        ids[kind] = created("/api/connections", {
            "name": inputs["name"], "type": inputs["type"],
            "configuration": {**inputs["configuration"], **inputs["secret_configuration"]}})
    ids["model"] = created("/api/models", {"name": "Active users", "connection_id": ids["snowflake"],
                                           "configuration": {"query": QUERY}})
    return Arranged(ids)


def resource_program(run: str, arranged: Arranged) -> Callable[[], None]:
    cases = [c for c in RESOURCE_CASES if c.run == run]
    kinds = {c.change[0] for c in cases}
    assert len(kinds) == 1, f"run {run} mixes {kinds}"
    resource, valid = VALID_INPUTS[kinds.pop()]
    mutations = {path: value for case in cases for path, value in case.change[1].items()}
    inputs = arranged.resolve(mutated(valid, mutations))

    def program() -> None:
        resource("bad", **inputs)
    return program


def run_inline_previews(stack_factory: Callable[..., Any], emulator: Any) -> dict[str, Outcome]:
    arranged = arrange(emulator)
    stack = stack_factory(arguments_program)
    programs = {"arguments": arguments_program,
                **{run: resource_program(run, arranged) for run in sorted({c.run for c in RESOURCE_CASES})}}
    outcomes = {}
    for run, program in programs.items():
        emulator.clear_requests_log()
        try:
            stack.preview(program=program, on_output=lambda _line: None)
        except auto_errors.CommandError as error:
            outcomes[run] = Outcome(True, str(error), emulator.writes())
        else:
            outcomes[run] = Outcome(False, "", emulator.writes())
    return outcomes


# --- the tests ---------------------------------------------------------------------------------

covered_paths_are_distinct([*CONFIG_CASES, *RESOURCE_CASES])
_outcomes: dict[str, dict[str, Outcome]] = {}


def outcomes(request: pytest.FixtureRequest, family: str) -> dict[str, Outcome]:
    """The family's previews, run once, in the first test that asks (with that test's fixtures)."""
    if family not in _outcomes:
        emulator = request.getfixturevalue("emulator")
        if family == "config":
            _outcomes[family] = run_config_previews(request.getfixturevalue("reference_project"), emulator)
        else:
            _outcomes[family] = run_inline_previews(request.getfixturevalue("polytomic_stack"), emulator)
    return _outcomes[family]


def assert_failed_naming(outcome: Outcome, text: str, path: str) -> None:
    assert outcome.failed, "the preview succeeded"
    # A traceback is no message (and its code lines could name any key).
    assert "Traceback (most recent call last)" not in outcome.output, outcome.output[-3000:]
    assert names(text, path), f"no message names {path!r}:\n{text[-3000:]}"
    assert outcome.writes == []


def test_the_table_has_at_least_80_invalid_inputs():
    assert len(CONFIG_CASES) + len(ARGUMENT_CASES) + len(RESOURCE_CASES) >= 80


@pytest.mark.parametrize("case", CONFIG_CASES, ids=lambda c: c.id)
def test_bad_stack_config_fails_preview_naming_its_key(case, request):
    outcome = outcomes(request, "config")[case.run]
    assert_failed_naming(outcome, outcome.output, case.path)


@pytest.mark.parametrize("case", ARGUMENT_CASES, ids=lambda c: c.id)
def test_bad_component_arguments_fail_preview_naming_the_argument(case, request):
    outcome = outcomes(request, "inline")["arguments"]
    report = re.search(rf"\[{re.escape(case.id)}\] (.*)", outcome.output)
    assert report, f"no report for {case.id}:\n{outcome.output[-3000:]}"
    assert_failed_naming(outcome, report.group(1), case.path)


@pytest.mark.parametrize("case", RESOURCE_CASES, ids=lambda c: c.id)
def test_bad_resource_inputs_fail_preview_naming_the_property(case, request):
    outcome = outcomes(request, "inline")[case.run]
    assert_failed_naming(outcome, outcome.output, case.path)


