"""Polytomic connections: a Snowflake source, a LinkedIn Ads destination, or any other type."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import CheckFailure, Resource

from ..client import PolytomicClient
from ..errors import ValidationError
from ._base import PolytomicProvider, failure, is_known, ownership, require_text

#: Configuration keys the API masks, per connection type. They belong in `secret_configuration`.
SENSITIVE_KEYS: Mapping[str, frozenset[str]] = {
    "snowflake": frozenset({"password", "private_key", "private_key_passphrase"}),
    "linkedinads": frozenset({"client_id", "client_secret", "oauth_refresh_token"}),
}
#: Keys the service sets itself; a user never writes them and refresh never reports them as drift.
_SERVER_KEYS = frozenset({"connected_user", "oauth_token_expiry"})


class ConnectionProvider(PolytomicProvider):
    input_names = ("name", "type", "configuration", "secret_configuration", "redirect_url",
                   "force_destroy")
    replace_on = ("type",)
    secret_inputs = ("secret_configuration",)
    api_object = "connection"

    def validate(self, inputs: dict[str, Any]) -> Iterator[CheckFailure]:
        yield from require_text(inputs, "name")
        yield from require_text(inputs, "type")
        kind = inputs.get("type")
        configuration = inputs.get("configuration") or {}
        secrets = inputs.get("secret_configuration") or {}
        sensitive = SENSITIVE_KEYS.get(kind, frozenset()) if isinstance(kind, str) else frozenset()
        for key in sorted(sensitive & set(configuration)):
            yield failure(f"configuration.{key}",
                          f"is sensitive; pass it in secret_configuration.{key} so it is stored encrypted")
        if kind == "snowflake":
            yield from _check_snowflake(inputs, configuration, secrets)
        elif kind == "linkedinads":
            yield from _check_linkedin(configuration, secrets)

    def to_body(self, inputs: Mapping[str, Any], outputs: Mapping[str, Any] | None) -> dict[str, Any]:
        body = {
            "name": inputs["name"],
            "type": inputs["type"],
            "configuration": {**(inputs.get("configuration") or {}),
                              **(inputs.get("secret_configuration") or {})},
        }
        if inputs.get("redirect_url"):
            body["redirect_url"] = inputs["redirect_url"]
        return body

    def computed_outputs(self, api_object: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
        status = api_object.get("status")
        # Only create/update responses carry auth_url; keep it while authorization is pending.
        auth_url = api_object.get("auth_url") or (props.get("auth_url") if status == "unauthorized" else None)
        return {"status": status, "auth_url": auth_url}

    def observed_inputs(self, api_object: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
        hidden = SENSITIVE_KEYS.get(api_object.get("type", {}).get("id", ""), frozenset()) | _SERVER_KEYS
        live = {k: v for k, v in (api_object.get("configuration") or {}).items() if k not in hidden}
        declared = inputs.get("configuration") or {}
        # Keys the user declared are compared as they are now; other keys only when set out of band.
        configuration = {k: live[k] for k in declared if k in live}
        configuration.update({k: v for k, v in live.items()
                              if k not in declared and v not in (None, "", False, [])})
        return {**inputs, "name": api_object.get("name"), "configuration": configuration}

    def delete_object(self, client: PolytomicClient, id_: str, props: Mapping[str, Any]) -> None:
        try:
            client.delete_connection(id_, force=bool(props.get("force_destroy")))
        except ValidationError as error:
            raise ValidationError(
                error.message, status=error.status, key=error.key, metadata=error.metadata,
                method=error.method, path=error.path,
                hint="Delete what uses it first, or set force_destroy=True on this connection "
                     "to delete them with it",
            ) from None


def _check_snowflake(inputs: Mapping[str, Any], configuration: Mapping[str, Any],
                     secrets: Mapping[str, Any]) -> Iterator[CheckFailure]:
    for key in ("account", "username", "dbname"):
        yield from require_text(inputs, f"configuration.{key}")
    key_pair = configuration.get("key_pair_auth")
    if key_pair is True:
        if not secrets.get("private_key"):
            yield failure("secret_configuration.private_key",
                          "is required when configuration.key_pair_auth is true (PEM text of the key)")
    elif is_known(key_pair) and not secrets.get("password"):
        yield failure("secret_configuration.password",
                      "is required unless configuration.key_pair_auth is true "
                      "(then give secret_configuration.private_key)")


def _check_linkedin(configuration: Mapping[str, Any], secrets: Mapping[str, Any]) -> Iterator[CheckFailure]:
    given = {k for k in SENSITIVE_KEYS["linkedinads"] if secrets.get(k)}
    if given and given != SENSITIVE_KEYS["linkedinads"]:
        missing = ", ".join(sorted(SENSITIVE_KEYS["linkedinads"] - given))
        yield failure("secret_configuration",
                      f"non-interactive LinkedIn credentials also need {missing} "
                      "(or give none of them and authorize through auth_url)")
    accounts = configuration.get("accounts", [])
    if is_known(accounts):
        if not isinstance(accounts, list):
            yield failure("configuration.accounts", "must be a list of {value, label} objects")
            return
        for index, account in enumerate(accounts):
            if is_known(account) and not (isinstance(account, Mapping) and account.get("value")):
                yield failure(f"configuration.accounts[{index}]",
                              "must be an object with a `value` from the connection's parameter values")


class Connection(Resource, module="polytomic", name="Connection"):
    """A Polytomic connection (`POST /api/connections`).

    Sensitive configuration (Snowflake password or private key, LinkedIn client secret and refresh
    token) goes in `secret_configuration`: it is encrypted in state and never read back from the
    API, which masks it.
    """

    name: pulumi.Output[str]
    type: pulumi.Output[str]
    configuration: pulumi.Output[dict[str, Any]]
    status: pulumi.Output[str]
    """Connection health as Polytomic reports it (`healthy`, or `unauthorized` until OAuth is done)."""
    auth_url: pulumi.Output[str | None]
    """For OAuth connections created without credentials: the URL a person opens to authorize."""

    _SECRET_OUTPUTS: ClassVar[list[str]] = ["secret_configuration"]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        type: pulumi.Input[str],
        configuration: pulumi.Input[Mapping[str, Any]] | None = None,
        secret_configuration: pulumi.Input[Mapping[str, Any]] | None = None,
        redirect_url: pulumi.Input[str] | None = None,
        force_destroy: bool = False,
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare a connection.

        :param adopt_id: the id of an existing object to manage instead of creating one.
        :param name: the connection's name in Polytomic.
        :param type: the connection type id, e.g. ``snowflake`` or ``linkedinads``.
        :param configuration: the type's non-sensitive configuration keys, as the API names them.
        :param secret_configuration: the sensitive keys (stored encrypted, merged into the body).
        :param redirect_url: where an OAuth flow returns the browser.
        :param force_destroy: on delete, also delete the models and syncs that use it.
        """
        props = {
            "name": name, "type": type, "configuration": configuration or {},
            "secret_configuration": pulumi.Output.secret(secret_configuration or {}),
            "redirect_url": redirect_url, "force_destroy": force_destroy,
            **ownership(resource_name, "Connection", adopt_id),
            "status": None, "auth_url": None,
        }
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=self._SECRET_OUTPUTS))
        super().__init__(ConnectionProvider(), resource_name, props, opts)
