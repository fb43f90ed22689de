"""Discovery for people writing stack config: the guide's steps 4 and 6.

Which audiences a LinkedIn Ads connection can sync into, and which values a creation property
(`account`, `type`) allows. Read-only calls; usable from a Pulumi program or the command line
(`python -m polytomic_components`).
"""

from __future__ import annotations

import attrs

from .client import PolytomicClient


@attrs.frozen
class Audience:
    """An existing target object of a destination connection (a LinkedIn audience)."""

    id: str
    name: str
    modes: tuple[str, ...]


@attrs.frozen
class PropertyValue:
    """One allowed value of a creation property, e.g. an ad account."""

    value: str
    label: str


def list_audiences(client: PolytomicClient, connection_id: str) -> list[Audience]:
    """Audiences of the connection's enabled ad accounts, and the sync modes each allows."""
    return [Audience(o["id"], o.get("name", ""), tuple(m["id"] for m in o.get("modes", [])))
            for o in client.target_objects(connection_id).objects]


def creation_property_values(client: PolytomicClient, connection_id: str, prop: str) -> list[PropertyValue]:
    """Allowed values of a creation property (`account` or `type` for LinkedIn Ads)."""
    return [PropertyValue(str(v["value"]), v.get("label", ""))
            for v in client.target_property_values(connection_id, prop)]
