"""Shared fixtures: one Polytomic emulator per test session, and the real Pulumi engine.

The emulator runs as its own process on loopback, exactly as the main job starts it, and is reset
before each test that asks for it. Engine fixtures run the real `pulumi` CLI offline: a throwaway
file backend and PULUMI_HOME, passphrase secrets, no update checks and no plugin downloads.
"""

from __future__ import annotations

import os
import re
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

from tests.front_end import FrontEnd
from tests.shared_backends import PostgresServer, SharedBackend, postgres_server, s3_backend

REPO_ROOT = Path(__file__).resolve().parent.parent
EMULATOR_API_KEY = "test-api-key-0123456789"
_ASKING_POST = re.compile(r"/api/model-preview|/api/connection_types/[^/]+/parameter_values")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--live-cleanup", action="store_true",
                     help="before the live tests, delete every object an earlier, interrupted live "
                          "run left (names starting with 'pclive-'); see tests/live/conftest.py")


@attrs.frozen
class Emulator:
    """A running emulator and its test-only admin API."""

    url: str
    api_key: str

    def _admin(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, f"{self.url}/__emulator/{path}", timeout=10, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self) -> None:
        self._admin("POST", "reset")

    def requests_log(self) -> list[dict[str, Any]]:
        return self._admin("GET", "requests")["data"]

    def clear_requests_log(self) -> None:
        self._admin("DELETE", "requests")

    def writes(self) -> list[dict[str, Any]]:
        """Logged requests that could have changed state: anything but GET, and but the POSTs
        that only ask (a model preview, a connection type's parameter values)."""
        return [r for r in self.requests_log() if r["method"] not in ("GET", "HEAD")
                and not _ASKING_POST.fullmatch(r["path"])]

    def set_faults(self, **faults: Any) -> None:
        self._admin("PUT", "faults", json=faults)

    def state(self) -> dict[str, Any]:
        return self._admin("GET", "state")["data"]

    def audiences(self) -> list[dict[str, Any]]:
        """Every audience in the simulated LinkedIn accounts (kept when Pulumi deletes syncs)."""
        return self._admin("GET", "audiences")["data"]

    def api(self, method: str, path: str, *, headers: dict[str, str] | None = None,
            **kwargs: Any) -> requests.Response:
        """A raw call to the emulated REST API, for arranging state behind Pulumi's back."""
        sent = {"Authorization": f"Bearer {self.api_key}", "X-Polytomic-Version": "2025-09-18",
                **(headers or {})}
        return requests.request(method, f"{self.url}{path}", headers=sent, timeout=10, **kwargs)


def start_emulator(db_path: Path, api_key: str, *options: str) -> tuple[subprocess.Popen[str], str]:
    """Start `python -m polytomic_components.emulator` on a free loopback port; return it and its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "polytomic_components.emulator",
         "--host", "127.0.0.1", "--port", "0", "--db", str(db_path), "--api-key", api_key, *options],
        stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    if "listening on " not in banner:
        process.kill()
        raise RuntimeError(f"emulator did not start: {banner!r}")
    return process, banner.rsplit("listening on ", 1)[1].strip()


@pytest.fixture(scope="session")
def emulator_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    process, url = start_emulator(tmp_path_factory.mktemp("emulator") / "state.db", EMULATOR_API_KEY)
    try:
        yield Emulator(url=url, api_key=EMULATOR_API_KEY)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def public_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """An emulator that plays a real deployment (`--no-admin`): the public API only, never reset.

    Tests that use it leave it with the objects it started with (the live suite asserts so)."""
    process, url = start_emulator(tmp_path_factory.mktemp("public-emulator") / "state.db",
                                  EMULATOR_API_KEY, "--no-admin")
    try:
        yield Emulator(url=url, api_key=EMULATOR_API_KEY)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def emulator(emulator_session: Emulator) -> Emulator:
    """The session's emulator, reset to its seeded state (no faults, empty request log)."""
    emulator_session.reset()
    return emulator_session


