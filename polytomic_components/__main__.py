"""Command line for writing stack config: `python -m polytomic_components --help`.

Credentials come from POLYTOMIC_API_KEY and POLYTOMIC_DEPLOYMENT_URL.
"""

from __future__ import annotations

import argparse
import sys

from .client import PolytomicClient
from .discovery import creation_property_values, list_audiences
from .doctor import add_command as add_doctor_command
from .errors import PolytomicError
from .leftovers import add_command as add_leftovers_command
from .migration.commands import add_commands as add_migration_commands
from .project_setup import add_command as add_init_project_command
from .recovery import add_command as add_recover_command
from .review import add_command as add_review_command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m polytomic_components", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    audiences = commands.add_parser("audiences", help="audiences a LinkedIn Ads connection can sync into")
    audiences.add_argument("connection_id")
    values = commands.add_parser("values", help="allowed values of a creation property (account, type)")
    values.add_argument("connection_id")
    values.add_argument("property", choices=["account", "type"])
    add_migration_commands(commands)
    add_init_project_command(commands)
    add_recover_command(commands)
    add_leftovers_command(commands)
    add_review_command(commands)
    add_doctor_command(commands)
    args = parser.parse_args(argv)
    if hasattr(args, "run"):
        return int(args.run(args))

    try:
        with PolytomicClient.from_env() as client:
            if args.command == "audiences":
                for audience in list_audiences(client, args.connection_id):
                    print(f"{audience.id}\t{audience.name}\tmodes: {', '.join(audience.modes)}")
            else:
                for value in creation_property_values(client, args.connection_id, args.property):
                    print(f"{value.value}\t{value.label}")
    except PolytomicError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
