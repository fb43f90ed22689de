"""The two connection types the emulator knows: their metadata, configuration keys and rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import linkedin
from .common import Json, bad_reference, invalid


@dataclass(frozen=True)
class ConfigKey:
    """One ``configuration`` key of a connection type."""

    name: str
    kind: type  # str, bool or list: the JSON type the value must have
    title: str
    sensitive: bool = False  # masked in every response; kept on PUT when omitted or masked
    read_only: bool = False  # set by the emulator; ignored on input


@dataclass(frozen=True)
class ConnectionType:
    id: str
    name: str
    source: bool  # can back a model
    destination: bool  # can be a sync target
    use_oauth: bool
    keys: tuple[ConfigKey, ...]

    @property
    def sensitive(self) -> frozenset[str]:
        return frozenset(key.name for key in self.keys if key.sensitive)

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

    def json_schema(self) -> Json:
        """The JSON Schema of ``configuration`` (``GET /api/connection_types/{id}``)."""
        kinds = {str: "string", bool: "boolean", list: "array"}
        properties = {
            key.name: {"type": kinds[key.kind], "title": key.title,
                       **({"sensitive": True} if key.sensitive else {}),
                       **({"readOnly": True} if key.read_only else {})}
            for key in self.keys
        }
        required = ["account", "username", "dbname"] if self.id == "snowflake" else []
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": self.name,
                "type": "object", "properties": properties, "required": required,
                "additionalProperties": False}


SNOWFLAKE = ConnectionType("snowflake", "Snowflake", source=True, destination=False,
                           use_oauth=False, keys=(
    ConfigKey("account", str, "Account identifier"),
    ConfigKey("username", str, "Username"),
    ConfigKey("dbname", str, "Database"),
    ConfigKey("password", str, "Password", sensitive=True),
    ConfigKey("warehouse", str, "Warehouse"),
    ConfigKey("params", str, "Additional connection parameters"),
    ConfigKey("key_pair_auth", bool, "Use key pair authentication"),
    ConfigKey("private_key", str, "Private key (PEM)", sensitive=True),
    ConfigKey("private_key_passphrase", str, "Private key passphrase", sensitive=True),
    ConfigKey("use_bulk_sync_staging_schema", bool, "Use a staging schema for bulk syncs"),
    ConfigKey("bulk_sync_staging_schema", str, "Bulk sync staging schema"),
))

LINKEDIN_ADS = ConnectionType("linkedinads", "LinkedIn Ads", source=False, destination=True,
                              use_oauth=True, keys=(
    ConfigKey("accounts", list, "Ad accounts"),
    ConfigKey("connected_user", str, "Connected user", read_only=True),
    ConfigKey("oauth_refresh_token", str, "OAuth refresh token", sensitive=True),
    ConfigKey("oauth_token_expiry", str, "OAuth token expiry"),
    ConfigKey("client_id", str, "Client ID", sensitive=True),
    ConfigKey("client_secret", str, "Client secret", sensitive=True),
))

TYPES: dict[str, ConnectionType] = {t.id: t for t in (SNOWFLAKE, LINKEDIN_ADS)}

OAUTH_CREDENTIALS = ("client_id", "client_secret", "oauth_refresh_token")


def connection_type(type_id: Any, path: str = "type") -> ConnectionType:
    """The type named ``type_id``; 400 naming the allowed ones otherwise."""
    if type_id not in TYPES:
        raise invalid(path, f"unknown connection type {type_id!r}", sorted(TYPES))
    return TYPES[type_id]


def validate_configuration(ctype: ConnectionType, config: Json) -> Json:
    """Check a (secret-merged) configuration; return it without read-only keys."""
    keys = {key.name: key for key in ctype.keys}
    for name, value in config.items():
        if name not in keys:
            raise invalid(f"configuration.{name}", f"is not a {ctype.name} configuration key",
                          sorted(keys))
        if value is not None and not isinstance(value, keys[name].kind):
            raise invalid(f"configuration.{name}", f"must be a {keys[name].kind.__name__}")
    cleaned = {name: value for name, value in config.items()
               if value is not None and not keys[name].read_only}
    if ctype is SNOWFLAKE:
        _check_snowflake(cleaned)
    else:
        if "accounts" in cleaned:
            cleaned["accounts"] = _checked_accounts(cleaned["accounts"])
        supplied = [name for name in OAUTH_CREDENTIALS if cleaned.get(name)]
        if supplied and len(supplied) < len(OAUTH_CREDENTIALS):
            missing = [name for name in OAUTH_CREDENTIALS if name not in supplied]
            raise invalid(f"configuration.{missing[0]}",
                          f"{', '.join(OAUTH_CREDENTIALS)} must be given together; "
                          f"missing {', '.join(missing)}")
    return cleaned


def _check_snowflake(config: Json) -> None:
    for name in ("account", "username", "dbname"):
        if not config.get(name):
            raise invalid(f"configuration.{name}", "is required")
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


def _checked_accounts(accounts: list[Any]) -> list[Json]:
    """Every enabled account must be one of the simulated ad accounts; labels default to theirs."""
    allowed = [account["value"] for account in linkedin.AD_ACCOUNTS]
    checked = []
    for index, account in enumerate(accounts):
        path = f"configuration.accounts[{index}]"
        if not isinstance(account, dict) or not isinstance(account.get("value"), str):
            raise invalid(path, 'must be an object {"value": ..., "label": ...}')
        label = linkedin.account_label(account["value"])
        if label is None:
            raise bad_reference(f"{path}.value",
                                f"{account['value']!r} is not an ad account of this connection",
                                allowed)
        checked.append({"value": account["value"], "label": account.get("label") or label})
    return checked
