"""What every subcommand of `python -m polytomic_components` shares: exit codes, advice that fits
what a command reads, and progress while the transport retries.

Exit codes: 0 the command did its job; 1 it could not (an `error:` line says why and what to do);
2 the command line was not understood (argparse); 3 a bug (one line names the file holding its
full trace).
"""

from __future__ import annotations

import argparse
import copy
import sys
import textwrap
from collections.abc import Callable, Sequence

from ._transport import RetryProgress
from .errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    PolytomicConnectionError,
    PolytomicError,
)
from .settings import URL_SETTING

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
#: The command line as users type it (in examples and help).
PROG = "python -m polytomic_components"


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions wrapped to the terminal; example blocks (indented lines) kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = text.split("\n\n")
        return "\n\n".join(
            paragraph if "\n  " in paragraph
            else textwrap.fill(" ".join(paragraph.split()), width, initial_indent=indent,
                               subsequent_indent=indent)
            for paragraph in paragraphs)


def add_subcommand(commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, *,
                   summary: str, description: str | None, examples: Sequence[str],
                   run: Callable[[argparse.Namespace], int], note: str = "",
                   formatter_class: type[argparse.HelpFormatter] = HelpFormatter) -> argparse.ArgumentParser:
    """Add the subcommand `name`, which `run` carries out with the parsed arguments. `summary` is
    its line in the list of commands; its `--help` shows `description`, then `examples` (command
    lines as typed) and `note`. Returns its parser, for its arguments."""
    heading = "example:" if len(examples) == 1 else "examples:"
    epilog = "\n".join([heading, *(f"  {line}" for line in examples)]) + (f"\n\n{note}" if note else "")
    command = commands.add_parser(name, help=summary, description=description, epilog=epilog,
                                  formatter_class=formatter_class)
    command.set_defaults(run=run)
    return command


#: What to do about an error, for commands that read their credentials from the environment
#: alone (the library's own hints speak of stack config, which these commands never read).
_ENVIRONMENT_HINTS: dict[type[PolytomicError], str] = {
    AuthenticationError: "Check the API key: `export POLYTOMIC_API_KEY=<key>` (this command reads "
                         "the environment, not stack config).",
    PermissionDeniedError: "Use an API key of the organization that owns the connection: "
                           "`export POLYTOMIC_API_KEY=<key>`.",
    NotFoundError: "Check the id: it must be a LinkedIn Ads connection of the organization the API "
                   "key belongs to (the connection's page in Polytomic shows it, and so does "
                   "`pulumi stack output` for a connection a stack made).",
    PolytomicConnectionError: "Check POLYTOMIC_DEPLOYMENT_URL (this command reads the environment, "
                              "not stack config), your network and proxy settings, and that the "
                              "service is up.",
}


def in_environment_terms(error: PolytomicError) -> PolytomicError:
    """`error` with advice that fits a command reading only the environment."""
    if isinstance(error, ConfigurationError):
        hint = (f"{error.hint} Set it in POLYTOMIC_DEPLOYMENT_URL." if error.key == URL_SETTING else
                "Set it with `export POLYTOMIC_API_KEY=<key>` (this command reads the environment, "
                "not stack config).")
    else:
        hint = next((h for cls, h in _ENVIRONMENT_HINTS.items() if isinstance(error, cls)), error.hint)
    shown = copy.copy(error)
    shown.hint = hint
    return shown


class progress_while_retrying:
    """While open, every retry of the HTTP transport (urllib3 logs one per retry) prints progress."""

    def __init__(self, url: str) -> None:
        self.handler = RetryProgress(url, lambda message: print(f"polytomic: {message}", file=sys.stderr))

    def __enter__(self) -> None:
        self.handler.attach()

    def __exit__(self, *_exc: object) -> None:
        self.handler.detach()


