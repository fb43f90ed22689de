"""A trivial dynamic resource, importable by the provider process, that proves the engine path.

It writes a marker file on create and removes it on delete, so a test can see that the engine
really ran the provider (and nothing else pretended to).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource, ResourceProvider


class MarkerProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        marker_id = uuid.uuid4().hex
        Path(props["directory"], marker_id).write_text(props["text"])
        return CreateResult(marker_id, {"directory": props["directory"], "text": props["text"]})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        path = Path(props["directory"], id_)
        if not path.exists():
            return ReadResult(None, {})
        return ReadResult(id_, {"directory": props["directory"], "text": path.read_text()})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        Path(props["directory"], id_).unlink(missing_ok=True)


class Marker(Resource, module="smoke", name="Marker"):
    text: pulumi.Output[str]

    def __init__(self, name: str, directory: str, text: str) -> None:
        super().__init__(MarkerProvider(), name, {"directory": directory, "text": text})
