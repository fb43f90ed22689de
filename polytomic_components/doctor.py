"""`doctor`: check the emulator's guesses about the real service against a deployment.

The emulator had to guess wherever no source says what Polytomic returns
(``polytomic_components/emulator/README.md``, "Guesses"), and parts of this library rest on those
guesses. ``python -m polytomic_components doctor`` asks a deployment the questions that settle
them and prints one row per guess: what the deployment answered, and whether the guess
``holds``, ``differs``, or was ``not checked`` (and why). It exits 0 only when every checked
guess holds.

Read-only by default: it never creates, changes or deletes an object. It does send the POSTs that
save nothing by definition (a model preview, parameter values) or cannot succeed (a body that
refers to no object), because the library sends the former on every preview and the answer to
the latter is the question. ``--write`` also creates throwaway objects named with
:data:`LIVE_PREFIX` (as the live test suite names its objects) and deletes them before it ends.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import requests

from ._transport import DEFAULT_TIMEOUT, IDEMPOTENCY_HEADER, build_session
from .client import DEFAULT_API_VERSION, _answered_at
from .command_line import PROG, add_subcommand
from .errors import PolytomicConnectionError, PolytomicError, error_from_response
from .settings import Settings

__all__ = ["CHECKS", "LIVE_PREFIX", "Check", "Finding", "run_checks"]

#: Every object the live test suite or ``doctor --write`` creates is named ``<prefix>-<run id>-...``.
LIVE_PREFIX = "pclive"

HOLDS, DIFFERS, NOT_CHECKED = "holds", "differs", "not checked"

#: How much older than ``Date`` a replay's ``created_at`` must be to be told apart from a fresh
#: create (the client's rule, ``client._FRESH_CREATE_SKEW``, is 2 s; wait a little longer).
_REPLAY_WAIT = 3.0
#: A query every SQL warehouse runs, that reads no table.
_TRIVIAL_QUERY = "SELECT 1 AS one"
#: How many listed models `model-list-items` reads one by one to compare.
_MODELS_COMPARED = 3
#: Sync keys the emulator leaves out when never set (rather than answering null).
_UNSET_SYNC_KEYS = ("filter_logic", "filters", "model_filters", "target_filters", "identity",
                    "identities", "encryption_passphrase")
#: Keys a sync's field mapping may carry: `source` and `target`, the rest only when sent.
_FIELD_KEYS = frozenset({"source", "target", "new", "sync_mode", "encryption_enabled", "new_field",
                         "override_value"})


class NotChecked(Exception):
    """A check that could not ask its question; the message says why."""


@attrs.frozen
class Finding:
    """One row of the report."""

    check: str
    guess: str
    answered: str
    verdict: str


@attrs.frozen
class Answer:
    """What a deployment answered, and whether that is what the guess says."""

    answered: str
    holds: bool


class Deployment:
    """Raw calls to a deployment: the answers themselves (status, headers, body), not the
    client's interpretation of them, since the interpretation rests on the guesses."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.deployment_url
        self._session = build_session(settings.api_key, DEFAULT_API_VERSION)

    def close(self) -> None:
        self._session.close()

    def call(self, method: str, path: str, *, json: Any = None, headers: dict[str, str] | None = None,
             params: dict[str, str] | None = None) -> requests.Response:
        """One request; any status comes back (none raises)."""
        try:
            return self._session.request(method, self.url + path, json=json, headers=headers or {},
                                         params=params, timeout=DEFAULT_TIMEOUT)
        except (requests.ConnectionError, requests.Timeout) as error:
            raise PolytomicConnectionError(f"no answer from {self.url} ({type(error).__name__})",
                                           method=method, path=path) from error

    def data(self, method: str, path: str, **kwargs: Any) -> Any:
        """The ``data`` of a successful answer; a failed one raises the client's error for it."""
        response = self.call(method, path, **kwargs)
        if response.status_code >= 400:
            raise error_from_response(response)
        return response.json().get("data") if response.content else None

    def ids(self, collection: str) -> set[str]:
        return {item["id"] for item in self.data("GET", f"/api/{collection}")}


