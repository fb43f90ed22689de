"""`LinkedInAudiencePipeline` with arguments Pulumi can infer a schema from, for every language.

Schema inference reads evaluated annotations and `TypedDict` keys, so this module has no
`from __future__ import annotations`, uses `list` where the library uses `tuple`, and marks what
the library defaults as `NotRequired`. It converts its arguments to the library's attrs classes,
which keep the one copy of the validation, and builds the library's component.
"""

import re
from collections.abc import Mapping
from typing import Any

import pulumi
from typing_extensions import NotRequired, TypedDict

from .. import args as library
from .. import pipeline


class SnowflakeSource(TypedDict):
    """Settings for a new Snowflake connection: a password, or a key pair (recommended)."""

    account: str
    """Snowflake account identifier, e.g. `uc193736182`."""
    username: str
    """User the connection logs in as."""
    dbname: str
    """Database the model queries run in."""
    warehouse: NotRequired[str]
    """Warehouse to run queries on; the user's default when not set."""
    password: NotRequired[pulumi.Input[str]]
    """Password (secret); give this or `privateKey`."""
    private_key: NotRequired[pulumi.Input[str]]
    """PEM private key for key-pair authentication (secret); give this or `password`."""
    private_key_passphrase: NotRequired[pulumi.Input[str]]
    """Passphrase of an encrypted `privateKey` (secret)."""
    name: NotRequired[str]
    """Name of the connection in Polytomic; default `Snowflake`."""
    adopt_id: NotRequired[str]
    """Id of an existing Snowflake connection to manage instead of creating one."""
    on_destroy: NotRequired[str]
    """With an adopted object: `delete` it when the stack is destroyed (the default) or `keep` it."""


class LinkedInDestination(TypedDict):
    """Settings for a new LinkedIn Ads connection.

    With `clientId`, `clientSecret` and `oauthRefreshToken` it is authorized at once; without them
    it is interactive: a person opens the pipeline's `authUrl` output, then runs `pulumi up` again.
    """

    accounts: list[str]
    """Ad account values to enable, e.g. `512630692::urn:li:organization:28818517`."""
    client_id: NotRequired[pulumi.Input[str]]
    """OAuth client id of your LinkedIn app (secret)."""
    client_secret: NotRequired[pulumi.Input[str]]
    """OAuth client secret of your LinkedIn app (secret)."""
    oauth_refresh_token: NotRequired[pulumi.Input[str]]
    """OAuth refresh token (secret)."""
    redirect_url: NotRequired[str]
    """Where LinkedIn sends the person after an interactive authorization."""
    name: NotRequired[str]
    """Name of the connection in Polytomic; default `LinkedIn Ads`."""
    adopt_id: NotRequired[str]
    """Id of an existing LinkedIn Ads connection to manage instead of creating one."""
    on_destroy: NotRequired[str]
    """With an adopted object: `delete` it when the stack is destroyed (the default) or `keep` it."""


class NewAudience(TypedDict):
    """A LinkedIn audience the sync creates."""

    account: str
    """Ad account to create it in, e.g. `512630692::urn:li:organization:28818517`."""
    type: str
    """`user_audience` or `company_audience`."""
    name: str
    """Name of the new audience."""


class FieldSetting(TypedDict):
    """A model field's target with settings, e.g. `{target: Title, syncMode: create}`; the service's
    defaults apply to settings not given."""

    target: str
    """LinkedIn field the model field is written to, e.g. `Title`."""
    sync_mode: NotRequired[str]
    """`updateOrCreate` (write every value; the service's default) or `create` (only where the
    target field is empty)."""
    encryption_enabled: NotRequired[bool]
    """Encrypt the value with the pipeline's `encryptionPassphrase`."""
    new: NotRequired[bool]
    """Let Polytomic create the target field."""


class RunAfter(TypedDict):
    """The syncs whose runs start this one (`frequency: runafter`)."""

    sync_ids: NotRequired[list[str]]
    """Ids of model syncs."""
    bulk_sync_ids: NotRequired[list[str]]
    """Ids of bulk syncs."""


