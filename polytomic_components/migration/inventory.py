"""What a migration found: existing Polytomic objects, as the API shapes their settings.

Both readers (a Terraform state, a live organization) produce an :class:`Inventory`; one renderer
turns it into a Pulumi program or stack config. Secret values never enter an inventory: a reader
puts a :class:`Secret` marker where the value was, so nothing downstream can copy it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..errors import PolytomicError
from ..resources.sync import normalise_field, normalise_identity

KINDS = ("connection", "model", "sync")

#: Configuration keys whose names say they hold a secret. The sources mark the others: Terraform
#: lists sensitive attributes in the state, Polytomic masks set secrets in responses. Erring
#: towards secret costs a `pulumi config set --secret`; the other way would copy a secret.
_SECRET_NAME = re.compile(
    r"password|secret|passphrase|private_key|api_?key|client_id|credentials?$|(^|_)token$")
#: Keys Polytomic sets itself; never a user's setting.
SERVER_KEYS = frozenset({"connected_user", "oauth_token_expiry"})
#: Settings equal to these are the service's defaults and are left out.
_DEFAULTS: Mapping[str, Any] = {"active": True, "sync_all_records": False,
                                "skip_initial_backfill": False, "only_enrich_updates": False,
                                "force_destroy": False}


@attrs.frozen
class Secret:
    """Where a secret setting was. Its value stayed behind (in Terraform state or Polytomic)."""

    key: str
    """The setting's own name, e.g. ``password`` or ``encryption_passphrase``."""


@attrs.frozen(kw_only=True)
class FoundObject:
    """One existing Polytomic object and its settings.

    Attributes:
        kind: ``connection``, ``model`` or ``sync``.
        id: the object's Polytomic id (what ``adopt_id`` takes).
        name: a resource name, unique among objects of its kind.
        origin: where it came from, for messages (a Terraform address or ``model 'Users'``).
        settings: keyword → API-shaped value; defaults and empty values left out. Keys with a dot
            (``identity.new_field``) are nested settings no resource argument can take.
        notes: things a reviewer should know that change nothing.
    """

    kind: str = attrs.field(validator=attrs.validators.in_(KINDS))
    id: str = attrs.field(validator=attrs.validators.min_len(1))
    name: str = attrs.field(validator=attrs.validators.min_len(1))
    origin: str
    settings: Mapping[str, Any]
    notes: tuple[str, ...] = ()


@attrs.frozen
class Inventory:
    """Everything a reader found, in dependency order (connections, models, syncs)."""

    objects: tuple[FoundObject, ...]
    source: str
    """What was read, e.g. ``terraform.tfstate`` or ``the organization``."""
    skipped: tuple[str, ...] = ()
    """One message per object read but not taken, saying why."""

    @classmethod
    def build(cls, objects: Iterable[FoundObject], source: str,
              skipped: Iterable[str] = ()) -> Inventory:
        """Objects put in dependency order, their names made resource names unique per kind."""
        ordered = sorted(objects, key=lambda o: KINDS.index(o.kind))
        taken: set[tuple[str, str]] = set()
        named = []
        for found in ordered:
            base = re.sub(r"[^A-Za-z0-9_.-]+", "-", found.name).strip("-").lower() or found.kind
            name, counter = base, 2
            while (found.kind, name) in taken:
                name, counter = f"{base}-{counter}", counter + 1
            taken.add((found.kind, name))
            named.append(attrs.evolve(found, name=name))
        return cls(objects=tuple(named), source=source, skipped=tuple(skipped))

    def of_kind(self, kind: str) -> list[FoundObject]:
        return [o for o in self.objects if o.kind == kind]

    def by_id(self, kind: str, id_: Any) -> FoundObject | None:
        return next((o for o in self.objects if o.kind == kind and o.id == id_), None)


def _named_secret(key: str) -> bool:
    """Whether a configuration key's name says it holds a secret."""
    return bool(_SECRET_NAME.search(key))


def meaningful(value: Any) -> bool:
    """False for what a reader leaves out: unset, empty, or a default the service fills in."""
    return value is not None and value != "" and value != [] and value != {}


def settings_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` without unset, empty or default entries."""
    return {key: value for key, value in values.items()
            if meaningful(value) and not (key in _DEFAULTS and value == _DEFAULTS[key])}


def without_nulls(value: Any) -> Any:
    """`value` with null, empty and `False` entries of every nested object removed (lists kept)."""
    if isinstance(value, Mapping):
        return {k: without_nulls(v) for k, v in value.items() if meaningful(v) and v is not False}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def connection_settings(connection_type: str, name: str, configuration: Mapping[str, Any],
                        secret_keys: Iterable[str] = ()) -> dict[str, Any]:
    """A connection's settings: plain configuration, and a Secret for every set sensitive key.

    `secret_keys` adds keys the source itself marks sensitive (Terraform's
    `sensitive_attributes`, or a masked value in an API response).
    """
    marked = set(secret_keys)
    plain, secrets = {}, {}
    for key, value in configuration.items():
        if key in SERVER_KEYS or not meaningful(value) or value is False:
            continue
        if key in marked or _named_secret(key):
            secrets[key] = Secret(key)
        else:
            plain[key] = value
    return settings_of({"name": name, "type": connection_type, "configuration": plain,
                        "secret_configuration": secrets})


def model_settings(model: Mapping[str, Any]) -> dict[str, Any]:
    """A model's settings, from the model in the shape of an API request."""
    keys = ("name", "connection_id", "configuration", "identifier", "tracking_columns",
            "additional_fields", "relations", "labels", "policies", "enricher")
    return settings_of({key: model.get(key) for key in keys})


def sync_settings(sync: Mapping[str, Any]) -> dict[str, Any]:
    """A sync's settings, from the sync in the shape of an API request or response.

    The target is the existing object when there is one (an audience the sync created is one by
    now). Nested settings no resource argument can take are keyed by their dotted path.
    """
    target = sync.get("target") or {}
    identity = sync.get("identity")
    mappings = (sync.get("identities") or {}).get("mappings") or []
    filter_sets = {key: sync.get(key) or {} for key in ("model_filters", "target_filters")}
    return settings_of({
        "name": sync.get("name"),
        "mode": sync.get("mode"),
        "schedule": without_nulls(sync.get("schedule") or {}),
        "target": {"connection_id": target.get("connection_id"),
                   **({"object": target["object"]} if target.get("object") else
                      {"create": target.get("create")})},
        "fields": [normalise_field(f) for f in sync.get("fields") or []],
        "identity": normalise_identity(identity) if identity else None,
        **{key: sync.get(key) for key in ("active", "sync_all_records", "skip_initial_backfill",
                                          "only_enrich_updates", "overrides", "filters",
                                          "filter_logic", "policies")},
        "encryption_passphrase": Secret("encryption_passphrase")
        if sync.get("encryption_passphrase") else None,
        "override_fields": [without_nulls(f) for f in sync.get("override_fields") or []],
        **{key: value for key, value in filter_sets.items() if value.get("conditions")},
        "identities": sync.get("identities") if len(mappings) > 1 else None,
        "identity.new_field": (identity or {}).get("new_field") or None,
        **{f"target.{key}": target.get(key)
           for key in ("configuration", "new_name", "search_values", "filter_logic")},
    })


class MigrationError(PolytomicError, ValueError):
    """What was given to migrate cannot be read; the message says what to do."""
