"""Reference program: the stack's `pipelines` config, one LinkedInAudiencePipeline each.

The Snowflake and LinkedIn Ads connections are shared by every pipeline of the stack. Config lives
in `Pulumi.<stack>.yaml` beside this file; secrets are set with `pulumi config set --secret`.

All of the config is read and checked before any resource is declared, and every problem is
reported at once, each with the full path of its key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import pulumi

from polytomic_components import Connection, LinkedInAudiencePipeline
from polytomic_components.args import (
    ArgumentError,
    LinkedInAudiencePipelineArgs,
    LinkedInDestination,
    SnowflakeSource,
    check_account_enabled,
    from_config,
)
from polytomic_components.reporting import reported

#: Pipeline keys that are not component arguments: the resource options they become.
RENAMED_FROM = "renamed_from"
#: Secrets never sit in plain config: each argument that is one has a secret config key.
SECRET_KEYS = {
    "snowflake": {"password": "snowflakePassword", "private_key": "snowflakePrivateKey",
                  "private_key_passphrase": "snowflakePrivateKeyPassphrase"},
    "linkedin": {"client_id": "linkedinClientId", "client_secret": "linkedinClientSecret",
                 "oauth_refresh_token": "linkedinRefreshToken"},
}
#: The passphrase of fields a pipeline encrypts (`encryption_enabled`), given to those pipelines.
ENCRYPTION_PASSPHRASE = "encryptionPassphrase"
#: Connection ids become known only once the connections are declared, after every check.
_PENDING_ID = "pending"

config = pulumi.Config()
stack = pulumi.get_stack()


@attrs.frozen
class PipelineEntry:
    """One checked `pipelines[]` entry: the component's name, arguments and former names."""

    name: str
    args: LinkedInAudiencePipelineArgs
    renamed_from: tuple[str, ...]
    path: str
    """Where it is in config: `pipelines[1]`."""


def section(key: str) -> Any:
    """A config section as written; text that is not JSON is kept, for a message saying what is expected."""
    try:
        return config.require_object(key)
    except pulumi.ConfigTypeError:
        return config.require(key)


def in_plain_config(path: str, secret_key: str) -> ArgumentError:
    return ArgumentError(path, "is a secret and never goes in plain config; set it with "
                               f"`pulumi config set --secret {secret_key}`")


def with_secret_commands(error: ArgumentError, secret_keys: Iterable[str]) -> ArgumentError:
    """`error` with the command that fixes each problem naming a secret config key."""
    secret_keys = tuple(secret_keys)

    def fixed(problem: ArgumentError) -> ArgumentError:
        named = [n for n in problem.names if n in secret_keys]
        if not named:
            return problem
        reason = problem.reason
        if "got both" in reason:
            fix = f"remove one with `pulumi config rm {named[-1]}`"
        elif "got neither" in reason:
            fix = f"set one with `pulumi config set --secret {named[0]}`"
        else:
            missing = [n for n in named if f"`{n}`" in reason.rpartition("missing:")[2]] or named
            fix = "set " + ", ".join(f"`pulumi config set --secret {n}`" for n in missing)
        escaped = fix.replace("{", "{{").replace("}", "}}")
        return ArgumentError(problem.key_path, f"{problem.problem}; {escaped}", names=problem.names)

    return ArgumentError.of(fixed(p) for p in error.problems)


def connection_settings(cls: type[Any], key: str) -> Any:
    """The `snowflake` or `linkedin` section with its secrets, which have secret keys of their own."""
    settings = section(key)
    secret_keys = SECRET_KEYS[key]
    for name, secret_key in secret_keys.items():
        if isinstance(settings, Mapping) and name in settings:
            raise in_plain_config(f"{key}.{name}", secret_key)
    secrets: dict[str, Any] = {name: config.get_secret(secret_key)
                               for name, secret_key in secret_keys.items()}
    try:
        return from_config(cls, settings, key, **secrets)
    except ArgumentError as error:
        raise with_secret_commands(error.renamed(secret_keys), secret_keys.values()) from None


def former_names(entry: Mapping[str, Any], path: str, name: Any) -> tuple[str, ...]:
    value = entry.get(RENAMED_FROM, ())
    names = (value,) if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) and n.strip() for n in names):
        raise ArgumentError(f"{path}.{RENAMED_FROM}", "expected the pipeline's former name, or a list of "
                                                      f"them; got {value!r}")
    if name in names:
        raise ArgumentError(f"{path}.{RENAMED_FROM}", f"lists the pipeline's own name {name!r}")
    return tuple(names)


def pipeline_entry(entry: Any, path: str) -> PipelineEntry:
    if isinstance(entry, Mapping) and "encryption_passphrase" in entry:
        raise in_plain_config(f"{path}.encryption_passphrase", ENCRYPTION_PASSPHRASE)
    passphrase = _PENDING_ID if config.get_secret(ENCRYPTION_PASSPHRASE) is not None else None
    try:
        args = from_config(LinkedInAudiencePipelineArgs, entry, path, ignore=(RENAMED_FROM,),
                           source_connection_id=_PENDING_ID, destination_connection_id=_PENDING_ID,
                           source=None, destination=None, sync_name=None, encryption_passphrase=passphrase)
    except ArgumentError as error:
        secrets = {"encryption_passphrase": ENCRYPTION_PASSPHRASE}
        raise with_secret_commands(error.renamed(secrets), secrets.values()) from None
    return PipelineEntry(args.model_name, args, former_names(entry, path, args.model_name), path)