@attrs.define
class Context:
    """What the checks share: the deployment, whether they may write, and what they made."""

    deployment: Deployment
    write: bool
    run_id: str = attrs.field(factory=lambda: uuid.uuid4().hex[:8])
    #: (collection, id) of throwaway objects, deleted at the end in reverse order.
    made: list[tuple[str, str]] = attrs.field(factory=list)

    def name(self, what: str) -> str:
        return f"{LIVE_PREFIX}-{self.run_id}-doctor-{what}"

    def warehouse_connection(self) -> str:
        """An existing Snowflake connection to run a trivial query on."""
        for connection in self.deployment.data("GET", "/api/connections"):
            if (connection.get("type") or {}).get("id") == "snowflake":
                return str(connection["id"])
        raise NotChecked("the organization has no Snowflake connection to run a query on")

    def cleanup(self) -> list[str]:
        """Delete every throwaway object; return what could not be deleted."""
        left = []
        for collection, object_id in reversed(self.made):
            response = self.deployment.call("DELETE", f"/api/{collection}/{object_id}")
            if response.status_code >= 400 and response.status_code != 404:
                left.append(f"{collection} {object_id} ({response.status_code})")
        self.made.clear()
        return left


@attrs.frozen
class Check:
    """A guess and the question that settles it.

    Attributes:
        name: the check's name; the emulator README links each guess to it.
        guess: what the emulator (and, where it says so, the library) assumes.
        ask: asks the deployment; raises :class:`NotChecked` when it cannot.
        writes: needs ``--write`` (creates and deletes throwaway objects).
    """

    name: str
    guess: str
    ask: Callable[[Context], Answer]
    writes: bool = False


# -- the questions ----------------------------------------------------------------------------


def _date(response: requests.Response) -> datetime | None:
    """When the deployment answered, read as the client's replay check reads it."""
    return _answered_at(response.headers.get("Date", ""))


def _ask_date_header(ctx: Context) -> Answer:
    response = ctx.deployment.call("GET", "/api/me")
    value = response.headers.get("Date")
    return Answer(f"Date: {value}" if value else "no Date header", _date(response) is not None)


def _error_shape(response: requests.Response) -> tuple[str, bool]:
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code}, body not JSON: {response.text[:60]!r}", False
    if not isinstance(body, dict):
        return f"{response.status_code}, body {type(body).__name__}", False
    types = {"status": int, "message": str, "key": str, "metadata": dict}
    holds = all(isinstance(body.get(key), kind) for key, kind in types.items())
    return f"{response.status_code} with keys {', '.join(sorted(body)) or 'none'}", holds


def _ask_error_body(ctx: Context) -> Answer:
    response = ctx.deployment.call("GET", f"/api/models/{uuid.uuid4()}")
    answered, shaped = _error_shape(response)
    return Answer(answered, response.status_code == 404 and shaped)


def _refused(ctx: Context, path: str, body: Any) -> requests.Response:
    """POST a create that cannot succeed; should it succeed after all, delete what it made."""
    response = ctx.deployment.call("POST", path, json=body)
    if response.status_code < 300 and response.content:
        made = (response.json().get("data") or {}).get("id")
        if made:
            ctx.deployment.call("DELETE", f"{path}/{made}")
    return response


def _ask_400_vs_422(ctx: Context) -> Answer:
    malformed = _refused(ctx, "/api/syncs", {})
    nowhere = str(uuid.uuid4())
    dangling = _refused(ctx, "/api/syncs", {
        "name": ctx.name("dangling"), "mode": "create", "schedule": {"frequency": "manual"},
        "target": {"connection_id": nowhere, "object": "none"},
        "fields": [{"source": {"model_id": nowhere, "field": "email"}, "target": "Email"}]})
    return Answer(f"malformed body: {malformed.status_code}; unknown references: "
                  f"{dangling.status_code}",
                  (malformed.status_code, dangling.status_code) == (400, 422))


