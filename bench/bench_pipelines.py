"""Benchmark: `pulumi up` of N LinkedInAudiencePipeline components against the local emulator.

Every row runs the real Pulumi engine offline (Automation API, inline program, throwaway file
backend) against a Polytomic emulator process this script starts on loopback. The program creates
one Snowflake and one LinkedIn Ads connection and N pipelines sharing them, each with its own
model and a sync into the same seeded audience: 2 + 2N Polytomic objects.

Rows (N_max is the largest of --sizes):

1. `pulumi up` for each N in --sizes; the first is the baseline every ratio is taken against.
   For N_max also the follow-up no-change `preview` on the same stack.
2. `pulumi up` of N_max with 50 ms emulator latency per request: the dynamic-provider host serves
   at most 4 engine calls at a time, so the added time shows how much of the latency overlaps.
3. `pulumi up` of N_max with injected faults (20 % 429, 10 % 503, Retry-After 0, fixed seed):
   the time, and whether the emulator then holds exactly the expected objects (no duplicates).

Each row reports wall time, its ratio to the baseline row, and the /api requests the emulator
logged (all of them, retried ones included; "writes" are those other than GET). Each row uses a
freshly reset emulator and a fresh stack, destroyed afterwards. About a minute on 2 cores.

Run from the repository root:

    .venv/bin/python bench/bench_pipelines.py [--sizes 1 5 20]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import requests
from pulumi import automation as auto

from polytomic_components import Connection, LinkedInAudiencePipeline
from polytomic_components.args import LinkedInAudiencePipelineArgs, LinkedInDestination, SnowflakeSource

REPO_ROOT = Path(__file__).resolve().parent.parent
API_KEY = "bench-api-key-0123456789"
PROJECT = "polytomic-bench"
ACCOUNT = "512630692::urn:li:organization:28818517"
AUDIENCE = f"{ACCOUNT}~user_audience.29728401"
LATENCY_MS = 50
FAULTS = {"error_429_rate": 0.2, "error_5xx_rate": 0.1, "retry_after_seconds": 0, "seed": 20250918}
WRITE_METHODS = ("POST", "PUT", "DELETE", "PATCH")


# --- the emulator -------------------------------------------------------------------------------


@dataclass
class Emulator:
    """A running emulator's admin API (loopback only, no API key)."""

    url: str

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = requests.request(method, f"{self.url}/__emulator/{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self) -> None:
        """Seeded state, no faults, empty request log."""
        self.admin("POST", "reset")

    def set_faults(self, settings: dict[str, Any]) -> None:
        self.admin("PUT", "faults", settings)

    def requests_log(self) -> list[dict[str, Any]]:
        return self.admin("GET", "requests")["data"]

    def clear_requests_log(self) -> None:
        self.admin("DELETE", "requests")

    def state(self) -> dict[str, int]:
        return self.admin("GET", "state")["data"]


@contextmanager
def running_emulator(db_path: Path) -> Iterator[Emulator]:
    """`python -m polytomic_components.emulator` on a free loopback port, stopped on exit."""
    process = subprocess.Popen(
        [sys.executable, "-m", "polytomic_components.emulator", "--host", "127.0.0.1",
         "--port", "0", "--db", str(db_path), "--api-key", API_KEY],
        stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()  # the emulator prints exactly this one line
        if "listening on " not in banner:
            raise RuntimeError(f"emulator did not start: {banner!r}")
        yield Emulator(banner.rsplit("listening on ", 1)[1].strip())
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the engine ---------------------------------------------------------------------------------


def pulumi_bin_dir() -> Path:
    """The engine's bin dir, from scripts/install-pulumi.sh (its last stdout line)."""
    result = subprocess.run(["bash", str(REPO_ROOT / "scripts" / "install-pulumi.sh")],
                            check=True, capture_output=True, text=True)
    return Path(result.stdout.strip().splitlines()[-1])


def engine_env(bin_dir: Path, scratch: Path) -> dict[str, str]:
    """Offline engine: throwaway PULUMI_HOME and file backend, passphrase secrets, no downloads."""
    home, backend = scratch / "pulumi-home", scratch / "pulumi-backend"
    home.mkdir()
    backend.mkdir()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "POLYTOMIC_"))}
    return {
        **inherited,
        "PATH": os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent),
                                 os.environ.get("PATH", "")]),
        "PULUMI_HOME": str(home),
        "PULUMI_BACKEND_URL": backend.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "bench-passphrase",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": sys.executable,
        "PYTHONPATH": str(REPO_ROOT),  # the provider process imports polytomic_components
    }