class Schedule(TypedDict):
    """When the sync runs, in UTC, e.g. `{frequency: daily, hour: 6, minute: 0}`. Numbers may be
    written as numbers or as text. `hourly` needs `minute`; `daily` `hour` and `minute`; `weekly`
    also `dayOfWeek`."""

    frequency: str
    """How often: `continuous` (the default), `hourly`, `daily`, `weekly`, `manual`, ...."""
    minute: NotRequired[Any]
    """Minute of the hour, 0 to 59."""
    hour: NotRequired[Any]
    """Hour of the day, 0 to 23 (UTC)."""
    day_of_week: NotRequired[str]
    """Day of the week, `monday` to `sunday` (`weekly`)."""
    day_of_month: NotRequired[Any]
    """Day of the month, 1 to 31 (`custom`)."""
    month: NotRequired[Any]
    """Month, 1 to 12 (`custom`)."""
    run_after: NotRequired[RunAfter]
    """The syncs whose runs start this one (`runafter`)."""
    run_after_success_only: NotRequired[bool]
    """With `runafter`: run only when those runs succeeded."""
    connection_id: NotRequired[str]
    """The connection whose events start the sync (connection-triggered schedules, e.g. dbt Cloud)."""
    job_id: NotRequired[int]
    """The external job that starts the sync (dbt Cloud)."""


class IdentityMapping(TypedDict):
    """How a model row is matched to an audience member, e.g. `email` → `Email` by equality."""

    source: str
    """Field of the model (a column of the query)."""
    target: str
    """LinkedIn field it is matched with."""
    function: NotRequired[str]
    """`Equality` (the default), `ISubstring`, `OneOf`, `DomainMatch` or `HostnameMatch`."""


#: Typed objects the library takes as plain mappings (snake_case keys, as the SDK maps them).
PLAIN_OBJECTS = ("schedule",)


class RowFilter(TypedDict):
    """A condition on a model field that a row must meet to be synced, e.g. `country` `Equality` `US`.
    Filters are labelled A, B, C... in order unless each has a `label`."""

    field: str
    """Field of the model (a column of the query)."""
    function: str
    """A filter function of the API, e.g. `Equality`, `IsNull`, `StringEndsWith`, `Between`."""
    value: NotRequired[Any]
    """What `function` compares with; none for `IsNull`, `IsNotNull`, `True`, `False`."""
    label: NotRequired[str]
    """The name `filterLogic` uses for it."""


class ValueOverride(TypedDict):
    """A value synced instead of a model field's own where the field meets a condition, e.g.
    `title` `IsNull` → `Unknown`."""

    field: str
    """Field of the model (a column of the query)."""
    function: str
    """A filter function of the API, e.g. `IsNull`, `Equality`."""
    value: NotRequired[Any]
    """What `function` compares with; none for `IsNull`, `IsNotNull`, `True`, `False`."""
    override: Any
    """The value synced instead."""


class FirstRun(TypedDict):
    """The first-run gate: after its sync is created or changed, `pulumi up` runs the sync once,
    waits for the run, and fails if the run fails or does not finish within `timeout` seconds."""

    timeout: NotRequired[int]
    """Seconds to wait for the run (then it is cancelled); default 600."""


class PipelineAdoption(TypedDict):
    """Existing Polytomic objects a pipeline manages instead of creating its own."""

    model_id: NotRequired[str]
    """Id of an existing model."""
    sync_id: NotRequired[str]
    """Id of an existing sync."""
    on_destroy: NotRequired[str]
    """With an adopted object: `delete` it when the stack is destroyed (the default) or `keep` it."""


class LinkedInAudiencePipelineArgs(TypedDict):
    """Everything one Snowflake → LinkedIn Ads audience pipeline needs.

    Each side is either new (`source`, `destination`) or existing (`sourceConnectionId`,
    `destinationConnectionId`); the audience is either existing (`audienceId`) or new (`create`).
    """

    model_name: str
    """Name of the Polytomic model."""
    query: str
    """SQL query whose rows are synced."""
    source: NotRequired[SnowflakeSource]
    """A new Snowflake connection; or give `sourceConnectionId`."""
    source_connection_id: NotRequired[pulumi.Input[str]]
    """An existing Snowflake connection; or give `source`."""
    destination: NotRequired[LinkedInDestination]
    """A new LinkedIn Ads connection; or give `destinationConnectionId`."""
    destination_connection_id: NotRequired[pulumi.Input[str]]
    """An existing LinkedIn Ads connection; or give `destination`."""
    audience_id: NotRequired[pulumi.Input[str]]
    """An existing audience to sync into; or give `create`."""
    create: NotRequired[NewAudience]
    """A new audience that the sync creates; or give `audienceId`."""
    identity: NotRequired[IdentityMapping]
    """How members are matched; default `email` → `Email` by equality."""
    # Any: a field maps to a target field id or to a `FieldSetting`; schema inference has no union
    # types, so the provider's schema says `oneOf` (provider.refine).
    fields: NotRequired[dict[str, Any]]
    """Model field → LinkedIn field, e.g. `first_name: FirstName`; or → an object with the field's
    settings, e.g. `title: {target: Title, syncMode: create, encryptionEnabled: true, new: false}`."""
    filters: NotRequired[list[RowFilter]]
    """Only rows that meet these conditions are synced (all of them, unless `filterLogic` says)."""
    filter_logic: NotRequired[str]
    """How the filters combine, by label: `A and (B or C)`."""
    overrides: NotRequired[list[ValueOverride]]
    """Values synced instead of a field's own where the field meets a condition."""
    override_fields: NotRequired[dict[str, str]]
    """LinkedIn field → text written to it for every row, e.g. `Country: US`."""
    sync_all_records: NotRequired[bool]
    """Send every row on every run, not only the rows that changed; default false."""
    encryption_passphrase: NotRequired[pulumi.Input[str]]
    """The passphrase of fields with `encryptionEnabled` (secret)."""
    mode: NotRequired[str]
    """`create` (add members, the default) or `remove`."""
    schedule: NotRequired[Schedule]
    """When the sync runs (UTC), e.g. `{frequency: daily, hour: 6, minute: 0}`; default continuous."""
    sync_name: NotRequired[str]
    """Name of the sync; default `<modelName> to LinkedIn Ads`."""
    adopt: NotRequired[PipelineAdoption]
    """Existing model and/or sync to manage instead of creating them."""
    first_run: NotRequired[FirstRun]
    """Run the sync once after it is created or changed, and fail `up` if the run fails; `{}` waits
    the default 600 seconds."""