def _ask_me(ctx: Context) -> Answer:
    me = ctx.deployment.data("GET", "/api/me")
    method = (me.get("credential") or {}).get("method")
    return Answer(f"is_organization={me.get('is_organization')}, credential.method={method}",
                  me.get("is_organization") is True and method == "api_key")


def _ask_model_list_pages(ctx: Context) -> Answer:
    response = ctx.deployment.call("GET", "/api/models", params={"limit": "1"})
    if response.status_code >= 400:
        raise error_from_response(response)
    envelope = response.json()
    count = len(envelope.get("data") or [])
    if "pagination" in envelope:
        return Answer(f"{count} model(s) for limit=1, pagination {envelope['pagination']}", False)
    return Answer(f"{count} model(s) in one page, no pagination", True)


def _ask_model_list_items(ctx: Context) -> Answer:
    listed = ctx.deployment.data("GET", "/api/models")[:_MODELS_COMPARED]
    if not listed:
        raise NotChecked("the organization has no model to compare")
    differ = [model["id"] for model in listed
              if ctx.deployment.data("GET", f"/api/models/{model['id']}") != model]
    return Answer(f"{len(listed)} listed model(s) compared with `GET /api/models/{{id}}`"
                  + (f"; different: {', '.join(differ)}" if differ else ": the same"), not differ)


def _ask_preview_unknown_connection(ctx: Context) -> Answer:
    response = ctx.deployment.call("POST", "/api/model-preview", json={
        "name": ctx.name("preview"), "connection_id": str(uuid.uuid4()),
        "configuration": {"query": _TRIVIAL_QUERY}})
    return Answer(f"{response.status_code}", response.status_code == 404)


def _ask_preview_side_effects(ctx: Context) -> Answer:
    connection = ctx.warehouse_connection()
    before = ctx.deployment.ids("models")
    preview = ctx.deployment.data("POST", "/api/model-preview", json={
        "name": ctx.name("preview"), "connection_id": connection,
        "configuration": {"query": _TRIVIAL_QUERY}})
    after = ctx.deployment.ids("models")
    fields = [f.get("name") for f in preview.get("fields") or []]
    return Answer(f"fields {fields}, {'an id' if 'id' in preview else 'no id'}; models "
                  f"{len(before)} before, {len(after)} after", before == after and "id" not in preview)


def _ask_parameter_values_side_effects(ctx: Context) -> Answer:
    linkedin = [c["id"] for c in ctx.deployment.data("GET", "/api/connections")
                if (c.get("type") or {}).get("id") == "linkedinads"]
    body: dict[str, Any] = {"field": "accounts", **({"connection_id": linkedin[0]} if linkedin else {})}
    before = ctx.deployment.ids("connections")
    response = ctx.deployment.call("POST", "/api/connection_types/linkedinads/parameter_values",
                                   json=body)
    after = ctx.deployment.ids("connections")
    return Answer(f"{response.status_code}; connections {len(before)} before, {len(after)} after",
                  before == after)


def _a_sync(ctx: Context) -> dict[str, Any]:
    for item in ctx.deployment.data("GET", "/api/syncs", params={"limit": "1"}):
        return ctx.deployment.data("GET", f"/api/syncs/{item['id']}")  # type: ignore[no-any-return]
    raise NotChecked("the organization has no sync to read (doctor never creates one: a sync "
                     "needs authorized connections and an audience)")


def _ask_unset_sync_keys(ctx: Context) -> Answer:
    sync = _a_sync(ctx)
    nulls = [key for key in _UNSET_SYNC_KEYS if key in sync and sync[key] is None]
    return Answer(f"sync {sync['id']}: " + (f"null {', '.join(nulls)}" if nulls else
                                            "no unset key answered as null"), not nulls)


