"""The connection types the emulator knows: metadata, configuration schema, and the checks of a
configuration against that schema.

Checks are driven by the schema (``connection_schemas.SCHEMAS``): unknown keys, required keys,
JSON types, enum values, array items; ``sensitive`` keys are masked and kept across updates,
``readOnly`` keys are ignored on input. On top of that, two types get the checks the service's
upstream validation would make: Snowflake needs a password or a key pair, and LinkedIn Ads ad
accounts must be ones the (simulated) LinkedIn login can see.

What the emulator can *run* is narrower than what the types report: models read the sample
warehouse through SQL sources (``runs_models``), and syncs write only to LinkedIn Ads audiences
(``runs_syncs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import linkedin
from ..connection_schemas import SCHEMAS
from .common import Json, bad_reference, invalid

_JSON_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "boolean": (bool,), "integer": (int,),
                                            "number": (int, float), "array": (list,),
                                            "object": (dict,)}

# Keys that, all set, authorize an OAuth connection without a browser.
OAUTH_CREDENTIALS = ("client_id", "client_secret", "oauth_refresh_token")


@dataclass(frozen=True)
class ConnectionType:
    id: str
    name: str
    source: bool  # reported capability: can be read from
    destination: bool  # reported capability: can be written to
    use_oauth: bool
    runs_models: bool = False  # the emulator runs its models against the sample warehouse
    runs_syncs: bool = False  # the emulator simulates it as a sync target

    @property
    def schema(self) -> Json:
        """The bare JSON Schema of ``configuration`` (``GET /api/connection_types/{id}``)."""
        return SCHEMAS[self.id]

    @property
    def properties(self) -> Json:
        return dict(self.schema["properties"])

    @property
    def sensitive(self) -> frozenset[str]:
        return frozenset(k for k, p in self.properties.items() if p.get("sensitive"))

    def summary(self) -> Json:
        """The ``type`` object embedded in connection responses."""
        return {"id": self.id, "name": self.name,
                "logo_url": f"https://assets.polytomic.com/integrations/{self.id}.svg",
                "logo_dark_url": f"https://assets.polytomic.com/integrations/{self.id}-dark.svg",
                "operations": (["modelsync_source"] if self.source else [])
                + (["modelsync_target"] if self.destination else [])}

    def listing(self) -> Json:
        """The item shape of ``GET /api/connection_types``."""
        summary = self.summary()
        return {"id": self.id, "name": self.name, "logo_url": summary["logo_url"],
                "logo_dark_url": summary["logo_dark_url"], "use_oauth": self.use_oauth,
                "capabilities": {"source": self.source, "destination": self.destination,
                                 "enrichment": False, "logging": False, "orchestration": False},
                "configurationForm": None, "envConfig": None, "initialConfiguration": {}}

    def authorized_by(self, config: Json) -> bool:
        """Whether a configuration alone authorizes the connection (no browser consent)."""
        return not self.use_oauth or all(config.get(name) for name in OAUTH_CREDENTIALS)


SNOWFLAKE = ConnectionType("snowflake", "Snowflake", source=True, destination=True,
                           use_oauth=False, runs_models=True)
LINKEDIN_ADS = ConnectionType("linkedinads", "LinkedIn Ads", source=False, destination=True,
                              use_oauth=True, runs_syncs=True)
TYPES: dict[str, ConnectionType] = {t.id: t for t in (
    SNOWFLAKE, LINKEDIN_ADS,
    ConnectionType("postgresql", "PostgreSQL", source=True, destination=True, use_oauth=False,
                   runs_models=True),
    ConnectionType("bigquery", "BigQuery", source=True, destination=True, use_oauth=False,
                   runs_models=True),
    ConnectionType("s3", "Amazon S3", source=True, destination=True, use_oauth=False),
    ConnectionType("salesforce", "Salesforce", source=True, destination=True, use_oauth=True),
    ConnectionType("hubspot", "HubSpot", source=True, destination=True, use_oauth=True),
)}


def connection_type(type_id: Any, path: str = "type") -> ConnectionType:
    """The type named ``type_id``; 400 naming the allowed ones otherwise."""
    if type_id not in TYPES:
        raise invalid(path, f"unknown connection type {type_id!r}", sorted(TYPES))
    return TYPES[type_id]


def validate_configuration(ctype: ConnectionType, config: Json) -> Json:
    """Check a (secret-merged) configuration against the type's schema; return it without
    read-only keys and without nulls."""
    properties = ctype.properties
    for name, value in config.items():
        if name not in properties:
            raise invalid(f"configuration.{name}", f"is not a {ctype.name} configuration key",
                          sorted(properties))
        if value is not None:
            _check_value(f"configuration.{name}", value, properties[name])
    cleaned = {name: value for name, value in config.items()
               if value is not None and not properties[name].get("readOnly")}
    for name in ctype.schema.get("required", []):
        if cleaned.get(name) in (None, ""):
            raise invalid(f"configuration.{name}", "is required")
    if ctype is SNOWFLAKE:
        _check_snowflake_auth(cleaned)
    if ctype is LINKEDIN_ADS and "accounts" in cleaned:
        cleaned["accounts"] = _checked_accounts(cleaned["accounts"])
    if ctype.use_oauth:
        _check_credentials_together(cleaned)
    return cleaned


def _check_value(path: str, value: Any, schema: Json) -> None:
    kind = schema.get("type")
    if kind in _JSON_TYPES and (not isinstance(value, _JSON_TYPES[kind])
                                or (isinstance(value, bool) and kind != "boolean")):
        raise invalid(path, f"must be {'an' if kind[0] in 'aeiou' else 'a'} {kind}")
    if "enum" in schema:
        allowed = [option["value"] if isinstance(option, dict) else option
                   for option in schema["enum"]]
        if value not in allowed:
            raise invalid(path, f"{value!r} is not an allowed value", allowed)
    if kind == "array" and "items" in schema:
        for index, item in enumerate(value):
            _check_value(f"{path}[{index}]", item, schema["items"])
    if kind == "object" and schema.get("additionalProperties") is False:
        known = schema.get("properties", {})
        for key, item in value.items():
            if key not in known:
                raise invalid(f"{path}.{key}", "is not an allowed key", sorted(known))
            _check_value(f"{path}.{key}", item, known[key])


def _check_snowflake_auth(config: Json) -> None:
    if config.get("key_pair_auth"):
        private_key = config.get("private_key", "")
        if not private_key:
            raise invalid("configuration.private_key", "is required when key_pair_auth is true")
        if not private_key.lstrip().startswith("-----BEGIN"):
            raise invalid("configuration.private_key",
                          "must be PEM text starting with -----BEGIN")
    elif not config.get("password"):
        raise invalid("configuration.password",
                      "is required (or set key_pair_auth: true and private_key)")


def _check_credentials_together(config: Json) -> None:
    """A refresh token is useless without the OAuth app it was issued to, and an app needs both
    its id and its secret."""
    needed = list(OAUTH_CREDENTIALS) if config.get("oauth_refresh_token") \
        else ["client_id", "client_secret"] if config.get("client_id") or config.get("client_secret") \
        else []
    missing = [name for name in needed if not config.get(name)]
    if missing:
        raise invalid(f"configuration.{missing[0]}",
                      f"{', '.join(needed)} must be given together; missing {', '.join(missing)}")


def _checked_accounts(accounts: list[Any]) -> list[Json]:
    """Every enabled account must be one of the simulated ad accounts; labels default to theirs."""
    allowed = [account["value"] for account in linkedin.AD_ACCOUNTS]
    checked = []
    for index, account in enumerate(accounts):
        path = f"configuration.accounts[{index}]"
        if not isinstance(account.get("value"), str):
            raise invalid(f"{path}.value", "is required and must be a string")
        label = linkedin.account_label(account["value"])
        if label is None:
            raise bad_reference(f"{path}.value",
                                f"{account['value']!r} is not an ad account of this connection",
                                allowed)
        checked.append({"value": account["value"], "label": account.get("label") or label})
    return checked
