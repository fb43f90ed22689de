"""Benchmark: the library against the engine floor and a sequential script, side by side.

For every emulator latency and pipeline count N (2 shared connections + a model and a sync per
pipeline), three variants run back to back on the same emulator, in an order that rotates:

- `floor`: no-op dynamic resources of the same shape (`bench/programs.py`): the engine's cost;
- `script`: a plain sequential `requests` script (`bench/sequential.py`): the API's cost;
- `library`: `Connection`s + `LinkedInAudiencePipeline`s (`bench/programs.py`).

The two Pulumi variants run the real `pulumi` CLI (Automation API, inline program, throwaway file
backend and PULUMI_HOME) through a whole lifecycle on a fresh stack: `up`, unchanged `preview`,
unchanged `up`, `refresh`, `destroy`. The script does the creates (as `up`), a read of every
object (as `refresh`) and a delete of every object (as `destroy`). Each measurement records the
wall time and the `/api` requests the emulator logged (reads: GET; writes: the rest).

Run from the repository root: `bench/run.sh [--quick]` (installs the plotting dependency, then
runs `python -m bench.bench_pipelines`). Writes bench/results.md, results.json and results.png
(`--out` for another directory).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import requests
from pulumi import automation as auto

from polytomic_components.emulator.server import API_ROUTES

from .sequential import SequentialScript

REPO_ROOT = Path(__file__).resolve().parent.parent
API_KEY = "bench-api-key-0123456789"
PROJECT = "polytomic-bench"
VARIANTS = ("floor", "script", "library")
DIAGNOSED_N = 50
LARGE_N = 100  # the longest runs get fewer repetitions, to keep the whole run near 20 minutes
STACK_OPS = ("up", "preview", "up-unchanged", "refresh", "destroy")
SCRIPT_OPS = {"up": "create", "refresh": "read", "destroy": "delete"}
#: POST endpoints that only ask a question: they count as reads.
_QUERY_POSTS = ("/api/connection_types/{type}/parameter_values", "/api/model-preview",
                "/api/connections/test")
_ROUTE_GROUP = re.compile(r"\(\?P<(\w+)>\[\^/\]\+\)")


# --- the emulator -------------------------------------------------------------------------------


@dataclass
class Emulator:
    """A running emulator's admin API (loopback only, no API key)."""

    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU the emulator process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = requests.request(method, f"{self.url}/__emulator/{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self, latency_ms: int) -> None:
        """Seeded state, empty request log, the given latency on every /api request."""
        self.admin("POST", "reset")
        self.admin("PUT", "faults", {"latency_ms": latency_ms})

    def take_requests_log(self) -> list[dict[str, Any]]:
        log: list[dict[str, Any]] = self.admin("GET", "requests")["data"]
        self.admin("DELETE", "requests")
        return log


@contextmanager
def running_emulator(db_path: Path, source: Path) -> Iterator[Emulator]:
    """`python -m polytomic_components.emulator` of `source` on a free loopback port (as
    tests/conftest.py starts it)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "polytomic_components.emulator", "--host", "127.0.0.1",
         "--port", "0", "--db", str(db_path), "--api-key", API_KEY],
        stdout=subprocess.PIPE, text=True, cwd=source)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        if "listening on " not in banner:
            raise RuntimeError(f"emulator did not start: {banner!r}")
        yield Emulator(banner.rsplit("listening on ", 1)[1].strip(), process.pid)
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


def engine_env(bin_dir: Path, scratch: Path, source: Path) -> dict[str, str]:
    """Offline engine: throwaway PULUMI_HOME and file backend, passphrase secrets, no downloads;
    programs and providers import `source`'s packages."""
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
        # The provider process imports the classes it unpickles: the library's and bench.programs'.
        "PYTHONPATH": str(source),
    }


def write_project(directory: Path) -> Path:
    """The benchmark's Pulumi project: `bench.programs.main`, run by the venv's Python.

    A project rather than an inline program: each operation runs the program in a new process, as
    for users (an inline program shares the benchmark's process, where the Pulumi SDK's provider
    pickling nests one more wrapper per resource until it exceeds Python's recursion limit).
    """
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text(
        f"name: {PROJECT}\nruntime:\n  name: python\n  options:\n    virtualenv: {sys.prefix}\n")
    (directory / "__main__.py").write_text("from bench.programs import main\n\nmain()\n")
    return directory


