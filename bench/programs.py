"""The Pulumi programs the benchmark deploys, both of the workload's shape.

- `library_program`: the reference program's way, 2 shared `Connection`s and one
  `LinkedInAudiencePipeline` per pipeline on their ids.
- `floor_program`: the same resources, inputs, dependencies and component parents, as no-op
  dynamic resources: what the engine itself costs, with no API call.

`main` picks one from stack config (`bench:variant`, `bench:pipelines`); the benchmark's project
runs it in a fresh language-host process per operation, as `pulumi up` does for users. The
dynamic-provider process imports this module too (the no-op provider is pickled by reference), so
it must stay importable as `bench.programs` with the repository on `PYTHONPATH`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

from polytomic_components import Connection, LinkedInAudiencePipeline
from polytomic_components.args import LinkedInAudiencePipelineArgs

from .workload import AUDIENCE, FIELDS, Pipeline, connection_inputs, pipelines

_PROVIDER_KEY = "__provider"


class NoopProvider(ResourceProvider):
    """Stores its inputs as outputs; diffs inputs; never calls anything."""

    #: As the library's providers: state keeps `__provider` as plain text (it captures nothing).
    serialize_as_secret_always = False

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, [])

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = any(olds.get(key) != value for key, value in news.items() if key != _PROVIDER_KEY)
        return DiffResult(changes=changed, replaces=[], stables=["id"], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(uuid.uuid4().hex, props)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(news)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Nothing to delete."""


class Noop(Resource, module="bench", name="Noop"):
    """A no-op dynamic resource with the given inputs."""

    def __init__(self, name: str, inputs: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(NoopProvider(), name, inputs, opts)


class NoopPipeline(pulumi.ComponentResource):
    """The component of the floor: a no-op model and sync, as `LinkedInAudiencePipeline` has."""

    def __init__(self, pipeline: Pipeline, source: Noop, destination: Noop) -> None:
        super().__init__("bench:index:NoopPipeline", pipeline.name)
        child = pulumi.ResourceOptions(parent=self)
        model = Noop(f"{pipeline.name}-model", pipeline.model_inputs(source.id), child)
        sync = Noop(f"{pipeline.name}-sync", pipeline.sync_inputs(model.id, destination.id), child)
        self.register_outputs({"model_id": model.id, "sync_id": sync.id})


def floor_program(count: int) -> Callable[[], None]:
    def program() -> None:
        shared = {}
        for role in ("snowflake", "linkedin"):
            inputs = connection_inputs(role)
            inputs["secret_configuration"] = pulumi.Output.secret(inputs["secret_configuration"])
            shared[role] = Noop(role, inputs)
        for pipeline in pipelines(count):
            NoopPipeline(pipeline, shared["snowflake"], shared["linkedin"])
        pulumi.export("pipelines", count)
    return program


def library_program(count: int) -> Callable[[], None]:
    def program() -> None:
        shared = {role: Connection(role, **connection_inputs(role))
                  for role in ("snowflake", "linkedin")}
        for pipeline in pipelines(count):
            LinkedInAudiencePipeline(pipeline.name, LinkedInAudiencePipelineArgs(
                model_name=pipeline.model_name, query=pipeline.query,
                source_connection_id=shared["snowflake"].id,
                destination_connection_id=shared["linkedin"].id,
                audience_id=AUDIENCE, fields=FIELDS))
        pulumi.export("pipelines", count)
    return program


def main() -> None:
    config = pulumi.Config("bench")
    programs = {"floor": floor_program, "library": library_program}
    programs[config.require("variant")](config.require_int("pipelines"))()
