"""Sync executions: start, status, list, get, cancel.

An execution starts as ``created`` and finishes the next time anything reads that sync's
executions (status, list, get). That keeps tests deterministic -- no timers -- while a polling
client still sees a start followed by a result. Starting while an execution is unfinished is
409; anything else starts (an inactive sync too: a manual run).

Running an execution does what the service would do with the sample data:

1. Fail, with the sync's problems as the errors, if the sync cannot run (its model or target
   connection is gone, or its audience vanished from LinkedIn).
2. Do what an admin queued for the next execution: fail with a message
   (``POST /__emulator/executions/fail-next``), or stay ``running`` until cancelled
   (``POST /__emulator/executions/stall-next``).
3. Run the model's query against the sample warehouse and keep the rows that pass the sync's
   model filters.
4. Write them to the simulated audience, keyed by the identity value (or the mapped values when
   the sync has no identity): mode ``create`` adds members, ``remove`` removes them. A row whose
   identity is empty is a record error. Members already in the audience are skipped, unless the
   sync has ``sync_all_records`` or the run asked for ``resync`` (then they count as updates).
"""

from __future__ import annotations

from .. import warehouse
from ..store import Store
from .common import ApiError, Json, Request, Response, new_id, not_found, ok, paginate, utc_now
from .models import model_query
from .sync_filters import UnsimulatedFilter, row_matches
from .syncs import load_sync, problems

UNFINISHED = ("created", "running")
TERMINAL = ("completed", "canceled", "failed")
ANY_SYNC = "*"  # the key of a queued outcome meant for whichever sync runs next
OUTCOMES = ("fail", "stall")
_COUNTS = ("insert", "update", "delete", "upserts", "error", "warnings", "total")


def start_execution(request: Request) -> Response:
    store = request.store
    sync = load_sync(store, request.params["id"])
    options = request.json_object() if request.body is not None else {}
    for execution in store.find("executions", sync_id=sync["id"]):
        if execution["status"] in UNFINISHED:
            raise ApiError(409, "execution_running",
                           f"execution {execution['id']} of this sync has not finished; wait "
                           "for it or cancel it", {"execution_id": execution["id"]})
    execution = {"id": new_id(), "sync_id": sync["id"], "type": "manual", "status": "created",
                 "created_at": utc_now(), "started_at": None, "completed_at": None,
                 "errors": [], "counts": dict.fromkeys(_COUNTS, 0),
                 "resync": options.get("resync") is True}
    store.insert("executions", execution)
    return ok({key: execution[key] for key in ("id", "status", "created_at")})


def sync_status(request: Request) -> Response:
    executions = _settled(request.store, load_sync(request.store, request.params["id"]))
    current = next((e for e in reversed(executions) if e["status"] in UNFINISHED), None)
    last = next((e for e in reversed(executions) if e["status"] in TERMINAL), None)
    return ok({"current_execution": current and _view(current),
               "last_execution": last and _view(last), "next_execution_time": None})


def list_executions(request: Request) -> Response:
    executions = _settled(request.store, load_sync(request.store, request.params["id"]))
    if request.flag("only_completed"):
        executions = [e for e in executions if e["status"] in TERMINAL]
    return paginate(request, [_view(e) for e in executions],
                    lambda e: (e["created_at"], e["id"]), descending=not request.flag("ascending"))


def get_execution(request: Request) -> Response:
    sync = load_sync(request.store, request.params["id"])
    _settled(request.store, sync)
    return ok(_view(_load_execution(request.store, sync, request.params["execution_id"])))


def cancel_sync(request: Request) -> Response:
    """Cancel whatever execution of the sync has not finished."""
    store = request.store
    sync = load_sync(store, request.params["id"])
    unfinished = [e for e in store.find("executions", sync_id=sync["id"])
                  if e["status"] in UNFINISHED]
    for execution in unfinished:
        _cancel(store, execution)
    if not unfinished:
        return ok({"message": "no execution of this sync is running"})
    return ok({"message": f"canceled execution {unfinished[0]['id']}"})


def cancel_execution(request: Request) -> Response:
    store = request.store
    sync = load_sync(store, request.params["id"])
    execution = _load_execution(store, sync, request.params["execution_id"])
    if execution["status"] not in UNFINISHED:
        return ok({"message": f"execution {execution['id']} already {execution['status']}"})
    _cancel(store, execution)
    return ok({"message": f"canceled execution {execution['id']}"})


