"""The one provider base that Connection, Model and Sync share.

A subclass says *what* its resource is (inputs, which of them force a replacement, which are
secret, how inputs become an API body and how an API object becomes outputs); this base says *how*
every resource talks to the engine: check without writes, diffs on inputs only, idempotent creates
that belong to one stack, refresh that reports drift and disappearance, deletes that tolerate a
resource already gone.

Providers hold no state that reaches Pulumi state: the engine pickles the provider object into
every resource, so credentials are read per call from the stack config that `configure` received
(in the provider process only) or from the environment. What the provider process learns while it
runs (its HTTP session; facts shared by many resources, of every kind) lives in that process and
dies with it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, TypeVar

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

from .._transport import RetryProgress
from ..client import PolytomicClient
from ..errors import (
    ArgumentError,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    PolytomicConnectionError,
    PolytomicError,
    RateLimitedError,
    ReplayedDeletedObjectError,
    ServerError,
)
from ..settings import URL_SETTING, Settings
from . import _host
from .ownership import stack_owner

#: How an input not known yet (during preview) reaches a provider: as this sentinel string, or
#: as an `Unknown` instance once the dynamic-provider host has deserialized it.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_PROVIDER_KEY = "__provider"
#: Set on a resource whose object refresh found deleted outside Pulumi; the next `up` replaces it.
GONE = "deleted_outside_pulumi"
_CONFIG_KEYS = ("polytomic:apiKey", "polytomic:deploymentUrl", "polytomic:requireServiceChecks")
#: How many fresh idempotency keys a create tries after replays of objects deleted since.
_MAX_REPLAYED_CREATES = 5

T = TypeVar("T")


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


def ownership(resource_name: str, kind: str, adopt_id: str | None) -> dict[str, Any]:
    """The bookkeeping inputs every resource carries: who owns it and how it comes to exist.

    `resource_key` names the resource within its stack; `owner` is the stack's identity (see
    `ownership.py`); `adopt_id` is an existing object to take over instead of creating one.
    """
    return {"resource_key": f"{pulumi.get_project()}/{pulumi.get_stack()}/{kind}/{resource_name}",
            "owner": stack_owner(), "adopt_id": adopt_id}


def idempotency_key(props: Mapping[str, Any], inputs: Mapping[str, Any], attempt: int) -> str:
    """A key that a retry or a re-run after a crash reproduces, and no other stack ever sends.

    It derives from the stack's identity, the resource, its inputs and the object it supersedes
    (a replacement must never replay the creation of the object it replaces).
    """
    canonical = json.dumps([props.get("owner"), props.get("resource_key"), dict(inputs),
                            props.get("supersedes"), attempt], sort_keys=True, default=str)
    return "pc-" + hashlib.sha256(canonical.encode()).hexdigest()[:48]


def say(resource_key: str | None, message: str) -> None:
    """Tell the person running Pulumi something in words: the engine shows a provider's stderr
    in the output of `preview` and `up` (and in `--json` diagnostics)."""
    name = (resource_key or "").rsplit("/", 1)[-1]
    print(f"polytomic: {name}: {message}" if name else f"polytomic: {message}", file=sys.stderr,
          flush=True)


@functools.cache
def _report_retries(deployment_url: str) -> None:
    """Once per process and deployment: say so while the transport retries a deployment that does
    not answer (each check would otherwise wait silently for up to a minute)."""
    RetryProgress(deployment_url, lambda message: say(None, message)).attach()


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
    #: Whether service checks run even when a shape is wrong, to report every problem at once
    #: (only for checks that guard the shapes they read).
    checks_schema_despite_shape_failures: ClassVar[bool] = False
    #: Inputs only `check` uses (never sent, never diffed); a change to them is checked again.
    check_inputs: ClassVar[tuple[str, ...]] = ()
    #: Outputs that carry over to the object replacing one deleted outside Pulumi.
    carried: ClassVar[tuple[str, ...]] = ()

    # Set only on the provider process's copy (after unpickling); never pickled into state.
    _stack_config: Mapping[str, str] = {}
    #: What state keeps of a provider (`__provider`, in every resource) is a reference to its class
    #: and nothing else (`__getstate__`), so Pulumi need not keep it as a secret (it still does if
    #: a secret was captured). As one, it is two more secrets per resource that the engine
    #: encrypts in every rewrite of the state, after every step.
    serialize_as_secret_always = False

    def __getstate__(self) -> None:
        # Nothing a provider learns at run time belongs in state. None, not {}: Pulumi's SDK wraps
        # pickle's dict writer once per serialized provider and never unwraps it, so pickling
        # even an empty dict per resource recurses ever deeper (RecursionError near 1000 resources).
        return None

    # --- hooks -------------------------------------------------------------------------------

    def normalise(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Fill defaults and canonical spellings, so state matches what the service reports."""
        return inputs

    def validate(self, inputs: dict[str, Any]) -> Iterator[CheckFailure]:
        """Yield one failure per invalid input; unknown (preview) values must be tolerated."""
        return iter(())

    def to_body(self, inputs: Mapping[str, Any], learned: Mapping[str, Any]) -> dict[str, Any]:
        """The full API request body. `learned` is what earlier writes told the resource: its
        outputs on update, what carried over on create."""
        raise NotImplementedError

    def stale(self, olds: Mapping[str, Any]) -> bool:
        """Whether the object needs a write although no input changed (e.g. its target vanished)."""
        return False

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

    def consequences(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Iterator[str]:
        """What a change will cost the user, in words a reviewer reads in the preview."""
        return iter(())

    def checked_at_write(self, inputs: Mapping[str, Any]) -> bool:
        """Whether `service_failures` may wait for the write instead of running in `check`.

        Only for inputs that were unknown at preview (they come from an object this deployment
        created): preview could not check them, and the engine calls `check` one resource at a
        time, so a round trip there is paid in series; in create or update it runs concurrently
        with the other writes, still before this one. Known inputs are always checked in `check`,
        so that `preview` fails on them.
        """
        return False

    # --- engine protocol ---------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        _host.widen_worker_pool()
        self._stack_config = {k: v for k in _CONFIG_KEYS if (v := req.config.get(k)) is not None}

    def client(self) -> PolytomicClient:
        """This process's client: one HTTP session, so connections are reused across calls."""
        with _LOCK:
            client: PolytomicClient | None = self.__dict__.get("_client")
            if client is None:
                settings = Settings.from_config(self._stack_config)
                client = self.__dict__["_client"] = PolytomicClient(settings)
                _report_retries(settings.deployment_url)
            return client

    def remember(self, key: tuple[Any, ...], read: Callable[[], T]) -> T:
        """A fact of the service (a connection's targets, an audience's fields), read once per
        deployment however many resources, of any kind, ask for it (those that ask while it is
        being read wait for that one read). An object this deployment wrote is known from the
        write's answer: `(kind, id)`."""
        with _LOCK:
            reading = _READING.setdefault(key, threading.Lock())
        with reading:
            if key not in _FACTS:
                _FACTS[key] = read()
        return _FACTS[key]  # type: ignore[no-any-return]

    def remember_from_call(self, key: tuple[Any, ...], read: Callable[[], T], *, call: int) -> T | None:
        """`remember(key, read)` from the `call`-th time a caller asks on: None before, so that a
        deployment that asks a few times never pays for the one large read."""
        with _LOCK:
            _ASKED[key] = asked = _ASKED.get(key, 0) + 1
        return self.remember(key, read) if asked >= call else _FACTS.get(key)

    def current(self, client: PolytomicClient, id_: str) -> dict[str, Any]:
        """The object as the service has it now (what `read` compares with state)."""
        current: dict[str, Any] = self._api(client, "get")(id_)
        return current

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = self.normalise({k: _whole_numbers(v) for k, v in news.items() if k != _PROVIDER_KEY})
        existing = _declared(olds)
        # How to reach Polytomic is checked in every run, changed or not; it takes no API call.
        configured, failures = self._configuration_failures()
        failures += self.validate(inputs)
        # Facts the service knows are checked when something changed since the last `up`: an
        # unchanged resource costs no API call.
        if (configured and (not failures or self.checks_schema_despite_shape_failures)
                and (not existing or self._changed(olds, inputs))):
            if not failures and self.checked_at_write(inputs):
                _CHECK_AT_WRITE.add(inputs.get("resource_key"))
            else:
                failures += self._service_failures_if_configured(inputs, creating=not existing)
        for consequence in self.consequences({}, inputs) if not (existing or failures) else ():
            say(inputs.get("resource_key"), consequence)
        return CheckResult(inputs, [_for_the_engine(f, inputs) for f in failures])

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # Should this diff end in a replacement (whatever asks for it, `--replace` included), the
        # engine re-checks the new inputs without the old ones, so what the replacement needs to
        # know travels through this process, from diff to create in one deployment: the object it
        # supersedes (its Idempotency-Key must never replay that object's creation) and, for an
        # object deleted outside Pulumi, what carries over.
        _REPLACING[news.get("resource_key")] = {
            "supersedes": id_, **({key: olds.get(key) for key in self.carried} if olds.get(GONE) else {})}
        if olds.get(GONE):
            say(news.get("resource_key"), f"{self.api_object} {id_} was deleted outside Pulumi; "
                "this deployment creates it again")
            return DiffResult(changes=True, replaces=[GONE], stables=[], delete_before_replace=False)
        changed = [name for name in self.input_names
                   if not is_known(news.get(name)) or olds.get(name) != news.get(name)]
        replaces = sorted({path.split(".")[0] for path in self.replace_on
                           if _at(olds, path) != _at(news, path) or not is_known(_at(news, path))})
        must_write = bool(changed) or self.stale(olds)
        if must_write:
            _CHANGING.add(id_)
        for consequence in self.consequences(olds, news) if must_write else ():
            say(news.get("resource_key"), consequence)
        return DiffResult(changes=must_write, replaces=replaces, stables=["id"], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        props = {**props, **_REPLACING.get(props.get("resource_key"), {})}
        self._check_before_write(props, creating=True)
        if props.get("adopt_id"):
            created = self._adopt(self.client(), props["adopt_id"], self._inputs(props), props)
        else:
            created = self.send_create(props)
        _CREATED.add(created["id"])
        _FACTS[(self.api_object, created["id"])] = created
        return CreateResult(created["id"], self._outputs(created, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self._inputs(props)
        try:
            current = self.current(self.client(), id_)
        except NotFoundError:
            if not _declared(props):
                return ReadResult(None, {})
            # Kept, and marked, rather than forgotten: the next `up` replaces it with a key of its
            # own (a replay would bring back the deleted object), and what the resource learned
            # (e.g. a sync's audience) carries over to the replacement.
            return ReadResult(id_, {**props, GONE: True}, {**inputs, **self._bookkeeping(props), GONE: True})
        observed = self.observed_inputs(current, inputs)
        outputs = self._outputs(current, {**props, **observed})
        # The check-only inputs come back as they were: dropped, they would read as a change, and
        # the next preview would run the service checks again although nothing changed.
        return ReadResult(id_, outputs, {**observed, **self._bookkeeping(props), **self._check_only(props)})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        inputs = self._inputs(news)
        self._check_before_write(news, creating=False)
        _CHANGING.discard(id_)  # written by the time a dependent is checked again
        try:
            updated = self._api(self.client(), "update")(id_, self._body(inputs, olds))
        except NotFoundError as error:
            raise NotFoundError(
                error.message, status=error.status, key=error.key, method=error.method, path=error.path,
                hint=f"The {self.api_object} was deleted outside Pulumi. Run `pulumi refresh` (or "
                     "`pulumi up --refresh`): the next `up` then creates it again",
            ) from None
        for stale in [key for key in _FACTS if id_ in key]:  # e.g. the targets of a connection
            del _FACTS[stale]
        _FACTS[(self.api_object, id_)] = updated
        return UpdateResult(self._outputs(updated, {**olds, **news}))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if id_ in _CREATED:
            # A forced replacement (`pulumi up --replace`) reaches create with no trace of the old
            # object, so its key replays the old object's creation: both are one object, which
            # now belongs to the replacement.
            say(props.get("resource_key"), f"kept {self.api_object} {id_}: the replacement is the same "
                "object (Polytomic objects are not re-created by `--replace`)")
            return
        if props.get("adopt_id"):
            say(props.get("resource_key"), f"deletes {self.api_object} {id_}, which this stack adopted "
                "(it was made outside it); `on_destroy: keep` (Python: `retain_on_delete`) keeps "
                "adopted objects")
        # A resource already gone is deleted as far as the user is concerned.
        with contextlib.suppress(NotFoundError):
            self.delete_object(self.client(), id_, props)

    def send_create(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """POST the object `props` declare, with the Idempotency-Key that this resource of this
        stack alone sends: what `create` does, and what `recover` replays to learn which object
        an interrupted create made (the service answers a known key with its first answer)."""
        inputs = self._inputs(props)
        return self._create_once(self.client(), props, inputs, self._body(inputs, props))

    def delete_object(self, client: PolytomicClient, id_: str, props: Mapping[str, Any]) -> None:
        self._api(client, "delete")(id_)

    # --- helpers ------------------------------------------------------------------------------

    def _body(self, inputs: Mapping[str, Any], learned: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = _whole_numbers(self.to_body(inputs, learned))
        return body

    def _api(self, client: PolytomicClient, verb: str) -> Any:
        """The client method for `verb` on this kind: `client.<verb>_<api_object>`."""
        return getattr(client, f"{verb}_{self.api_object}")

    def _inputs(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {name: props.get(name) for name in self.input_names}

    @staticmethod
    def _bookkeeping(props: Mapping[str, Any]) -> dict[str, Any]:
        return {key: props.get(key) for key in ("resource_key", "owner", "adopt_id", "supersedes")}

    def _check_only(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {name: props.get(name) for name in self.check_inputs}

    def _outputs(self, api_object: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
        return {**self._inputs(props), **self._bookkeeping(props), **self._check_only(props),
                **self.computed_outputs(api_object, props)}

    def _changed(self, olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> bool:
        return bool(olds.get(GONE)) or self.stale(olds) or any(
            olds.get(name) != inputs.get(name) or not is_known(inputs.get(name))
            for name in (*self.input_names, *self.check_inputs))

    def _configuration_failures(self) -> tuple[bool, list[CheckFailure]]:
        """Whether the stack says how to reach Polytomic, and what is wrong with what it says:
        a malformed deployment URL fails every run; a missing API key is said once (or fails
        the run where service checks are required)."""
        try:
            Settings.from_config(self._stack_config)
        except ConfigurationError as error:
            if error.key == URL_SETTING:
                return False, [CheckFailure(URL_SETTING, f"{URL_SETTING}: {error}")]
            return False, self._unchecked(error.message)
        return True, []

    def _service_failures_if_configured(self, inputs: Mapping[str, Any], *, creating: bool,
                                        ) -> list[CheckFailure]:
        try:
            client = self.client()
        except ConfigurationError as error:
            return self._unchecked(error.message)
        try:
            failures = list(self._adoption_failures(client, inputs) if creating else ())
            return failures or list(self.service_failures(client, inputs))
        except (AuthenticationError, PermissionDeniedError) as error:
            return [CheckFailure("polytomic:apiKey", f"polytomic:apiKey: {error}")]
        except (PolytomicConnectionError, RateLimitedError, ServerError) as error:
            return self._unchecked(f"Polytomic did not answer ({error.message})")

    def _check_before_write(self, props: Mapping[str, Any], *, creating: bool) -> None:
        """Run the service checks that `check` left to this write (see `checked_at_write`);
        a failure stops the write, as a failed check would have."""
        key = props.get("resource_key")
        if key not in _CHECK_AT_WRITE:
            return
        failures = self._service_failures_if_configured(props, creating=creating)
        _CHECK_AT_WRITE.discard(key)
        if failures:
            # An ArgumentError reaches `pulumi up` as its message alone, as a failed check would.
            raise ArgumentError("", "; ".join(f.reason for f in failures) + " (nothing was written: "
                                f"this {self.api_object}'s inputs were known only once the objects "
                                "it depends on were created, so it was checked before its write)")

    def _unchecked(self, why: str) -> list[CheckFailure]:
        """No silent green: say that the service checks were skipped, or fail when the stack
        requires them (`polytomic:requireServiceChecks: true`, or in CI
        `POLYTOMIC_REQUIRE_SERVICE_CHECKS=true`)."""
        text = (f"{why}; preview checked the shape of every input but not what only the service "
                "knows (ad accounts, audiences, target fields, queries)")
        required = (self._stack_config.get("polytomic:requireServiceChecks")
                    or os.environ.get("POLYTOMIC_REQUIRE_SERVICE_CHECKS", ""))
        if str(required).lower() == "true":
            return [CheckFailure("polytomic:requireServiceChecks", f"{text}. Set polytomic:apiKey "
                                 "(or POLYTOMIC_API_KEY) and polytomic:deploymentUrl, or set "
                                 "polytomic:requireServiceChecks to false")]
        with _LOCK:
            said, _SAID[text] = text in _SAID, True
        if not said:  # once per run, however many resources and kinds
            say(None, f"warning: {text}")
        return []

    def _adoption_failures(self, client: PolytomicClient,
                           inputs: Mapping[str, Any]) -> Iterator[CheckFailure]:
        adopt_id = inputs.get("adopt_id")
        if not adopt_id or not is_known(adopt_id):
            return
        try:
            self._api(client, "get")(adopt_id)
        except NotFoundError:
            yield failure("adopt_id", self._nothing_to_adopt(adopt_id))

    def _nothing_to_adopt(self, id_: str) -> str:
        return (f"no {self.api_object} {id_!r} exists to adopt; check the id, or remove adopt_id "
                "to create a new one")

    def _adopt(self, client: PolytomicClient, id_: str, inputs: Mapping[str, Any],
               props: Mapping[str, Any]) -> dict[str, Any]:
        """Take over an existing object: write the declared inputs to it instead of creating one.

        This is how existing objects come under management: the Python dynamic-provider host cannot
        serve the `import_` option (the engine's import Read carries no serialized provider).
        """
        try:
            existing = self._api(client, "get")(id_)
        except NotFoundError:
            raise ArgumentError("adopt_id", self._nothing_to_adopt(id_)) from None
        body = self._body(inputs, self.computed_outputs(existing, props))
        updated: dict[str, Any] = self._api(client, "update")(id_, body)
        return updated

    def _create_once(self, client: PolytomicClient, props: Mapping[str, Any], inputs: Mapping[str, Any],
                     body: dict[str, Any]) -> dict[str, Any]:
        """Create with a deterministic Idempotency-Key, stepping past replays of deleted objects.

        The key carries the stack's identity, so only a resource re-added to the same stack within
        the service's 24 h replay window can meet its own deleted object; the client detects that.
        """
        create = self._api(client, "create")
        keyed = {k: v for k, v in inputs.items() if k not in self.secret_inputs}
        for attempt in range(_MAX_REPLAYED_CREATES):
            with contextlib.suppress(ReplayedDeletedObjectError):
                created: dict[str, Any] = create(body, idempotency_key=idempotency_key(props, keyed, attempt))
                return created
        raise PolytomicError(
            f"creating this {self.api_object} replayed {_MAX_REPLAYED_CREATES} deleted objects",
            hint="Wait for the service's 24 h idempotency window to pass, or change an input.")


_host.install()
_LOCK = threading.Lock()
# What the provider process learns while one deployment runs. One process serves every dynamic
# resource of a deployment, of every kind; none of this reaches state.
#: Objects this deployment is about to write, by id: facts read from them now are about to change.
_CHANGING: set[str] = set()
#: What a replacement inherits, by resource key (see `diff`).
_REPLACING: dict[Any, dict[str, Any]] = {}
#: Objects this deployment created, by id (see `delete`).
_CREATED: set[str] = set()
#: Facts of the service, by what they are about (see `remember`).
_FACTS: dict[tuple[Any, ...], Any] = {}
#: A lock per fact being read, so that it is read once (see `remember`).
_READING: dict[tuple[Any, ...], threading.Lock] = {}
#: How many times each fact was asked for (see `remember_from_call`).
_ASKED: dict[tuple[Any, ...], int] = {}
#: Warnings said in this run (see `_unchecked`).
_SAID: dict[str, bool] = {}
#: Resources (by key) whose service checks run just before their write (see `checked_at_write`).
_CHECK_AT_WRITE: set[Any] = set()


def changing(object_id: Any) -> bool:
    """Whether this deployment changes `object_id` before the resource asking would be written
    (then what the service says of it now is no ground to fail a preview)."""
    return object_id in _CHANGING


def created_here(object_id: Any) -> bool:
    """Whether this deployment created `object_id` (then its id was unknown at preview)."""
    return object_id in _CREATED


def _whole_numbers(value: Any) -> Any:
    """Numbers as the user wrote them: the engine's wire format turns every number into a float,
    and an API that wants an integer refuses 5432.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    return value


def _declared(props: Mapping[str, Any] | None) -> bool:
    """Whether `props` are those of a resource the engine already has (not a first create)."""
    return any(k != _PROVIDER_KEY for k in props or {})




# --- check helpers shared by the providers ------------------------------------------------------


def _for_the_engine(failure: CheckFailure, inputs: Mapping[str, Any]) -> CheckFailure:
    """`failure` as the engine should print it. The engine prints `property P value {V} has a
    problem` with V looked up at the top level of the inputs: a nested or missing property would
    read `value {<nil>}`, so such a failure names no property; its reason starts with its path."""
    if inputs.get(failure.property) is not None:
        return failure
    reason = failure.reason if failure.reason.startswith(f"{failure.property}:") \
        else f"{failure.property}: {failure.reason}"
    return CheckFailure("", reason)


def failure(path: str, reason: str) -> CheckFailure:
    return CheckFailure(path, f"{path}: {reason}")


def require_text(inputs: Mapping[str, Any], path: str) -> Iterator[CheckFailure]:
    """A required, non-blank string (unknown during preview is fine)."""
    value = _at(inputs, path)
    if is_known(value) and (not isinstance(value, str) or not value.strip()):
        yield failure(path, "is required and must be a non-empty string")


def optional_text(inputs: Mapping[str, Any], path: str) -> Iterator[CheckFailure]:
    value = _at(inputs, path)
    if value is not None and is_known(value) and not isinstance(value, str):
        yield failure(path, f"must be a string, got {type(value).__name__} {value!r}")


def require_bool(inputs: Mapping[str, Any], path: str) -> Iterator[CheckFailure]:
    value = _at(inputs, path)
    if value is not None and is_known(value) and not isinstance(value, bool):
        yield failure(path, f"must be true or false, got {type(value).__name__} {value!r}")


def require_list(inputs: Mapping[str, Any], path: str, item: type) -> Iterator[CheckFailure]:
    """An optional list whose known items are all of type `item`."""
    value = _at(inputs, path)
    if value is None or not is_known(value):
        return
    if not isinstance(value, (list, tuple)):
        yield failure(path, f"must be a list, got {type(value).__name__}")
        return
    for index, entry in enumerate(value):
        if is_known(entry) and not isinstance(entry, item):
            shape = "an object" if item is Mapping else "a string"
            yield failure(f"{path}[{index}]", f"must be {shape}, got {type(entry).__name__} {entry!r}")


def require_mapping(inputs: Mapping[str, Any], path: str, example: str) -> Iterator[CheckFailure]:
    value = _at(inputs, path)
    if value is not None and is_known(value) and not isinstance(value, Mapping):
        yield failure(path, f"must be an object such as {example}, got {type(value).__name__}")


def service_failure(error: PolytomicError, path: str, prefix: str = "") -> CheckFailure:
    """A service's refusal as a check failure: at the path the service names (under `prefix`),
    else at `path`, with the service's own message."""
    where = error.metadata.get("path") if isinstance(error.metadata.get("path"), str) else None
    message = error.message
    if where and message.startswith(f"{where}: "):
        message = message[len(where) + 2:]
    return failure(f"{prefix}{where}" if where else path, message)


def require_choice(inputs: Mapping[str, Any], path: str, allowed: tuple[str, ...]) -> Iterator[CheckFailure]:
    value = _at(inputs, path)
    if value not in (None, "") and is_known(value) and value not in allowed:
        yield failure(path, f"{value!r} is not allowed; use one of: {', '.join(allowed)}")
