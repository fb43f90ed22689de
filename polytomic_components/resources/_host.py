"""What this library changes in the process that serves its providers: Pulumi's Python
dynamic-provider host (`python -m pulumi.dynamic`, started by the engine). Both changes apply in
that process only, and are no-ops anywhere else (the program, the tests, the command line).

How a failure reaches `pulumi up`: as its one-line message, not a traceback. The host answers
every exception of a provider method with `traceback.format_exc()`, which the engine prints in
full. For an error this library raises on purpose (a `PolytomicError`: the service refused, the
network failed, the configuration is wrong) the message already says what happened, where, and
what to do; the frames around it are noise to a user and bury that line. `install()` gives the
host's module a `traceback` whose `format_exc` answers with `reporting.message_for`: that message
alone for such errors, and for anything else (a bug) one line naming the file its full trace was
written to (`POLYTOMIC_DEBUG=1` prints the trace instead).

How many calls it serves at once: the host serves every gRPC call from a thread pool of 4
workers, fixed in its source, so at most 4 creates, updates, reads or deletes run at once
whatever `pulumi up --parallel` says. The engine runs more steps than that concurrently (all the
syncs of a stack can be deleted at once), and each of ours waits on the network, not the CPU.
`widen_worker_pool()` raises the bound of that one pool.
"""

from __future__ import annotations

import gc
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

from .._transport import POOL_SIZE
from ..reporting import message_for

_HOST_MODULE = "pulumi.dynamic.__main__"
#: Concurrent calls the host serves: as many as the client's connection pool keeps open.
WORKERS = POOL_SIZE
#: The host's own bound (pulumi/dynamic/__main__.py): only a pool of exactly this size is widened.
_HOST_WORKERS = 4
_widened = threading.Event()


class _Traceback:
    """The `traceback` module, except that `format_exc` keeps a PolytomicError to its message."""

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def format_exc(*args: Any, **kwargs: Any) -> str:
        error = sys.exc_info()[1]
        return traceback.format_exc(*args, **kwargs) if error is None else message_for(error)


def install() -> None:
    """In the dynamic-provider host process only (its module runs as `__main__`); a no-op
    anywhere else (the program, the tests, the command line)."""
    host: ModuleType | None = sys.modules.get("__main__")
    if host is not None and _in_host() and getattr(host, "traceback", None) is traceback:
        host.traceback = _Traceback()  # type: ignore[attr-defined]


def widen_worker_pool(workers: int = WORKERS) -> None:
    """Let the dynamic-provider host serve up to `workers` calls at once; once per process.

    Does nothing outside the host (a program, a test) or when the host's pool is not the one
    this was written against (then the host keeps its own bound: slower, never wrong).
    `ThreadPoolExecutor` reads `_max_workers` each time a call arrives and starts a thread when
    all are busy, so raising it takes effect for the next call.
    """
    if _widened.is_set():
        return
    _widened.set()
    if not _in_host():
        return
    pools = [o for o in gc.get_objects() if isinstance(o, ThreadPoolExecutor)]
    if len(pools) == 1 and getattr(pools[0], "_max_workers", None) == _HOST_WORKERS:
        pool = pools[0]
        pool._max_workers = workers
        # This runs in the first call the process serves; calls that arrived with it (a destroy's
        # deletes, all at once) may already be queued behind the 4 threads: start theirs now.
        for _ in range(pool._work_queue.qsize()):
            pool._adjust_thread_count()  # type: ignore[attr-defined]


def _in_host() -> bool:
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return spec is not None and spec.name == _HOST_MODULE