@pytest.fixture
def front_end(emulator: Emulator) -> Iterator[FrontEnd]:
    """A real reverse proxy on 127.0.0.1 in front of the emulator (relaying faithfully until a
    test picks a perturbation with `front_end.perturb(...)`)."""
    proxy = FrontEnd(emulator.url)
    yield proxy
    proxy.close()


# --- the real Pulumi engine -------------------------------------------------------------------


def script_bin_dir(script: str, *args: str) -> Path:
    """The bin dir a scripts/install-*.sh prints (what it provides is built once, then cached)."""
    result = subprocess.run(["bash", str(REPO_ROOT / "scripts" / script), *args],
                            check=True, capture_output=True, text=True)
    return Path(result.stdout.strip().splitlines()[-1])


def project_env(engine_env: dict[str, str], *bin_dirs: Path) -> dict[str, str]:
    """`engine_env` as a user's project sees it, with `bin_dirs` first on PATH: no PULUMI_PYTHON_CMD
    or PYTHONPATH, so the project's own settings must lead the engine to the provider."""
    env = {k: v for k, v in engine_env.items() if k not in ("PULUMI_PYTHON_CMD", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join([*map(str, bin_dirs), env["PATH"]])
    return env


def init_project(directory: Path, env: dict[str, str], *args: str) -> str:
    """`python -m polytomic_components init-project`, as users run it; what it printed."""
    result = subprocess.run([sys.executable, "-m", "polytomic_components", "init-project", str(directory),
                             *args], env=env, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def set_up_language_project(language: str, host: str, engine_env: dict[str, str],
                            directory: Path) -> tuple[Project, str]:
    """A copy of the reference project stacks/<language>/ at `directory`, set up by `init-project`
    as users set theirs up, with the `host` language host first on PATH (the repository's script
    builds it where it is not cached yet); and what `init-project` printed."""
    env = project_env(engine_env, script_bin_dir("install-pulumi-language-host.sh", host))
    shutil.copytree(REPO_ROOT / "stacks" / language, directory,
                    ignore=shutil.ignore_patterns("node_modules", "sdks", ".polytomic", "bin"))
    return Project(directory, env), init_project(directory, env)


@pytest.fixture(scope="session")
def pulumi_bin_dir() -> Path:
    """The bin dir of the engine that scripts/install-pulumi.sh provides (cached after the first build)."""
    return script_bin_dir("install-pulumi.sh")


@pytest.fixture(scope="session")
def engine_env(pulumi_bin_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for every `pulumi` run: offline, throwaway state and home, no credentials.

    Stacks get the emulator's URL and key through stack config, as users set theirs."""
    home = tmp_path_factory.mktemp("pulumi-home")
    backend = tmp_path_factory.mktemp("pulumi-backend")
    venv_bin = str(Path(sys.executable).parent)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "POLYTOMIC_"))},
        "PATH": os.pathsep.join([str(pulumi_bin_dir), venv_bin, os.environ.get("PATH", "")]),
        "PULUMI_HOME": str(home),
        "PULUMI_BACKEND_URL": backend.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "test-passphrase",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": sys.executable,
        # The provider process imports the resource classes it unpickles, test ones included.
        "PYTHONPATH": str(REPO_ROOT),
    }


@pytest.fixture
def inline_stack(engine_env: dict[str, str], pulumi_bin_dir: Path, tmp_path: Path,
                 ) -> Iterator[Callable[..., Any]]:
    """Factory for an Automation API stack running an inline program; destroyed and removed after."""
    from pulumi import automation as auto

    command = auto.PulumiCommand(root=str(pulumi_bin_dir.parent))
    stacks: list[Any] = []

    def make(program: Callable[[], None], *, config: dict[str, auto.ConfigValue] | None = None,
             project: str = "polytomic-test", stack_name: str | None = None,
             backend: Path | None = None) -> auto.Stack:
        """`backend`: a state directory of its own (a second team, or CI beside a laptop)."""
        env = {**engine_env, **({"PULUMI_BACKEND_URL": backend.as_uri()} if backend else {})}
        if backend:
            backend.mkdir(parents=True, exist_ok=True)
        work_dir = tmp_path / f"work-{backend.name}" if backend else tmp_path
        work_dir.mkdir(exist_ok=True)
        stack = auto.create_or_select_stack(
            stack_name=stack_name or f"t{uuid.uuid4().hex[:10]}",
            project_name=project,
            program=program,
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(work_dir), env_vars=env, pulumi_command=command,
                project_settings=auto.ProjectSettings(name=project, runtime="python"),
            ),
        )
        if config:
            stack.set_all_config(config)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        try:
            stack.destroy(on_output=lambda _line: None)
        finally:
            stack.workspace.remove_stack(stack.name)