@dataclass
class Engine:
    command: auto.PulumiCommand
    env: dict[str, str]
    work_dir: Path
    emulator: Emulator

    @contextmanager
    def stack(self, variant: str, pipelines: int, env: dict[str, str] | None = None) -> Iterator[auto.Stack]:
        """A new stack of the project running `variant`; destroyed and removed after."""
        stack = auto.create_stack(
            stack_name=f"bench-{uuid.uuid4().hex[:8]}", work_dir=str(self.work_dir),
            opts=auto.LocalWorkspaceOptions(env_vars={**self.env, **(env or {})},
                                            pulumi_command=self.command))
        stack.set_all_config({
            "bench:variant": auto.ConfigValue(variant),
            "bench:pipelines": auto.ConfigValue(str(pipelines)),
            "polytomic:apiKey": auto.ConfigValue(API_KEY, secret=True),
            "polytomic:deploymentUrl": auto.ConfigValue(self.emulator.url),
        })
        try:
            yield stack
        finally:
            stack.destroy(on_output=_quiet)  # a no-op when the lifecycle's destroy ran
            stack.workspace.remove_stack(stack.name)


def _quiet(_line: str) -> None:
    """Engine output is not part of the measurement."""


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Measurement:
    variant: str
    latency_ms: int
    n: int
    op: str
    rep: int
    seconds: float
    reads: int
    writes: int
    outcome: str
    requests_by_path: dict[str, int] = field(default_factory=dict)
    #: Seconds in which at least one request was inside the emulator's injected latency.
    api_busy_s: float = 0.0
    #: CPU seconds of the operation's processes (the pulumi CLI and its children, or the script)
    #: and of the emulator meanwhile; against wall time on 2 cores they say whether CPU bound.
    cpu_s: float = 0.0
    emulator_cpu_s: float = 0.0
    #: (seconds since the operation started, endpoint) of each request; kept for the library at N=50.
    timeline: list[tuple[float, str]] = field(default_factory=list)


def _template(entry: dict[str, Any]) -> str:
    """The emulator's route template a logged request matched: `/api/connections/{id}`."""
    for method, pattern, _handler in API_ROUTES:
        if method == entry["method"] and pattern.fullmatch(entry["path"]):
            return _ROUTE_GROUP.sub(r"{\1}", pattern.pattern)
    return entry["path"]


def _cpu_seconds() -> float:
    """CPU used by this process and its finished children (each pulumi command and what it ran)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _arrival(entry: dict[str, Any]) -> float:
    """When the emulator received a logged request, in seconds since the epoch."""
    return datetime.fromisoformat(entry["at"].replace("Z", "+00:00")).timestamp()


def _busy_seconds(log: list[dict[str, Any]], latency_ms: int) -> float:
    """The length of the union of [arrival, arrival + latency] over the logged requests.

    Compared with requests x latency it says how many requests overlapped: 1 = strictly serial.
    """
    starts = sorted(_arrival(e) for e in log)
    busy, until, latency = 0.0, float("-inf"), latency_ms / 1000
    for start in starts:
        busy += start + latency - max(start, until) if start + latency > until else 0.0
        until = max(until, start + latency)
    return round(busy, 3)


def _is_read(entry: dict[str, Any]) -> bool:
    return entry["method"] == "GET" or _template(entry) in _QUERY_POSTS


_ENGINE_RESULTS = (auto.UpResult, auto.PreviewResult, auto.RefreshResult, auto.DestroyResult)


def _outcome(result: Any) -> str:
    """The engine's summary of what it did (up, refresh, destroy) or would do (preview)."""
    preview = isinstance(result, auto.PreviewResult)
    counts = result.change_summary if preview else result.summary.resource_changes
    return " ".join(f"{op}={count}" for op, count in sorted((counts or {}).items()))


