"""The first-run gate: run a sync once after it is created or changed, and fail `up` if the run fails.

`SyncRun` depends on a sync's id and on a fingerprint of the settings the sync (and its model) are
made of. An unchanged sync leaves both unchanged: nothing runs and the preview shows no change.
A new or changed one makes `pulumi up` start an execution, wait for it within a timeout (saying how
it goes in the engine output), and record its status and record counts as outputs.

A run that fails or does not finish in time fails the `up` with the run's error and its execution
id. The sync stays as it was written (it was created or changed on purpose); the gate's state keeps
the fingerprint of the last run that succeeded, so the next `up` runs the sync again. `preview`
never runs anything: the engine calls create and update during `up` only.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CreateResult, ReadResult, Resource, UpdateResult

from ..client import PolytomicClient
from ..errors import ConflictError, PolytomicError
from ._base import PolytomicProvider, failure, is_known, ownership, require_text, say

#: How long `up` waits for a run unless told otherwise (seconds).
DEFAULT_TIMEOUT = 600
#: The longest wait the gate accepts (a day): longer than that is a schedule, not a gate.
MAX_TIMEOUT = 86_400
#: Execution statuses after which nothing more happens (`interrupted` included: it never resumes).
FINISHED = ("completed", "failed", "canceled", "interrupted")
#: Seconds between two reads of a running execution: doubling from the first to the last.
_FIRST_POLL, _LAST_POLL = 1.0, 10.0
#: Seconds between two progress lines while the status stays the same.
_PROGRESS_EVERY = 30.0
_OUTPUT_NAMES = ("execution_id", "status", "counts")


class FirstRunError(PolytomicError, RuntimeError):
    """A sync's first run failed, was cancelled, or did not finish within the gate's timeout."""

    default_hint = ("The sync is in place as written; fix the cause and run `pulumi up` again, "
                    "which runs it again")


def fingerprint(settings: Any) -> str:
    """A short digest of `settings` (any JSON-shaped value): equal settings, equal fingerprints.

    Unset values (None, empty lists and objects) are left out, so a setting that a newer version
    of the program adds, unset, does not count as a change.
    """
    canonical = json.dumps(_set_values(settings), sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _set_values(value: Any) -> Any:
    if isinstance(value, Mapping):
        value = {k: _set_values(v) for k, v in value.items()}
        return {k: v for k, v in value.items() if v not in (None, [], {})}
    if isinstance(value, (list, tuple)):
        return [_set_values(v) for v in value]
    return value


def _describe_counts(counts: Mapping[str, Any]) -> str:
    """`counts` of an execution in words: ``50 inserted, 0 updated, 0 deleted, 0 errors (50 total)``."""
    words = (("insert", "inserted"), ("update", "updated"), ("delete", "deleted"), ("error", "errors"))
    text = ", ".join(f"{counts.get(key, 0)} {word}" for key, word in words)
    return f"{text} ({counts.get('total', 0)} total)"


class SyncRunProvider(PolytomicProvider):
    """Starts and follows one execution per new sync id or settings fingerprint.

    Only `sync_id` and `fingerprint` decide whether to run: a changed `timeout` alone starts
    nothing (the next run waits as long as the program then says).
    """

    input_names = ("sync_id", "fingerprint")
    api_object = "execution"

    def normalise(self, inputs: dict[str, Any]) -> dict[str, Any]:
        if inputs.get("timeout") is None:
            inputs["timeout"] = DEFAULT_TIMEOUT
        return inputs

    def validate(self, inputs: dict[str, Any]) -> Iterator[CheckFailure]:
        yield from require_text(inputs, "sync_id")
        yield from require_text(inputs, "fingerprint")
        timeout = inputs.get("timeout")
        whole_seconds = (isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
                         and timeout == int(timeout) and 1 <= timeout <= MAX_TIMEOUT)
        if is_known(timeout) and not whole_seconds:
            yield failure("timeout", f"{timeout!r} must be a whole number of seconds from 1 to {MAX_TIMEOUT}")

    def consequences(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Iterator[str]:
        sync_id = news.get("sync_id")
        which = f"sync {sync_id}" if is_known(sync_id) and sync_id else "the sync"
        yield (f"`up` runs {which} once and waits up to {news.get('timeout')} s for the run; "
               "a failed run fails the `up`")

    def create(self, props: dict[str, Any]) -> CreateResult:
        outputs = self._run(props)
        return CreateResult(outputs["execution_id"], outputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._run(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # A run is history: refresh has nothing to reconcile.
        return ReadResult(id_, props, {**self._inputs(props), "timeout": props.get("timeout"),
                                       **self._bookkeeping(props)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Executions are history: forgetting the gate deletes nothing in Polytomic."""

    # --- one run ------------------------------------------------------------------------------

    def _run(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Start an execution of the sync, wait for it, and return the gate's outputs."""
        sync_id, key, timeout = props["sync_id"], props.get("resource_key"), int(props["timeout"])
        client = self.client()
        deadline = time.monotonic() + timeout
        execution = self._start(client, sync_id, key, deadline)
        execution = self._follow(client, sync_id, execution, key, deadline)
        if execution["status"] not in FINISHED:
            client.cancel_sync(sync_id)
            status = client.get_execution(sync_id, execution["id"])["status"]
            # Cancelling is asynchronous: say so when the service has not finished it yet.
            cancelled = "was cancelled" if status == "canceled" else f"is being cancelled (status {status})"
            raise FirstRunError(
                f"the first run of sync {sync_id} (execution {execution['id']}) did not finish within "
                f"{timeout} s and {cancelled}",
                hint="The sync is in place as written. Run `pulumi up` again to run it again, or "
                     "give the run longer: first_run.timeout (stack config: pipelines[].first_run."
                     "timeout)")
        if execution["status"] != "completed":
            errors = "; ".join(execution.get("errors") or []) or "no error message"
            raise FirstRunError(f"the first run of sync {sync_id} (execution {execution['id']}) "
                                f"{execution['status']}: {errors}")
        counts = {k: v for k, v in (execution.get("counts") or {}).items() if isinstance(v, int)}
        say(key, f"run {execution['id']} of sync {sync_id} completed: {_describe_counts(counts)}")
        return {**props, "execution_id": execution["id"], "status": execution["status"], "counts": counts}

    def _start(self, client: PolytomicClient, sync_id: str, key: str | None,
               deadline: float) -> dict[str, Any]:
        """Start an execution. One already running (a schedule's, or an interrupted `up`'s) may
        predate the change this run is meant to prove: wait for it, then start one."""
        try:
            return client.start_sync(sync_id)
        except ConflictError:
            running = client.sync_status(sync_id).get("current_execution")
        if running:
            say(key, f"sync {sync_id} is already running (execution {running['id']}); the first run "
                "starts when it finishes")
            if self._follow(client, sync_id, running, key, deadline)["status"] not in FINISHED:
                raise FirstRunError(
                    f"sync {sync_id} was still running execution {running['id']}, which this gate did "
                    "not start, when the first run's timeout passed; nothing was cancelled",
                    hint="Run `pulumi up` again once that execution has finished")
        return client.start_sync(sync_id)

    def _follow(self, client: PolytomicClient, sync_id: str, execution: Mapping[str, Any],
                key: str | None, deadline: float) -> dict[str, Any]:
        """The execution once it has finished, or as last read when the deadline passed.

        Reads back off from one second to ten: a run takes seconds to hours, and each read is a
        request (the transport retries a failed read; this loop only waits).
        """
        interval, said, said_at = _FIRST_POLL, None, time.monotonic()
        started = said_at
        while True:
            current: dict[str, Any] = client.get_execution(sync_id, execution["id"])
            status, now = current["status"], time.monotonic()
            if status in FINISHED or now >= deadline:
                return current
            if status != said or now - said_at >= _PROGRESS_EVERY:
                say(key, f"run {current['id']} of sync {sync_id}: {status} ({now - started:.0f} s, "
                    f"waiting up to {deadline - now:.0f} s more)")
                said, said_at = status, now
            time.sleep(min(interval, deadline - now))
            interval = min(interval * 2, _LAST_POLL)


class SyncRun(Resource, module="polytomic", name="SyncRun"):
    """Runs a sync once whenever it is created or its settings change, during `pulumi up`.

    ``settings`` is whatever the sync is made of (its inputs, its model's query, ...): only their
    fingerprint is kept, so a change of any of them runs the sync again and nothing else does.
    """

    sync_id: pulumi.Output[str]
    execution_id: pulumi.Output[str]
    """The execution the last run of this gate started."""
    status: pulumi.Output[str]
    """That execution's status: ``completed`` (any other status failed the `up`)."""
    counts: pulumi.Output[dict[str, int]]
    """That execution's record counts: ``insert``, ``update``, ``delete``, ``error``, ``total``, ..."""

    def __init__(
        self,
        resource_name: str,
        *,
        sync_id: pulumi.Input[str],
        settings: pulumi.Input[Any],
        timeout: int = DEFAULT_TIMEOUT,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare the gate of one sync.

        :param sync_id: the sync to run (``sync.id``, so the gate follows the sync's own changes).
        :param settings: what the sync is made of; may hold Outputs (model ids, queries).
        :param timeout: seconds to wait for a run before cancelling it and failing the `up`.
        """
        props = {
            "sync_id": sync_id, "fingerprint": pulumi.Output.from_input(settings).apply(fingerprint),
            "timeout": timeout, **ownership(resource_name, "SyncRun", None),
            **dict.fromkeys(_OUTPUT_NAMES),
        }
        super().__init__(SyncRunProvider(), resource_name, props, opts)