def _ask_sync_field_keys(ctx: Context) -> Answer:
    sync = _a_sync(ctx)
    keys = sorted({key for field in sync.get("fields") or [] for key in field})
    extra = [key for key in keys if key not in _FIELD_KEYS]
    defaults = sorted({key for field in sync.get("fields") or [] for key, value in field.items()
                       if key in _FIELD_KEYS - {"source", "target"} and value in (None, "")})
    return Answer(f"sync {sync['id']}: field keys {', '.join(keys) or 'none'}"
                  + (f"; empty {', '.join(defaults)}" if defaults else ""), not extra and not defaults)


def _throwaway_model(ctx: Context, key: str, **extra: Any) -> requests.Response:
    body = {"name": ctx.name("model"), "connection_id": ctx.warehouse_connection(),
            "configuration": {"query": _TRIVIAL_QUERY}, **extra}
    response = ctx.deployment.call("POST", "/api/models", json=body, headers={IDEMPOTENCY_HEADER: key})
    if response.status_code >= 400:
        raise error_from_response(response)
    made = response.json()["data"]["id"]
    if ("models", made) not in ctx.made:
        ctx.made.append(("models", made))
    return response


def _ask_replay(ctx: Context) -> Answer:
    key = f"{LIVE_PREFIX}-{ctx.run_id}-doctor-replay"
    first = _throwaway_model(ctx, key)
    time.sleep(_REPLAY_WAIT)
    replay = _throwaway_model(ctx, key)
    made, again = first.json()["data"], replay.json()["data"]
    answered_at = _date(replay)
    stamped = again.get("created_at")
    extra = sorted(set(replay.headers) - set(first.headers) - {"Date"})
    age = ((answered_at - datetime.fromisoformat(str(stamped).replace("Z", "+00:00"))).total_seconds()
           if answered_at and stamped else None)
    answered = (f"{'same id' if again['id'] == made['id'] else 'a NEW object'}; created_at "
                f"{'kept' if stamped == made.get('created_at') else 'changed'}; "
                f"Date {f'{age:.0f} s after created_at' if age is not None else 'missing'}"
                + (f"; extra headers {', '.join(extra)}" if extra else ""))
    holds = (again["id"] == made["id"] and stamped == made.get("created_at") and age is not None
             and age >= _REPLAY_WAIT - 1 and not extra)
    return Answer(answered, holds)


def _ask_model_put_version(ctx: Context) -> Answer:
    created = _throwaway_model(ctx, f"{LIVE_PREFIX}-{ctx.run_id}-doctor-version").json()["data"]
    body = {key: created[key] for key in ("name", "connection_id", "configuration")}
    updated = ctx.deployment.data("PUT", f"/api/models/{created['id']}", json=body)
    return Answer(f"version {created.get('version')!r} before, {updated.get('version')!r} after",
                  created.get("version") == updated.get("version"))


def _ask_model_labels(ctx: Context) -> Answer:
    created = _throwaway_model(ctx, f"{LIVE_PREFIX}-{ctx.run_id}-doctor-labels",
                               labels=[LIVE_PREFIX]).json()["data"]
    return Answer(f"labels {created.get('labels')!r}", created.get("labels") == [{"name": LIVE_PREFIX}])


def _ask_detected_fields(ctx: Context) -> Answer:
    created = _throwaway_model(ctx, f"{LIVE_PREFIX}-{ctx.run_id}-doctor-fields").json()["data"]
    fields = created.get("fields") or []
    shown = [{k: f.get(k) for k in ("name", "label", "description", "type", "example")} for f in fields]
    holds = len(fields) == 1 and all(
        f.get("label") == f.get("name") and f.get("description") == "" and f.get("type") == "number"
        and f.get("example") == "1" for f in fields)
    return Answer(f"for {_TRIVIAL_QUERY!r}: {shown}", holds)


