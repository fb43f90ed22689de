"""Polytomic connections of any type, checked against the type's schema as the service reports it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import CheckFailure, Resource

from ..client import PolytomicClient
from ..errors import NotFoundError, PolytomicError, ValidationError
from ._base import (
    PolytomicProvider,
    failure,
    is_known,
    optional_text,
    ownership,
    require_bool,
    require_mapping,
    require_text,
)

#: Names that give a key away as a credential even before the service's schema is at hand.
_SECRET_NAME = re.compile(r"password|secret|token|private_key|passphrase|api_key|client_id", re.I)
#: How the service writes a secret it will not show.
_MASK = re.compile(r"\*+")
_JSON_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,), "boolean": (bool,), "integer": (int,), "number": (int, float),
    "array": (list, tuple), "object": (Mapping,),
}


class ConnectionProvider(PolytomicProvider):
    input_names = ("name", "type", "configuration", "secret_configuration", "redirect_url",
                   "force_destroy")
    replace_on = ("type",)
    secret_inputs = ("secret_configuration",)
    api_object = "connection"
    checks_schema_despite_shape_failures = True

    def validate(self, inputs: dict[str, Any]) -> Iterator[CheckFailure]:
        yield from require_text(inputs, "name")
        yield from require_text(inputs, "type")
        yield from optional_text(inputs, "redirect_url")
        yield from require_bool(inputs, "force_destroy")
        shapes = [*require_mapping(inputs, "configuration", "{\"account\": \"...\", ...}"),
                  *require_mapping(inputs, "secret_configuration", "{\"password\": \"...\"}")]
        yield from shapes
        if shapes:
            return
        configuration = inputs.get("configuration") or {}
        secrets = inputs.get("secret_configuration") or {}
        for key in sorted(k for k in configuration if _SECRET_NAME.search(k)):
            yield _belongs_in_secrets(key)
        if inputs.get("type") == "snowflake":
            yield from _check_snowflake_auth(configuration, secrets)
        elif inputs.get("type") == "linkedinads":
            yield from _check_oauth_credentials(secrets)

    def service_failures(self, client: PolytomicClient, inputs: Mapping[str, Any]) -> Iterator[CheckFailure]:
        kind = inputs.get("type")
        if not (isinstance(kind, str) and is_known(kind)):
            return
        try:
            schema = self.type_schema(client, kind)
        except NotFoundError:
            known = sorted(t["id"] for t in self.remember(("types",), client.connection_types))
            yield failure("type", f"{kind!r} is not a connection type of this Polytomic deployment; "
                          f"use one of: {', '.join(known)}")
            return
        configuration, secrets = inputs.get("configuration") or {}, inputs.get("secret_configuration") or {}
        if not (isinstance(configuration, Mapping) and isinstance(secrets, Mapping)):
            return  # the shape check has said so
        failures = list(_against_schema(schema, configuration, secrets))
        yield from failures
        if not failures and is_known(configuration) and is_known(secrets):
            yield from self._offered_values(client, kind, schema, {**configuration, **secrets})

    def type_schema(self, client: PolytomicClient, kind: str) -> Mapping[str, Any]:
        """The configuration schema of connection type `kind`, read once per deployment."""
        return self.remember(("schema", kind), lambda: client.connection_type_schema(kind))

    def _offered_values(self, client: PolytomicClient, kind: str, schema: Mapping[str, Any],
                        configuration: Mapping[str, Any]) -> Iterator[CheckFailure]:
        """Choices the service offers for list-of-{value, label} keys (e.g. LinkedIn ad accounts)."""
        for key, chosen in configuration.items():
            if not _is_choice_list(schema.get("properties", {}).get(key)) or not chosen:
                continue
            try:
                offered = client.type_parameter_values(kind, key, dict(configuration))
            except PolytomicError:
                continue  # e.g. not authorized yet: the sync's check covers its account later
            values = [v.get("value") for v in (offered.get(key) or {}).get("values", [])]
            for index, item in enumerate(chosen):
                value = item.get("value") if isinstance(item, Mapping) else None
                if values and value and value not in values:
                    yield failure(f"configuration.{key}[{index}]", f"{value!r} is not offered by this "
                                  f"connection; use one of: {', '.join(map(str, values))}")

    def to_body(self, inputs: Mapping[str, Any], learned: Mapping[str, Any]) -> dict[str, Any]:
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
        auth_url = api_object.get("auth_url") or (props.get("auth_url") if status == "unauthorized" else "")
        return {"status": status, "auth_url": auth_url}

    def observed_inputs(self, api_object: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
        kind = (api_object.get("type") or {}).get("id", "")
        properties = self.type_schema(self.client(), kind).get("properties", {}) if kind else {}
        set_by_service = {k for k, p in properties.items() if p.get("readOnly") or p.get("hidden")}
        secrets = set(inputs.get("secret_configuration") or {})
        live = {k: v for k, v in (api_object.get("configuration") or {}).items()
                if k not in secrets and k not in set_by_service and not _masked(v)}
        declared = inputs.get("configuration") or {}
        # Keys the user declared are compared as they are now; other keys only when set out of band.
        configuration = {k: live[k] for k in declared if k in live}
        configuration.update({k: v for k, v in live.items()
                              if k not in declared and v not in (None, "", False, [])
                              and v != properties.get(k, {}).get("default")})
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


def _masked(value: Any) -> bool:
    return isinstance(value, str) and bool(_MASK.fullmatch(value))


def _belongs_in_secrets(key: str) -> CheckFailure:
    return failure(f"configuration.{key}",
                   f"is sensitive; pass it in secret_configuration.{key} so it is stored encrypted")


def _is_choice_list(spec: Any) -> bool:
    items = spec.get("items", {}) if isinstance(spec, Mapping) and spec.get("type") == "array" else {}
    return {"value", "label"} <= set(items.get("properties", {}))


def _against_schema(schema: Mapping[str, Any], configuration: Mapping[str, Any],
                    secrets: Mapping[str, Any]) -> Iterator[CheckFailure]:
    """The configuration against the type's JSON Schema: keys, required keys, types, enums, and
    which keys are sensitive."""
    properties: Mapping[str, Any] = schema.get("properties", {})
    allowed = ", ".join(sorted(k for k, p in properties.items() if not p.get("readOnly")))
    for where, values in (("configuration", configuration), ("secret_configuration", secrets)):
        for key, value in values.items():
            spec = properties.get(key)
            if spec is None:
                yield failure(f"{where}.{key}", f"is not a setting of this connection type; use: {allowed}")
            elif spec.get("readOnly"):
                yield failure(f"{where}.{key}", "is set by Polytomic and cannot be written")
            elif where == "configuration" and spec.get("sensitive") and not _SECRET_NAME.search(key):
                yield _belongs_in_secrets(key)
            elif is_known(value):
                yield from _against_property(f"{where}.{key}", spec, value)
    for key in schema.get("required", []):
        if key not in configuration and key not in secrets:
            place = "secret_configuration" if properties.get(key, {}).get("sensitive") else "configuration"
            yield failure(f"{place}.{key}", "is required for this connection type")


def _against_property(path: str, spec: Mapping[str, Any], value: Any) -> Iterator[CheckFailure]:
    given = type(value).__name__ if path.startswith("secret_") else f"{type(value).__name__} {value!r}"
    expected = _JSON_TYPES.get(spec.get("type", ""))
    if expected and (not isinstance(value, expected) or (bool not in expected and isinstance(value, bool))):
        yield failure(path, f"expected {spec['type']}, got {given}")
        return
    choices = [c.get("value") if isinstance(c, Mapping) else c for c in spec.get("enum") or []]
    if choices and value not in choices:
        yield failure(path, f"{given} is not allowed; use one of: {', '.join(map(str, choices))}")
    if isinstance(value, (list, tuple)) and isinstance(spec.get("items"), Mapping):
        for index, item in enumerate(value):
            if _is_choice_list(spec) and not (isinstance(item, Mapping) and item.get("value")):
                yield failure(f"{path}[{index}]", "must be an object with a `value` the connection "
                              "offers (and a `label`)")
            elif is_known(item):
                yield from _against_property(f"{path}[{index}]", spec["items"], item)


def _check_snowflake_auth(configuration: Mapping[str, Any],
                          secrets: Mapping[str, Any]) -> Iterator[CheckFailure]:
    # A rule across keys that a JSON Schema of properties cannot state: one way to authenticate.
    key_pair = configuration.get("key_pair_auth")
    if key_pair is True:
        if not secrets.get("private_key"):
            yield failure("secret_configuration.private_key",
                          "is required when configuration.key_pair_auth is true (PEM text of the key)")
    elif is_known(key_pair) and not secrets.get("password"):
        yield failure("secret_configuration.password",
                      "is required unless configuration.key_pair_auth is true "
                      "(then give secret_configuration.private_key)")


_OAUTH_CREDENTIALS = frozenset({"client_id", "client_secret", "oauth_refresh_token"})


def _check_oauth_credentials(secrets: Mapping[str, Any]) -> Iterator[CheckFailure]:
    # All three make a connection authorized at once; none leaves it to a person (auth_url).
    given = {k for k in _OAUTH_CREDENTIALS if secrets.get(k)}
    if given and given != _OAUTH_CREDENTIALS:
        missing = ", ".join(sorted(_OAUTH_CREDENTIALS - given))
        yield failure("secret_configuration",
                      f"non-interactive LinkedIn credentials also need {missing} "
                      "(or give none of them and authorize through auth_url)")


class Connection(Resource, module="polytomic", name="Connection"):
    """A Polytomic connection (`POST /api/connections`) of any type.

    `configuration` holds the type's settings as the API names them; sensitive ones (passwords,
    private keys, client secrets, refresh tokens) go in `secret_configuration`: encrypted in state
    and never read back from the API, which masks them. `pulumi preview` checks both against the
    type's schema as the service reports it.
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
        :param type: the connection type id, e.g. ``snowflake``, ``linkedinads``, ``postgresql``.
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
