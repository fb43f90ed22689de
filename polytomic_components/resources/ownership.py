"""Who owns what: one random identity per stack, kept in that stack's state.

Every Polytomic object a stack creates is created with an Idempotency-Key derived from this
identity, so the same project and stack names in two state backends (a laptop and CI, two teams
that copied the reference project) can never resolve to each other's objects. The identity is made
once, by the stack's first `pulumi up`, and lives as long as the stack's state: a crash and a
re-run reuse it (a retried create replays instead of duplicating); `pulumi destroy` ends it, so the
next `up` starts a new lineage of keys and never replays a deleted object.
"""

from __future__ import annotations

import uuid
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider
from pulumi.runtime import settings

#: The identity resource of the program run in progress, by run (an inline Automation API host
#: runs several stacks' programs in one process, each with its own engine connection).
_IDENTITIES: dict[object, StackIdentity] = {}
#: Set in a component provider process: see `share_identity_across_constructs`.
_ONE_RUN_PER_PROCESS = False


def share_identity_across_constructs() -> None:
    """Key the identity by stack in this process, which serves one run through many Construct calls.

    A component provider (the engine starts one per run) gets a new engine connection for each
    component it constructs; keyed by connection, two pipelines in one program would each declare
    the stack's identity.
    """
    global _ONE_RUN_PER_PROCESS
    _ONE_RUN_PER_PROCESS = True


class StackIdentityProvider(ResourceProvider):
    """Mints the identity; no API call, nothing to update or delete."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(uuid.uuid4().hex, {})

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=False)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)


class StackIdentity(Resource, module="polytomic", name="StackIdentity"):
    """The stack's ownership identity (its id); declared automatically, once per stack."""

    def __init__(self) -> None:
        super().__init__(StackIdentityProvider(), "polytomic-stack-identity", {})


def stack_owner() -> pulumi.Output[str]:
    """The identity of the stack being deployed, declaring it on first use in this run."""
    run = (pulumi.get_project(), pulumi.get_stack()) if _ONE_RUN_PER_PROCESS else id(settings.get_monitor())
    identity = _IDENTITIES.get(run)
    if identity is None:
        identity = _IDENTITIES[run] = StackIdentity()
    return identity.id