def _ask_unknown_configuration_key(ctx: Context) -> Answer:
    response = ctx.deployment.call("POST", "/api/connections", json={
        "name": ctx.name("unknown-key"), "type": "linkedinads",
        "configuration": {f"{LIVE_PREFIX}_unknown_key": "x"}})
    if response.status_code < 300:
        ctx.made.append(("connections", response.json()["data"]["id"]))
    return Answer(f"{response.status_code}", response.status_code == 400)


def _ask_connection_test(ctx: Context) -> Answer:
    response = ctx.deployment.call("POST", "/api/connections/test", json={
        "type": "snowflake", "configuration": {}, "connection_id": ctx.warehouse_connection()})
    if response.status_code >= 400:
        raise NotChecked(f"the test of the saved Snowflake connection failed ({response.status_code})")
    return Answer(f"{response.status_code}, {len(response.content)} bytes",
                  response.status_code == 204 and not response.content)


def _ask_unauthorized_oauth(ctx: Context) -> Answer:
    created = ctx.deployment.data("POST", "/api/connections", json={
        "name": ctx.name("linkedin"), "type": "linkedinads", "configuration": {}})
    ctx.made.append(("connections", created["id"]))
    auth_url = "set" if created.get("auth_url") else "absent"
    return Answer(f"status {created.get('status')!r}, auth_url {auth_url}",
                  created.get("status") == "unauthorized" and bool(created.get("auth_url")))


#: Every check, in the order of the report. Guesses no check can settle safely are listed in the
#: emulator README with the reason.
CHECKS: tuple[Check, ...] = (
    Check("date-header", "every answer carries a `Date` header (replay detection compares it with "
          "`created_at`)", _ask_date_header),
    Check("replay-stamps", "a replayed Idempotency-Key answers with the first response (same id and "
          "`created_at`) and a current `Date`, and no header saying it is a replay", _ask_replay,
          writes=True),
    Check("error-body", "an error body is `{status, message, key, metadata}` (a 404 here)",
          _ask_error_body),
    Check("status-400-vs-422", "a malformed body is 400; a well-formed one naming objects that do "
          "not exist is 422", _ask_400_vs_422),
    Check("me-key", "`GET /api/me` reports an organization key, `credential.method` `api_key`",
          _ask_me),
    Check("model-list-one-page", "the model list answers in one page, with no `pagination`",
          _ask_model_list_pages),
    Check("model-list-items", "the model list answers each model as `GET /api/models/{id}` does "
          "(a refresh of many models reads them from the list)", _ask_model_list_items),
    Check("model-preview-unknown-connection", "`POST /api/model-preview` on an unknown connection is 404",
          _ask_preview_unknown_connection),
    Check("model-preview-no-side-effects", "a model preview saves nothing and answers a model "
          "without `id`", _ask_preview_side_effects),
    Check("parameter-values-no-side-effects", "`POST /api/connection_types/{type}/parameter_values` "
          "saves nothing", _ask_parameter_values_side_effects),
    Check("sync-unset-keys", "a sync key never set is left out, not null", _ask_unset_sync_keys),
    Check("sync-field-keys", "a sync's fields carry `source` and `target`, and settings only when "
          "sent", _ask_sync_field_keys),
    Check("model-put-version", "a model PUT leaves `version` unchanged", _ask_model_put_version,
          writes=True),
    Check("model-labels", "model `labels` come back as `[{\"name\": <label>}]`", _ask_model_labels,
          writes=True),
    Check("model-detected-fields", "a field detected from SQL has `label` = its name, `description` "
          "`\"\"`, `example` the first row's value as text; a computed number is typed `number`",
          _ask_detected_fields, writes=True),
    Check("unknown-configuration-key", "a configuration key not in the type's schema is refused (400)",
          _ask_unknown_configuration_key, writes=True),
    Check("connection-test", "`POST /api/connections/test` answers 204 with no body on success",
          _ask_connection_test),
    Check("oauth-unauthorized", "an OAuth connection not yet authorized has status `unauthorized` "
          "and an `auth_url`", _ask_unauthorized_oauth, writes=True),
)


