"""Typed arguments of `LinkedInAudiencePipeline`, validated when they are built.

Plain values are checked here (program side, before anything reaches the engine); values only
the service knows (ad accounts, audiences, target fields) are checked by the Sync provider before
it writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import pulumi

AUDIENCE_TYPES = ("user_audience", "company_audience")
AUDIENCE_MODES = ("create", "remove")
DEFAULT_SCHEDULE: Mapping[str, str] = {"frequency": "continuous"}  # as in the Polytomic guide

_text: Any = attrs.validators.min_len(1)


def _as_tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _require_one_of(instance: Any, first: str, second: str, what: str) -> None:
    given = [n for n in (first, second) if getattr(instance, n) is not None]
    if len(given) != 1:
        raise ValueError(f"{type(instance).__name__}: give exactly one of `{first}` or `{second}` "
                         f"({what}); got {' and '.join(given) or 'neither'}")


@attrs.frozen(kw_only=True)
class SnowflakeSource:
    """Settings for a new Snowflake connection: a password, or a key pair (recommended)."""

    account: str = attrs.field(validator=_text)
    username: str = attrs.field(validator=_text)
    dbname: str = attrs.field(validator=_text)
    warehouse: str | None = None
    password: pulumi.Input[str] | None = attrs.field(default=None, repr=False)
    private_key: pulumi.Input[str] | None = attrs.field(default=None, repr=False)
    private_key_passphrase: pulumi.Input[str] | None = attrs.field(default=None, repr=False)
    name: str = "Snowflake"

    def __attrs_post_init__(self) -> None:
        _require_one_of(self, "password", "private_key", "password or key-pair authentication")

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


@attrs.frozen(kw_only=True)
class LinkedInDestination:
    """Settings for a new LinkedIn Ads connection.

    With `client_id`, `client_secret` and `oauth_refresh_token` it is authorized at once; without
    them it is interactive: a person opens the pipeline's `auth_url` output, then runs `pulumi up`
    again.
    """

    accounts: tuple[str, ...] = attrs.field(converter=_as_tuple, validator=attrs.validators.min_len(1))
    """Ad account values to enable, e.g. ``"512630692::urn:li:organization:28818517"``."""
    client_id: pulumi.Input[str] | None = attrs.field(default=None, repr=False)
    client_secret: pulumi.Input[str] | None = attrs.field(default=None, repr=False)
    oauth_refresh_token: pulumi.Input[str] | None = attrs.field(default=None, repr=False)
    redirect_url: str | None = None
    name: str = "LinkedIn Ads"

    def __attrs_post_init__(self) -> None:
        given = [v is not None for v in (self.client_id, self.client_secret, self.oauth_refresh_token)]
        if any(given) and not all(given):
            raise ValueError("LinkedInDestination: give all of client_id, client_secret and "
                             "oauth_refresh_token, or none of them (interactive OAuth)")

    def configuration(self) -> dict[str, Any]:
        return {"accounts": [{"value": a, "label": a} for a in self.accounts]}

    def secret_configuration(self) -> dict[str, Any]:
        secrets = {"client_id": self.client_id, "client_secret": self.client_secret,
                   "oauth_refresh_token": self.oauth_refresh_token}
        return {k: v for k, v in secrets.items() if v is not None}


@attrs.frozen(kw_only=True)
class NewAudience:
    """A LinkedIn audience the sync creates (the guide's step 6)."""

    account: str = attrs.field(validator=_text)
    type: str = attrs.field(validator=attrs.validators.in_(AUDIENCE_TYPES))
    name: str = attrs.field(validator=_text)

    def as_create(self) -> dict[str, str]:
        return {"account": self.account, "type": self.type, "name": self.name}


@attrs.frozen(kw_only=True)
class FieldMapping:
    """One model field written to one target field, e.g. ``first_name`` → ``FirstName``."""

    source: str = attrs.field(validator=_text)
    target: str = attrs.field(validator=_text)


def _mappings(value: Mapping[str, str] | Any) -> tuple[FieldMapping, ...]:
    if isinstance(value, Mapping):
        return tuple(FieldMapping(source=s, target=t) for s, t in value.items())
    return tuple(value)


@attrs.frozen(kw_only=True)
class LinkedInAudiencePipelineArgs:
    """Everything one Snowflake → LinkedIn Ads audience pipeline needs.

    Each side is either new (`source`, `destination`) or existing (`source_connection_id`,
    `destination_connection_id`); the audience is either existing (`audience_id`) or new
    (`create`).
    """

    model_name: str = attrs.field(validator=_text)
    query: str = attrs.field(validator=_text)
    source: SnowflakeSource | None = None
    source_connection_id: pulumi.Input[str] | None = None
    destination: LinkedInDestination | None = None
    destination_connection_id: pulumi.Input[str] | None = None
    audience_id: str | None = None
    create: NewAudience | None = None
    identity: FieldMapping = FieldMapping(source="email", target="Email")
    fields: tuple[FieldMapping, ...] = attrs.field(default=(), converter=_mappings)
    mode: str = attrs.field(default="create", validator=attrs.validators.in_(AUDIENCE_MODES))
    schedule: Mapping[str, str] = attrs.field(default=DEFAULT_SCHEDULE, converter=dict)
    sync_name: str | None = None

    def __attrs_post_init__(self) -> None:
        _require_one_of(self, "source", "source_connection_id",
                        "a new Snowflake connection or an existing id")
        _require_one_of(self, "destination", "destination_connection_id",
                        "a new LinkedIn Ads connection or an existing id")
        _require_one_of(self, "audience_id", "create", "an existing audience or a new one")
