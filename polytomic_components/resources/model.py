"""Polytomic models: a query (or table, or view) on a source connection, with detected fields."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, Resource

from ..client import PolytomicClient
from ..errors import BadRequestError, NotFoundError, PolytomicError, ValidationError
from ._base import (
    PolytomicProvider,
    created_here,
    failure,
    is_known,
    optional_text,
    ownership,
    require_list,
    require_text,
    service_failure,
)

_SOURCES = ("query", "table", "view")
#: Model settings the API documents besides its source; sent only when set.
_OPTIONS = ("identifier", "tracking_columns", "additional_fields", "relations", "labels")


#: From this model read of one deployment on (a refresh of more than one model), the models are
#: answered from one read of the organization's model list instead of a round trip each.
_LIST_FROM_READ = 2


class ModelProvider(PolytomicProvider):
    input_names = ("name", "connection_id", "configuration", *_OPTIONS)
    check_inputs = ("required_fields",)
    replace_on = ("connection_id",)
    api_object = "model"

    def validate(self, inputs: dict[str, Any]) -> Iterator[CheckFailure]:
        yield from require_text(inputs, "name")
        yield from require_text(inputs, "connection_id")
        yield from optional_text(inputs, "identifier")
        for key, shape in (("tracking_columns", str), ("labels", str), ("required_fields", str),
                           ("additional_fields", Mapping), ("relations", Mapping)):
            yield from require_list(inputs, key, shape)
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

    def checked_at_write(self, inputs: Mapping[str, Any]) -> bool:
        # On a connection this deployment created, the query is checked just before the model is
        # written: concurrently with other writes rather than in the engine's serial checks.
        return created_here(inputs.get("connection_id"))

    def service_failures(self, client: PolytomicClient, inputs: Mapping[str, Any]) -> Iterator[CheckFailure]:
        body = self.to_body(inputs, {})
        if not is_known(body):
            return  # a new connection (preview): the model is checked again before it is written
        try:
            preview = client.preview_model(body)
        except NotFoundError as error:
            yield service_failure(error, "connection_id")
            return
        except (BadRequestError, ValidationError) as error:
            yield service_failure(error, "configuration")
            return
        names = [f["name"] for f in preview.get("fields", [])]
        needed_by = inputs.get("required_by") or {}
        for index, name in enumerate(inputs.get("required_fields") or []):
            if name in names:
                continue
            selects = f"{name!r} is not a field this model's query selects (it selects: {', '.join(names)})"
            if name in needed_by:  # a pipeline's model: name what the user wrote that needs it
                yield failure("configuration.query", f"{selects}; {needed_by[name]} needs it: select "
                              "it in the query, or change that argument to a field the query selects")
            else:
                yield failure(f"required_fields[{index}]", f"{selects}; add it to the query, or stop "
                              "mapping, filtering or overriding it")

    def current(self, client: PolytomicClient, id_: str) -> dict[str, Any]:
        listed = self.remember_from_call(("model list",), lambda: _models_by_id(client), call=_LIST_FROM_READ)
        if listed and id_ in listed:
            return listed[id_]
        return client.get_model(id_)  # also how a model deleted outside Pulumi is found gone

    def to_body(self, inputs: Mapping[str, Any], learned: Mapping[str, Any]) -> dict[str, Any]:
        body = {k: inputs[k] for k in ("name", "connection_id", "configuration")}
        body.update({k: inputs[k] for k in _OPTIONS if inputs.get(k) not in (None, [])})
        return body

    def computed_outputs(self, api_object: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
        fields = [{"name": f["name"], "type": f.get("type"), "remote_type": f.get("remote_type")}
                  for f in api_object.get("fields", [])]
        return {"fields": fields, "field_names": [f["name"] for f in fields]}

    def observed_inputs(self, api_object: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
        options = {k: _as_sent(k, api_object.get(k)) if inputs.get(k) not in (None, []) else inputs.get(k)
                   for k in _OPTIONS}
        return {**inputs, **options, "name": api_object.get("name"),
                "connection_id": api_object.get("connection_id"),
                "configuration": api_object.get("configuration")}


def _models_by_id(client: PolytomicClient) -> dict[str, Any]:
    """Every model of the organization by id; empty when the service does not answer them all at
    once, or not at all (then each read asks for its own model, as it would without the list)."""
    try:
        models = client.list_models_in_one_answer()
    except PolytomicError:
        return {}
    return {model["id"]: model for model in models or ()}


def _as_sent(key: str, value: Any) -> Any:
    """An option as a client writes it: the API answers labels as objects."""
    if key == "labels" and isinstance(value, list):
        return [label.get("name") if isinstance(label, Mapping) else label for label in value]
    if key == "additional_fields" and isinstance(value, list):
        return [{k: v for k, v in field.items() if v is not None} for field in value]
    return value


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
        tracking_columns: pulumi.Input[Sequence[str]] | None = None,
        additional_fields: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None,
        relations: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None,
        labels: pulumi.Input[Sequence[str]] | None = None,
        required_fields: pulumi.Input[Sequence[str]] | None = None,
        required_by: Mapping[str, str] | None = None,
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare a model.

        :param adopt_id: the id of an existing object to manage instead of creating one.
        :param name: the model's name in Polytomic.
        :param connection_id: the source connection (changing it replaces the model).
        :param configuration: ``{"query": "SELECT ..."}``, or ``{"schema": ..., "table": ...}``.
        :param identifier: the field that uniquely identifies a row.
        :param tracking_columns: fields whose changes mark a row as changed.
        :param additional_fields: fields declared by hand: ``{name, label, type, example?}``.
        :param relations: joins to other models: ``{from, to: {model_id, field}}``.
        :param labels: label names.
        :param required_fields: fields something else needs (a sync's mappings): ``pulumi preview``
            fails when the query does not select one. Not sent to Polytomic.
        :param required_by: for a required field, what needs it, in the words of the program that
            declared the model (``"`identity.source`"``): the failure names that, not the field's
            place in `required_fields`. Wording only: changing it changes nothing else.
        """
        props = {
            "name": name, "connection_id": connection_id, "configuration": configuration,
            "identifier": identifier, "tracking_columns": tracking_columns,
            "additional_fields": additional_fields, "relations": relations, "labels": labels,
            "required_fields": required_fields, "required_by": required_by,
            **ownership(resource_name, "Model", adopt_id),
            "fields": None, "field_names": None,
        }
        super().__init__(ModelProvider(), resource_name, props, opts)
