"""The `migrate-terraform` and `export` subcommands of `python -m polytomic_components`."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from ..client import PolytomicClient
from ..command_line import PROG, add_subcommand, in_environment_terms, progress_while_retrying
from ..errors import PolytomicError
from ..settings import Settings
from .organization import read_organization
from .render import ON_DESTROY_SAID, Rendering, instructions, render_program, render_stack_config
from .terraform import read_state_file

DEFAULT_STACK = "adopted"
_REFERENCE_DIR = "reference-stack"


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add both subcommands; each sets `run`, which takes the parsed arguments."""
    migrate = add_subcommand(
        commands, "migrate-terraform", summary="write a Pulumi project adopting the Polytomic objects "
                                               "of a Terraform state",
        description="Reads a state file of Polytomic's Terraform provider (v2) and writes a Pulumi "
                    "project whose resources adopt each object by id (nothing is created again), "
                    "with MIGRATION.md and the `pulumi config set --secret` line of every secret. "
                    "Reads only the file; calls nothing.",
        examples=["terraform state pull > terraform.tfstate",
                  f"{PROG} migrate-terraform terraform.tfstate --out polytomic-stack --stack prod"],
        run=migrate_terraform)
    migrate.add_argument("state", type=Path, help="a Terraform state file (format version 4)")
    migrate.add_argument("--out", type=Path, required=True, help="directory to write the project to")
    migrate.add_argument("--project", default="polytomic-migrated", help="Pulumi project name")
    migrate.add_argument("--stack", default=DEFAULT_STACK, help="stack name used in the instructions")

    export = add_subcommand(
        commands, "export", summary="write reference-project stack config adopting an organization's "
                                    "pipelines into a LinkedIn Ads connection",
        description="Reads, through the API, every sync into the LinkedIn Ads connection and writes "
                    "them as `pipelines` of the reference project's stack config, each adopting "
                    "its model and sync; prints the secrets to set before `pulumi up`. Reads "
                    "POLYTOMIC_API_KEY and POLYTOMIC_DEPLOYMENT_URL from the environment.",
        examples=[f"{PROG} export --connection <LinkedIn Ads connection id> --stack prod "
                  "--out stacks/Pulumi.prod.yaml"],
        run=export_organization)
    export.add_argument("--connection", required=True, help="the LinkedIn Ads connection id")
    export.add_argument("--stack", default=DEFAULT_STACK, help="stack name (Pulumi.<stack>.yaml)")
    export.add_argument("--out", type=Path, help="new file to write (default: standard output)")


def migrate_terraform(args: argparse.Namespace) -> int:
    """Write the program (and reference stack config, if pipelines were found); print next steps."""
    out: Path = args.out
    written = [out / name for name in ("Pulumi.yaml", "__main__.py")]
    if any(path.exists() for path in written):
        return _fail(f"{out} already holds a Pulumi project; give an empty or new directory")
    try:
        inventory = read_state_file(args.state)
    except PolytomicError as error:
        return _fail(str(error))
    program = render_program(inventory, args.project)
    # Terraform deleted these objects on `terraform destroy`; the stack takes that over as it is.
    reference = render_stack_config(inventory, args.stack, on_destroy="delete")
    _write(out, program)
    report = [f"Wrote {out}: a Pulumi project adopting {len(program.adopted)} of "
              f"{len(inventory.objects)} Polytomic objects from {inventory.source}; "
              "`pulumi destroy` deletes them, as `terraform destroy` did (give a resource "
              "`opts=ResourceOptions(retain_on_delete=True)`, or a pipeline `on_destroy: keep`, to "
              "keep it).",
              instructions(program, stack=args.stack, first=f"cd {shlex.quote(str(out))}",
                           last=_forget(program))]
    if reference.files:
        _write(out / _REFERENCE_DIR, reference)
        report.append(f"Or instead: {out / _REFERENCE_DIR / f'Pulumi.{args.stack}.yaml'} is stack config "
                      f"for the reference project adopting {len(reference.adopted)} objects as "
                      "pipelines. Copy it to the project's stacks/, then:\n"
                      + instructions(reference, stack=args.stack, first="cd <reference project>",
                                     last=_forget(reference)))
    text = "\n".join(report)
    (out / "MIGRATION.md").write_text(f"# Migration from {inventory.source}\n\n```\n{text}```\n")
    print(text)
    return 0


def export_organization(args: argparse.Namespace) -> int:
    """Write the organization's pipelines as stack config; print next steps to stderr."""
    if args.out is not None and args.out.exists():
        # A stack file holds the stack's encrypted secrets and salt: never replace one.
        return _fail(f"{args.out} exists; give a new file (a stack's config file also holds its secrets)")
    try:
        settings = Settings.from_env()
        with progress_while_retrying(settings.deployment_url), PolytomicClient(settings) as client:
            inventory = read_organization(client, args.connection)
    except PolytomicError as error:
        return _fail(str(in_environment_terms(error)))
    # Objects built by hand in the UI: destroying the stack should not take them along.
    rendering = render_stack_config(inventory, args.stack, on_destroy="keep")
    guide = instructions(rendering, stack=args.stack, first="cd <reference project>")
    if not rendering.files:
        return _fail("no pipeline could be exported\n" + guide)
    text = rendering.files[f"Pulumi.{args.stack}.yaml"]
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text)
    where = args.out or f"stacks/Pulumi.{args.stack}.yaml"
    pipelines = sum(found.kind == "sync" for found in rendering.adopted)
    print(f"Exported {pipelines} pipelines ({len(rendering.adopted)} objects), {ON_DESTROY_SAID['keep']}. "
          f"Put the config in {where}, then:\n{guide}", file=sys.stderr)
    return 0


def _forget(rendering: Rendering) -> str | None:
    """The command that stops Terraform managing what was adopted, without deleting anything."""
    if not rendering.adopted:
        return None
    return ("terraform state rm " + " ".join(shlex.quote(o.origin) for o in rendering.adopted)
            + "    # after `pulumi up`: Terraform forgets them, deletes nothing")


def _write(directory: Path, rendering: Rendering) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in rendering.files.items():
        (directory / name).write_text(text)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1
