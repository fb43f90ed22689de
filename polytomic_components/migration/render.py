"""Turn an :class:`~.inventory.Inventory` into what manages it here, whichever reader made it.

Two forms: a Pulumi Python program with a ``Connection``/``Model``/``Sync`` per object (any
object), and stack config for the reference project (``stacks/``) where objects form Snowflake →
LinkedIn Ads pipelines. Every object is adopted (``adopt_id``): the first ``pulumi up`` writes the
settings to it and creates nothing. Secrets become ``pulumi config set --secret`` instructions.

An object with a setting the target form cannot express is left out, with a warning: adopting
it would overwrite that setting (updates replace the whole object).
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Mapping
from typing import Any

import attrs
import yaml

from ..args import AUDIENCE_MODES
from ..resources.connection import Connection
from ..resources.model import Model
from ..resources.sync import Sync
from .inventory import FoundObject, Inventory, Secret

#: The reference project's name: the namespace of its stack config keys (see Pulumi.yaml).
REFERENCE_PROJECT = "polytomic-pipelines"
_RESOURCE_CLASSES: Mapping[str, type[Connection | Model | Sync]] = {
    "connection": Connection, "model": Model, "sync": Sync}
_LINE = 100


@attrs.frozen
class SecretToSet:
    """A `pulumi config set --secret` the user runs before the first `up`."""

    config_key: str
    origin: str
    """Which object and setting it replaces, e.g. ``polytomic_model.x: configuration.password``."""


@attrs.frozen(kw_only=True)
class Rendering:
    """Files to write, and what the user must know and do before `pulumi up`.

    Attributes:
        files: relative path → text.
        adopted: the objects the files adopt.
        secrets: config the user sets (values never leave the source).
        warnings: objects left out or settings that change, one sentence each.
    """

    files: Mapping[str, str]
    adopted: tuple[FoundObject, ...]
    secrets: tuple[SecretToSet, ...]
    warnings: tuple[str, ...]


# -- the Python program ---------------------------------------------------------------------------


@attrs.frozen
class _Code:
    """A Python expression written into the program as is."""

    text: str


def render_program(inventory: Inventory, project: str) -> Rendering:
    """A Pulumi project (Pulumi.yaml, __main__.py) adopting every object it can express."""
    warnings = [*inventory.skipped, *(n for o in inventory.objects for n in o.notes)]
    variables: dict[tuple[str, str], str] = {}
    secrets: list[SecretToSet] = []
    blocks, adopted = [], []
    for found in inventory.objects:
        unexpressed = sorted(set(found.settings) - _parameters(found.kind))
        if unexpressed:
            warnings.append(_left_out(found, unexpressed, "polytomic_components"))
            continue
        variable = _unique(re.sub(r"\W", "_", f"{found.kind}_{found.name}"), set(variables.values()))
        variables[(found.kind, found.id)] = variable
        arguments = _expression(found.settings, variables, found, secrets)
        blocks.append(_call(variable, _RESOURCE_CLASSES[found.kind].__name__, found.name,
                            {**arguments, "adopt_id": found.id}))
        adopted.append(found)
    kinds = sorted({_RESOURCE_CLASSES[o.kind].__name__ for o in adopted})
    header = [f'"""Polytomic objects from {inventory.source}, adopted by id (`adopt_id`).',
              "",
              "The first `pulumi up` writes these settings to the existing objects and creates none.",
              *(["Secrets are read from stack config: `pulumi config set --secret <key>`."]
                if secrets else []),
              '"""', ""]
    header += ["import pulumi"] if secrets else []
    header += [f"from polytomic_components import {', '.join(kinds)}"] if kinds else []
    header += ["", "config = pulumi.Config()"] if secrets else []
    header += [""]
    main = "\n".join(header) + "\n" + "\n\n".join(blocks) + ("\n" if blocks else "")
    pulumi_yaml = (f"name: {project}\n"
                   f"description: Polytomic objects adopted from {inventory.source}\n"
                   "runtime: python\n")
    return Rendering(files={"Pulumi.yaml": pulumi_yaml, "__main__.py": main}, adopted=tuple(adopted),
                     secrets=tuple(secrets), warnings=tuple(warnings))


def _parameters(kind: str) -> set[str]:
    """The settings a resource class takes: its keyword arguments, as the API names them."""
    signature = inspect.signature(_RESOURCE_CLASSES[kind])
    return set(signature.parameters) - {"resource_name", "opts", "adopt_id"}