def checked(problems: list[str], read: Any, *args: Any, **kwargs: Any) -> Any:
    """`read(...)`, or None with its problems recorded, so that every problem is reported at once."""
    try:
        return read(*args, **kwargs)
    except ArgumentError as error:
        record(problems, error)
        return None


def record(problems: list[str], error: ArgumentError) -> None:
    """Each problem of `error` under its full config key (`polytomic-pipelines:pipelines[1].mode`)."""
    problems.extend(f"{config.name}:{problem}" for problem in str(error).splitlines())


def new_audiences_in_enabled_accounts(problems: list[str], linkedin: LinkedInDestination | None,
                                      pipelines: list[PipelineEntry]) -> None:
    """Each `create.account` is one the stack's LinkedIn connection enables: config alone shows it,
    so a fresh stack fails here rather than at `up`, after connections and models were written."""
    for pipeline in pipelines:
        create = pipeline.args.create
        if linkedin is not None and create is not None:
            try:
                check_account_enabled(create.account, linkedin.accounts, "linkedin.accounts")
            except ArgumentError as error:
                record(problems, error.under(pipeline.path))


def read_pipelines(problems: list[str]) -> list[PipelineEntry]:
    entries = section("pipelines")
    if not isinstance(entries, list) or not entries:
        problems.append(f"{config.name}:pipelines: expected a non-empty list of pipelines; got {entries!r}")
        return []
    pipelines = [checked(problems, pipeline_entry, entry, f"pipelines[{index}]")
                 for index, entry in enumerate(entries)]
    seen: dict[str, int] = {}
    for index, pipeline in enumerate(pipelines):
        for name in (pipeline.name, *pipeline.renamed_from) if pipeline else ():
            if name in seen:
                problems.append(f"{config.name}:pipelines[{index}]: the name {name!r} is already used by "
                                f"pipelines[{seen[name]}]; names (and former names) must be unique")
            seen.setdefault(name, index)
    return [p for p in pipelines if p is not None]


def kept_on_destroy(side: SnowflakeSource | LinkedInDestination) -> pulumi.ResourceOptions:
    """An adopted connection with `on_destroy: keep` is forgotten, not deleted, on destroy."""
    return pulumi.ResourceOptions(retain_on_delete=bool(side.adopt_id) and side.on_destroy == "keep")


def main() -> None:
    problems: list[str] = []
    snowflake = checked(problems, connection_settings, SnowflakeSource, "snowflake")
    linkedin = checked(problems, connection_settings, LinkedInDestination, "linkedin")
    pipelines = read_pipelines(problems)
    new_audiences_in_enabled_accounts(problems, linkedin, pipelines)
    if problems:
        raise pulumi.RunError(f"stack {stack!r}: config has {len(problems)} problem(s):\n  "
                              + "\n  ".join(problems))

    source = Connection("snowflake", name=snowflake.name, type="snowflake",
                        configuration=snowflake.configuration(),
                        secret_configuration=snowflake.secret_configuration(),
                        adopt_id=snowflake.adopt_id, opts=kept_on_destroy(snowflake))
    destination = Connection("linkedin", name=linkedin.name, type="linkedinads",
                             configuration=linkedin.configuration(),
                             secret_configuration=linkedin.secret_configuration(),
                             redirect_url=linkedin.redirect_url, adopt_id=linkedin.adopt_id,
                             opts=kept_on_destroy(linkedin))
    passphrase = config.get_secret(ENCRYPTION_PASSPHRASE)
    audiences, first_runs = {}, {}
    for pipeline in pipelines:
        encrypts = any(field.encryption_enabled for field in pipeline.args.fields)
        args = attrs.evolve(pipeline.args, source_connection_id=source.id,
                            destination_connection_id=destination.id,
                            encryption_passphrase=passphrase if encrypts else None)
        # Children are named after the pipeline, so its aliases carry them along on a rename.
        opts = pulumi.ResourceOptions(aliases=[pulumi.Alias(name=old) for old in pipeline.renamed_from])
        component = LinkedInAudiencePipeline(pipeline.name, args, opts=opts)
        audiences[pipeline.name] = component.audience_id
        if pipeline.args.first_run is not None:
            first_runs[pipeline.name] = {"status": component.first_run_status,
                                         "counts": component.first_run_counts}
    # One output for all: while any audience is unknown (an update in preview) the whole map is,
    # rather than that key silently missing from it.
    pulumi.export("audiences", pulumi.Output.all(**audiences))
    if first_runs:
        pulumi.export("first_runs", first_runs)
    pulumi.export("linkedin_auth_url", destination.auth_url)


reported(main)()