#: Arguments that are objects of their own in the library, by argument name.
NESTED_ARGUMENTS: Mapping[str, type[Any]] = {
    "source": library.SnowflakeSource,
    "destination": library.LinkedInDestination,
    "create": library.NewAudience,
    "identity": library.IdentityMapping,
    "adopt": library.PipelineAdoption,
    "first_run": library.FirstRun,
}


def _snake_case(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


def to_library_args(args: LinkedInAudiencePipelineArgs) -> library.LinkedInAudiencePipelineArgs:
    """The library's validated arguments for the same pipeline.

    `fields`, a map that reaches the component in no particular order, stays a map: the library
    sorts it, so its order never shows as a change. Its settings objects (untyped, so the engine
    leaves their keys as written) take the library's names. Raises `ArgumentError`, which the
    provider reports at the camelCase paths the user wrote.
    """
    values: dict[str, Any] = {name: _as_written(value) for name, value in args.items()}
    for name, library_class in NESTED_ARGUMENTS.items():
        # Passed as mappings, which the library builds with errors under their argument's path,
        # all reported at once; under the keys it reads mappings by (`adopt: {model, sync}`).
        config_keys = getattr(library_class, "config_keys", {})
        if isinstance(values.get(name), Mapping):
            values[name] = {config_keys.get(k, k): v for k, v in values[name].items()}
    if isinstance(values.get("fields"), Mapping):
        values["fields"] = {source: {_snake_case(k): v for k, v in target.items()}
                            if isinstance(target, Mapping) else target
                            for source, target in values["fields"].items()}
    return library.LinkedInAudiencePipelineArgs(**values)


def _as_written(value: Any) -> Any:
    """Numbers as the user wrote them: the engine carries every number as a float (6 as 6.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _as_written(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_written(v) for v in value]
    return value


class LinkedInAudiencePipeline(pipeline.LinkedInAudiencePipeline):
    """A Snowflake query synced into a LinkedIn Ads audience: an existing one, or a new one that the
    sync creates. Creates the connections it is given settings for, a model and a sync."""

    snowflake_connection_id: pulumi.Output[str]
    """Id of the Snowflake connection (the given one, or the one created)."""
    linkedin_connection_id: pulumi.Output[str]
    """Id of the LinkedIn Ads connection (the given one, or the one created)."""
    model_id: pulumi.Output[str]
    """Id of the model."""
    model_fields: pulumi.Output[list[str]]
    """Fields of the model, as the service read them from the query."""
    sync_id: pulumi.Output[str]
    """Id of the sync."""
    audience_id: pulumi.Output[str]
    """The audience the sync writes to: the given one, or the one it created."""
    auth_url: pulumi.Output[str | None]
    """Set while a new, interactive LinkedIn connection waits for a person to authorize it."""
    first_run_status: pulumi.Output[str | None]
    """With `firstRun`: the status of the sync's last gated run (`completed`)."""
    first_run_counts: pulumi.Output[dict[str, int] | None]
    """With `firstRun`: that run's record counts (`insert`, `update`, `delete`, `error`, `total`, ...)."""

    def __init__(self, name: str, args: LinkedInAudiencePipelineArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, to_library_args(args), opts)
