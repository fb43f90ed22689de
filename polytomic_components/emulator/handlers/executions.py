"""Sync executions: start, status, list, get, cancel.

An execution starts as ``created`` and finishes the next time anything reads that sync's
executions (status, list, get): it then runs the sync's model query and completes with counts
from its rows. That keeps tests deterministic -- no timers -- while a polling client still sees a
start followed by a result. Starting an inactive sync is allowed (a manual run); starting a sync
with problems is refused with 422, and starting while an execution is unfinished with 409.
"""

from __future__ import annotations

from .. import warehouse
from ..store import Store
from .common import ApiError, Json, Request, Response, new_id, not_found, ok, paginate, utc_now
from .models import model_query
from .syncs import load_sync, raise_if_problems

UNFINISHED = ("created", "running")
TERMINAL = ("completed", "canceled", "failed")


def start_execution(request: Request) -> Response:
    store = request.store
    sync = load_sync(store, request.params["id"])
    if request.body is not None:
        request.json_object()  # resync/test/identities are accepted but change nothing here
    raise_if_problems(store, sync)
    for execution in store.find("executions", sync_id=sync["id"]):
        if execution["status"] in UNFINISHED:
            raise ApiError(409, "execution_running",
                           f"execution {execution['id']} of this sync has not finished; wait "
                           "for it or cancel it", {"execution_id": execution["id"]})
    zero = dict.fromkeys(("insert", "update", "delete", "upserts", "error", "warnings", "total"), 0)
    execution = {"id": new_id(), "sync_id": sync["id"], "type": "manual", "status": "created",
                 "created_at": utc_now(), "started_at": None, "completed_at": None,
                 "errors": [], "counts": zero}
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
        if execution["status"] in UNFINISHED:
            _run(store, sync, execution)
            store.replace("executions", execution)
    return executions


def _run(store: Store, sync: Json, execution: Json) -> None:
    """Count the rows of the sync's (first) model: each one is added, or removed in remove mode."""
    execution.update(started_at=execution["created_at"], completed_at=utc_now())
    model = store.get("models", sync["model_ids"][0]) if sync["model_ids"] else None
    if model is None:
        execution.update(status="failed", errors=["the sync maps no existing model"])
        return
    try:
        _, rows = warehouse.run(model_query(model["configuration"]))
    except (warehouse.QueryError, ApiError) as error:
        execution.update(status="failed", errors=[str(error)])
        return
    counts = execution["counts"]
    counts["total"] = len(rows)
    counts["delete" if sync["mode"] == "remove" else "insert"] = len(rows)
    execution["status"] = "completed"


def _view(execution: Json) -> Json:
    return {key: value for key, value in execution.items() if key != "sync_id"}