def queue_outcome(store: Store, outcome: str, sync_id: str | None,
                  message: str | None = None) -> Json:
    """Make the next execution of ``sync_id`` (of any sync when None) ``fail`` with ``message``
    or ``stall`` (stay running until cancelled); replaces what was queued for it before."""
    queued = {"id": sync_id or ANY_SYNC, "outcome": outcome, "queued_at": utc_now(),
              **({"message": message} if message else {})}
    store.delete("queued_outcomes", queued["id"])
    store.insert("queued_outcomes", queued)
    return queued


def _load_execution(store: Store, sync: Json, execution_id: str) -> Json:
    execution = store.get("executions", execution_id)
    if execution is None or execution["sync_id"] != sync["id"]:
        raise not_found("execution", execution_id)
    return execution


def _cancel(store: Store, execution: Json) -> None:
    execution.update(status="canceled", completed_at=utc_now())
    store.replace("executions", execution)


def _settled(store: Store, sync: Json) -> list[Json]:
    """The sync's executions, oldest first, after running every unfinished one to its end."""
    executions = store.find("executions", sync_id=sync["id"])
    for execution in executions:
        if execution["status"] in UNFINISHED and not execution.get("stalled"):
            execution.update(started_at=execution["created_at"])
            try:
                _run(store, sync, execution)
                execution.update(status="completed", completed_at=utc_now())
            except _ExecutionFailed as failure:
                execution.update(status="failed", errors=failure.errors, completed_at=utc_now())
            except _Stalled:
                execution.update(status="running", stalled=True)
            store.replace("executions", execution)
    return executions


class _Stalled(Exception):
    """An admin asked for this execution to keep running."""


class _ExecutionFailed(Exception):
    def __init__(self, *errors: str) -> None:
        super().__init__(*errors)
        self.errors = list(errors)


def _run(store: Store, sync: Json, execution: Json) -> None:
    found = problems(store, sync)
    if found:
        raise _ExecutionFailed(*(problem["message"] for problem in found))
    for key in (sync["id"], ANY_SYNC):
        queued = store.get("queued_outcomes", key)
        if queued:
            store.delete("queued_outcomes", key)
            if queued["outcome"] == "stall":
                raise _Stalled
            raise _ExecutionFailed(queued["message"])

    model = store.get("models", sync["model_ids"][0])
    assert model is not None  # a missing model is a problem, reported above
    try:
        _, rows = warehouse.run(model_query(model["configuration"]))
        rows = [row for row in rows if row_matches(row, sync.get("model_filters"))]
    except (warehouse.QueryError, ApiError, UnsimulatedFilter) as error:
        raise _ExecutionFailed(str(error)) from None

    audience = store.get("audiences", sync["target"]["object"])
    assert audience is not None  # a vanished audience is a problem, reported above
    members = set(audience.get("members", []))
    resend = sync.get("sync_all_records") or execution["resync"]
    counts = execution["counts"]
    for row in rows:
        outcome = _write(members, _record_key(sync, row), sync["mode"], resend)
        if outcome:
            counts[outcome] += 1
            counts["total"] += 1
    audience["members"] = sorted(members)
    store.replace("audiences", audience)


def _write(members: set[str], key: str | None, mode: str, resend: bool) -> str | None:
    """Apply one record to the audience; the count it goes to, or None when skipped."""
    if key is None:
        return "error"
    if mode == "remove":
        if key not in members:
            return None
        members.discard(key)
        return "delete"
    if key not in members:
        members.add(key)
        return "insert"
    return "update" if resend else None  # unchanged: change tracking skips it


def _record_key(sync: Json, row: Json) -> str | None:
    """What LinkedIn matches a record on: the identity value, else all mapped values."""
    identity = sync.get("identity")
    if identity:
        value = row.get(identity["source"]["field"])
        return None if value in (None, "") else str(value)
    values = [row.get(f["source"]["field"]) for f in sync["fields"] if "source" in f]
    return None if all(v in (None, "") for v in values) else repr(values)


def _view(execution: Json) -> Json:
    return {key: value for key, value in execution.items()
            if key not in ("sync_id", "resync", "stalled")}
