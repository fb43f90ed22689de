"""What a killed `pulumi` run can leave in a self-managed (`file://`) state backend, besides
pending operations, and which of it is safe to repair.

- **An empty attributes file.** The file backend keeps each state file's metadata in a sidecar
  `<file>.attrs`. SIGKILLed while writing it, the engine can leave it empty; then every command on
  the stack (`stack export`, `cancel`, `up`) fails with `failed to load checkpoint: EOF`. The
  sidecar holds nothing the state needs, and the backend reads a missing one as "no metadata", so
  removing the empty one is safe.
- **A lock.** An update holds `.pulumi/locks/organization/<project>/<stack>/<id>.json` while it
  runs; a killed
  one leaves it behind. It is safe to release (with the engine's own `pulumi cancel`) only when
  the process that took it is provably gone: same host, and no such live `pulumi` process.
  Otherwise only the user can tell, and is told how.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import attrs

__all__ = ["Finding", "inspect", "state_root"]


@attrs.frozen
class Finding:
    """Something a killed run left behind.

    Attributes:
        what: what was found, in words the user reads.
        repair: what `recover --yes` does about it, or None when only the user can act.
        path: the file the repair removes (an empty attributes file).
        stale_lock: True for a lock that `pulumi cancel` may release.
    """

    what: str
    repair: str | None = None
    path: Path | None = None
    stale_lock: bool = False


def state_root(backend_url: str) -> Path | None:
    """The directory of a `file://` backend (None for any other backend)."""
    parts = urlsplit(backend_url)
    if parts.scheme != "file":
        return None
    path = unquote(parts.path) if parts.netloc in ("", "localhost") else unquote(parts.netloc + parts.path)
    return Path(path).expanduser()


def inspect(root: Path, project: str, stack: str) -> list[Finding]:
    """Everything stranded in the backend at `root` for `project`'s `stack`."""
    meta = root / ".pulumi"
    # Locks live under locks/organization/<project>/<stack> (under locks/<project>/<stack>, or
    # locks/<stack>, in the backend's older layouts).
    folders = [meta / "locks" / "organization" / project / stack, meta / "locks" / project / stack,
               meta / "locks" / stack]
    return [*_empty_attributes(meta, folders, project, stack),
            *(finding for folder in folders for finding in _locks(folder))]


def _empty_attributes(meta: Path, lock_folders: Iterable[Path], project: str, stack: str,
                      ) -> Iterator[Finding]:
    places: Iterable[Path] = [
        *(meta / "stacks").glob(f"{project}/{stack}.json*.attrs"),
        *(meta / "stacks").glob(f"{stack}.json*.attrs"),  # the backend's layout before projects
        *(attributes for folder in lock_folders for attributes in folder.glob("*.attrs")),
        *(meta / "history" / project / stack).glob("*.attrs"),
        *(meta / "backups" / project / stack).glob("*.attrs"),
        meta / "meta.yaml.attrs",
    ]
    for path in sorted(set(places)):
        if path.is_file() and path.stat().st_size == 0:
            yield Finding(f"empty attributes file {path} (every command on the stack fails with "
                          "`failed to load checkpoint: EOF`)",
                          repair=f"remove {path.name}; the file it describes stays", path=path)


def _locks(folder: Path) -> Iterator[Finding]:
    for lock in sorted(folder.glob("*.json")):
        try:
            holder = json.loads(lock.read_text() or "{}")
        except (OSError, ValueError):
            holder = {}
        pid, host = holder.get("pid"), holder.get("hostname")
        since = holder.get("timestamp", "an unknown time")
        who = f"process {pid} on {host or 'an unknown host'}, since {since}"
        if host == socket.gethostname() and isinstance(pid, int) and not _pulumi_alive(pid):
            yield Finding(f"lock left by {who}, which is no longer running",
                          repair="release it (`pulumi cancel`)", stale_lock=True)
        else:
            yield Finding(f"lock held by {who}: if no `pulumi` command runs on this stack any "
                          "more, release it with `pulumi cancel`, then recover again")


def _pulumi_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    try:  # a recycled pid belongs to another program
        return b"pulumi" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