def pipelines_program(n: int) -> Callable[[], None]:
    """Two shared connections and `n` pipelines into one existing audience (as stacks/ does)."""
    def program() -> None:
        snowflake = SnowflakeSource(account="uc193736182", username="loader", dbname="analytics",
                                    password="bench-sf-password")
        source = Connection("snowflake", name=snowflake.name, type="snowflake",
                            configuration=snowflake.configuration(),
                            secret_configuration=snowflake.secret_configuration())
        linkedin = LinkedInDestination(accounts=[ACCOUNT], client_id="bench-client-id",
                                       client_secret="bench-client-secret",
                                       oauth_refresh_token="bench-refresh-token")
        destination = Connection("linkedin", name=linkedin.name, type="linkedinads",
                                 configuration=linkedin.configuration(),
                                 secret_configuration=linkedin.secret_configuration())
        for i in range(n):
            LinkedInAudiencePipeline(f"segment-{i:03d}", LinkedInAudiencePipelineArgs(
                model_name=f"Segment {i}",
                query=f"SELECT email, first_name, last_name FROM users WHERE id % {n} = {i}",
                source_connection_id=source.id, destination_connection_id=destination.id,
                audience_id=AUDIENCE, fields={"first_name": "FirstName", "last_name": "LastName"}))
        pulumi.export("pipelines", n)
    return program


@dataclass
class Engine:
    """Makes Automation API stacks whose providers reach the emulator through stack config."""

    command: auto.PulumiCommand
    env: dict[str, str]
    work_dir: Path
    emulator: Emulator

    def new_stack(self, program: Callable[[], None]) -> auto.Stack:
        stack = auto.create_stack(
            stack_name=f"bench-{uuid.uuid4().hex[:8]}", project_name=PROJECT, program=program,
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(self.work_dir), env_vars=self.env, pulumi_command=self.command,
                project_settings=auto.ProjectSettings(name=PROJECT, runtime="python")))
        stack.set_all_config({
            "polytomic:apiKey": auto.ConfigValue(API_KEY, secret=True),
            "polytomic:deploymentUrl": auto.ConfigValue(self.emulator.url),
        })
        return stack

    @contextmanager
    def fresh_stack(self, program: Callable[[], None]) -> Iterator[auto.Stack]:
        """A new stack on a reset emulator; destroyed (with faults off) and removed after."""
        self.emulator.reset()
        stack = self.new_stack(program)
        try:
            yield stack
        finally:
            self.emulator.set_faults({})
            stack.destroy(on_output=quiet)
            stack.workspace.remove_stack(stack.name)


def quiet(_line: str) -> None:
    """Engine output is not part of the measurement."""


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    n: int
    seconds: float
    log: list[dict[str, Any]]
    check: str

    @property
    def objects(self) -> int:
        return 2 + 2 * self.n

    @property
    def writes(self) -> int:
        return sum(entry["method"] in WRITE_METHODS for entry in self.log)

    @property
    def faulted(self) -> int:
        return sum(entry["fault"] is not None for entry in self.log)


def changes(result: auto.UpResult | auto.PreviewResult) -> str:
    """The engine's summary of what it did (up) or would do (preview), e.g. "create=63"."""
    counts = (result.summary.resource_changes if isinstance(result, auto.UpResult)
              else result.change_summary)
    return " ".join(f"{op}={count}" for op, count in sorted((counts or {}).items()))


def measure(engine: Engine, scenario: str, n: int,
            action: Callable[[], auto.UpResult | auto.PreviewResult]) -> Row:
    """Time `action` and collect the API requests it made; a failed run is a row too."""
    engine.emulator.clear_requests_log()
    start = time.perf_counter()
    try:
        result = action()
    except auto.CommandError as error:
        seconds = time.perf_counter() - start
        outcome = "FAILED: " + str(error).strip().splitlines()[-1][:80]
    else:
        seconds = time.perf_counter() - start
        outcome = changes(result)
    return Row(scenario, n, seconds, engine.emulator.requests_log(), outcome)


def up_rows(engine: Engine, n: int, *, with_preview: bool = False) -> list[Row]:
    with engine.fresh_stack(pipelines_program(n)) as stack:
        rows = [measure(engine, "up", n, lambda: stack.up(on_output=quiet))]
        if with_preview:
            rows.append(measure(engine, "preview, no change", n,
                                lambda: stack.preview(on_output=quiet)))
    return rows