@dataclass
class Bench:
    engine: Engine
    started: float = field(default_factory=time.perf_counter)
    measurements: list[Measurement] = field(default_factory=list)
    state_bytes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def measure(self, variant: str, latency_ms: int, n: int, op: str, rep: int,
                action: Callable[[], Any]) -> Any:
        """Time `action`, take the emulator's log of its requests; a failed action is recorded too."""
        self.engine.emulator.take_requests_log()
        cpu_before, emulator_before = _cpu_seconds(), self.engine.emulator.cpu_seconds()
        start, started_at = time.perf_counter(), time.time()
        result = None
        try:
            result = action()
        except (auto.CommandError, requests.RequestException) as error:
            outcome = "FAILED: " + _error_summary(str(error))
        else:
            outcome = _outcome(result) if isinstance(result, _ENGINE_RESULTS) else "ok"
        seconds = time.perf_counter() - start
        cpu, emulator_cpu = _cpu_seconds() - cpu_before, self.engine.emulator.cpu_seconds() - emulator_before
        log = self.engine.emulator.take_requests_log()
        reads = sum(_is_read(entry) for entry in log)
        measurement = Measurement(variant, latency_ms, n, op, rep, seconds, reads, len(log) - reads, outcome,
                                  dict(Counter(f"{e['method']} {_template(e)}" for e in log).most_common()),
                                  _busy_seconds(log, latency_ms), round(cpu, 2), round(emulator_cpu, 2))
        if variant == "library" and n == DIAGNOSED_N:
            measurement.timeline = [(round(_arrival(e) - started_at, 3), f"{e['method']} {_template(e)}")
                                    for e in log]
        self.measurements.append(measurement)
        print(f"[{time.perf_counter() - self.started:6.0f} s] {variant:<8} {latency_ms:>3} ms N={n:<3} "
              f"{op:<13} {seconds:7.2f} s  {reads:>4} reads {measurement.writes:>4} writes  {outcome}",
              file=sys.stderr, flush=True)
        return result

    def stack_lifecycle(self, variant: str, latency_ms: int, n: int, rep: int,
                        ops: tuple[str, ...] = STACK_OPS, *, label: str | None = None,
                        env: dict[str, str] | None = None) -> None:
        """`ops` on a fresh stack of `variant`, recorded under `label` (default: the variant)."""
        self.engine.emulator.reset(latency_ms)
        with self.engine.stack(variant, n, env) as stack:
            for op in ops:
                action = {"up": stack.up, "up-unchanged": stack.up, "preview": stack.preview,
                          "refresh": stack.refresh, "destroy": stack.destroy}[op]
                self.measure(label or variant, latency_ms, n, op, rep,
                             lambda action=action: action(on_output=_quiet))
                if op == "up" and rep == 0 and label is None:
                    self.state_bytes[f"{variant} N={n}"] = state_sizes(stack)

    def checkpoint_cost(self, n: int) -> None:
        """`up` and `destroy` at 0 ms with and without the engine's checkpoints, back to back.

        A diagnosis only: PULUMI_SKIP_CHECKPOINTS trades away crash safety, nobody should run so.
        """
        for variant in ("floor", "library"):
            self.stack_lifecycle(variant, 0, n, 0, ("up", "destroy"), label=f"{variant}, checkpoints")
            self.stack_lifecycle(variant, 0, n, 0, ("up", "destroy"), label=f"{variant}, no checkpoints",
                                 env={"PULUMI_SKIP_CHECKPOINTS": "true"})

    def script_lifecycle(self, latency_ms: int, n: int, rep: int) -> None:
        self.engine.emulator.reset(latency_ms)
        script = SequentialScript(self.engine.emulator.url, API_KEY)
        try:
            created = self.measure("script", latency_ms, n, "up", rep, lambda: script.create(n))
            self.measure("script", latency_ms, n, "refresh", rep, lambda: script.read(created))
            self.measure("script", latency_ms, n, "destroy", rep, lambda: script.delete(created))
        finally:
            script.close()

    def run(self, latencies: list[int], sizes: list[int], reps: int, large_reps: int) -> None:
        """Every (latency, N) block runs the three variants back to back, order rotating;
        then the checkpoint cost for each N from 50 up (or the largest N)."""
        block = 0
        for latency_ms in latencies:
            for n in sizes:
                for rep in range(large_reps if n >= LARGE_N else reps):
                    order = VARIANTS[block % 3:] + VARIANTS[:block % 3]
                    block += 1
                    for variant in order:
                        if variant == "script":
                            self.script_lifecycle(latency_ms, n, rep)
                        else:
                            self.stack_lifecycle(variant, latency_ms, n, rep)
        for n in [n for n in sizes if n >= DIAGNOSED_N] or [max(sizes)]:
            self.checkpoint_cost(n)


