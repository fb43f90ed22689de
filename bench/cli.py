"""Benchmark of the `pulumi` CLI commands users run, beside the engine floor, interleaved.

Platform teams run `pulumi up --yes` (a preview, then the update), `pulumi preview --refresh` for
drift and `pulumi destroy --yes`: each a new `pulumi` process, with its own program and provider
processes. For each N, each repetition makes a fresh stack per variant and runs each command on
every stack in turn (the variants' order rotating), so that the ratio of one repetition compares
runs made seconds apart on a shared, noisy machine:

- `floor`: no-op dynamic resources of the same shape (`bench/programs.py`);
- `library`: the working tree (or `--at REV`);
- `at <rev>` (with `--baseline REV`, repeatable): the library at another commit, for a
  before/after within one run.

Commands, in order, on one stack: `up --yes` (new stack), unchanged `preview --expect-no-changes`,
unchanged `up --yes`, `preview --refresh`, `destroy --yes`, then `up --yes --skip-preview` and
`destroy --yes` again. Each records wall time, the 1-minute load average when it started, the
largest resident set of any process it ran, and the emulator's `/api` requests.

`--scale` is the opt-in large run: N = 500 and 1000 (or `--sizes`), one repetition, `preview`
(new stack), `up --yes`, `preview --refresh`, `destroy --yes`, time per pipeline and peak memory;
each preview also as the reference workflows run it (`PULUMI_SKIP_CHECKPOINTS=true`: the engine
otherwise serializes the whole state after every step of a preview, which writes none).

Run: `bench/run.sh --cli [options]`; writes bench/results-cli.md and results-cli.json (`--out`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .bench_pipelines import (
    API_KEY,
    PROJECT,
    REPO_ROOT,
    Emulator,
    _is_read,
    _template,
    engine_env,
    extract_commit,
    pulumi_bin_dir,
    running_emulator,
    working_tree_revision,
    write_project,
)

#: How the reference workflows run `pulumi preview` (.github/workflows/pulumi-stack.yml): a preview
#: writes no state, yet the engine serializes the whole state after every step unless told not to.
WORKFLOW_PREVIEW = {"PULUMI_SKIP_CHECKPOINTS": "true"}
#: One command of a lifecycle: its label (`None` = not reported), pulumi arguments, environment.
Command = tuple[str | None, list[str], dict[str, str]]
#: The commands of one lifecycle, in order.
LIFECYCLE: tuple[Command, ...] = (
    ("up --yes", ["up", "--yes"], {}),
    ("preview (unchanged)", ["preview", "--expect-no-changes"], {}),
    ("up --yes (unchanged)", ["up", "--yes"], {}),
    ("preview --refresh", ["preview", "--refresh"], {}),
    ("destroy --yes", ["destroy", "--yes"], {}),
    ("up --skip-preview", ["up", "--yes", "--skip-preview"], {}),
    (None, ["destroy", "--yes"], {}),
)
SCALE_LIFECYCLE: tuple[Command, ...] = (
    ("preview (new stack)", ["preview"], {}),
    ("preview (new stack), as the workflow", ["preview"], WORKFLOW_PREVIEW),
    ("up --yes", ["up", "--yes"], {}),
    ("preview --refresh", ["preview", "--refresh"], {}),
    ("preview --refresh, as the workflow", ["preview", "--refresh"], WORKFLOW_PREVIEW),
    ("destroy --yes", ["destroy", "--yes"], {}),
)
#: The issue's targets: (N, command, at most this many times the floor's).
TARGETS = (
    (50, "up --yes", 1.7), (50, "preview --refresh", 1.7), (50, "destroy --yes", 1.5),
    (10, "up --yes", 2.0), (50, "preview (unchanged)", 1.3),
)
ZERO_CALLS = ("preview (unchanged)", "up --yes (unchanged)")


@dataclass
class Run:
    variant: str
    n: int
    rep: int
    op: str
    seconds: float
    load_1min: float
    peak_rss_mb: float
    reads: int
    writes: int
    exit_code: int
    requests_by_path: dict[str, int] = field(default_factory=dict)


@dataclass
class Variant:
    name: str
    env: dict[str, str]


@dataclass
class CliBench:
    bin_dir: Path
    project: Path
    emulator: Emulator
    runs: list[Run] = field(default_factory=list)
    #: Called after each measured command (the results are written as they come: a long run
    #: stopped early still reports what it measured).
    on_run: Any = None

    def pulumi(self, variant: Variant, stack: str, args: list[str],
               env: dict[str, str] | None = None) -> tuple[float, float, int]:
        """One `pulumi` command (with `env` added to the variant's): wall seconds, the largest RSS
        (MB) of it or any process it waited for, and its exit code. Its output goes to a log beside
        the project."""
        log = (self.project / f"{stack}.log").open("ab")
        command = [str(self.bin_dir / "pulumi"), *args, "--stack", stack, "--non-interactive",
                   "--color", "never"]
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=self.project, env={**variant.env, **(env or {})},
                                   stdout=log, stderr=log)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        log.close()
        return seconds, usage.ru_maxrss / 1024, process.returncode

    def new_stack(self, variant: Variant, n: int) -> str:
        stack = f"{variant.name.replace(' ', '-')}-{n}-{uuid.uuid4().hex[:6]}"
        run = [str(self.bin_dir / "pulumi"), "--non-interactive"]
        subprocess.run([*run, "stack", "init", stack], cwd=self.project, env=variant.env, check=True,
                       capture_output=True)
        program = "floor" if variant.name == "floor" else "library"
        for key, value, secret in (("bench:variant", program, False),
                                   ("bench:pipelines", str(n), False),
                                   ("polytomic:deploymentUrl", self.emulator.url, False),
                                   ("polytomic:apiKey", API_KEY, True)):
            subprocess.run([*run, "config", "set", "--stack", stack, key, value,
                            *(["--secret"] if secret else [])],
                           cwd=self.project, env=variant.env, check=True, capture_output=True)
        return stack

    def block(self, variants: list[Variant], n: int, rep: int, latency_ms: int,
              commands: tuple[Command, ...]) -> None:
        """A fresh stack per variant, then each command on every stack in turn, so the variants'
        runs of one command are seconds apart; the order of the variants rotates per command."""
        self.emulator.reset(latency_ms)
        stacks = [(variant, self.new_stack(variant, n)) for variant in variants]
        try:
            for index, (label, args, env) in enumerate(commands):
                shift = (rep + index) % len(stacks)
                for variant, stack in stacks[shift:] + stacks[:shift]:
                    self.run(variant, stack, n, rep, label, args, env)
        finally:
            for variant, stack in stacks:
                self.pulumi(variant, stack, ["destroy", "--yes"])
                subprocess.run([str(self.bin_dir / "pulumi"), "--non-interactive", "stack", "rm", "--yes",
                                "--force", stack], cwd=self.project, env=variant.env, capture_output=True)

    def run(self, variant: Variant, stack: str, n: int, rep: int, label: str | None, args: list[str],
            env: dict[str, str]) -> None:
        self.emulator.take_requests_log()
        load = os.getloadavg()[0]
        seconds, peak, code = self.pulumi(variant, stack, args, env)
        log = self.emulator.take_requests_log()
        if label is None:
            return
        reads = sum(_is_read(e) for e in log)
        self.runs.append(Run(variant.name, n, rep, label, round(seconds, 3), load, round(peak, 1),
                             reads, len(log) - reads, code,
                             dict(Counter(f"{e['method']} {_template(e)}" for e in log).most_common())))
        if self.on_run:
            self.on_run()
        print(f"{variant.name:<10} N={n:<4} rep {rep} {label:<36} {seconds:7.2f} s  load {load:4.1f}  "
              f"{peak:6.0f} MB  {reads:>4} reads {len(log) - reads:>4} writes  exit {code}",
              file=sys.stderr, flush=True)


# --- the report ---------------------------------------------------------------------------------


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _fmt(value: float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:.2f}{unit}"


def results_stem(meta: dict[str, Any]) -> str:
    """The results' file name: a run that skipped checkpoints never overwrites one that did not."""
    stem = "results-scale" if meta.get("scale") else "results-cli"
    return stem + ("-no-checkpoints" if meta.get("skip_checkpoints") else "")


class CliReport:
    def __init__(self, data: dict[str, Any]) -> None:
        self.meta, self.runs = data["meta"], [Run(**r) for r in data["runs"]]

    def of(self, variant: str, n: int, op: str) -> list[Run]:
        return [r for r in self.runs if (r.variant, r.n, r.op) == (variant, n, op)]

    def ratio(self, variant: str, n: int, op: str) -> float | None:
        """Median over repetitions of variant / floor within each repetition (run side by side)."""
        floor = {r.rep: r.seconds for r in self.of("floor", n, op)}
        return _median([r.seconds / floor[r.rep] for r in self.of(variant, n, op) if floor.get(r.rep)])

    def seconds(self, variant: str, n: int, op: str) -> float | None:
        return _median([r.seconds for r in self.of(variant, n, op)])

    def markdown(self) -> str:
        meta = self.meta
        variants = ["floor", "library", *sorted({r.variant for r in self.runs} - {"floor", "library"})]
        sizes = sorted({r.n for r in self.runs})
        ops = list(dict.fromkeys(r.op for r in self.runs))
        loads = [r.load_1min for r in self.runs]
        lines = [
            "# CLI benchmark results", "",
            f"Measured `{meta['commit']}`" + "".join(f", beside `{rev}`" for rev in meta.get("baselines", []))
            + f", started {meta['started']}; pulumi {meta['pulumi']}, {meta['cpus']} CPUs shared with "
            f"other work; emulator latency {meta['latency_ms']} ms; {meta['reps']} repetition(s), medians. "
            f"1-minute load average when each command started: median {statistics.median(loads):.1f}, "
            f"range {min(loads):.1f}-{max(loads):.1f} (at the start {meta['load_average'][0]:.1f}, at the "
            f"end {meta['load_average'][3]:.1f}). Whole run: {meta['runtime_s']} s. Produced by "
            f"`bench/run.sh --cli{' --scale' if meta.get('scale') else ''}"
            f"{' --skip-checkpoints' if meta.get('skip_checkpoints') else ''}`; raw numbers in "
            f"`{results_stem(meta)}.json`.", "",
            "Each command is a new `pulumi` process, as users run it. Ratios are medians of the ratios "
            "within each repetition (floor and library of one repetition ran back to back).", "",
        ]
        if meta.get("note"):
            lines += [meta["note"], ""]
        if meta.get("skip_checkpoints"):
            lines += ["Every command ran with `PULUMI_SKIP_CHECKPOINTS=true` (`--skip-checkpoints`): the "
                      "engine wrote the state once, at the end, instead of rewriting the whole file after "
                      "every step. Users do not run this way; it separates the engine's state rewrites "
                      "(which grow with the square of the stack's size) from the rest.", ""]
        if meta.get("scale"):
            return "\n".join(lines + self._scale_table(sizes, ops, variants)) + "\n"
        lines += ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
        for n, op, limit in TARGETS:
            ratio = self.ratio("library", n, op)
            if ratio is None:
                continue
            medians = (f"{_fmt(self.seconds('library', n, op), ' s')} vs "
                       f"{_fmt(self.seconds('floor', n, op), ' s')}")
            lines.append(f"| N={n}: `{op}` <= {limit}x the floor | {ratio:.2f}x (medians {medians}) "
                         f"| {'yes' if ratio <= limit else '**no**'} |")
        for op in ZERO_CALLS:
            calls = [r.reads + r.writes for r in self.runs if r.variant == "library" and r.op == op]
            if calls:
                met = "yes" if max(calls) == 0 else "**no**"
                lines.append(f"| `{op}`: 0 API calls | at most {max(calls)} | {met} |")
        head = ["N", "command", *(f"{v} s" for v in variants), *(f"{v} / floor" for v in variants[1:]),
                "library reads / writes", "library peak MB", "load (1 min)"]
        lines += ["", "## Times", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for n in sizes:
            for op in ops:
                library = self.of("library", n, op)
                if not library:
                    continue
                row = [str(n), f"`{op}`", *(_fmt(self.seconds(v, n, op)) for v in variants),
                       *(_fmt(self.ratio(v, n, op), "x") for v in variants[1:]),
                       f"{max(r.reads for r in library)} / {max(r.writes for r in library)}",
                       f"{max(r.peak_rss_mb for r in library):.0f}",
                       " ".join(f"{r.load_1min:.1f}" for r in self.runs if (r.n, r.op) == (n, op))]
                lines.append("| " + " | ".join(row) + " |")
        failed = [r for r in self.runs if r.exit_code != 0]
        lines += ["", f"Commands that exited non-zero: {len(failed)}"
                  + "".join(f"; {r.variant} N={r.n} `{r.op}` ({r.exit_code})" for r in failed[:10])]
        lines += ["", "## The library's API requests (first repetition)", "", "| N | command | requests |",
                  "|---|---|---|"]
        for n in sizes:
            for op in ops:
                first = [r for r in self.of("library", n, op) if r.rep == 0]
                if first:
                    text = "; ".join(f"{k} x{v}" for k, v in first[0].requests_by_path.items()) or "none"
                    lines.append(f"| {n} | `{op}` | {text} |")
        return "\n".join(lines) + "\n"

    def per_pipeline(self, variant: str, n: int, op: str) -> float | None:
        seconds = self.seconds(variant, n, op)
        return None if seconds is None else seconds / n

    def _scale_table(self, sizes: list[int], ops: list[str], variants: list[str]) -> list[str]:
        smallest = sizes[0]
        head = ["N", "command", *(f"{v} s" for v in variants), *(f"{v} / floor" for v in variants[1:]),
                *(f"{v} s/pipeline" for v in variants),
                *(f"{v} s/pipeline / at N={smallest}" for v in variants), *(f"{v} peak MB" for v in variants),
                "library calls", "exit codes", "load (1 min)"]
        lines = ["## Scale", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for n in sizes:
            for op in ops:
                runs = {v: self.of(v, n, op) for v in variants}
                growth = [(self.per_pipeline(v, n, op), self.per_pipeline(v, smallest, op)) for v in variants]
                row = [str(n), f"`{op}`", *(_fmt(self.seconds(v, n, op)) for v in variants),
                       *(_fmt(self.ratio(v, n, op), "x") for v in variants[1:]),
                       *("—" if per is None else f"{per:.3f}" for per, _ in growth),
                       *(_fmt(per / first, "x") if per and first else "—" for per, first in growth),
                       *(f"{max(r.peak_rss_mb for r in runs[v]):.0f}" if runs[v] else "—" for v in variants),
                       str(sum(r.reads + r.writes for r in runs.get("library", []))),
                       " ".join(str(r.exit_code) for v in variants for r in runs[v]),
                       " ".join(f"{r.load_1min:.1f}" for v in variants for r in runs[v])]
                lines.append("| " + " | ".join(row) + " |")
        return lines


# --- the run ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", metavar="N")
    parser.add_argument("--latency", type=int, default=100, metavar="MS")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--scale", action="store_true",
                        help="N = 500 1000 (or --sizes), one repetition, preview/up/refresh/destroy")
    parser.add_argument("--at", metavar="REV", help="measure this commit instead of the working tree")
    parser.add_argument("--baseline", metavar="REV", action="append", default=[],
                        help="also measure the library at REV, interleaved (repeatable)")
    parser.add_argument("--without-floor", action="store_true",
                        help="the library only (for --scale on a busy machine: half the time, no ratios)")
    parser.add_argument("--skip-checkpoints", action="store_true",
                        help="every variant with PULUMI_SKIP_CHECKPOINTS=true: the engine writes state once, "
                             "at the end, instead of rewriting the whole file after every step")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = [500, 1000] if args.scale else [10, 50]
    if args.scale:
        args.reps = 1
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started, load_at_start, clock = datetime.now(timezone.utc), os.getloadavg(), time.perf_counter()
    bin_dir = pulumi_bin_dir()
    version = subprocess.run([str(bin_dir / "pulumi"), "version"], capture_output=True,
                             text=True).stdout.strip()
    commands = SCALE_LIFECYCLE if args.scale else LIFECYCLE
    with tempfile.TemporaryDirectory(prefix="polytomic-bench-cli-") as scratch_name:
        scratch = Path(scratch_name)
        source, revision = REPO_ROOT, working_tree_revision()
        if args.at:
            source = scratch / "source"
            revision = extract_commit(args.at, source)
        sources = {"library": source} if args.without_floor else {"floor": source, "library": source}
        baselines = []
        for rev in args.baseline:
            commit = extract_commit(rev, scratch / f"source-{rev}")
            sources[f"at {commit[:7]}"] = scratch / f"source-{rev}"
            baselines.append(commit)
        print(f"measuring {revision} beside {baselines}", file=sys.stderr)
        with running_emulator(scratch / "emulator.db", source) as emulator:
            project = write_project(scratch / "project")
            variants = []
            for index, (name, code) in enumerate(sources.items()):
                (scratch / f"engine-{index}").mkdir()
                env = engine_env(bin_dir, scratch / f"engine-{index}", code)
                # One backend for every variant (stacks are separate); the engine of each the same.
                env["PULUMI_BACKEND_URL"] = (scratch / "backend").as_uri()
                if args.skip_checkpoints:
                    env["PULUMI_SKIP_CHECKPOINTS"] = "true"
                variants.append(Variant(name, env))
            (scratch / "backend").mkdir()
            bench = CliBench(bin_dir, project, emulator)

            def write() -> None:
                meta = {"commit": revision, "baselines": baselines,
                        "started": started.strftime("%Y-%m-%d %H:%M UTC"), "pulumi": version,
                        "cpus": os.cpu_count(), "latency_ms": args.latency, "reps": args.reps,
                        "scale": args.scale, "skip_checkpoints": args.skip_checkpoints,
                        "runtime_s": round(time.perf_counter() - clock),
                        "load_average": [*load_at_start, *os.getloadavg()], "project": PROJECT}
                stem = results_stem(meta)
                args.out.mkdir(parents=True, exist_ok=True)
                data = {"meta": meta, "runs": [asdict(r) for r in bench.runs]}
                (args.out / f"{stem}.json").write_text(json.dumps(data, indent=1) + "\n")
                (args.out / f"{stem}.md").write_text(CliReport(data).markdown())

            bench.on_run = write
            for rep in range(args.reps):
                for n in args.sizes:
                    bench.block(variants, n, rep, args.latency, commands)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
