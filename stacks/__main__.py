"""Reference program: the stack's `pipelines` config, one LinkedInAudiencePipeline each.

The Snowflake and LinkedIn Ads connections are shared by every pipeline of the stack. Config lives
in `Pulumi.<stack>.yaml` beside this file; secrets are set with `pulumi config set --secret`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from polytomic_components import Connection, LinkedInAudiencePipeline
from polytomic_components.args import (
    LinkedInAudiencePipelineArgs,
    LinkedInDestination,
    NewAudience,
    SnowflakeSource,
)

PIPELINE_KEYS = {"name", "query", "audience", "create", "fields", "mode", "schedule", "identity"}

config = pulumi.Config()
stack = pulumi.get_stack()


def config_error(key: str, problem: str) -> pulumi.RunError:
    return pulumi.RunError(f"stack {stack!r}: config {config.name}:{key}: {problem}")


def pipeline_args(entry: Any, key: str, snowflake_id: pulumi.Output[str],
                  linkedin_id: pulumi.Output[str]) -> LinkedInAudiencePipelineArgs:
    if not isinstance(entry, Mapping):
        raise config_error(key, "must be an object with name, query and audience or create")
    unknown = sorted(set(entry) - PIPELINE_KEYS)
    if unknown:
        raise config_error(f"{key}.{unknown[0]}", f"unknown key; allowed: {', '.join(sorted(PIPELINE_KEYS))}")
    try:
        create = entry.get("create")
        return LinkedInAudiencePipelineArgs(
            model_name=entry.get("name", ""),
            query=entry.get("query", ""),
            source_connection_id=snowflake_id,
            destination_connection_id=linkedin_id,
            audience_id=entry.get("audience"),
            create=NewAudience(**create) if create is not None else None,
            fields=entry.get("fields", {}),
            mode=entry.get("mode", "create"),
            **({"schedule": entry["schedule"]} if "schedule" in entry else {}),
        )
    except (TypeError, ValueError) as error:
        raise config_error(key, str(error)) from None


def main() -> None:
    snowflake_settings = config.require_object("snowflake")
    snowflake = SnowflakeSource(**snowflake_settings, password=config.require_secret("snowflakePassword"))
    source = Connection("snowflake", name=snowflake.name, type="snowflake",
                        configuration=snowflake.configuration(),
                        secret_configuration=snowflake.secret_configuration())

    linkedin_settings = config.require_object("linkedin")
    linkedin = LinkedInDestination(
        **linkedin_settings,
        client_id=config.get_secret("linkedinClientId"),
        client_secret=config.get_secret("linkedinClientSecret"),
        oauth_refresh_token=config.get_secret("linkedinRefreshToken"))
    destination = Connection("linkedin", name=linkedin.name, type="linkedinads",
                             configuration=linkedin.configuration(),
                             secret_configuration=linkedin.secret_configuration(),
                             redirect_url=linkedin.redirect_url)

    entries = config.require_object("pipelines")
    if not isinstance(entries, list) or not entries:
        raise config_error("pipelines", "must be a non-empty list of pipelines")
    audiences = {}
    for index, entry in enumerate(entries):
        args = pipeline_args(entry, f"pipelines[{index}]", source.id, destination.id)
        pipeline = LinkedInAudiencePipeline(entry["name"], args)
        audiences[entry["name"]] = pipeline.audience_id
    pulumi.export("audiences", audiences)
    pulumi.export("linkedin_auth_url", destination.auth_url)


main()
