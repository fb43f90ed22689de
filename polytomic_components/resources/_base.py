"""The one provider base that Connection, Model and Sync share.

A subclass says *what* its resource is (inputs, which of them force a replacement, which are
secret, how inputs become an API body and how an API object becomes outputs); this base says *how*
every resource talks to the engine: check without writes, diffs on inputs only, idempotent creates,
refresh that reports drift and disappearance, deletes that tolerate a resource already gone.

Providers hold no state that reaches Pulumi state: the engine pickles the provider object into
every resource, so credentials are read per call from the stack config that `configure` received
(in the provider process only) or from the environment.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown

from ..client import PolytomicClient
from ..errors import ConfigurationError, NotFoundError
from ..settings import Settings

#: How an input not known yet (during preview) reaches a provider: as this sentinel string, or
#: as an `Unknown` instance once the dynamic-provider host has deserialized it.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_PROVIDER_KEY = "__provider"
_CONFIG_KEYS = ("polytomic:apiKey", "polytomic:deploymentUrl")
#: How many fresh idempotency keys a create tries after replays of objects deleted since.
_MAX_REPLAYED_CREATES = 5


def is_known(value: Any) -> bool:
    """True when `value`, and everything nested in it, is known (not a preview placeholder)."""
    if isinstance(value, Mapping):
        return all(is_known(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(is_known(v) for v in value)
    return value != UNKNOWN and not isinstance(value, Unknown)


def _at(props: Mapping[str, Any] | None, path: str) -> Any:
    """The value at a dotted path, or None where any step is missing."""
    for step in path.split("."):
        if not isinstance(props, Mapping):
            return None
        props = props.get(step)
    return props


def resource_key(resource_name: str, type_name: str) -> str:
    """What makes a resource unique across stacks: the seed of its idempotency keys."""
    return f"{pulumi.get_project()}/{pulumi.get_stack()}/{type_name}/{resource_name}"


def idempotency_key(seed: str, inputs: Mapping[str, Any], attempt: int) -> str:
    """A key that a retry or a re-run after a crash reproduces: same resource, same inputs."""
    canonical = json.dumps([seed, dict(inputs), attempt], sort_keys=True, default=str)
    return "pc-" + hashlib.sha256(canonical.encode()).hexdigest()[:48]


class PolytomicProvider(ResourceProvider):
    """Base of every Polytomic dynamic provider; subclasses fill in the class attributes and hooks."""

    #: Input properties the user sets (what diffs compare and refresh may rewrite).
    input_names: ClassVar[tuple[str, ...]]
    #: Input paths (`"target.object"`) the service cannot change in place.
    replace_on: ClassVar[tuple[str, ...]] = ()
    #: Inputs whose values are secret; the API masks them, so they are never read back.
    secret_inputs: ClassVar[tuple[str, ...]] = ()
    #: Client method suffix: `create_<api_object>`, `get_<api_object>`, ...
    api_object: ClassVar[str]

    # Set only on the provider process's copy (after unpickling); never pickled into state.
    _stack_config: Mapping[str, str] = {}

    # --- hooks -------------------------------------------------------------------------------

    def normalise(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Fill defaults and canonical spellings, so state matches what the service reports."""
        return inputs

    def validate(self, inputs: dict[str, Any]) -> Iterator[CheckFailure]:
        """Yield one failure per invalid input; unknown (preview) values must be tolerated."""
        return iter(())

    def to_body(self, inputs: Mapping[str, Any], outputs: Mapping[str, Any] | None) -> dict[str, Any]:
        """The full API request body for create (`outputs` None) or update."""
        raise NotImplementedError

    def computed_outputs(self, api_object: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
        """Outputs the service fills in (ids, detected fields, status); `props` are the last ones."""
        return {}

    def observed_inputs(self, api_object: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs as the service now has them, for drift; secrets come from `inputs`."""
        return dict(inputs)

    def service_failures(self, client: PolytomicClient, inputs: Mapping[str, Any]) -> Iterator[CheckFailure]:
        """Problems only the service can see (reads only); skip what is unknown during preview.

        The engine checks every resource again, with all values known, just before it creates or
        updates it, so these also run before every write.
        """
        return iter(())

    # --- engine protocol ---------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        self._stack_config = {k: v for k in _CONFIG_KEYS if (v := req.config.get(k)) is not None}

    def client(self) -> PolytomicClient:
        return PolytomicClient(Settings.from_config(self._stack_config))

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = self.normalise({k: v for k, v in news.items() if k != _PROVIDER_KEY})
        failures = list(self.validate(inputs))
        if not failures:
            failures = self._service_failures_if_configured(inputs)
        return CheckResult(inputs, failures)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [name for name in self.input_names
                   if not is_known(news.get(name)) or olds.get(name) != news.get(name)]
        replaces = sorted({path.split(".")[0] for path in self.replace_on
                           if _at(olds, path) != _at(news, path) or not is_known(_at(news, path))})
        return DiffResult(changes=bool(changed), replaces=replaces,
                          stables=["id"], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self._inputs(props)
        with self.client() as client:
            if props.get("adopt_id"):
                created = self._adopt(client, props["adopt_id"], inputs, props)
            else:
                body = self.to_body(inputs, None)
                created = self._create_once(client, props["resource_key"], inputs, body)
        return CreateResult(created["id"], self._outputs(created, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.client() as client:
            try:
                current = self._api(client, "get")(id_)
            except NotFoundError:
                return ReadResult(None, {})
        inputs = self.observed_inputs(current, self._inputs(props))
        outputs = self._outputs(current, {**props, **inputs})
        return ReadResult(id_, outputs, {**inputs, "resource_key": props.get("resource_key")})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs = self._inputs(news)
        with self.client() as client:
            updated = self._api(client, "update")(id_, self.to_body(inputs, olds))
        return UpdateResult(self._outputs(updated, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        # A resource already gone is deleted as far as the user is concerned.
        with self.client() as client, contextlib.suppress(NotFoundError):
            self.delete_object(client, id_, props)

    def delete_object(self, client: PolytomicClient, id_: str, props: Mapping[str, Any]) -> None:
        self._api(client, "delete")(id_)

    # --- helpers ------------------------------------------------------------------------------

    def _api(self, client: PolytomicClient, verb: str) -> Any:
        """The client method for `verb` on this kind: `client.<verb>_<api_object>`."""
        return getattr(client, f"{verb}_{self.api_object}")

    def _inputs(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {name: props.get(name) for name in self.input_names}

    def _outputs(self, api_object: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
        inputs = self._inputs(props)
        return {**inputs, "resource_key": props.get("resource_key"),
                **self.computed_outputs(api_object, props)}

    def _service_failures_if_configured(self, inputs: Mapping[str, Any]) -> list[CheckFailure]:
        # Without credentials a preview still checks everything it can; the first write then
        # fails with ConfigurationError saying how to set the key.
        try:
            client = self.client()
        except ConfigurationError:
            return []
        with client:
            return list(self.service_failures(client, inputs))

    def _adopt(self, client: PolytomicClient, id_: str, inputs: Mapping[str, Any],
               props: Mapping[str, Any]) -> dict[str, Any]:
        """Take over an existing object: write the declared inputs to it instead of creating one.

        This is how existing objects come under management: the Python dynamic-provider host cannot
        serve the `import_` option (the engine's import Read carries no serialized provider).
        """
        try:
            existing = self._api(client, "get")(id_)
        except NotFoundError:
            raise ValueError(f"adopt_id: no {self.api_object} {id_!r} exists to adopt; "
                             "check the id, or remove adopt_id to create a new one") from None
        body = self.to_body(inputs, self.computed_outputs(existing, props))
        updated: dict[str, Any] = self._api(client, "update")(id_, body)
        return updated

    def _create_once(self, client: PolytomicClient, seed: str, inputs: Mapping[str, Any],
                     body: dict[str, Any]) -> dict[str, Any]:
        """Create with a deterministic Idempotency-Key, stepping past replays of deleted objects.

        Within the service's 24 h replay window, destroying a resource and creating it again with
        the same inputs would replay the first create, whose object no longer exists.
        """
        create, get = self._api(client, "create"), self._api(client, "get")
        keyed = {k: v for k, v in inputs.items() if k not in self.secret_inputs}
        for attempt in range(_MAX_REPLAYED_CREATES):
            created: dict[str, Any] = create(body, idempotency_key=idempotency_key(seed, keyed, attempt))
            try:
                get(created["id"])
            except NotFoundError:
                continue
            return created
        raise RuntimeError(
            f"creating this {self.api_object} replayed {_MAX_REPLAYED_CREATES} deleted objects; "
            "wait for the service's 24 h idempotency window to pass or change an input")


# --- check helpers shared by the providers ------------------------------------------------------


def failure(path: str, reason: str) -> CheckFailure:
    return CheckFailure(path, f"{path}: {reason}")


def require_text(inputs: Mapping[str, Any], path: str) -> Iterator[CheckFailure]:
    """A required, non-blank string (unknown during preview is fine)."""
    value = _at(inputs, path)
    if is_known(value) and (not isinstance(value, str) or not value.strip()):
        yield failure(path, "is required and must be a non-empty string")


def require_choice(inputs: Mapping[str, Any], path: str, allowed: tuple[str, ...]) -> Iterator[CheckFailure]:
    value = _at(inputs, path)
    if value not in (None, "") and is_known(value) and value not in allowed:
        yield failure(path, f"{value!r} is not allowed; use one of: {', '.join(allowed)}")
