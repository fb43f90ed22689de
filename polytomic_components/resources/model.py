"""Polytomic models: a query (or table, or view) on a source connection, with detected fields."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, Resource

from ._base import PolytomicProvider, failure, is_known, ownership, require_text

_SOURCES = ("query", "table", "view")


class ModelProvider(PolytomicProvider):
    input_names = ("name", "connection_id", "configuration", "identifier")
    replace_on = ("connection_id",)
    api_object = "model"

    def validate(self, inputs: dict[str, Any]) -> Iterator[CheckFailure]:
        yield from require_text(inputs, "name")
        yield from require_text(inputs, "connection_id")
        configuration = inputs.get("configuration")
        if not is_known(configuration):
            return
        if not isinstance(configuration, Mapping):
            yield failure("configuration", "must be an object such as {\"query\": \"SELECT ...\"}")
            return
        given = [key for key in _SOURCES if configuration.get(key)]
        if len(given) != 1:
            yield failure("configuration", "needs exactly one of `query`, `table` (with `schema`) "
                          f"or `view` (with `schema`); got {', '.join(given) or 'none'}")

    def to_body(self, inputs: Mapping[str, Any], outputs: Mapping[str, Any] | None) -> dict[str, Any]:
        body = {k: inputs[k] for k in ("name", "connection_id", "configuration")}
        if inputs.get("identifier"):
            body["identifier"] = inputs["identifier"]
        return body

    def computed_outputs(self, api_object: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
        fields = [{"name": f["name"], "type": f.get("type"), "remote_type": f.get("remote_type")}
                  for f in api_object.get("fields", [])]
        return {"fields": fields, "field_names": [f["name"] for f in fields]}

    def observed_inputs(self, api_object: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
        return {**inputs, "name": api_object.get("name"), "connection_id": api_object.get("connection_id"),
                "configuration": api_object.get("configuration"),
                "identifier": api_object.get("identifier") if inputs.get("identifier") else None}


class Model(Resource, module="polytomic", name="Model"):
    """A Polytomic model (`POST /api/models`): rows a sync reads, with fields Polytomic detects."""

    name: pulumi.Output[str]
    connection_id: pulumi.Output[str]
    configuration: pulumi.Output[dict[str, Any]]
    fields: pulumi.Output[list[dict[str, Any]]]
    """Detected fields: ``{name, type, remote_type}`` each; ``name`` is what sync mappings use."""
    field_names: pulumi.Output[list[str]]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        connection_id: pulumi.Input[str],
        configuration: pulumi.Input[Mapping[str, Any]],
        identifier: pulumi.Input[str] | None = None,
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare a model.

        :param adopt_id: the id of an existing object to manage instead of creating one.
        :param name: the model's name in Polytomic.
        :param connection_id: the source connection (changing it replaces the model).
        :param configuration: ``{"query": "SELECT ..."}``, or ``{"schema": ..., "table": ...}``.
        :param identifier: the field that uniquely identifies a row.
        """
        props = {
            "name": name, "connection_id": connection_id, "configuration": configuration,
            "identifier": identifier, **ownership(resource_name, "Model", adopt_id),
            "fields": None, "field_names": None,
        }
        super().__init__(ModelProvider(), resource_name, props, opts)
