"""Command line of polytomic_components: `python -m polytomic_components --help`.

Each subcommand registers itself from its own module; this module adds the discovery commands,
`--version`, and the one way every command ends (exit codes in `command_line`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from importlib.metadata import version

from .client import PolytomicClient
from .command_line import (
    EXIT_BUG,
    EXIT_FAILED,
    EXIT_OK,
    PROG,
    HelpFormatter,
    add_subcommand,
    in_environment_terms,
    progress_while_retrying,
)
from .discovery import creation_property_values, list_audiences
from .doctor import add_command as add_doctor_command
from .errors import PolytomicError
from .leftovers import add_command as add_leftovers_command
from .migration.commands import add_commands as add_migration_commands
from .project_setup import add_command as add_init_project_command
from .recovery import add_command as add_recover_command
from .reporting import DEBUG_VARIABLE, message_for
from .review import add_command as add_review_command
from .settings import Settings

DESCRIPTION = """\
Tools for managing Polytomic with Pulumi, beside `pulumi` itself: find the values to write in
stack config (audiences, values), set up a project in another language (init-project), move
existing pipelines under Pulumi (migrate-terraform, export), settle a killed `pulumi up`
(recover), find audiences no stack holds any more (leftover-audiences), summarize previews for a
pull request (preview-summary), and check the emulator's guesses against a deployment (doctor)."""

EPILOG = f"""\
examples:
  {PROG} audiences <LinkedIn Ads connection id>
  {PROG} values <LinkedIn Ads connection id> account
  {PROG} recover --stack dev
  {PROG} <command> --help

Commands that call Polytomic (audiences, values, export) read POLYTOMIC_API_KEY and
POLYTOMIC_DEPLOYMENT_URL (default https://app.polytomic.com) from the environment.
Exit status: 0 done, 1 failed (the `error:` line says why), 2 bad command line (doctor also:
a question it could not ask), 3 a bug (its trace is written to a file the message names;
{DEBUG_VARIABLE}=1 prints it)."""

def build_parser() -> argparse.ArgumentParser:
    """The command line: every subcommand, each registered by its own module."""
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=HelpFormatter)
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {version('polytomic-components')}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="<command>")
    _add_discovery_commands(commands)
    add_migration_commands(commands)
    add_init_project_command(commands)
    add_recover_command(commands)
    add_leftovers_command(commands)
    add_review_command(commands)
    add_doctor_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except PolytomicError as error:  # a command that leaves the library's errors to this place
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # a bug: one line and the file holding its trace
        print(f"error: {message_for(error)}", file=sys.stderr)
        return EXIT_BUG


def _add_discovery_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reads_environment = "Reads POLYTOMIC_API_KEY and POLYTOMIC_DEPLOYMENT_URL from the environment."
    audiences = add_subcommand(
        commands, "audiences", summary="audiences a LinkedIn Ads connection can sync into",
        description="Lists the audiences of the connection's enabled ad accounts, one per line: "
                    "the id (for `audience:` in stack config, `audience_id=` in Python), the "
                    "name, and the modes a sync may use.",
        examples=[f"{PROG} audiences 8f6e7a52-1c1f-4c55-9f0a-2b6c3f1d9e11"], note=reads_environment,
        run=_with_client(_print_audiences))
    audiences.add_argument("connection_id", help="id of a LinkedIn Ads connection in Polytomic")

    values = add_subcommand(
        commands, "values", summary="allowed values of a new audience's account or type",
        description="Lists what `create.account` or `create.type` may be for a new audience in "
                    "this connection, one per line: the value to write, then its label.",
        examples=[f"{PROG} values 8f6e7a52-1c1f-4c55-9f0a-2b6c3f1d9e11 account",
                  f"{PROG} values 8f6e7a52-1c1f-4c55-9f0a-2b6c3f1d9e11 type"], note=reads_environment,
        run=_with_client(_print_values))
    values.add_argument("connection_id", help="id of a LinkedIn Ads connection in Polytomic")
    values.add_argument("property", choices=["account", "type"],
                        help="the property of `create`: account (an enabled ad account) or type")


def _print_audiences(client: PolytomicClient, args: argparse.Namespace) -> None:
    for audience in list_audiences(client, args.connection_id):
        print(f"{audience.id}\t{audience.name}\tmodes: {', '.join(audience.modes)}")


def _print_values(client: PolytomicClient, args: argparse.Namespace) -> None:
    for value in creation_property_values(client, args.connection_id, args.property):
        print(f"{value.value}\t{value.label}")


def _with_client(command: Callable[[PolytomicClient, argparse.Namespace], None],
                 ) -> Callable[[argparse.Namespace], int]:
    """`command` run with a client from the environment; its errors advise about the environment."""
    def run(args: argparse.Namespace) -> int:
        try:
            settings = Settings.from_env()
            with progress_while_retrying(settings.deployment_url), PolytomicClient(settings) as client:
                command(client, args)
        except PolytomicError as error:
            print(f"error: {in_environment_terms(error)}", file=sys.stderr)
            return EXIT_FAILED
        return EXIT_OK
    return run


if __name__ == "__main__":
    sys.exit(main())