def _left_out(found: FoundObject, settings: list[str], where: str) -> str:
    return (f"{found.origin}: left out, because {where} cannot express {', '.join(settings)} yet "
            "and adopting it would overwrite them; keep managing it where it is")


def _unique(wanted: str, taken: set[str]) -> str:
    name, counter = wanted, 2
    while name in taken:
        name, counter = f"{wanted}_{counter}", counter + 1
    return name


def _expression(value: Any, variables: Mapping[tuple[str, str], str], found: FoundObject,
                secrets: list[SecretToSet], path: str = "") -> Any:
    """`value` with references to adopted objects and secrets turned into code."""
    if isinstance(value, Secret):
        key = _unique(_camel(f"{found.name}-{value.key}"), {s.config_key for s in secrets})
        secrets.append(SecretToSet(key, f"{found.origin}: {path or value.key}"))
        return _Code(f"config.require_secret({json.dumps(key)})")
    if isinstance(value, Mapping):
        converted = {}
        for key, item in value.items():
            kind = {"connection_id": "connection", "model_id": "model"}.get(key)
            if kind and (kind, item) in variables:
                converted[key] = _Code(f"{variables[(kind, item)]}.id")
            else:
                converted[key] = _expression(item, variables, found, secrets,
                                             f"{path}.{key}" if path else key)
        return converted
    if isinstance(value, list):
        return [_expression(item, variables, found, secrets, path) for item in value]
    return value


def _camel(text: str) -> str:
    words = [w for w in re.split(r"[^A-Za-z0-9]+", text) if w]
    return words[0].lower() + "".join(w[:1].upper() + w[1:] for w in words[1:]) if words else "secret"


def _call(variable: str, class_name: str, resource_name: str, arguments: Mapping[str, Any]) -> str:
    lines = [f"{variable} = {class_name}(", f"    {json.dumps(resource_name)},"]
    lines += [f"    {key}={_literal(value, 4, len(key) + 5)}," for key, value in arguments.items()]
    return "\n".join([*lines, ")"])


def _literal(value: Any, indent: int, column: int) -> str:
    """Python source for `value` starting at `column`: on one line when it fits, else one item
    per line, `indent` deep."""
    inline = _inline(value)
    if column + len(inline) <= _LINE or not isinstance(value, (Mapping, list)) or not value:
        return inline
    inner = " " * (indent + 4)
    if isinstance(value, Mapping):
        items = [f"{inner}{json.dumps(k)}: {_literal(v, indent + 4, indent + len(json.dumps(k)) + 6)},"
                 for k, v in value.items()]
        return "{\n" + "\n".join(items) + "\n" + " " * indent + "}"
    items = [f"{inner}{_literal(v, indent + 4, indent + 4)}," for v in value]
    return "[\n" + "\n".join(items) + "\n" + " " * indent + "]"


def _inline(value: Any) -> str:
    if isinstance(value, _Code):
        return value.text
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(k)}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


# -- stack config for the reference project --------------------------------------------------------

#: Snowflake settings the reference stack config has (`key_pair_auth` follows from a private key).
_SNOWFLAKE_KEYS = {"account", "username", "dbname", "warehouse", "key_pair_auth"}
_SNOWFLAKE_SECRETS = {"password": "snowflakePassword", "private_key": "snowflakePrivateKey",
                      "private_key_passphrase": "snowflakePrivateKeyPassphrase"}
_LINKEDIN_SECRETS = {"client_id": "linkedinClientId", "client_secret": "linkedinClientSecret",
                     "oauth_refresh_token": "linkedinRefreshToken"}
_DEFAULT_NAMES = {"snowflake": "Snowflake", "linkedinads": "LinkedIn Ads"}
_DEFAULT_IDENTITY = {"source": "email", "target": "Email", "function": "Equality"}
_PIPELINE_SYNC_KEYS = {"name", "mode", "schedule", "target", "fields", "identity"}


@attrs.frozen
class _Pipeline:
    sync: FoundObject
    model: FoundObject
    snowflake: FoundObject
    linkedin: FoundObject


#: What each choice of `on_destroy` means, as the written files and the commands say it.
ON_DESTROY_SAID = {
    "delete": "on_destroy: delete - `pulumi destroy` deletes these objects, as `terraform destroy` "
              "did; set `on_destroy: keep` to leave them in Polytomic",
    "keep": "on_destroy: keep - `pulumi destroy` leaves these objects in Polytomic (they were made "
            "outside Pulumi); set `on_destroy: delete` to delete them with the stack",
}


