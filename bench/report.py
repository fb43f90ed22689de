"""results.json -> results.md (targets, times, ratios, requests, state sizes) and results.png.

`python -m bench.report [DIR]` rewrites both from DIR/results.json (default: bench/).
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OPS = ("up", "preview", "up-unchanged", "refresh", "destroy")
VARIANTS = ("floor", "script", "library")
_STYLES = (("o-", "tab:blue"), ("s--", "tab:orange"), ("^-", "tab:green"))  # one per variant, every plot
TARGET_N = 50
PER_PIPELINE_FROM, PER_PIPELINE_TO = 10, 100


@dataclass(frozen=True)
class Cell:
    """The median over repetitions of one variant's op at one latency and N."""

    seconds: float
    reads: int
    writes: int
    outcome: str
    reps: int
    api_busy_s: float
    cpu_s: float
    emulator_cpu_s: float


Key = tuple[str, int, int, str]  # variant, latency_ms, n, op


def cells(measurements: Iterable[dict[str, Any]]) -> dict[Key, Cell]:
    grouped: dict[Key, list[dict[str, Any]]] = {}
    for m in measurements:
        grouped.setdefault((m["variant"], m["latency_ms"], m["n"], m["op"]), []).append(m)
    result = {}
    for key, runs in grouped.items():
        runs.sort(key=lambda m: m["seconds"])
        middle = runs[(len(runs) - 1) // 2]
        result[key] = Cell(statistics.median(m["seconds"] for m in runs), max(m["reads"] for m in runs),
                           max(m["writes"] for m in runs), middle["outcome"], len(runs), middle["api_busy_s"],
                           middle.get("cpu_s", 0.0), middle.get("emulator_cpu_s", 0.0))
    return result


def _loads(values: list[float]) -> str:
    return " ".join(f"{x:.1f}" for x in values)


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"




def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


@dataclass
class Report:
    data: dict[str, Any]

    def __post_init__(self) -> None:
        self.meta = self.data["meta"]
        self.cells = cells(self.data["measurements"])
        self.sizes = sorted({k[2] for k in self.cells})
        self.latencies = sorted({k[1] for k in self.cells})

    def get(self, variant: str, latency: int, n: int, op: str) -> Cell | None:
        return self.cells.get((variant, latency, n, op))

    def ratio(self, variant: str, other: str, latency: int, n: int, op: str) -> float | None:
        """Median over repetitions of variant / other, each pair measured in the same block."""
        by_rep = {(m["variant"], m["rep"]): m["seconds"] for m in self.data["measurements"]
                  if (m["latency_ms"], m["n"], m["op"]) == (latency, n, op)}
        ratios = [seconds / by_rep[(other, rep)] for (name, rep), seconds in by_rep.items()
                  if name == variant and by_rep.get((other, rep))]
        return statistics.median(ratios) if ratios else None

    # --- targets ------------------------------------------------------------------------------

    def targets(self) -> list[tuple[str, str, bool | None]]:
        rows: list[tuple[str, str, bool | None]] = []
        for op in ("preview", "up-unchanged"):
            found = [(k, c) for k, c in self.cells.items() if k[0] == "library" and k[3] == op]
            if found:
                worst_key, worst = max(found, key=lambda kc: kc[1].reads + kc[1].writes)
                calls = worst.reads + worst.writes
                rows.append((f"unchanged `{op.replace('-unchanged', '')}`: 0 API calls",
                             f"at most {calls} ({worst.reads} reads, {worst.writes} writes; worst: "
                             f"N={worst_key[2]}, {worst_key[1]} ms)", calls == 0))
        rows.append(self._ratio_target("preview", 100, "floor", 1.5,
                                       "100 ms, N=50: unchanged `preview` within 1.5x of the floor"))
        rows.append(self._ratio_target("up", 100, "script", 0.5,
                                       "100 ms, N=50: `up` under half the sequential script's time"))
        rows.append(self._ratio_target("up", 0, "floor", 1.3, "0 ms, N=50: `up` within 1.3x of the floor"))
        for latency in self.latencies:
            growth = self.per_pipeline_growth("library", latency, "up")
            detail = self._per_pipeline_detail("library", latency, "up")
            rows.append((f"{latency} ms: `up` time per pipeline within 1.2x from N={PER_PIPELINE_FROM} to "
                         f"N={PER_PIPELINE_TO}", _x(growth) + detail,
                         None if growth is None else growth <= 1.2))
        return rows

    def _ratio_target(self, op: str, latency: int, versus: str, limit: float, text: str,
                      ) -> tuple[str, str, bool | None]:
        library, other = self.get("library", latency, TARGET_N, op), self.get(versus, latency, TARGET_N, op)
        ratio = self.ratio("library", versus, latency, TARGET_N, op)
        if ratio is None or library is None or other is None:
            return text, "not measured in this run", None
        return (text, f"{ratio:.2f}x (medians {library.seconds:.1f} s vs {other.seconds:.1f} s)",
                ratio <= limit)

    def per_pipeline_growth(self, variant: str, latency: int, op: str) -> float | None:
        low, high = (self.get(variant, latency, n, op) for n in (PER_PIPELINE_FROM, PER_PIPELINE_TO))
        if not (low and high):
            return None
        return (high.seconds / PER_PIPELINE_TO) / (low.seconds / PER_PIPELINE_FROM)

    def _added(self, variant: str, latency: int, op: str) -> str:
        """Seconds per added pipeline from N=10 to 50 and from 50 to 100."""
        times = {n: cell.seconds for n in (10, 50, 100) if (cell := self.get(variant, latency, n, op))}
        if len(times) < 3:
            return "—"
        return f"{(times[50] - times[10]) / 40:.3f}, {(times[100] - times[50]) / 50:.3f}"

    def _per_pipeline_detail(self, variant: str, latency: int, op: str) -> str:
        low, high = (self.get(variant, latency, n, op) for n in (PER_PIPELINE_FROM, PER_PIPELINE_TO))
        if not (low and high):
            return ""
        return (f" ({low.seconds / PER_PIPELINE_FROM:.3f} -> {high.seconds / PER_PIPELINE_TO:.3f} "
                "s per pipeline)")

    # --- markdown -----------------------------------------------------------------------------

    def markdown(self) -> str:
        meta = self.meta
        out = [
            "# Benchmark results",
            "",
            f"Measured commit `{meta['commit']}`, started {meta['started']}; pulumi {meta['pulumi']}, "
            f"Python {meta['python']}, {meta['cpus']} CPUs, shared with other work (1/5/15-min load "
            f"average at the start {_loads(meta['load_average'][:3])}, at the end "
            f"{_loads(meta['load_average'][3:])}). Whole run: {meta['runtime_s']} s. "
            f"Repetitions: {meta['reps']} for N < {meta['large_n']}, {meta['large_reps']} above (medians "
            "shown). "
            "Produced by `bench/run.sh`; raw numbers in `results.json`, plot in `results.png`.",
            "",
            "Variants, run back to back per latency and N: **floor** = no-op dynamic resources of the "
            "same shape (engine only, no API call); **script** = sequential `requests` calls (`up` = "
            "the creates, `refresh` = a GET of each object, `destroy` = a DELETE of each); **library** "
            "= 2 `Connection`s + a `LinkedInAudiencePipeline` per pipeline. Objects: 2 + 2N.",
            "",
            "## Targets",
            "",
            "| target | measured | met |",
            "|---|---|---|",
        ]
        for text, measured, met in self.targets():
            out.append(f"| {text} | {measured} | {'—' if met is None else 'yes' if met else '**no**'} |")
        out += ["", "## Times and ratios", "",
                "Seconds (median); ratios are medians of the ratios within each repetition (the "
                "variants of one repetition run back to back); reads/writes = the library's `/api` "
                "requests; s/pipeline = library seconds / N; API busy = seconds in which at least "
                "one of the library's requests was inside the emulator's latency, against requests x "
                "latency (equal = strictly serial).", "",
                "| latency | N | op | floor s | script s | library s | library / floor | library / script "
                "| s/pipeline | reads | writes | API busy / serial s | engine summary |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for latency in self.latencies:
            for n in self.sizes:
                for op in OPS:
                    floor, script, library = (self.get(v, latency, n, op) for v in VARIANTS)
                    if not library:
                        continue
                    out.append(
                        f"| {latency} ms | {n} | {op} | {_s(floor and floor.seconds)} | "
                        f"{_s(script and script.seconds)} | {_s(library.seconds)} | "
                        f"{_x(self.ratio('library', 'floor', latency, n, op))} | "
                        f"{_x(self.ratio('library', 'script', latency, n, op))} | "
                        f"{library.seconds / n:.3f} | {library.reads} | {library.writes} | "
                        f"{self._busy(library, latency)} | {library.outcome} |")
        out += ["", "## Time per pipeline", "",
                "`t/N` growth: seconds per pipeline at N=100 over that at N=10 (the target); it "
                "includes each command's fixed start-up, which favours large N. Added seconds per "
                "added pipeline, from N=10 to 50 and from 50 to 100, show whether each pipeline costs "
                "more in a bigger stack.", "",
                "| latency | op | floor t/N growth | library t/N growth | floor added s/pipeline 10->50, "
                "50->100 | library added s/pipeline 10->50, 50->100 |", "|---|---|---|---|---|---|"]
        for latency in self.latencies:
            for op in OPS:
                growth = [self.per_pipeline_growth(v, latency, op) for v in ("floor", "library")]
                if any(g is not None for g in growth):
                    added = [self._added(v, latency, op) for v in ("floor", "library")]
                    out.append(f"| {latency} ms | {op} | {_x(growth[0])} | {_x(growth[1])} | "
                               f"{added[0]} | {added[1]} |")
        out += self.cpu_section() + self.checkpoint_section() + self.state_section() + self.requests_section()
        return "\n".join(out) + "\n"

    @staticmethod
    def _busy(cell: Cell, latency: int) -> str:
        serial = (cell.reads + cell.writes) * latency / 1000
        return f"{cell.api_busy_s:.1f} / {serial:.1f}" if latency and serial else "—"

    def cpu_section(self) -> list[str]:
        """Where the CPU went at 0 ms: the machine has 2 cores, so CPU / wall near 2 is saturated."""
        latency = min(self.latencies)
        rows = [(n, op) for n in self.sizes if n >= TARGET_N for op in OPS
                if (cell := self.get("library", latency, n, op)) and cell.cpu_s]
        if not rows:
            return []
        out = ["", f"## CPU at {latency} ms (median repetition)", "",
               "CPU seconds of the operation's processes (the `pulumi` CLI, its program and provider "
               "processes, and the benchmark process itself) and of the emulator meanwhile. The machine "
               "has 2 cores: (CPU + emulator) / wall near 2 means the operation was CPU bound.", "",
               "| N | op | floor wall s | floor CPU s | library wall s | library CPU s | emulator CPU s "
               "| library (CPU + emulator) / wall |", "|---|---|---|---|---|---|---|---|"]
        for n, op in rows:
            floor, library = self.get("floor", latency, n, op), self.get("library", latency, n, op)
            assert library is not None
            load = (library.cpu_s + library.emulator_cpu_s) / library.seconds
            out.append(f"| {n} | {op} | {_s(floor and floor.seconds)} | {_s(floor and floor.cpu_s)} | "
                       f"{library.seconds:.2f} | {library.cpu_s:.2f} | {library.emulator_cpu_s:.2f} | "
                       f"{load:.2f} |")
        return out

    def checkpoint_section(self) -> list[str]:
        labels = sorted({k[0] for k in self.cells if k[0].endswith("checkpoints")})
        if not labels:
            return []
        out = ["", "## Checkpoint cost (diagnosis)", "",
               "The same `up` and `destroy` at 0 ms with and without `PULUMI_SKIP_CHECKPOINTS=true` "
               "(which trades away crash safety: a diagnosis, not a recommendation), back to back.", "",
               "| variant | N | op | seconds | without checkpoints | checkpoints' share |",
               "|---|---|---|---|---|---|"]
        for variant in ("floor", "library"):
            for (label, latency, n, op), cell in sorted(self.cells.items()):
                if label != f"{variant}, checkpoints":
                    continue
                bare = self.cells.get((f"{variant}, no checkpoints", latency, n, op))
                share = f"{1 - bare.seconds / cell.seconds:.0%}" if bare else "—"
                out.append(f"| {variant} | {n} | {op} | {cell.seconds:.2f} | {_s(bare and bare.seconds)} | "
                           f"{share} |")
        return out

    def state_section(self) -> list[str]:
        out = ["", "## State size after the first `up`", "",
               "Bytes of compact JSON: the whole checkpoint, and the mean entry per resource type "
               "(the engine rewrites the checkpoint after every step).", "",
               "| stack | checkpoint bytes | per resource type: mean bytes (count) |", "|---|---|---|"]
        states = self.data.get("state_bytes", {})
        for name, sizes in states.items():
            kinds = ", ".join(f"{kind} {size['mean']} ({size['count']})"
                              for kind, size in sizes["per_resource"].items())
            out.append(f"| {name} | {sizes['checkpoint']} | {kinds} |")
        largest = max((name for name in states if name.startswith("library")), default=None,
                      key=lambda name: states[name]["checkpoint"])
        floor = largest and states.get(largest.replace("library", "floor"))
        if not (largest and floor):
            return out
        kinds = {**states[largest]["per_resource"], **floor["per_resource"]}
        fields = sorted({f for k in kinds.values() for f in k.get("fields", {})},
                        key=lambda f: -max(k.get("fields", {}).get(f, 0) for k in kinds.values()))
        if not fields:
            return out
        out += ["", f"Mean bytes per field of one entry ({largest}, {largest.replace('library', 'floor')}):",
                "", "| kind | " + " | ".join(fields) + " |", "|---|" + "---|" * len(fields)]
        for kind, size in kinds.items():
            values = [str(size.get("fields", {}).get(f, "")) for f in fields]
            out.append(f"| {kind} | " + " | ".join(values) + " |")
        return out

    def requests_section(self) -> list[str]:
        latency, n = max(self.latencies), (TARGET_N if TARGET_N in self.sizes else max(self.sizes))
        out = ["", f"## The library's API requests by endpoint (N={n}, {latency} ms, first repetition)", "",
               "| op | requests |", "|---|---|"]
        for op in OPS:
            wanted = ("library", latency, n, op)
            first = next((m for m in self.data["measurements"]
                          if (m["variant"], m["latency_ms"], m["n"], m["op"]) == wanted), None)
            if first:
                listed = "; ".join(f"{path} x{count}" for path, count in first["requests_by_path"].items())
                out.append(f"| {op} | {listed or 'none'} |")
        return out

    # --- plot ---------------------------------------------------------------------------------

    def plot(self, path: Path) -> None:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt

        rows, cols = len(self.latencies), len(OPS)
        figure, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.6 * rows), squeeze=False)
        for row, latency in enumerate(self.latencies):
            for col, op in enumerate(OPS):
                ax = axes[row][col]
                for variant, (style, color) in zip(VARIANTS, _STYLES, strict=True):
                    points = [(n, c.seconds) for n in self.sizes if (c := self.get(variant, latency, n, op))]
                    if points:
                        ax.plot(*zip(*points, strict=True), style, color=color, label=variant)
                ax.set_title(f"{op}, {latency} ms latency", fontsize=10)
                ax.set_xlabel("pipelines (N)")
                ax.set_ylabel("seconds")
                ax.grid(alpha=0.3)
                if ax.lines:
                    ax.legend(fontsize=8)
        figure.suptitle(f"Time against N: floor, sequential script, library ({self.meta['commit'][:12]}, "
                        f"{self.meta['started']})")
        figure.tight_layout()
        figure.savefig(path, dpi=90)
        plt.close(figure)

    def timeline_runs(self) -> list[dict[str, Any]]:
        """The library's operations with requests at the largest latency and N=50, first repetition."""
        latency = max(self.latencies)
        return [m for m in self.data["measurements"]
                if m["variant"] == "library" and m["latency_ms"] == latency and m["n"] == TARGET_N
                and m["rep"] == 0 and m.get("timeline")]

    def plot_timeline(self, path: Path) -> None:
        """When each request of an operation reached the emulator, one lane per endpoint: ticks one
        latency apart are serial work; ticks bunched in fours are the provider's 4 worker threads."""
        runs = self.timeline_runs()
        if not runs:
            return
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt

        first_seen = [{e: t for t, e in sorted(m["timeline"], reverse=True)} for m in runs]
        heights = [1.2 + 0.3 * len(seen) for seen in first_seen]
        figure, axes = plt.subplots(len(runs), 1, figsize=(14, sum(heights)), squeeze=False,
                                    gridspec_kw={"height_ratios": heights})
        for ax, m, seen in zip((row[0] for row in axes), runs, first_seen, strict=True):
            lanes = sorted(seen, key=seen.__getitem__)
            counts = Counter(e for _, e in m["timeline"])
            for lane, endpoint in enumerate(lanes):
                times = [t for t, e in m["timeline"] if e == endpoint]
                ax.scatter(times, [lane] * len(times), marker="|", s=120, linewidths=0.8)
            ax.set_yticks(range(len(lanes)), [f"{e} ({counts[e]})" for e in lanes], fontsize=7)
            ax.invert_yaxis()
            ax.axvline(m["seconds"], color="grey", linestyle=":")
            ax.set_xlim(0, m["seconds"] * 1.02)
            ax.set_title(f"library {m['op']}, N={m['n']}, {m['latency_ms']} ms latency: "
                         f"{m['seconds']:.1f} s (dotted line: the command returns)", fontsize=10)
            ax.grid(axis="x", alpha=0.3)
        axes[-1][0].set_xlabel("seconds since the command started")
        figure.tight_layout()
        figure.savefig(path, dpi=90)
        plt.close(figure)


def write_results(directory: Path) -> None:
    report = Report(json.loads((directory / "results.json").read_text()))
    (directory / "results.md").write_text(report.markdown())
    report.plot(directory / "results.png")
    report.plot_timeline(directory / "results-timeline.png")


if __name__ == "__main__":
    write_results(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
