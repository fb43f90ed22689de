"""Typed arguments of `LinkedInAudiencePipeline`, validated when they are built.

Plain values are checked here (program side, before anything reaches the engine); values only
the service knows (ad accounts, audiences, target fields) are checked by the Sync provider before
it writes. Values that may come from other resources (connection ids, the audience id, secrets)
accept a Pulumi `Output`, which passes through unchecked until the provider sees it.

Every problem is an `ArgumentError` naming the key (`schedule.hour`), what was given and what is
expected. `from_config` builds the same classes from stack config, so a stack's YAML and a Python
program get the same checks and the same messages, with the full path of the key
(`pipelines[1].schedule.hour`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar, cast

import attrs
import pulumi

from .errors import ArgumentError, did_you_mean, unknown_key
from .resources.sync import (
    _LOGIC_TOKEN,
    FILTER_FUNCTIONS,
    FREQUENCIES,
    IDENTITY_FUNCTIONS,
    SCHEDULE_FIELDS,
    check_filter_logic,
    check_schedule,
    normalise_filters,
)
from .resources.sync_run import DEFAULT_TIMEOUT, MAX_TIMEOUT

AUDIENCE_TYPES = ("user_audience", "company_audience")
AUDIENCE_MODES = ("create", "remove")
#: What `pulumi destroy` (or removing the declaration) does with an adopted object.
ON_DESTROY = ("delete", "keep")
#: A field mapping's `sync_mode` (API notes §5.3): the service's default writes every value;
#: `create` writes only where the target field is empty.
FIELD_SYNC_MODES = ("updateOrCreate", "create")
DEFAULT_SCHEDULE: Mapping[str, str] = {"frequency": "continuous"}  # as in the Polytomic guide
#: Schedule keys the API takes as text holding a whole number; YAML writes them as numbers.
_NUMERIC_SCHEDULE_KEYS = ("minute", "hour", "day_of_month", "month")
_LONGEST_SHOWN_VALUE = 80

T = TypeVar("T")

__all__ = ["ArgumentError"]  # re-exported: its home is `errors`, users meet it here


def _shown(value: Any) -> str:
    """`value` as the user wrote it, in the words of YAML/JSON, which every front door reads:
    `'text'`, `5 (a number)`, `true (true/false)`, `["a"] (a list)`, `{...} (an object)`."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # YAML and JSON doors hand over 5 as 5.0
    if value is None or isinstance(value, str):
        text = repr(value) if isinstance(value, str) else "nothing"
    else:
        try:
            text = json.dumps(value, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    if len(text) > _LONGEST_SHOWN_VALUE:
        text = text[:_LONGEST_SHOWN_VALUE - 3] + "..."
    if value is None or isinstance(value, str):
        return text
    kind = ("true/false" if isinstance(value, bool) else "a number" if isinstance(value, (int, float))
            else "an object" if isinstance(value, Mapping)
            else "a list" if isinstance(value, (list, tuple)) else f"a {type(value).__name__}")
    return f"{text} ({kind})"


def _wrong(path: str, expected: str, given: Any, suffix: str = "") -> ArgumentError:
    return ArgumentError(path, f"expected {expected}; got {_shown(given)}{suffix}")


def _is_output(value: Any) -> bool:
    """A value another resource provides: checked by the provider once it is known."""
    return isinstance(value, (pulumi.Output, Awaitable))


# --- validators and converters (attrs signature: instance, attribute, value) -----------------


def _text(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise _wrong(attribute.name, "a non-empty string", value)


def _optional_text(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _text(instance, attribute, value)


def _text_input(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Text, or an Output of another resource (e.g. `connection.id`)."""
    if value is not None and not _is_output(value):
        _text(instance, attribute, value)


def _secret_input(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Like `_text_input`, but never shows the value: it is a secret."""
    if value is not None and not _is_output(value) and (not isinstance(value, str) or not value):
        given = "an empty string" if value == "" else f"a value of type {type(value).__name__}"
        raise ArgumentError(attribute.name, f"expected a non-empty string (or a pulumi Output); "
                                            f"got {given} (not shown: it is a secret)")


def _flag(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, bool):
        raise _wrong(attribute.name, "true or false", value)


def _optional_flag(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _flag(instance, attribute, value)


def _given(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        raise _wrong(attribute.name, "a value", value)


def _label(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not (isinstance(value, str) and _LOGIC_TOKEN.fullmatch(value)):
        raise _wrong(attribute.name, "a letter or underscore, then letters, digits or underscores "
                                     "(e.g. A, us_only)", value)


def _one_of(allowed: tuple[str, ...]) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def validate(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in allowed:
            raise _wrong(attribute.name, f"one of {', '.join(allowed)}", value, did_you_mean(value, allowed))
    return validate


def _require_one_of(given: Mapping[str, Any], what: str) -> None:
    """Exactly one of two arguments (`given` maps their names to their values)."""
    present = [name for name, value in given.items() if value is not None]
    if len(present) != 1:
        raise ArgumentError("", f"give exactly one of {{0}} or {{1}} ({what}); got "
                                f"{'both' if present else 'neither'}", names=tuple(given))


def _nested(cls: type[Any]) -> Any:
    """Accept an instance of `cls`, None, or a mapping of its arguments (as stack config gives them)."""
    def convert(value: Any, field: attrs.Attribute[Any]) -> Any:
        if value is None or isinstance(value, cls):
            return value
        return from_config(cls, value, field.name)
    return attrs.Converter(convert, takes_field=True)


def from_config(cls: type[T], value: Any, path: str, *, ignore: Iterable[str] = (), **given: Any) -> T:
    """Build `cls` from a stack-config object, with errors that name `path` and the key.

    Config keys are the argument names, except where `cls.config_keys` names them otherwise;
    `given` are arguments that do not come from config (connection ids, secrets) and so are not
    accepted as keys; keys in `ignore` are accepted and left to the caller. Every problem of the
    object is reported at once: unknown keys (with the closest allowed one), missing keys, and
    each bad value.
    """
    config_keys: Mapping[str, str] = getattr(cls, "config_keys", {})
    fields = [f for f in attrs.fields(cast(Any, cls)) if f.name not in given]
    by_key = {config_keys.get(f.name, f.name): f for f in fields}
    allowed = sorted({*by_key, *ignore})
    if not isinstance(value, Mapping):
        raise _wrong(path, "an object with the keys " + ", ".join(allowed), value)
    problems = [unknown_key(str(k), allowed) for k in sorted(str(k) for k in value if k not in allowed)]
    problems += [ArgumentError(key, "is required") for key, f in by_key.items()
                 if f.default is attrs.NOTHING and key not in value]
    arguments = {by_key[k].name: v for k, v in value.items() if k in by_key}
    try:
        if problems:  # the values' own problems too, before the first one stops the build
            raise ArgumentError.of([*problems, *every_problem(cls, arguments)])
        return cls(**arguments, **given)
    except ArgumentError as error:
        raise error.renamed(config_keys).under(path) from None


def every_problem(cls: type[Any], arguments: Mapping[str, Any]) -> list[ArgumentError]:
    """The problem of each argument of `cls` in `arguments`, each converted and validated alone,
    then those of the checks across arguments that read only good ones."""
    values, problems = _converted(cls, arguments)
    if problems and hasattr(cls, "cross_checks"):
        bad = {name for name in attrs.fields_dict(cls) if name not in values}
        probe = object.__new__(cls)
        for name, value in values.items():
            object.__setattr__(probe, name, value)
        problems += cross_problems(probe, skip=bad)
    return problems


def _converted(cls: type[Any], arguments: Mapping[str, Any]) -> tuple[dict[str, Any], list[ArgumentError]]:
    """Each argument converted and validated alone (defaults for those not given), and the
    problems of those that cannot be."""
    values: dict[str, Any] = {}
    problems = []
    for field in attrs.fields(cls):
        if field.name not in arguments:
            if field.default is not attrs.NOTHING:
                default: Any = field.default
                values[field.name] = default.factory() if hasattr(default, "factory") else default
            continue
        try:
            value, converter = arguments[field.name], field.converter
            if isinstance(converter, attrs.Converter):
                value = converter.__call__(value, None, field)  # type: ignore[operator]
            elif converter is not None:
                value = converter(value)
            if field.validator is not None:
                field.validator(None, field, value)
            values[field.name] = value
        except ArgumentError as error:
            problems.append(error)
    return values, problems


def cross_problems(instance: Any, *, skip: Iterable[str] = ()) -> list[ArgumentError]:
    """The problems of `instance`'s checks across arguments (`cross_checks`), leaving out the
    checks that read an argument in `skip` (one whose own value is bad)."""
    skipped, problems = set(skip), []
    for reads, check in type(instance).cross_checks:
        if skipped.isdisjoint(reads):
            try:
                getattr(instance, check)()
            except ArgumentError as error:
                problems.append(error)
    return problems


def _reports_every_problem(cls: type[T]) -> type[T]:
    """Make `cls(...)` report the problem of every bad argument at once, not the first alone;
    an argument it does not take is an unknown key, with the closest one it takes."""
    build, names = cls.__init__, sorted(attrs.fields_dict(cast(Any, cls)))

    @functools.wraps(build)
    def __init__(self: Any, **arguments: Any) -> None:
        unknown = sorted(set(arguments) - set(names))
        if unknown:
            allowed = names
            raise ArgumentError.of([unknown_key(key, allowed) for key in unknown]
                                   + every_problem(cls, {k: v for k, v in arguments.items()
                                                         if k not in unknown}))
        try:
            build(self, **arguments)
        except ArgumentError as first:
            problems = every_problem(cls, arguments)
            raise (ArgumentError.of(problems) if len(problems) > 1 else first) from None

    cls.__init__ = __init__  # type: ignore[method-assign]
    return cls


# --- the arguments -----------------------------------------------------------------------------


@_reports_every_problem
@attrs.frozen(kw_only=True)
class SnowflakeSource:
    """Settings for a new Snowflake connection: a password, or a key pair (recommended)."""

    account: str = attrs.field(validator=_text)
    username: str = attrs.field(validator=_text)
    dbname: str = attrs.field(validator=_text)
    warehouse: str | None = attrs.field(default=None, validator=_optional_text)
    password: pulumi.Input[str] | None = attrs.field(default=None, repr=False, validator=_secret_input)
    private_key: pulumi.Input[str] | None = attrs.field(default=None, repr=False, validator=_secret_input)
    private_key_passphrase: pulumi.Input[str] | None = attrs.field(default=None, repr=False,
                                                                   validator=_secret_input)
    name: str = attrs.field(default="Snowflake", validator=_text)
    adopt_id: str | None = attrs.field(default=None, validator=_optional_text)
    """The id of an existing Snowflake connection to manage instead of creating one."""
    on_destroy: str = attrs.field(default="delete", validator=_one_of(ON_DESTROY))
    """What destroying the stack (or removing this declaration) does with the adopted connection:
    ``delete`` it, as Pulumi and Terraform do with imported objects, or ``keep`` it in Polytomic."""

    def __attrs_post_init__(self) -> None:
        _require_one_of({"password": self.password, "private_key": self.private_key},
                        "password or key-pair authentication")

    def configuration(self) -> dict[str, Any]:
        configuration: dict[str, Any] = {"account": self.account, "username": self.username,
                                         "dbname": self.dbname}
        if self.warehouse:
            configuration["warehouse"] = self.warehouse
        if self.private_key is not None:
            configuration["key_pair_auth"] = True
        return configuration

    def secret_configuration(self) -> dict[str, Any]:
        secrets = {"password": self.password, "private_key": self.private_key,
                   "private_key_passphrase": self.private_key_passphrase}
        return {k: v for k, v in secrets.items() if v is not None}


_LINKEDIN_CREDENTIALS = ("client_id", "client_secret", "oauth_refresh_token")


def check_account_enabled(account: str, accounts: Iterable[str], accounts_key: str) -> None:
    """`create.account` must be an ad account the LinkedIn connection enables (`accounts_key`):
    known from the arguments alone, so it fails before anything is written."""
    accounts = tuple(accounts)
    if account not in accounts:
        raise ArgumentError("create.account", f"{account!r} is not one of the ad accounts in {{0}} "
                            f"({', '.join(accounts)}){did_you_mean(account, accounts)}; add it to "
                            "{0} or create the audience in one of them", names=[accounts_key])


def _accounts(value: Any) -> tuple[str, ...]:
    # A lone string would otherwise become a tuple of its characters.
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise _wrong("accounts", "a non-empty list of ad account values", value)
    accounts = tuple(value)
    if not accounts:
        raise _wrong("accounts", "a non-empty list of ad account values", value)
    for index, account in enumerate(accounts):
        if not isinstance(account, str) or not account.strip():
            raise _wrong(f"accounts[{index}]",
                         "an ad account value such as '512630692::urn:li:organization:28818517'", account)
    return accounts


@_reports_every_problem
@attrs.frozen(kw_only=True)
class LinkedInDestination:
    """Settings for a new LinkedIn Ads connection.

    With `client_id`, `client_secret` and `oauth_refresh_token` it is authorized at once; without
    them it is interactive: a person opens the pipeline's `auth_url` output, then runs `pulumi up`
    again.
    """

    accounts: tuple[str, ...] = attrs.field(converter=_accounts)
    """Ad account values to enable, e.g. ``"512630692::urn:li:organization:28818517"``."""
    client_id: pulumi.Input[str] | None = attrs.field(default=None, repr=False, validator=_secret_input)
    client_secret: pulumi.Input[str] | None = attrs.field(default=None, repr=False, validator=_secret_input)
    oauth_refresh_token: pulumi.Input[str] | None = attrs.field(default=None, repr=False,
                                                                validator=_secret_input)
    redirect_url: str | None = attrs.field(default=None, validator=_optional_text)
    name: str = attrs.field(default="LinkedIn Ads", validator=_text)
    adopt_id: str | None = attrs.field(default=None, validator=_optional_text)
    """The id of an existing LinkedIn Ads connection to manage instead of creating one."""
    on_destroy: str = attrs.field(default="delete", validator=_one_of(ON_DESTROY))
    """What destroying the stack (or removing this declaration) does with the adopted connection:
    ``delete`` it, as Pulumi and Terraform do with imported objects, or ``keep`` it in Polytomic."""

    def __attrs_post_init__(self) -> None:
        given = [v is not None for v in (self.client_id, self.client_secret, self.oauth_refresh_token)]
        if any(given) and not all(given):
            missing = [name for name, value in zip(_LINKEDIN_CREDENTIALS, given, strict=True) if not value]
            raise ArgumentError("", "give all of {0:bare}, {1:bare} and {2:bare}, or none of them "
                                "(interactive OAuth); missing: " + ", ".join(
                                    f"{{{_LINKEDIN_CREDENTIALS.index(m)}}}" for m in missing),
                                names=_LINKEDIN_CREDENTIALS)

    def configuration(self) -> dict[str, Any]:
        return {"accounts": [{"value": a, "label": a} for a in self.accounts]}

    def secret_configuration(self) -> dict[str, Any]:
        secrets = {"client_id": self.client_id, "client_secret": self.client_secret,
                   "oauth_refresh_token": self.oauth_refresh_token}
        return {k: v for k, v in secrets.items() if v is not None}


@_reports_every_problem
@attrs.frozen(kw_only=True)
class NewAudience:
    """A LinkedIn audience the sync creates (the guide's step 6)."""

    account: str = attrs.field(validator=_text)
    type: str = attrs.field(validator=_one_of(AUDIENCE_TYPES))
    name: str = attrs.field(validator=_text)

    def as_create(self) -> dict[str, str]:
        return {"account": self.account, "type": self.type, "name": self.name}


@_reports_every_problem
@attrs.frozen(kw_only=True)
class FieldMapping:
    """One model field written to one target field, e.g. ``first_name`` → ``FirstName``, with the
    settings of that field where the target offers them (unset ones are the service's defaults)."""

    source: str = attrs.field(validator=_text)
    target: str = attrs.field(validator=_text)
    sync_mode: str | None = attrs.field(default=None,
                                        validator=attrs.validators.optional(_one_of(FIELD_SYNC_MODES)))
    """``updateOrCreate`` (write every value) or ``create`` (only where the target field is empty)."""
    encryption_enabled: bool | None = attrs.field(default=None, validator=_optional_flag)
    """Encrypt the value with the pipeline's `encryption_passphrase`."""
    new: bool | None = attrs.field(default=None, validator=_optional_flag)
    """Let Polytomic create the target field."""

    def settings(self) -> dict[str, Any]:
        """The settings given, as the API names them."""
        settings = {"sync_mode": self.sync_mode, "encryption_enabled": self.encryption_enabled,
                    "new": self.new}
        return {key: value for key, value in settings.items() if value is not None}


@_reports_every_problem
@attrs.frozen(kw_only=True)
class RowFilter:
    """A condition on a model field that a row must meet to be synced, e.g. ``country``
    ``Equality`` ``US``. Filters are labelled A, B, C... in order unless each has a `label`."""

    field: str = attrs.field(validator=_text)
    """A field of the model (a column of the query)."""
    function: str = attrs.field(validator=_one_of(FILTER_FUNCTIONS))
    value: Any = None
    """What `function` compares with; none for ``IsNull``, ``IsNotNull``, ``True``, ``False``."""
    label: str | None = attrs.field(default=None, validator=_label)
    """The name `filter_logic` uses for it."""

    def as_filter(self, source: Mapping[str, Any]) -> dict[str, Any]:
        """The API's filter on `source`, the model field reference."""
        condition = {"field": source, "field_type": "Model", "function": self.function,
                     "value": self.value, "label": self.label}
        return {key: value for key, value in condition.items() if value is not None}


@_reports_every_problem
@attrs.frozen(kw_only=True)
class ValueOverride:
    """A value synced instead of a model field's own where the field meets a condition, e.g.
    ``title`` ``IsNull`` → ``Unknown``."""

    field: str = attrs.field(validator=_text)
    """A field of the model (a column of the query)."""
    function: str = attrs.field(validator=_one_of(FILTER_FUNCTIONS))
    value: Any = None
    """What `function` compares with; none for ``IsNull``, ``IsNotNull``, ``True``, ``False``."""
    override: Any = attrs.field(validator=_given)
    """The value synced instead."""

    def as_override(self, source: Mapping[str, Any]) -> dict[str, Any]:
        """The API's override on `source`, the model field reference."""
        override = {"field": source, "function": self.function, "value": self.value,
                    "override": self.override}
        return {key: value for key, value in override.items() if value is not None}


def _identity_function(value: Any) -> Any:
    # The guide writes "equality"; the API's enum is "Equality".
    canonical = {f.lower(): f for f in IDENTITY_FUNCTIONS}
    return canonical.get(value.lower(), value) if isinstance(value, str) else value


@_reports_every_problem
@attrs.frozen(kw_only=True)
class IdentityMapping:
    """How a model row is matched to a target record, e.g. ``email`` → ``Email`` by equality.

    A company audience matches on a company field, e.g. ``domain`` → ``CompanyDomain`` with
    ``DomainMatch``.
    """

    source: str = attrs.field(validator=_text)
    target: str = attrs.field(validator=_text)
    function: str = attrs.field(default="Equality", converter=_identity_function,
                                validator=_one_of(IDENTITY_FUNCTIONS))


#: The identity of a pipeline that names none: the guide's `email` → `Email`, by equality.
DEFAULT_IDENTITY = IdentityMapping(source="email", target="Email")


def _identity(value: Any, field: attrs.Attribute[Any]) -> IdentityMapping:
    if isinstance(value, IdentityMapping):
        return value
    if isinstance(value, FieldMapping):
        return IdentityMapping(source=value.source, target=value.target)
    return from_config(IdentityMapping, value, field.name)


@_reports_every_problem
@attrs.frozen(kw_only=True)
class PipelineAdoption:
    """Existing Polytomic objects a pipeline manages instead of creating its own.

    In stack config: ``adopt: {model: <model id>, sync: <sync id>, on_destroy: keep}``.
    """

    config_keys: ClassVar[Mapping[str, str]] = {"model_id": "model", "sync_id": "sync"}

    model_id: str | None = attrs.field(default=None, validator=_optional_text)
    sync_id: str | None = attrs.field(default=None, validator=_optional_text)
    on_destroy: str = attrs.field(default="delete", validator=_one_of(ON_DESTROY))
    """What destroying the stack (or removing this declaration) does with the adopted model and sync:
    ``delete`` it, as Pulumi and Terraform do with imported objects, or ``keep`` it in Polytomic."""

    def __attrs_post_init__(self) -> None:
        if self.model_id is None and self.sync_id is None:
            raise ArgumentError("", "give {0}, {1} or both (the ids of existing objects)",
                                names=("model_id", "sync_id"))


_FIELDS_EXPECTED = "a mapping of model field to target field, e.g. {first_name: FirstName}"


def _objects(cls: type[T], key: str, value: Any, expected: str) -> tuple[T, ...]:
    """A list of `cls`, each given as one or as a mapping of its arguments."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise _wrong(key, expected, value)
    return tuple(item if isinstance(item, cls) else from_config(cls, item, f"{key}[{index}]")
                 for index, item in enumerate(value))


def _mapping(source: str, target: Any) -> FieldMapping:
    """``first_name: FirstName``, or with settings ``first_name: {target: FirstName, new: true}``."""
    if isinstance(target, Mapping):
        return from_config(FieldMapping, target, f"fields.{source}", source=source)
    if not isinstance(target, str) or not target.strip():
        raise ArgumentError(f"fields.{source}", "expected a target field id such as FirstName, or an "
                            "object such as {{target: FirstName, {0:bare}: create}}; got "
                            + _shown(target).replace("{", "{{").replace("}", "}}"), names=["sync_mode"])
    return FieldMapping(source=source, target=target)


def _mappings(value: Any) -> tuple[FieldMapping, ...]:
    """Fields as a mapping (sorted by source, so YAML key order never shows as a diff) or a list."""
    if isinstance(value, Mapping):
        for source in value:
            if not isinstance(source, str) or not source.strip():
                raise _wrong("fields", f"{_FIELDS_EXPECTED} with model field names as keys", source)
        return tuple(_mapping(source, value[source]) for source in sorted(value))
    return _objects(FieldMapping, "fields", value, _FIELDS_EXPECTED)


def _filters(value: Any) -> tuple[RowFilter, ...]:
    return _objects(RowFilter, "filters", value,
                    "a list of filters such as [{field: country, function: Equality, value: US}]")


def _overrides(value: Any) -> tuple[ValueOverride, ...]:
    return _objects(ValueOverride, "overrides", value,
                    "a list of overrides such as [{field: title, function: IsNull, override: Unknown}]")


def _override_fields(value: Any) -> dict[str, str]:
    """Target field → the text always written to it, sorted by target field (as `fields` are)."""
    expected = "a mapping of target field to the text written to it, e.g. {Country: US}"
    if not isinstance(value, Mapping):
        raise _wrong("override_fields", expected, value)
    for target, text in value.items():
        if not isinstance(target, str) or not target.strip():
            raise _wrong("override_fields", f"{expected}, with target field ids as keys", target)
        if not isinstance(text, str):
            raise _wrong(f"override_fields.{target}", "text (in YAML, quote numbers and true/false)", text)
    return dict(sorted(value.items()))


def _whole_number(value: Any) -> Any:
    """YAML `hour: 6` arrives as 6 (or 6.0); the API takes "6"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    return value


def _schedule(value: Any) -> dict[str, Any]:
    """The schedule the API takes; every problem of it at once (`{frequency: dayly, hour: 25}` has two)."""
    if not isinstance(value, Mapping):
        raise _wrong("schedule", "an object such as {frequency: daily, hour: 6, minute: 0}", value)
    problems = [unknown_key(str(k), SCHEDULE_FIELDS).under("schedule")
                for k in sorted(str(k) for k in value if k not in SCHEDULE_FIELDS)]
    schedule = {k: _whole_number(v) if k in _NUMERIC_SCHEDULE_KEYS else v
                for k, v in value.items() if k in SCHEDULE_FIELDS}
    for key in ("frequency", "day_of_week", *_NUMERIC_SCHEDULE_KEYS):
        if key in schedule and not isinstance(schedule[key], str):
            problems.append(_wrong(f"schedule.{key}", "text" if key in ("frequency", "day_of_week") else
                                   "a whole number", schedule[key]))
    if "frequency" not in schedule and "frequency" not in value:
        problems.append(ArgumentError("schedule.frequency",
                                      f"is required; use one of: {', '.join(FREQUENCIES)}"))
    elif "frequency" in schedule:
        # The Sync provider's own check knows each frequency's keys and ranges; ask it, not a copy.
        reported = {p.key_path for p in problems}
        problems += [_from_check(problem.property, problem.reason, value)
                     for problem in check_schedule(schedule) if problem.property not in reported]
    if problems:
        raise ArgumentError.of(problems)
    return schedule


def _from_check(path: str, reason: str, given: Mapping[str, Any]) -> ArgumentError:
    """A Sync provider check failure as an argument error: the schedule keys it quotes become
    names (shown in each front door's words); a mistyped frequency gets its closest value."""
    reason = reason.removeprefix(f"{path}: ")
    names = re.findall(r"schedule\.\w+", reason)
    for index, name in enumerate(names):
        reason = reason.replace(name, f"{{{index}:bare}}", 1)
    if path == "schedule.frequency":
        reason += did_you_mean(given.get("frequency"), FREQUENCIES)
    written = given.get(path.removeprefix("schedule."))
    if isinstance(written, (int, float)) and not isinstance(written, bool):
        # Checked as the API's text ('25'), shown as the user wrote it (25).
        reason = reason.replace(repr(_whole_number(written)), _shown(written).split(" (")[0], 1)
    return ArgumentError(path, reason, names=names)


def _timeout(value: Any) -> int:
    """Whole seconds; YAML may write 300 as 300.0."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TIMEOUT:
        raise _wrong("timeout", f"a whole number of seconds from 1 to {MAX_TIMEOUT}", value)
    return value


@_reports_every_problem
@attrs.frozen(kw_only=True)
class FirstRun:
    """The first-run gate: after its sync is created or changed, `pulumi up` runs the sync once,
    waits for the run, and fails if the run fails or does not finish within `timeout` seconds
    (the run is then cancelled). In stack config: ``first_run: true`` or ``first_run: {timeout: 300}``.
    """

    timeout: int = attrs.field(default=DEFAULT_TIMEOUT, converter=_timeout)


def _first_run(value: Any, field: attrs.Attribute[Any]) -> FirstRun | None:
    if value is None or value is False or isinstance(value, FirstRun):
        return value or None
    if value is True:
        return FirstRun()
    if not isinstance(value, Mapping):
        raise _wrong(field.name, "true, false or an object such as {timeout: 300}", value)
    return from_config(FirstRun, value, field.name)


#: Arguments that say nothing about what the sync writes: the connections' own settings and the
#: gate itself.
_NOT_SYNC_SETTINGS = ("source", "destination", "first_run")


@_reports_every_problem
@attrs.frozen(kw_only=True)
class LinkedInAudiencePipelineArgs:
    """Everything one Snowflake → LinkedIn Ads audience pipeline needs.

    Each side is either new (`source`, `destination`) or existing (`source_connection_id`,
    `destination_connection_id`); the audience is either existing (`audience_id`) or new
    (`create`). Nested arguments may also be given as mappings of their own arguments.
    """

    #: Stack config names these arguments differently (`name`, `audience`).
    config_keys: ClassVar[Mapping[str, str]] = {"model_name": "name", "audience_id": "audience"}

    model_name: str = attrs.field(validator=_text)
    query: str = attrs.field(validator=_text)
    # The `type: ignore`s: attrs' mypy plugin cannot read converters that take the field.
    source: SnowflakeSource | None = attrs.field(default=None, converter=_nested(SnowflakeSource))  # type: ignore[misc]
    source_connection_id: pulumi.Input[str] | None = attrs.field(default=None, validator=_text_input)
    destination: LinkedInDestination | None = attrs.field(default=None,
                                                          converter=_nested(LinkedInDestination))  # type: ignore[misc]
    destination_connection_id: pulumi.Input[str] | None = attrs.field(default=None, validator=_text_input)
    audience_id: pulumi.Input[str] | None = attrs.field(default=None, validator=_text_input)
    create: NewAudience | None = attrs.field(default=None, converter=_nested(NewAudience))  # type: ignore[misc]
    identity: IdentityMapping = attrs.field(
        default=DEFAULT_IDENTITY,
        converter=attrs.Converter(_identity, takes_field=True))  # type: ignore[misc]
    fields: tuple[FieldMapping, ...] = attrs.field(default=(), converter=_mappings)
    """Given as a mapping, sorted by model field name."""
    filters: tuple[RowFilter, ...] = attrs.field(default=(), converter=_filters)
    """Only rows that meet these conditions are synced (all of them, unless `filter_logic` says)."""
    filter_logic: str | None = attrs.field(default=None, validator=_optional_text)
    """How the filters combine, by label: ``A and (B or C)``."""
    overrides: tuple[ValueOverride, ...] = attrs.field(default=(), converter=_overrides)
    """Values synced instead of a field's own where the field meets a condition."""
    override_fields: Mapping[str, str] = attrs.field(factory=dict, converter=_override_fields)
    """Target field → text written to it for every row, e.g. ``{"Country": "US"}``."""
    sync_all_records: bool = attrs.field(default=False, validator=_flag)
    """Send every row on every run, not only the rows that changed."""
    encryption_passphrase: pulumi.Input[str] | None = attrs.field(default=None, repr=False,
                                                                  validator=_secret_input)
    """The passphrase of fields with `encryption_enabled` (secret)."""
    mode: str = attrs.field(default="create", validator=_one_of(AUDIENCE_MODES))
    schedule: Mapping[str, Any] = attrs.field(default=DEFAULT_SCHEDULE, converter=_schedule)
    sync_name: str | None = attrs.field(default=None, validator=_optional_text)
    adopt: PipelineAdoption | None = attrs.field(default=None, converter=_nested(PipelineAdoption))  # type: ignore[misc]
    """Existing model and/or sync to manage instead of creating them."""
    first_run: FirstRun | None = attrs.field(default=None,
                                             converter=attrs.Converter(_first_run, takes_field=True))  # type: ignore[misc]
    """Run the sync once after it is created or changed, and fail `up` if the run fails."""

    #: Checks across arguments, each with the arguments it reads: when some arguments are bad, the
    #: checks that read only good ones still run, so every problem is reported at once.
    cross_checks: ClassVar[tuple[tuple[tuple[str, ...], str], ...]] = (
        (("source", "source_connection_id"), "_check_source"),
        (("destination", "destination_connection_id"), "_check_destination"),
        (("audience_id", "create"), "_check_audience"),
        (("filters", "filter_logic"), "_check_filter_labels"),
        (("fields", "encryption_passphrase"), "_check_encryption"),
        (("create", "destination"), "_check_new_audience_account"),
    )

    def __attrs_post_init__(self) -> None:
        problems = cross_problems(self)
        if problems:
            raise ArgumentError.of(problems)

    def _check_source(self) -> None:
        _require_one_of({"source": self.source, "source_connection_id": self.source_connection_id},
                        "a new Snowflake connection or an existing id")

    def _check_destination(self) -> None:
        _require_one_of({"destination": self.destination,
                         "destination_connection_id": self.destination_connection_id},
                        "a new LinkedIn Ads connection or an existing id")

    def _check_audience(self) -> None:
        _require_one_of({"audience_id": self.audience_id, "create": self.create},
                        "an existing audience or a new one")

    def _check_encryption(self) -> None:
        """Encrypted fields need the passphrase they are encrypted with."""
        encrypted = [f.source for f in self.fields if f.encryption_enabled]
        if encrypted and self.encryption_passphrase is None:
            raise ArgumentError(f"fields.{encrypted[0]}.encryption_enabled",
                                "is true, but no {0} is given: the passphrase the field is encrypted "
                                "with", names=["encryption_passphrase"])

    def _check_new_audience_account(self) -> None:
        """A new audience goes into an ad account that the new LinkedIn connection enables."""
        if self.create is not None and self.destination is not None:
            check_account_enabled(self.create.account, self.destination.accounts, "destination.accounts")

    def _check_filter_labels(self) -> None:
        """Every filter labelled or none, and `filter_logic` naming exactly the labels there are."""
        labelled = [f.label is not None for f in self.filters]
        if any(labelled) and not all(labelled):
            raise ArgumentError(f"filters[{labelled.index(False)}].label",
                                "is required: label every filter or none (then they are A, B, C...)")
        if self.filter_logic is None:
            return
        # The Sync provider's own check knows how the API labels filters and reads the logic.
        conditions = normalise_filters([{"label": f.label} for f in self.filters])
        problems = [_from_check(p.property, p.reason, {})
                    for p in check_filter_logic(self.filter_logic, conditions)]
        if problems:
            raise ArgumentError.of(problems)

    def sync_settings(self) -> dict[str, Any]:
        """What the pipeline's model and sync are made of (values may be Outputs): the first-run
        gate runs the sync again when any of it changes. Secrets (`repr=False`) are left out."""
        settings = attrs.asdict(self, filter=lambda attribute, _value: attribute.repr is not False)
        for name in _NOT_SYNC_SETTINGS:
            del settings[name]
        return settings