def latency_row(engine: Engine, n: int) -> Row:
    with engine.fresh_stack(pipelines_program(n)) as stack:
        engine.emulator.set_faults({"latency_ms": LATENCY_MS})
        return measure(engine, f"up, latency {LATENCY_MS} ms", n,
                       lambda: stack.up(on_output=quiet))


def expected_state(seeded: dict[str, int], n: int) -> dict[str, int]:
    return {**seeded, "connections": seeded["connections"] + 2,
            "models": seeded["models"] + n, "syncs": seeded["syncs"] + n}


def faults_row(engine: Engine, n: int) -> Row:
    with engine.fresh_stack(pipelines_program(n)) as stack:
        seeded = engine.emulator.state()
        engine.emulator.set_faults(FAULTS)
        row = measure(engine, "up, 429 20 % + 503 10 %", n,
                      lambda: stack.up(on_output=quiet))
        engine.emulator.set_faults({})  # read the result without faults
        state, expected = engine.emulator.state(), expected_state(seeded, n)
        objects = state["connections"] + state["models"] + state["syncs"]
        verdict = "as expected" if state == expected else f"MISMATCH {state} != {expected}"
        row.check += f"; {objects} objects, {verdict}"
    return row


def run(engine: Engine, sizes: list[int]) -> tuple[list[Row], str]:
    """All rows, and a note on how much of the injected latency overlapped."""
    largest = max(sizes)
    rows: list[Row] = []
    for n in sizes:
        rows += up_rows(engine, n, with_preview=n == largest)
    plain = next(row for row in rows if row.n == largest)  # the first row of N_max is its up
    latency = latency_row(engine, largest)
    rows += [latency, faults_row(engine, largest)]
    return rows, latency_note(plain, latency)


# --- reporting ----------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    baseline = rows[0].seconds
    header = (f"{'scenario':<26}{'N':>4}{'objects':>9}{'wall s':>9}{'x base':>8}"
              f"{'requests':>10}{'writes':>8}{'faulted':>9}{'req/obj':>9}  check")
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(f"{row.scenario:<26}{row.n:>4}{row.objects:>9}{row.seconds:>9.2f}"
                     f"{row.seconds / baseline:>8.2f}{len(row.log):>10}{row.writes:>8}"
                     f"{row.faulted:>9}{len(row.log) / row.objects:>9.2f}  {row.check}")
    return "\n".join(lines)


def latency_note(plain: Row, latency: Row) -> str:
    """How many of the latency row's delayed requests were in flight at once, on average."""
    delayed = sum(entry["fault"] is None for entry in latency.log)
    serial = delayed * LATENCY_MS / 1000
    added = latency.seconds - plain.seconds
    if added <= 0:
        return f"latency: added no measurable time ({added:+.1f} s)"
    return (f"latency: {delayed} requests x {LATENCY_MS} ms = {serial:.1f} s if serial; the up took "
            f"{added:+.1f} s over the plain N={latency.n} up, so ~{serial / added:.1f} requests "
            "overlapped on average (the provider host serves 4 calls at a time)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 20], metavar="N",
                        help="pipeline counts for the plain `up` rows; the first is the baseline, "
                             "the largest is reused for preview, latency and fault rows "
                             "(default: 1 5 20)")
    args = parser.parse_args(argv)
    if min(args.sizes) < 1:
        parser.error("--sizes must be positive")
    return args


def source_revision() -> str:
    """The commit measured, "-dirty" when the working tree has uncommitted changes."""
    result = subprocess.run(["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty"],
                            capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A plain `kill` unwinds through the `finally` blocks, so the emulator stops with us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    bin_dir = pulumi_bin_dir()
    command = auto.PulumiCommand(root=str(bin_dir.parent))
    with tempfile.TemporaryDirectory(prefix="polytomic-bench-") as scratch_name:
        scratch = Path(scratch_name)
        with running_emulator(scratch / "emulator.db") as emulator:
            engine = Engine(command, engine_env(bin_dir, scratch), scratch, emulator)
            rows, note = run(engine, args.sizes)
    print(f"source {source_revision()}, pulumi {command.version}, python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs; x base = wall time / first row's")
    print(table(rows))
    print(note)
    print(f"total runtime {time.perf_counter() - started:.0f} s (stack setup and destroys included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