def _error_summary(text: str) -> str:
    """The engine's error lines (or the last line) of a failed command, on one line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return " / ".join(errors[:3] or lines[-1:])[:400]


def state_sizes(stack: auto.Stack) -> dict[str, Any]:
    """Bytes of the checkpoint; per resource kind the mean bytes of one entry and of its fields."""
    deployment = stack.export_stack().deployment
    entries: dict[str, list[dict[str, Any]]] = {}
    for entry in deployment.get("resources", []):
        entries.setdefault(_kind(entry), []).append(entry)

    def mean_bytes(values: list[Any]) -> int:
        return round(statistics.mean(_json_bytes(v) for v in values))

    return {"checkpoint": _json_bytes(deployment),
            "per_resource": {kind: {"count": len(group), "mean": mean_bytes(group),
                                    "fields": {name: mean_bytes([r.get(name) for r in group if name in r])
                                               for name in sorted({k for r in group for k in r})}}
                             for kind, group in sorted(entries.items())}}


def _kind(resource: dict[str, Any]) -> str:
    """`Sync`, `Model`, ...; the floor's no-op resources by the role their name gives."""
    kind = resource["type"].rsplit(":", 1)[-1]
    if kind == "Noop":
        name = resource["urn"].rsplit("::", 1)[-1]
        role = name.rsplit("-", 1)[-1] if "-" in name else "connection"
        kind += f" ({role})"
    return kind


def _json_bytes(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")))


# --- the run ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="N = 1 10 at 100 ms only, one repetition (for iterating)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 50, 100], metavar="N")
    parser.add_argument("--latencies", type=int, nargs="+", default=[0, 100], metavar="MS")
    parser.add_argument("--reps", type=int, default=3,
                        help=f"repetitions for N < {LARGE_N}: medians and median ratios are reported")
    parser.add_argument("--large-reps", type=int, default=2, help=f"repetitions for N >= {LARGE_N}")
    parser.add_argument("--at", metavar="REV",
                        help="measure this commit (e.g. HEAD), extracted to a scratch directory, "
                             "instead of the working tree with whatever it has uncommitted")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="where results.md/.json/.png go (default: bench/)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.latencies, args.reps, args.large_reps = [1, 10], [100], 1, 1
    return args


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(REPO_ROOT), *args], capture_output=True, check=True)


def working_tree_revision() -> str:
    """HEAD, and whether the library in the working tree differs from it."""
    head = _git("rev-parse", "HEAD").stdout.decode().strip()
    dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "diff", "--quiet", "HEAD", "--",
                            "polytomic_components"]).returncode != 0
    return head + (" with uncommitted changes in polytomic_components/ (the working tree)" if dirty else "")


def extract_commit(revision: str, directory: Path) -> str:
    """`revision`'s files (library and bench) into `directory`, untouched by uncommitted work."""
    commit = _git("rev-parse", "--verify", f"{revision}^{{commit}}").stdout.decode().strip()
    directory.mkdir()
    archive = _git("archive", "--format=tar", commit).stdout
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive, check=True)
    return commit


def main(argv: list[str] | None = None) -> int:
    from .report import write_results

    args = parse_args(argv)
    # A plain `kill` unwinds through the `finally` blocks, so the emulator and stacks go with us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started_at, load_at_start = datetime.now(timezone.utc), os.getloadavg()
    bin_dir = pulumi_bin_dir()
    command = auto.PulumiCommand(root=str(bin_dir.parent))
    with tempfile.TemporaryDirectory(prefix="polytomic-bench-") as scratch_name:
        scratch = Path(scratch_name)
        if args.at:
            source = scratch / "source"
            revision = extract_commit(args.at, source)
        else:
            source, revision = REPO_ROOT, working_tree_revision()
        print(f"measuring {revision}", file=sys.stderr, flush=True)
        with running_emulator(scratch / "emulator.db", source) as emulator:
            project = write_project(scratch / "project")
            bench = Bench(Engine(command, engine_env(bin_dir, scratch, source), project, emulator))
            bench.run(args.latencies, args.sizes, args.reps, args.large_reps)
    meta = {"commit": revision, "started": started_at.strftime("%Y-%m-%d %H:%M UTC"),
            "runtime_s": round(time.perf_counter() - bench.started),
            "pulumi": str(command.version), "python": sys.version.split()[0], "cpus": os.cpu_count(),
            "sizes": args.sizes, "latencies": args.latencies, "reps": args.reps,
            "large_reps": args.large_reps, "large_n": LARGE_N,
            "load_average": [*load_at_start, *os.getloadavg()]}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(
        {"meta": meta, "state_bytes": bench.state_bytes,
         "measurements": [asdict(m) for m in bench.measurements]}, indent=1) + "\n")
    write_results(args.out)
    print(f"wrote {args.out / 'results.md'} in {meta['runtime_s']} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
