"""The live suite's deployment: a real Polytomic account, or an emulator that plays one.

With POLYTOMIC_TEST_DEPLOYMENT_URL and POLYTOMIC_TEST_API_KEY set, the suite runs against that
deployment, with the Snowflake and LinkedIn Ads credentials the README names. Otherwise, with
POLYTOMIC_TEST_LIVE_EMULATOR=1 (scripts/test.sh sets it), it runs against an emulator started
with `--no-admin`, which serves the public API only; else every live test is skipped, saying why.

Either way the tests use nothing but the public API and the `pulumi` CLI. Every object they make
is named `<LIVE_PREFIX>-<run id>-<worker>-...`; each test destroys its stack, and each worker's
session deletes what is left of its objects and fails if anything was, or if an audience was made
other than the reused one and this run's new one (on an emulator: also if any connection, model or
sync differs from the start). `--live-cleanup` first removes what interrupted runs left (any other
run id). Against the emulator no live test may skip: each runs on every `scripts/test.sh`.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import requests
import yaml

from polytomic_components.doctor import LIVE_PREFIX
from tests.conftest import REPO_ROOT, Emulator

#: This run's objects are named `<RUN_PREFIX>-...`. The pytest-xdist workers of one run (each a
#: process of its own) share the run id, so that none takes another's objects for an earlier run's.
RUN_PREFIX = f"{LIVE_PREFIX}-{(os.environ.get('PYTEST_XDIST_TESTRUNUID') or uuid.uuid4().hex)[:6]}"
#: This process's objects are named `<SESSION_PREFIX>-...`: it deletes those, and only those, at its end.
SESSION_PREFIX = f"{RUN_PREFIX}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
#: The audience the suite writes to, reused by every run on an account: the API cannot delete an
#: audience, so runs share one.
REUSED_AUDIENCE = f"{LIVE_PREFIX} reused audience"
#: The audience the test of a `create` block makes: one per run, so that the test runs on every
#: run, against any account. It stays in the ad account (see README, 'Live tests').
NEW_AUDIENCE = f"{SESSION_PREFIX} new audience"
_STACK_NUMBERS = itertools.count(1)
#: Polytomic collections in the order they can be deleted (a sync uses a model uses a connection).
COLLECTIONS = ("syncs", "models", "connections")

_SNOWFLAKE = {"account": "POLYTOMIC_TEST_SNOWFLAKE_ACCOUNT", "username": "POLYTOMIC_TEST_SNOWFLAKE_USERNAME",
              "dbname": "POLYTOMIC_TEST_SNOWFLAKE_DBNAME", "password": "POLYTOMIC_TEST_SNOWFLAKE_PASSWORD"}
_LINKEDIN = {"client_id": "POLYTOMIC_TEST_LINKEDIN_CLIENT_ID",
             "client_secret": "POLYTOMIC_TEST_LINKEDIN_CLIENT_SECRET",
             "oauth_refresh_token": "POLYTOMIC_TEST_LINKEDIN_REFRESH_TOKEN",
             "account": "POLYTOMIC_TEST_LINKEDIN_ACCOUNT"}
_EMULATED_SNOWFLAKE = {"account": "uc193736182", "username": "live", "dbname": "analytics", "password": "pw"}
_EMULATED_LINKEDIN = {"client_id": "li-client", "client_secret": "li-secret",
                      "oauth_refresh_token": "li-refresh",
                      "account": "512630692::urn:li:organization:28818517"}


@attrs.frozen
class Account:
    """A deployment and what the suite needs in it, reached through the public API only."""

    url: str
    api_key: str = attrs.field(repr=False)
    snowflake: dict[str, str] = attrs.field(repr=False)
    linkedin: dict[str, str] = attrs.field(repr=False)
    #: A table with `email`, `first_name` and `last_name` columns.
    table: str
    emulated: bool

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.api_key}", "X-Polytomic-Version": "2025-09-18"}
        return requests.request(method, f"{self.url}{path}", headers=headers, timeout=60, **kwargs)

    def data(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.api(method, path, **kwargs)
        assert response.status_code < 400, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()["data"] if response.content else None

    def objects(self) -> dict[str, dict[str, str]]:
        """`{collection: {id: name}}` of every connection, model and sync in the organization."""
        found: dict[str, dict[str, str]] = {}
        for collection in COLLECTIONS:
            found[collection], params = {}, {"limit": "50"}
            while True:
                envelope = self.api("GET", f"/api/{collection}", params=params).json()
                found[collection].update({o["id"]: o["name"] for o in envelope["data"]})
                token = (envelope.get("pagination") or {}).get("next_page_token")
                if not token:
                    break
                params["page_token"] = token
        return found

    def named(self, prefix: str, *, but: str | None = None) -> list[tuple[str, str, str]]:
        """`(collection, id, name)` of every object whose name starts with `prefix` (and not
        with `but`)."""
        return [(collection, object_id, name) for collection, objects in self.objects().items()
                for object_id, name in objects.items()
                if name.startswith(prefix) and not (but and name.startswith(but))]

    def delete_named(self, prefix: str, *, but: str | None = None) -> list[tuple[str, str, str]]:
        """Delete every object named with `prefix` and not `but` (syncs, models, connections)."""
        found = self.named(prefix, but=but)
        for collection in COLLECTIONS:
            for kind, object_id, _name in found:
                if kind == collection:
                    params = {"force": "true"} if collection == "connections" else {}
                    response = self.api("DELETE", f"/api/{collection}/{object_id}", params=params)
                    assert response.status_code < 400 or response.status_code == 404, response.text
        return found

    def all_audiences(self) -> dict[str, str]:
        """`{id: name}` of every audience of the ad account, read through a connection made for it
        (names without Polytomic's `<type>: ` prefix)."""
        connection = self.linkedin_connection(f"{SESSION_PREFIX} audience list")
        try:
            targets = self.data("GET", f"/api/connections/{connection}/modelsync/targetobjects")
        finally:
            self.api("DELETE", f"/api/connections/{connection}", params={"force": "true"})
        return {t["id"]: t["name"].split(": ", 1)[-1] for t in targets}

    def audience(self, connection_id: str, name: str) -> str | None:
        """The id of the audience called `name` that a LinkedIn Ads connection can sync into.

        Polytomic shows it as `<type>: <name>` (`User Audience: ...`), as in the guide."""
        for target in self.data("GET", f"/api/connections/{connection_id}/modelsync/targetobjects"):
            if target["name"] == name or target["name"].endswith(f": {name}"):
                return str(target["id"])
        return None

    def pipelines_config(self, prefix: str, **pipeline: Any) -> dict[str, Any]:
        """The reference project's config for one pipeline `<prefix>-users`: the guide's flow,
        into the suite's audience unless `pipeline` says otherwise."""
        return {
            "snowflake": {"name": f"{prefix} warehouse",
                          **{k: v for k, v in self.snowflake.items() if k != "password"}},
            "linkedin": {"name": f"{prefix} linkedin", "accounts": [self.linkedin["account"]]},
            "pipelines": [{"name": f"{prefix}-users", "query": self.query(),
                           "fields": {"first_name": "FirstName", "last_name": "LastName"}, **pipeline}],
        }

    def query(self, where: str = "") -> str:
        return f"SELECT email, first_name, last_name FROM {self.table}" + (f" WHERE {where}" if where else "")

    def linkedin_connection(self, name: str) -> str:
        """A new LinkedIn Ads connection (authorized with the account's credentials)."""
        secrets = {k: v for k, v in self.linkedin.items() if k != "account"}
        account = self.linkedin["account"]
        return str(self.data("POST", "/api/connections", json={
            "name": name, "type": "linkedinads",
            "configuration": {**secrets, "accounts": [{"value": account, "label": account}]}})["id"])

    def snowflake_connection(self, name: str) -> str:
        return str(self.data("POST", "/api/connections", json={
            "name": name, "type": "snowflake", "configuration": dict(self.snowflake)})["id"])


def _from_environment() -> Account | None:
    url, key = os.environ.get("POLYTOMIC_TEST_DEPLOYMENT_URL"), os.environ.get("POLYTOMIC_TEST_API_KEY")
    if not (url or key):
        return None
    missing = [name for name in ("POLYTOMIC_TEST_DEPLOYMENT_URL", "POLYTOMIC_TEST_API_KEY",
                                 *_SNOWFLAKE.values(), *_LINKEDIN.values()) if not os.environ.get(name)]
    if missing:
        pytest.skip(f"live tests need {', '.join(missing)} as well (see README, 'Live tests')")
    assert url and key
    return Account(url=url.rstrip("/"), api_key=key,
                   snowflake={k: os.environ[v] for k, v in _SNOWFLAKE.items()} | (
                       {"warehouse": os.environ["POLYTOMIC_TEST_SNOWFLAKE_WAREHOUSE"]}
                       if os.environ.get("POLYTOMIC_TEST_SNOWFLAKE_WAREHOUSE") else {}),
                   linkedin={k: os.environ[v] for k, v in _LINKEDIN.items()},
                   table=os.environ.get("POLYTOMIC_TEST_SNOWFLAKE_TABLE", "users"), emulated=False)


def _on_the_emulator() -> bool:
    """Whether the suite runs against the `--no-admin` emulator (no deployment is configured)."""
    configured = os.environ.get("POLYTOMIC_TEST_DEPLOYMENT_URL") or os.environ.get("POLYTOMIC_TEST_API_KEY")
    return os.environ.get("POLYTOMIC_TEST_LIVE_EMULATOR") == "1" and not configured


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """Against the emulator a live test that skips fails: the emulator has all a test needs, and a
    test that may skip in CI (say, by the order the workers run the files in) proves nothing."""
    report: pytest.TestReport = yield
    if report.skipped and _on_the_emulator():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped against the emulator, where every live test must run: {reason}"
    return report


def clean_up_earlier_runs(account: Account) -> list[tuple[str, str, str]]:
    """Delete what earlier live runs left (an interrupted run cannot clean up after itself)."""
    deleted = account.delete_named(f"{LIVE_PREFIX}-", but=RUN_PREFIX)
    for collection, object_id, name in deleted:
        print(f"live cleanup: deleted {collection} {object_id} {name!r}", file=sys.stderr)
    return deleted


@pytest.fixture(scope="session")
def live_account(request: pytest.FixtureRequest) -> Iterator[Account]:
    """The deployment the live suite runs against; afterwards, nothing of this run is left in it."""
    account = _from_environment()
    if account is None:
        if not _on_the_emulator():
            pytest.skip("live tests run against a deployment: set POLYTOMIC_TEST_DEPLOYMENT_URL and "
                        "POLYTOMIC_TEST_API_KEY (and the credentials the README names), or "
                        "POLYTOMIC_TEST_LIVE_EMULATOR=1 for a --no-admin emulator")
        emulator: Emulator = request.getfixturevalue("public_emulator")
        account = Account(url=emulator.url, api_key=emulator.api_key, snowflake=_EMULATED_SNOWFLAKE,
                          linkedin=_EMULATED_LINKEDIN, table="users", emulated=True)
    if request.config.getoption("--live-cleanup"):
        clean_up_earlier_runs(account)
    before, audiences_before = account.objects(), account.all_audiences()
    yield account
    left = account.delete_named(SESSION_PREFIX)
    assert not left, f"the live tests left objects behind (deleted now): {left}"
    minted = {name for id_, name in account.all_audiences().items() if id_ not in audiences_before}
    unexpected = {name for name in minted if name != REUSED_AUDIENCE and not name.startswith(RUN_PREFIX)}
    assert not unexpected, f"the live tests made audiences besides the reused and the new one: {unexpected}"
    if account.emulated:
        assert account.objects() == before, "the emulator does not hold the objects it started with"


@pytest.fixture(scope="session")
def find_audience(live_account: Account) -> Iterator[Callable[[str], str | None]]:
    """Finds an audience of the account by name (None if there is none), through a LinkedIn Ads
    connection of its own."""
    connection = live_account.linkedin_connection(f"{SESSION_PREFIX} audience lookup")
    try:
        yield lambda name: live_account.audience(connection, name)
    finally:
        live_account.api("DELETE", f"/api/connections/{connection}", params={"force": "true"})


@pytest.fixture(scope="session")
def reused_audience(live_account: Account, find_audience: Callable[[str], str | None],
                    tmp_path_factory: pytest.TempPathFactory) -> str:
    """The suite's audience. Made once per account, here through the API (a sync with
    `target.create`, deleted with its model and connections at once)."""
    # The workers of a run share the temp root: one looks while the others wait, so a fresh
    # account gets one such audience, not one per worker.
    with open(tmp_path_factory.getbasetemp().parent / "pclive-reused-audience.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return find_audience(REUSED_AUDIENCE) or _mint_reused_audience(live_account)


def _mint_reused_audience(live_account: Account) -> str:
    source = live_account.snowflake_connection(f"{SESSION_PREFIX} mint source")
    destination = live_account.linkedin_connection(f"{SESSION_PREFIX} mint destination")
    try:
        model = live_account.data("POST", "/api/models", json={
            "name": f"{SESSION_PREFIX} mint", "connection_id": source,
            "configuration": {"query": f"SELECT email FROM {live_account.table}"}})
        sync = live_account.data("POST", "/api/syncs", json={
            "name": f"{SESSION_PREFIX} mint", "mode": "create", "schedule": {"frequency": "manual"},
            "target": {"connection_id": destination, "create": {
                "account": live_account.linkedin["account"], "type": "user_audience",
                "name": REUSED_AUDIENCE}},
            "identity": {"source": {"model_id": model["id"], "field": "email"}, "target": "Email",
                         "function": "Equality"},
            "fields": []})
        return str(sync["target"]["object"])
    finally:
        for connection in (source, destination):
            live_account.api("DELETE", f"/api/connections/{connection}", params={"force": "true"})


@attrs.frozen
class LiveStack:
    """One stack of a copy of the reference project, run with the `pulumi` CLI."""

    directory: Path
    name: str
    env: dict[str, str]
    #: Every object of this stack is named `<prefix>-...`.
    prefix: str

    def run(self, *args: str, check: bool = True, timeout: int = 600,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(["pulumi", *args, "--stack", self.name, "--non-interactive"],
                                cwd=self.directory, env=self.env, capture_output=True, text=True,
                                timeout=timeout, input=stdin)
        if check and result.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def up(self) -> dict[str, Any]:
        """`pulumi up`, then the stack's outputs."""
        self.run("up", "--yes", "--skip-preview")
        return self.outputs()

    def outputs(self) -> dict[str, Any]:
        return json.loads(self.run("stack", "output", "--json", "--show-secrets").stdout)  # type: ignore[no-any-return]

    def configure(self, config: dict[str, Any]) -> None:
        """Replace the stack's plain `polytomic-pipelines` config; secrets stay as set.

        Written into the stack's config file (JSON is YAML), as a user edits it."""
        path = self.directory / "stacks" / f"Pulumi.{self.name}.yaml"
        settings = yaml.safe_load(path.read_text()) or {}
        settings["config"] = {**{k: v for k, v in (settings.get("config") or {}).items()
                                 if isinstance(v, dict) and "secure" in v},
                              **{f"polytomic-pipelines:{k}": v for k, v in config.items()}}
        path.write_text(json.dumps(settings, indent=2))

    def resources(self) -> list[dict[str, Any]]:
        exported = json.loads(self.run("stack", "export").stdout)["deployment"]
        return exported.get("resources") or []  # type: ignore[no-any-return]

    def ids(self, kind: str) -> dict[str, str]:
        """`{resource name: id}` of the stack's resources of a kind (`Model`, `Sync`, ...)."""
        return {r["urn"].rsplit("::", 1)[-1]: r["id"] for r in self.resources()
                if r["type"] == f"pulumi-python:dynamic/polytomic:{kind}"}


@pytest.fixture
def live_stack(live_account: Account, engine_env: dict[str, str], tmp_path: Path,
               request: pytest.FixtureRequest) -> Iterator[Callable[..., LiveStack]]:
    """Factory: a stack of the reference project against the live account, from stack config;
    destroyed (and its objects deleted, should destroy fail) at the end of the test."""
    made: list[LiveStack] = []

    def make(config: Callable[[str], dict[str, Any]]) -> LiveStack:
        """`config(prefix)`: the stack's `polytomic-pipelines` config; secrets are added here."""
        directory = tmp_path / f"project-{len(made)}"
        (directory / "stacks").mkdir(parents=True)
        shutil.copy(REPO_ROOT / "Pulumi.yaml", directory / "Pulumi.yaml")
        shutil.copy(REPO_ROOT / "stacks" / "__main__.py", directory / "stacks" / "__main__.py")
        for venv in (directory / ".venv", directory / "stacks" / ".venv"):  # the project's virtualenv
            venv.symlink_to(REPO_ROOT / ".venv")
        # Unique in the session (it names the stack too), and says which test made the objects.
        prefix = f"{SESSION_PREFIX}-{next(_STACK_NUMBERS)}-{request.node.name[5:25].rstrip('_')}"
        stack = LiveStack(directory, prefix, {
            **engine_env, "POLYTOMIC_DEPLOYMENT_URL": live_account.url,
            "POLYTOMIC_API_KEY": live_account.api_key}, prefix)
        stack.run("stack", "init")
        made.append(stack)
        secrets = {"snowflakePassword": live_account.snowflake["password"],
                   "linkedinClientId": live_account.linkedin["client_id"],
                   "linkedinClientSecret": live_account.linkedin["client_secret"],
                   "linkedinRefreshToken": live_account.linkedin["oauth_refresh_token"]}
        for key, value in secrets.items():  # on standard input: never on a command line
            stack.run("config", "set", "--secret", f"polytomic-pipelines:{key}", stdin=value)
        stack.configure(config(prefix))
        return stack

    yield make
    for stack in made:  # the backend is throwaway: the stacks' objects are what must go
        if stack.run("destroy", "--yes", "--skip-preview", check=False).returncode != 0:
            stack.run("cancel", "--yes", check=False)  # a killed `up` leaves its lock
            stack.run("destroy", "--yes", "--skip-preview", check=False)
        live_account.delete_named(stack.prefix)

