"""How a failure of this library reaches `pulumi up`: as its one-line message, not a traceback.

Pulumi's Python dynamic-provider host (`python -m pulumi.dynamic`) answers every exception of a
provider method with `traceback.format_exc()`, which the engine prints in full. For an error this
library raises on purpose (a `PolytomicError`: the service refused, the network failed, the
configuration is wrong) the message already says what happened, where, and what to do; the
frames around it are noise to a user and bury that line. `install()` gives the host's module a
`traceback` whose `format_exc` returns that message alone for such errors, and the full
traceback for anything else (a bug should still show where it is).
"""

from __future__ import annotations

import sys
import traceback
from types import ModuleType
from typing import Any

from ..errors import PolytomicError

_HOST_MODULE = "pulumi.dynamic.__main__"


class _Traceback:
    """The `traceback` module, except that `format_exc` keeps a PolytomicError to its message."""

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def format_exc(*args: Any, **kwargs: Any) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, PolytomicError):
            return str(error)
        return traceback.format_exc(*args, **kwargs)


def install() -> None:
    """In the dynamic-provider host process only (its module runs as `__main__`); a no-op
    anywhere else (the program, the tests, the command line)."""
    host: ModuleType | None = sys.modules.get("__main__")
    spec = getattr(host, "__spec__", None)
    if host is not None and spec is not None and spec.name == _HOST_MODULE \
            and getattr(host, "traceback", None) is traceback:
        host.traceback = _Traceback()  # type: ignore[attr-defined]
