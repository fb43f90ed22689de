"""`LinkedInAudiencePipeline`: the guide's six steps as one Pulumi resource."""

from __future__ import annotations

import pulumi

from .args import DEFAULT_IDENTITY, FieldMapping, IdentityMapping, LinkedInAudiencePipelineArgs
from .reporting import reported
from .resources.connection import Connection
from .resources.model import Model
from .resources.sync import Sync
from .resources.sync_run import SyncRun


def _needing(args: LinkedInAudiencePipelineArgs) -> dict[str, str]:
    """For each model field the pipeline uses, the argument that uses it (the first one), as the
    model's check names it when the query does not select the field."""
    needing: dict[str, str] = {}
    for field, argument in [
        *((f.field, f"`filters[{i}].field`") for i, f in enumerate(args.filters)),
        *((o.field, f"`overrides[{i}].field`") for i, o in enumerate(args.overrides)),
        *((f.source, f"`fields.{f.source}`") for f in reversed(args.fields)),
        (args.identity.source, "`identity.source`" + (
            f" (the default identity, {args.identity.source} → {args.identity.target})"
            if args.identity == DEFAULT_IDENTITY else "")),
    ]:
        needing[field] = argument  # the last wins: the identity, then mappings, ...
    return needing


class LinkedInAudiencePipeline(pulumi.ComponentResource):
    """A Snowflake query synced into a LinkedIn Ads audience.

    Children (named ``<name>-snowflake``, ``<name>-linkedin``, ``<name>-model``, ``<name>-sync``):
    the connections it was asked to create, the model, and the sync into an existing audience or a
    new one that the sync creates; with `first_run`, ``<name>-first-run``, which runs the sync
    once after it is created or changed.

    The audience it created stays its audience across renames (pass the old name in
    ``opts=ResourceOptions(aliases=[Alias(name=...)])``), edits of ``create`` and re-creation of
    the sync; destroying the pipeline never deletes a LinkedIn audience.
    """

    snowflake_connection_id: pulumi.Output[str]
    linkedin_connection_id: pulumi.Output[str]
    model_id: pulumi.Output[str]
    model_fields: pulumi.Output[list[str]]
    sync_id: pulumi.Output[str]
    audience_id: pulumi.Output[str]
    """The audience the sync writes to: the given one, or the one it created."""
    auth_url: pulumi.Output[str | None]
    """Set while a new, interactive LinkedIn connection waits for a person to authorize it."""
    first_run_status: pulumi.Output[str | None]
    """With `first_run`: the status of the sync's last gated run (``completed``); else None."""
    first_run_counts: pulumi.Output[dict[str, int] | None]
    """With `first_run`: that run's record counts (``insert``, ``update``, ``delete``, ``error``,
    ``total``, ...); else None."""

    @reported
    def __init__(self, name: str, args: LinkedInAudiencePipelineArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("polytomic:index:LinkedInAudiencePipeline", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        if args.source is not None:
            snowflake = Connection(
                f"{name}-snowflake", name=args.source.name, type="snowflake",
                configuration=args.source.configuration(),
                secret_configuration=args.source.secret_configuration(),
                adopt_id=args.source.adopt_id,
                opts=_adopted(child, args.source.adopt_id, args.source.on_destroy))
            self.snowflake_connection_id = snowflake.id
        else:
            self.snowflake_connection_id = pulumi.Output.from_input(args.source_connection_id)  # type: ignore[arg-type]

        self.auth_url = pulumi.Output.from_input(None)
        if args.destination is not None:
            linkedin = Connection(
                f"{name}-linkedin", name=args.destination.name, type="linkedinads",
                configuration=args.destination.configuration(),
                secret_configuration=args.destination.secret_configuration(),
                redirect_url=args.destination.redirect_url, adopt_id=args.destination.adopt_id,
                opts=_adopted(child, args.destination.adopt_id, args.destination.on_destroy))
            self.linkedin_connection_id = linkedin.id
            self.auth_url = linkedin.auth_url
        else:
            self.linkedin_connection_id = pulumi.Output.from_input(args.destination_connection_id)  # type: ignore[arg-type]

        adopt = args.adopt
        on_destroy = adopt.on_destroy if adopt else None
        # Fields the sync filters on count too: preview then fails when the query does not select one.
        mapped = sorted({args.identity.source, *(f.source for f in args.fields),
                         *(f.field for f in args.filters), *(o.field for o in args.overrides)})
        model = Model(f"{name}-model", name=args.model_name, connection_id=self.snowflake_connection_id,
                      configuration={"query": args.query}, required_fields=mapped,
                      required_by=_needing(args),
                      adopt_id=adopt.model_id if adopt else None,
                      opts=_adopted(child, adopt.model_id if adopt else None, on_destroy))

        def source(field: str) -> dict[str, object]:
            return {"model_id": model.id, "field": field}

        def mapping(field: FieldMapping | IdentityMapping) -> dict[str, object]:
            return {"source": source(field.source), "target": field.target}

        target: dict[str, object] = {"connection_id": self.linkedin_connection_id}
        if args.create is not None:
            target["create"] = args.create.as_create()
        else:
            target["object"] = args.audience_id
        identity = {**mapping(args.identity), "function": args.identity.function}
        sync = Sync(
            f"{name}-sync", name=args.sync_name or f"{args.model_name} to LinkedIn Ads",
            mode=args.mode, schedule=args.schedule, target=target, identity=identity,
            fields=[{**mapping(f), **f.settings()} for f in args.fields], auth_url=self.auth_url,
            # None rather than empty: a pipeline without options keeps the inputs it always had.
            filters=[f.as_filter(source(f.field)) for f in args.filters] or None,
            filter_logic=args.filter_logic,
            overrides=[o.as_override(source(o.field)) for o in args.overrides] or None,
            override_fields=[{"target": field_id, "override_value": text}
                             for field_id, text in args.override_fields.items()] or None,
            sync_all_records=args.sync_all_records, encryption_passphrase=args.encryption_passphrase,
            adopt_id=adopt.sync_id if adopt else None,
            opts=_adopted(child, adopt.sync_id if adopt else None, on_destroy))

        self.model_id = model.id
        self.model_fields = model.field_names
        self.sync_id = sync.id
        # A given audience is known at preview even while the sync updates (a dynamic resource's
        # outputs are unknown during its update); a created one is what the sync reports.
        self.audience_id = (pulumi.Output.from_input(args.audience_id) if args.audience_id is not None
                            else sync.target_object)
        self.first_run_status = pulumi.Output.from_input(None)
        self.first_run_counts = pulumi.Output.from_input(None)
        if args.first_run is not None:
            first_run = SyncRun(
                f"{name}-first-run", sync_id=sync.id, timeout=args.first_run.timeout,
                settings={**args.sync_settings(), "model_id": model.id,
                          "connection_ids": [self.snowflake_connection_id, self.linkedin_connection_id]},
                opts=child)
            self.first_run_status, self.first_run_counts = first_run.status, first_run.counts
        self.register_outputs({
            "snowflake_connection_id": self.snowflake_connection_id,
            "linkedin_connection_id": self.linkedin_connection_id,
            "model_id": self.model_id, "model_fields": self.model_fields,
            "sync_id": self.sync_id, "audience_id": self.audience_id, "auth_url": self.auth_url,
            "first_run_status": self.first_run_status, "first_run_counts": self.first_run_counts,
        })


def _adopted(child: pulumi.ResourceOptions, adopt_id: str | None, on_destroy: str | None,
             ) -> pulumi.ResourceOptions:
    """A child's options: an adopted object kept on destroy is left to Polytomic (Pulumi's
    `retain_on_delete`: the engine forgets it instead of deleting it)."""
    if adopt_id and on_destroy == "keep":
        return pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(retain_on_delete=True))
    return child