def render_stack_config(inventory: Inventory, stack: str, *, on_destroy: str = "delete") -> Rendering:
    """``Pulumi.<stack>.yaml`` for the reference project, adopting every pipeline it can express,
    each adopted object with `on_destroy` (``delete`` or ``keep``) written out.

    A pipeline is a sync into a LinkedIn audience reading one Snowflake query model. The reference
    program has one Snowflake and one LinkedIn Ads connection per stack: pipelines on another pair
    are left out, with a warning.
    """
    warnings = list(inventory.skipped)
    pipelines = []
    for sync in inventory.of_kind("sync"):
        problem, pipeline = _as_pipeline(inventory, sync)
        if pipeline is None:
            warnings.append(f"{sync.origin}: left out of the stack config, because {problem}")
        else:
            pipelines.append(pipeline)
    if not pipelines:
        return Rendering(files={}, adopted=(), secrets=(), warnings=tuple(warnings))

    pairs = [(p.snowflake.id, p.linkedin.id) for p in pipelines]
    chosen = max(pairs, key=pairs.count)
    entries, adopted, names = [], [], set()
    for pipeline in pipelines:
        if (pipeline.snowflake.id, pipeline.linkedin.id) != chosen:
            warnings.append(f"{pipeline.sync.origin}: left out of the stack config, because it uses "
                            "another Snowflake or LinkedIn Ads connection than the other pipelines "
                            "(a stack has one of each)")
        elif pipeline.model.settings["name"] in names:
            warnings.append(f"{pipeline.sync.origin}: left out of the stack config, because a "
                            f"pipeline named {pipeline.model.settings['name']!r} (after its model) "
                            "is there already; each pipeline has its own model")
        else:
            names.add(pipeline.model.settings["name"])
            entries.append(_pipeline_entry(pipeline, warnings, on_destroy))
            adopted += [pipeline.model, pipeline.sync]
    snowflake, linkedin = pipelines[pairs.index(chosen)].snowflake, pipelines[pairs.index(chosen)].linkedin
    secrets = [SecretToSet(key, f"{found.origin}: configuration.{setting}")
               for found, names in ((snowflake, _SNOWFLAKE_SECRETS), (linkedin, _LINKEDIN_SECRETS))
               for setting, key in names.items()
               if setting in found.settings.get("secret_configuration", {})]
    config = {f"{REFERENCE_PROJECT}:snowflake": _connection_entry(snowflake, _SNOWFLAKE_KEYS, on_destroy),
              f"{REFERENCE_PROJECT}:linkedin": _connection_entry(linkedin, {"accounts"}, on_destroy),
              f"{REFERENCE_PROJECT}:pipelines": entries}
    text = (f"# Stack {stack!r} of the reference project: existing Polytomic objects from "
            f"{inventory.source}, adopted by id.\n# {ON_DESTROY_SAID[on_destroy]}\n"
            "# Set the secrets before `pulumi up`:\n"
            + "".join(f"#   pulumi config set --secret {s.config_key} --stack {stack}\n" for s in secrets)
            + _yaml({"config": config}))
    return Rendering(files={f"Pulumi.{stack}.yaml": text}, adopted=(snowflake, linkedin, *adopted),
                     secrets=tuple(secrets), warnings=tuple(warnings))


def _as_pipeline(inventory: Inventory, sync: FoundObject) -> tuple[str, _Pipeline | None]:
    """The pipeline `sync` belongs to, or why it is not one the stack config can express."""
    settings = sync.settings
    target = settings.get("target", {})
    linkedin = inventory.by_id("connection", target.get("connection_id"))
    mapped = [*settings.get("fields", []), *([settings["identity"]] if "identity" in settings else [])]
    model_ids = {(m.get("source") or {}).get("model_id") for m in mapped}
    model = inventory.by_id("model", next(iter(model_ids))) if len(model_ids) == 1 else None
    snowflake = inventory.by_id("connection", model.settings.get("connection_id")) if model else None
    checks = [
        (not set(settings) - _PIPELINE_SYNC_KEYS,
         f"the stack config cannot express {', '.join(sorted(set(settings) - _PIPELINE_SYNC_KEYS))}"),
        (linkedin is not None and linkedin.settings.get("type") == "linkedinads",
         "its target is not a LinkedIn Ads connection found here"),
        ("object" in target, "its audience is not created yet"),
        (settings.get("mode") in AUDIENCE_MODES, f"its mode {settings.get('mode')!r} is not one of "
                                                 f"{', '.join(AUDIENCE_MODES)}"),
        ("identity" in settings, "it has no identity, and the stack config always maps one"),
        (all(set(f) == {"source", "target"} for f in settings.get("fields", [])),
         "a field mapping has per-field settings or a constant value"),
        (model is not None, "its fields do not all read one model found here"),
        (model is not None and set(model.settings) <= {"name", "connection_id", "configuration"}
         and set(model.settings.get("configuration", {})) == {"query"},
         "its model is not a plain query (or has settings the stack config cannot express)"),
        (snowflake is not None and _plain_connection(snowflake, "snowflake", _SNOWFLAKE_KEYS)
         and _authenticated_once(snowflake),
         "its model's connection is not a Snowflake connection with a password or a private key "
         f"and only {', '.join(sorted(_SNOWFLAKE_KEYS))} set"),
        (linkedin is not None and _plain_connection(linkedin, "linkedinads", {"accounts"}),
         "its LinkedIn Ads connection has settings besides accounts and API credentials"),
    ]
    for passed, problem in checks:
        if not passed:
            return problem, None
    assert model is not None and snowflake is not None and linkedin is not None  # checked above
    return "", _Pipeline(sync, model, snowflake, linkedin)