def run_checks(ctx: Context, checks: tuple[Check, ...] = CHECKS) -> Iterator[Finding]:
    """Ask each check's question; then delete what the write checks made."""
    try:
        for check in checks:
            if check.writes and not ctx.write:
                yield Finding(check.name, check.guess, "", f"{NOT_CHECKED} (creates throwaway "
                              "objects: run with --write)")
                continue
            try:
                answer = check.ask(ctx)
            except NotChecked as reason:
                yield Finding(check.name, check.guess, "", f"{NOT_CHECKED} ({reason})")
            except PolytomicError as error:
                yield Finding(check.name, check.guess, str(error), f"{NOT_CHECKED} (the question "
                              "failed)")
            else:
                yield Finding(check.name, check.guess, answer.answered,
                              HOLDS if answer.holds else DIFFERS)
    finally:
        left = ctx.cleanup()
        if left:
            print(f"doctor: could not delete {', '.join(left)}; delete them by hand "
                  f"(their names start with {LIVE_PREFIX}-{ctx.run_id})", file=sys.stderr)


def _table(findings: list[Finding]) -> str:
    rows = [("check", "guess", "the deployment answered", "verdict")] + [
        (f.check, f.guess, f.answered or "-", f.verdict) for f in findings]
    return "\n".join("| " + " | ".join(" ".join(cell.replace("|", "\\|").split()) for cell in row) + " |"
                     + ("\n|---|---|---|---|" if index == 0 else "") for index, row in enumerate(rows))


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `doctor` to the command line; it sets `run`, which takes the parsed arguments."""
    doctor = add_subcommand(
        commands, "doctor", summary="check the emulator's guesses about the service against a deployment",
        description="Asks a Polytomic deployment the questions that settle each guess the emulator "
                    "README lists, and prints a table: guess, what the deployment answered, "
                    "holds / differs / not checked (and why). Read-only unless --write. Exits 0 "
                    "when every checked guess holds, 1 when one differs, 2 when a question could "
                    "not be asked (no key, no answer). Credentials: the stack's config with --stack, "
                    "else POLYTOMIC_API_KEY and POLYTOMIC_DEPLOYMENT_URL.",
        examples=[f"{PROG} doctor", f"{PROG} doctor --stack staging --write"], run=doctor_command)
    doctor.add_argument("--write", action="store_true",
                        help=f"also create throwaway objects (named {LIVE_PREFIX}-...) to check "
                             "the guesses that need one, and delete them")
    doctor.add_argument("--stack", help="read polytomic:apiKey and polytomic:deploymentUrl from "
                                        "this stack's config (falling back to the environment)")
    doctor.add_argument("--cwd", type=Path, default=Path(), help="the Pulumi project directory")


def doctor_command(args: argparse.Namespace) -> int:
    from .recovery import PulumiStack, RecoveryError  # the CLI's stack config reader

    try:
        settings = PulumiStack(args.stack, args.cwd).settings() if args.stack else Settings.from_env()
    except (RecoveryError, PolytomicError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    deployment = Deployment(settings)
    try:
        deployment.data("GET", "/api/me")  # a wrong key or URL fails here, not as a table of errors
        findings = list(run_checks(Context(deployment, write=args.write)))
    except PolytomicError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        deployment.close()
    print(f"Guesses checked against {settings.deployment_url}:\n")
    print(_table(findings))
    differs = [f.check for f in findings if f.verdict == DIFFERS]
    checked = sum(f.verdict in (HOLDS, DIFFERS) for f in findings)
    failed = [f.check for f in findings if f.verdict.startswith(f"{NOT_CHECKED} (the question failed")]
    print(f"\n{checked} checked: {checked - len(differs)} hold, {len(differs)} differ"
          + (f" ({', '.join(differs)}); see 'Guesses' in polytomic_components/emulator/README.md"
             if differs else ".")
          + (f" The questions of {', '.join(failed)} failed: run again." if failed else ""))
    return 1 if differs else 2 if failed else 0
