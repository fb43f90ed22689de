"""How an error reaches a person, from every front door: its message, never a Python traceback.

An error of this package (`PolytomicError`) is its message: it names the key or property, what
was given, what is allowed and what to do. Anything else is a bug: the person sees one line that
says so and where its full trace was written, to attach to the report. `POLYTOMIC_DEBUG=1` (in
the environment of `pulumi` or of the command) prints full traces instead.

The Python dynamic-provider host that runs the Connection, Model and Sync providers formats every
failed call with `traceback.format_exc()`; `resources/_host.py` makes that call answer with
`message_for`, so errors during `pulumi up` read as the library's own.
"""

from __future__ import annotations

import datetime
import functools
import os
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pulumi

from .errors import PolytomicError

__all__ = ["DEBUG_VARIABLE", "debug_enabled", "message_for", "reported"]

#: The documented debug setting: full Python traces instead of messages.
DEBUG_VARIABLE = "POLYTOMIC_DEBUG"
_TRUE = ("1", "true", "yes", "on")


def debug_enabled() -> bool:
    """Whether the person asked for full traces (`POLYTOMIC_DEBUG=1`)."""
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() in _TRUE


def message_for(error: BaseException) -> str:
    """What a person reads about `error`: its message, or for a bug one line and a trace file."""
    if debug_enabled():
        return "".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip()
    if isinstance(error, (PolytomicError, pulumi.RunError)):  # written for people
        return str(error)
    trace = write_trace(error)
    return (f"unexpected error in polytomic_components (a bug): {type(error).__name__}: {error}. "
            f"Please report it with the full trace, written to {trace} "
            f"(or run again with {DEBUG_VARIABLE}=1 to print it)")


def write_trace(error: BaseException) -> Path:
    """Write `error`'s full trace to a new file under the temporary directory; return its path."""
    folder = Path(tempfile.gettempdir()) / "polytomic-components"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"trace-{stamp}-{os.getpid()}-{id(error):x}.txt"
    path.write_text("".join(traceback.format_exception(type(error), error, error.__traceback__)))
    return path


F = TypeVar("F", bound=Callable[..., Any])


def reported(function: F) -> F:
    """`function`, raising a bug as a `pulumi.RunError` with `message_for`'s one line, which a
    Pulumi program ends with instead of a traceback. Errors of this package pass unchanged."""
    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (PolytomicError, pulumi.RunError):
            raise
        except Exception as error:
            raise pulumi.RunError(message_for(error)) from None
    return call  # type: ignore[return-value]