def _plain_connection(found: FoundObject, type_: str, keys: set[str]) -> bool:
    settings = found.settings
    return (settings.get("type") == type_
            and set(settings) <= {"name", "type", "configuration", "secret_configuration"}
            and set(settings.get("configuration", {})) <= keys)


def _authenticated_once(snowflake: FoundObject) -> bool:
    """A password or a private key, not both: the reference program takes exactly one."""
    secrets = snowflake.settings.get("secret_configuration", {})
    return ("password" in secrets) != ("private_key" in secrets)


def _connection_entry(found: FoundObject, keys: set[str], on_destroy: str) -> dict[str, Any]:
    configuration = found.settings.get("configuration", {})
    entry: dict[str, Any] = {"adopt_id": found.id, "on_destroy": on_destroy}
    entry.update({k: v for k, v in configuration.items()
                  if k in keys and k not in ("accounts", "key_pair_auth")})
    if "accounts" in configuration:
        entry["accounts"] = [account["value"] for account in configuration["accounts"]]
    if found.settings.get("name") != _DEFAULT_NAMES[found.settings["type"]]:
        entry["name"] = found.settings.get("name")
    return entry


def _pipeline_entry(pipeline: _Pipeline, warnings: list[str], on_destroy: str) -> dict[str, Any]:
    sync, model = pipeline.sync.settings, pipeline.model.settings
    identity = sync["identity"]
    entry: dict[str, Any] = {
        "name": model["name"],
        "query": model["configuration"]["query"],
        "audience": sync["target"]["object"],
        "fields": {f["source"]["field"]: f["target"] for f in sync.get("fields", [])},
    }
    wanted_identity = {"source": identity["source"]["field"], "target": identity["target"],
                       "function": identity.get("function") or "Equality"}
    if wanted_identity != _DEFAULT_IDENTITY:
        entry["identity"] = {k: v for k, v in wanted_identity.items()
                             if k != "function" or v != "Equality"}
    entry["mode"] = sync["mode"]
    if "schedule" in sync:
        entry["schedule"] = dict(sync["schedule"])
    entry["adopt"] = {"model": pipeline.model.id, "sync": pipeline.sync.id, "on_destroy": on_destroy}
    # The reference program names each sync after its pipeline.
    derived = f"{model['name']} to LinkedIn Ads"
    if sync.get("name") != derived:
        warnings.append(f"{pipeline.sync.origin}: the first `pulumi up` renames it to {derived!r}")
    return entry


def _yaml(document: Mapping[str, Any]) -> str:
    return str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=_LINE))


# -- what to tell the user -----------------------------------------------------------------------


def instructions(rendering: Rendering, *, stack: str, first: str, last: str | None = None) -> str:
    """The steps from written files to adopted objects (`first` and `last` framing them), and
    every warning."""
    lines = [first, f"pulumi stack select --create {stack}"]
    lines += [f"pulumi config set --secret {s.config_key}    # {s.origin}" for s in rendering.secrets]
    lines += ["pulumi up       # each `create` it shows adopts an existing object; none is made",
              "pulumi preview  # then shows no changes", *([last] if last else [])]
    text = ("Credentials: POLYTOMIC_API_KEY and POLYTOMIC_DEPLOYMENT_URL "
            "(or `pulumi config set --secret polytomic:apiKey ...`).\n"
            + "\n".join(f"  {line}" for line in lines) + "\n")
    if rendering.warnings:
        text += "Warnings:\n" + "".join(f"  - {w}\n" for w in rendering.warnings)
    return text