@pytest.fixture
def polytomic_stack(inline_stack: Callable[..., Any], emulator: Emulator) -> Callable[..., Any]:
    """Factory for an inline stack whose providers reach the emulator through stack config."""
    from pulumi import automation as auto

    def make(program: Callable[[], None], **kwargs: Any) -> Any:
        config = {
            "polytomic:apiKey": auto.ConfigValue(emulator.api_key, secret=True),
            "polytomic:deploymentUrl": auto.ConfigValue(emulator.url),
            **kwargs.pop("config", {}),
        }
        return inline_stack(program, config=config, **kwargs)

    return make


@pytest.fixture
def backend_text(engine_env: dict[str, str]) -> Callable[[], str]:
    """Everything the file backend holds (state, history, backups) as text, as stored on disk."""
    root = Path(engine_env["PULUMI_BACKEND_URL"].removeprefix("file://"))

    def read() -> str:
        return "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())

    return read


# --- the repository as a clone holds it ---------------------------------------------------


def tracked_copy(destination: Path) -> Path:
    """The files git tracks or would add, symlinks kept as links (stacks/.venv -> ../.venv)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO_ROOT, check=True, capture_output=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source, target = REPO_ROOT / name, destination / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree, not yet committed
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    return destination


@attrs.frozen
class Project:
    """A copy of the reference project (Pulumi.yaml + stacks/) run with the `pulumi` CLI."""

    directory: Path
    env: dict[str, str]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(["pulumi", *args, "--non-interactive"], cwd=self.directory,
                                env=self.env, capture_output=True, text=True, timeout=600)
        if check and result.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result


@pytest.fixture
def reference_project(engine_env: dict[str, str], emulator: Emulator, tmp_path: Path) -> Iterator[Project]:
    """The reference project, as users run it, against the emulator; its stacks destroyed after."""
    directory = tmp_path / "project"
    (directory / "stacks").mkdir(parents=True)
    for name in ("Pulumi.yaml", *(f"stacks/{p.name}" for p in (REPO_ROOT / "stacks").glob("*.*")
                                  if p.is_file() and not p.is_symlink())):
        (directory / name).write_bytes((REPO_ROOT / name).read_bytes())
    (directory / ".venv").symlink_to(REPO_ROOT / ".venv")
    (directory / "stacks" / ".venv").symlink_to(REPO_ROOT / ".venv")
    env = {**engine_env, "PULUMI_CONFIG_PASSPHRASE": "polytomic-reference-stacks",
           "POLYTOMIC_DEPLOYMENT_URL": emulator.url, "POLYTOMIC_API_KEY": emulator.api_key}
    project = Project(directory, env)
    yield project
    for stack in ("dev", "staging", "prod"):
        if project.run("stack", "select", stack, check=False).returncode == 0:
            project.run("destroy", "--yes", "--stack", stack, check=False)
            project.run("stack", "rm", "--yes", "--force", stack, check=False)


# --- shared state backends ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_session() -> Iterator[PostgresServer]:
    """One PostgreSQL server per test session (it takes seconds to start); a database per test."""
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["s3", "postgres"])
def shared_backend(request: pytest.FixtureRequest) -> Iterator[SharedBackend]:
    """Each shared state backend in turn: an S3 bucket, then a PostgreSQL database of its own."""
    if request.param == "s3":
        with s3_backend() as backend:
            yield backend
    else:
        yield request.getfixturevalue("postgres_session").database()
