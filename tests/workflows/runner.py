"""A small GitHub Actions runner: it executes the example workflows' jobs on this machine.

What it does as GitHub does: jobs in `needs` order with their `if:`, `strategy.matrix` expanded,
reusable workflows (`uses: ./.github/workflows/x.yml`) called with `with:` inputs (defaults and
types from `on.workflow_call.inputs`) and `secrets: inherit`; a job's `environment` adds that
environment's secrets; `env` at workflow, job and step level; `${{ }}` everywhere a workflow may
hold one (expressions.py); each `run:` step as its own `bash --noprofile --norc -eo pipefail`
script in the workspace (or its `working-directory`), with `GITHUB_OUTPUT`, `GITHUB_ENV`,
`GITHUB_PATH` and `GITHUB_STEP_SUMMARY` read back after it; step `if:`s on the status of the steps
before them and on their outputs. Every job starts from an empty workspace, a fresh `HOME` and
only the system's `PATH`: a step can rely on nothing an earlier job or the test machine left.

What it does not do: it runs jobs one after another (the `concurrency` each job asked for is
recorded, for tests to check), ignores `runs-on`, `permissions` and `timeout-minutes`, and runs no
action code. A `uses:` step runs the stand-in registered for that action (see `STAND_INS` in the
tests that use it): checkout is a `git clone`, setup-python is this machine's Python, and so on.
An action without a stand-in fails the step, so a new action in a workflow cannot pass unnoticed.
"""

from __future__ import annotations

import fnmatch
import hashlib
import itertools
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

from tests.workflows.expressions import condition, substitute, to_text

#: The PATH every job starts with: the system's tools only (bash, git, coreutils).
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
STEP_TIMEOUT_SECONDS = 900


@attrs.frozen
class Event:
    """What triggered a workflow: its name (`pull_request`), the ref and commit, and the payload."""

    name: str
    ref: str
    sha: str
    payload: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.define
class StepResult:
    name: str
    outcome: str  # success, failure or skipped
    outputs: dict[str, str] = attrs.field(factory=dict)
    log: str = ""


@attrs.define
class JobResult:
    """One job run (one matrix combination); `name` is as GitHub shows it, caller first."""

    name: str
    result: str  # success, failure or skipped
    environment: str | None = None
    concurrency: Mapping[str, Any] | None = None
    steps: list[StepResult] = attrs.field(factory=list)
    step_summary: str = ""

    def log(self) -> str:
        return "\n".join(f"--- {s.name} ({s.outcome})\n{s.log}" for s in self.steps)


@attrs.define
class WorkflowRun:
    """A workflow's job results, in the order they ran; artifacts live under `artifacts`."""

    workflow: str
    artifacts: Path
    jobs: list[JobResult] = attrs.field(factory=list)

    @property
    def result(self) -> str:
        return "failure" if any(j.result == "failure" for j in self.jobs) else "success"

    def job(self, name: str) -> JobResult:
        matches = [j for j in self.jobs if j.name == name]
        assert matches, f"no job {name!r}; ran: {[j.name for j in self.jobs]}"
        return matches[0]

    def report(self) -> str:
        """Every job's result and step logs, for an assertion message."""
        return "\n\n".join(f"=== {j.name}: {j.result}\n{j.log()}" for j in self.jobs)


@attrs.define
class Step:
    """What a stand-in sees and may change: the job's workspace, the step's `with:` inputs, and the
    job's environment and PATH for the steps after it."""

    runner: Runner
    run: WorkflowRun
    workspace: Path
    inputs: Mapping[str, Any]
    contexts: Mapping[str, Any]
    env: dict[str, str]
    path: list[str]
    outputs: dict[str, str] = attrs.field(factory=dict)
    #: What runs when the job has succeeded (an action's post step, e.g. saving a cache).
    after_job: list[Callable[[], None]] = attrs.field(factory=list)


#: A stand-in for an action: it does the action's job locally, and may return log text.
StandIn = Callable[[Step], str | None]


def load_workflow(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as the boolean true.
    document["on"] = document.pop(True, document.get("on"))
    return document


def _matrix(strategy: Mapping[str, Any] | None, contexts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every combination of a `strategy.matrix` (no include/exclude: the workflows use none)."""
    matrix = substitute_all((strategy or {}).get("matrix") or {}, contexts)
    if not matrix:
        return [{}]
    keys = list(matrix)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*matrix.values())]


def substitute_all(value: Any, contexts: Mapping[str, Any],
                   functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
    """`value` with every string in it substituted (mappings and lists walked)."""
    if isinstance(value, str):
        return substitute(value, contexts, functions)
    if isinstance(value, Mapping):
        return {key: substitute_all(item, contexts, functions) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute_all(item, contexts, functions) for item in value]
    return value


def hash_files(workspace: Path) -> Callable[..., str]:
    """`hashFiles(pattern, ...)`: one SHA-256 over the files the patterns match in the workspace,
    '' when none does."""
    def hashed(*patterns: str) -> str:
        files = sorted({p for pattern in patterns for p in workspace.glob(pattern) if p.is_file()})
        if not files:
            return ""
        digest = hashlib.sha256()
        for file in files:
            digest.update(hashlib.sha256(file.read_bytes()).digest())
        return digest.hexdigest()
    return hashed


def _read_commands_file(path: Path) -> dict[str, str]:
    """`name=value` lines and `name<<DELIMITER` blocks, as GITHUB_OUTPUT and GITHUB_ENV hold them."""
    values: dict[str, str] = {}
    lines = iter(path.read_text().splitlines()) if path.exists() else iter(())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = list(itertools.takewhile(lambda item, d=delimiter: item != d, lines))
            values[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


@attrs.define
class Runner:
    """Runs workflows of the repository `origin` (a git repository) with the given secrets.

    `secrets` maps an environment name to its secrets; the key "" holds the repository's.
    `variables` are the repository's configuration variables (`vars`). `stand_ins` maps an action
    (`actions/checkout`, without the version) to what runs in its place. `tools` is put on every
    job's PATH after the system's (the runner image's preinstalled programs, such as `gh`).
    """

    origin: Path
    root: Path
    secrets: Mapping[str, Mapping[str, str]]
    stand_ins: Mapping[str, StandIn]
    variables: Mapping[str, str] = attrs.field(factory=dict)
    tools: Path | None = None
    repository: str = "example/polytomic-pipelines"

    @property
    def workspace(self) -> Path:
        """The job's checkout folder: the same path for every job, emptied in between, as on GitHub."""
        return self.root / "work" / self.repository.split("/")[1]

    def run(self, workflow: str, event: Event) -> WorkflowRun:
        """Run `.github/workflows/<workflow>` of `origin` at the event's commit."""
        run_id = str(uuid.uuid4().int % 10**10)
        artifacts = self.root / "artifacts" / run_id
        artifacts.mkdir(parents=True)
        result = WorkflowRun(workflow, artifacts)
        document = self._workflow_file(event.sha, workflow)
        contexts = {"github": self._github(event, run_id), "vars": dict(self.variables),
                    "secrets": dict(self.secrets.get("", {})), "inputs": {}}
        self._run_jobs(document, contexts, result, prefix="", env={})
        return result

    def _workflow_file(self, sha: str, workflow: str) -> dict[str, Any]:
        text = subprocess.run(["git", "show", f"{sha}:.github/workflows/{workflow}"], cwd=self.origin,
                              capture_output=True, text=True, check=True).stdout
        scratch = self.root / "workflow.yml"
        scratch.write_text(text)
        return load_workflow(scratch)

    def _github(self, event: Event, run_id: str) -> dict[str, Any]:
        return {"event_name": event.name, "event": dict(event.payload), "ref": event.ref,
                "sha": event.sha, "repository": self.repository, "run_id": run_id,
                "server_url": "https://github.com", "workspace": str(self.workspace),
                "token": "ghs_stand-in-token"}

    def _run_jobs(self, document: Mapping[str, Any], contexts: dict[str, Any], run: WorkflowRun,
                  prefix: str, env: Mapping[str, str]) -> list[JobResult]:
        """Run a workflow's jobs; their results, by job, also go to `run.jobs`."""
        results: dict[str, list[JobResult]] = {}
        env = {**env, **substitute_all(document.get("env") or {}, contexts)}
        for job_id in _in_needs_order(document["jobs"]):
            job = document["jobs"][job_id]
            needs = [job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs") or []
            need_results = {n: _overall(results[n]) for n in needs}
            job_contexts = {**contexts, "needs": {n: {"result": r} for n, r in need_results.items()}}
            status = {"success": lambda nr=need_results: all(r == "success" for r in nr.values()),
                      "failure": lambda nr=need_results: any(r == "failure" for r in nr.values()),
                      "always": lambda: True, "cancelled": lambda: False}
            if not condition(job.get("if"), job_contexts, status):
                skipped = JobResult(f"{prefix}{job_id}", "skipped")
                run.jobs.append(skipped)
                results[job_id] = [skipped]
                continue
            results[job_id] = []
            for matrix in _matrix(job.get("strategy"), job_contexts):
                matrix_contexts = {**job_contexts, "matrix": matrix}
                suffix = f" ({', '.join(map(str, matrix.values()))})" if matrix else ""
                if "uses" in job:
                    results[job_id] += self._call(job, matrix_contexts, run, f"{prefix}{job_id}{suffix} / ")
                else:
                    results[job_id].append(self._job(job, job_id, matrix_contexts, run, prefix, suffix, env))
        return [result for job_results in results.values() for result in job_results]

    def _call(self, job: Mapping[str, Any], contexts: Mapping[str, Any], run: WorkflowRun,
              prefix: str) -> list[JobResult]:
        """A job that calls a reusable workflow of the same repository."""
        called = self._workflow_file(contexts["github"]["sha"],
                                     job["uses"].removeprefix("./.github/workflows/"))
        declared = called["on"]["workflow_call"].get("inputs") or {}
        given = substitute_all(job.get("with") or {}, contexts)
        unknown = set(given) - set(declared)
        assert not unknown, f"{job['uses']} takes no input {sorted(unknown)}"
        inputs = {}
        for name, spec in declared.items():
            value = given.get(name, spec.get("default"))
            assert value is not None or not spec.get("required"), f"{job['uses']}: input {name} is required"
            inputs[name] = _typed(value, spec.get("type", "string"))
        secrets = contexts["secrets"] if job.get("secrets") == "inherit" else substitute_all(
            job.get("secrets") or {}, contexts)
        called_contexts = {"github": contexts["github"], "vars": contexts["vars"], "inputs": inputs,
                           "secrets": secrets}
        return self._run_jobs(called, called_contexts, run, prefix, env={})

    def _job(self, job: Mapping[str, Any], job_id: str, contexts: dict[str, Any], run: WorkflowRun,
             prefix: str, suffix: str, workflow_env: Mapping[str, str]) -> JobResult:
        environment = substitute_all(job.get("environment"), contexts)
        environment = environment.get("name") if isinstance(environment, Mapping) else environment
        if environment:
            contexts = {**contexts, "secrets": {**contexts["secrets"], **self.secrets.get(environment, {})}}
        display = substitute_all(job.get("name"), contexts) or job_id
        result = JobResult(f"{prefix}{display}{suffix}", "success", environment,
                           substitute_all(job.get("concurrency"), contexts))
        run.jobs.append(result)

        shutil.rmtree(self.workspace, ignore_errors=True)
        self.workspace.mkdir(parents=True)
        home = self.root / "home" / uuid.uuid4().hex[:8]
        temp = self.root / "temp" / uuid.uuid4().hex[:8]
        home.mkdir(parents=True)
        temp.mkdir(parents=True)
        env = {**workflow_env, **substitute_all(job.get("env") or {}, contexts)}
        path: list[str] = []
        contexts = {**contexts, "env": env, "steps": {}, "runner": {"temp": str(temp), "os": "Linux"},
                    "job": {}}
        defaults = ((job.get("defaults") or {}).get("run") or {})
        functions = {"success": lambda: result.result == "success",
                     "failure": lambda: result.result == "failure",
                     "always": lambda: True, "cancelled": lambda: False,
                     "hashfiles": hash_files(self.workspace)}
        after_job: list[Callable[[], None]] = []
        for index, step in enumerate(job.get("steps") or []):
            name = step.get("name") or step.get("uses") or (step.get("run") or "").split("\n")[0]
            step_contexts = {**contexts, "env": dict(env)}
            if not condition(step.get("if"), step_contexts, functions):
                outcome = StepResult(name, "skipped")
            else:
                step_env = {**env, **substitute_all(step.get("env") or {}, step_contexts, functions)}
                step_contexts["env"] = step_env
                files = temp / f"step-{index}"
                files.mkdir()
                if "uses" in step:
                    outcome = self._uses(step, name, step_contexts, functions, run, env, path, after_job)
                else:
                    outcome = self._run_step(step, name, step_contexts, functions, step_env, path, files,
                                             home, temp, defaults, env, result)
            result.steps.append(outcome)
            if step.get("id"):
                contexts["steps"][step["id"]] = {"outputs": outcome.outputs, "outcome": outcome.outcome,
                                                 "conclusion": outcome.outcome}
            if outcome.outcome == "failure" and not step.get("continue-on-error"):
                result.result = "failure"
        if result.result == "success":
            for post in after_job:
                post()
        return result

    def _uses(self, step: Mapping[str, Any], name: str, contexts: Mapping[str, Any],
              functions: Mapping[str, Callable[..., Any]], run: WorkflowRun, env: dict[str, str],
              path: list[str], after_job: list[Callable[[], None]]) -> StepResult:
        action = step["uses"].split("@", 1)[0]
        stand_in = self.stand_ins.get(action)
        if stand_in is None:
            return StepResult(name, "failure", log=f"no stand-in for action {step['uses']!r}")
        call = Step(self, run, self.workspace, substitute_all(step.get("with") or {}, contexts, functions),
                    contexts, env, path, after_job=after_job)
        try:
            log = stand_in(call) or ""
        except (AssertionError, OSError, subprocess.CalledProcessError) as error:
            return StepResult(name, "failure", log=f"{action}: {error}")
        return StepResult(name, "success", call.outputs, log)

    def _run_step(self, step: Mapping[str, Any], name: str, contexts: Mapping[str, Any],
                  functions: Mapping[str, Callable[..., Any]], step_env: Mapping[str, str],
                  path: list[str], files: Path, home: Path, temp: Path,
                  defaults: Mapping[str, Any], job_env: dict[str, str], job: JobResult) -> StepResult:
        shell = step.get("shell") or defaults.get("shell") or "bash"
        assert shell == "bash", f"step {name!r}: only the bash shell is supported, not {shell!r}"
        script = files / "script.sh"
        script.write_text(substitute(step["run"], contexts, functions))
        directory = step.get("working-directory") or defaults.get("working-directory")
        cwd = self.workspace / substitute(directory, contexts) if directory else self.workspace
        output, environment, summary, path_file = (files / n for n in ("output", "env", "summary", "path"))
        for file in (output, environment, summary, path_file):
            file.touch()
        tools = [str(self.tools)] if self.tools else []
        process_env = {
            "HOME": str(home), "LANG": "C.UTF-8", "CI": "true", "GITHUB_ACTIONS": "true",
            "PATH": os.pathsep.join([*reversed(path), SYSTEM_PATH, *tools]),
            "RUNNER_TEMP": str(temp), "RUNNER_OS": "Linux", "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_REPOSITORY": self.repository, "GITHUB_REF": contexts["github"]["ref"],
            "GITHUB_SHA": contexts["github"]["sha"], "GITHUB_RUN_ID": contexts["github"]["run_id"],
            "GITHUB_EVENT_NAME": contexts["github"]["event_name"],
            "GITHUB_SERVER_URL": contexts["github"]["server_url"],
            "GITHUB_OUTPUT": str(output), "GITHUB_ENV": str(environment), "GITHUB_PATH": str(path_file),
            "GITHUB_STEP_SUMMARY": str(summary), **{k: to_text(v) for k, v in step_env.items()}}
        try:
            completed = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                       cwd=cwd, env=process_env, capture_output=True, text=True,
                                       timeout=STEP_TIMEOUT_SECONDS)
            log, code = completed.stdout + completed.stderr, completed.returncode
        except subprocess.TimeoutExpired as error:
            log, code = f"timed out after {error.timeout} s", 124
        job_env.update(_read_commands_file(environment))
        path.extend(line for line in path_file.read_text().splitlines() if line.strip())
        job.step_summary += summary.read_text()
        return StepResult(name, "success" if code == 0 else "failure", _read_commands_file(output),
                          log + ("" if code == 0 else f"\n(exit code {code})"))


def _typed(value: Any, type_: str) -> Any:
    if type_ == "boolean" and isinstance(value, str):
        return value.lower() == "true"
    if type_ == "number" and isinstance(value, str):
        return float(value)
    return value


def _overall(results: list[JobResult]) -> str:
    if any(r.result == "failure" for r in results):
        return "failure"
    return "skipped" if results and all(r.result == "skipped" for r in results) else "success"


def _in_needs_order(jobs: Mapping[str, Any]) -> Iterator[str]:
    """Job ids, each after the jobs it needs (otherwise in file order)."""
    done: set[str] = set()
    pending = list(jobs)
    while pending:
        for job_id in pending:
            needs = jobs[job_id].get("needs") or []
            if set([needs] if isinstance(needs, str) else needs) <= done:
                pending.remove(job_id)
                done.add(job_id)
                yield job_id
                break
        else:
            raise AssertionError(f"jobs {pending} need jobs that never run")


# --- stand-ins every workflow here needs ----------------------------------------------------


def checkout(step: Step) -> str:
    """actions/checkout: a clone of the repository at the workflow's commit, into the workspace."""
    subprocess.run(["git", "clone", "--quiet", str(step.runner.origin), str(step.workspace)], check=True,
                   capture_output=True)
    subprocess.run(["git", "checkout", "--quiet", step.contexts["github"]["sha"]], cwd=step.workspace,
                   check=True, capture_output=True)
    return f"checked out {step.contexts['github']['sha'][:12]}"


def upload_artifact(step: Step) -> str:
    """actions/upload-artifact: the files matching `path`, kept in the run under `name`."""
    target = step.run.artifacts / step.inputs["name"]
    target.mkdir(parents=True, exist_ok=True)
    found = [p for p in step.workspace.glob(step.inputs["path"]) if p.is_file()]
    for file in found:
        shutil.copy2(file, target / file.name)
    return f"uploaded {[p.name for p in found]} as {step.inputs['name']}" if found else "no files found"


def download_artifact(step: Step) -> str:
    """actions/download-artifact: the run's artifacts matching `pattern`; with `merge-multiple` all
    into the workspace (or `path`), else each into a folder of its name."""
    destination = step.workspace / step.inputs.get("path", ".")
    names = [p.name for p in sorted(step.run.artifacts.iterdir())
             if fnmatch.fnmatch(p.name, step.inputs.get("pattern", "*"))]
    for name in names:
        target = destination if step.inputs.get("merge-multiple") else destination / name
        target.mkdir(parents=True, exist_ok=True)
        for file in (step.run.artifacts / name).iterdir():
            shutil.copy2(file, target / file.name)
    return f"downloaded {names}"


def cache_in(directory: Path) -> StandIn:
    """actions/cache, keeping entries in `directory` (GitHub's cache storage, which outlives runs):
    on a hit, `path` is restored and `cache-hit` is 'true'; on a miss, `path` is saved under `key`
    once the job has succeeded."""
    def cache(step: Step) -> str:
        entry = directory / step.inputs["key"]
        target = step.workspace / step.inputs["path"]
        if entry.exists():
            shutil.copytree(entry, target, symlinks=True)
            step.outputs["cache-hit"] = "true"
            return f"restored {step.inputs['path']} from cache {step.inputs['key']}"
        step.outputs["cache-hit"] = "false"

        def save() -> None:
            if target.exists() and not entry.exists():
                partial = directory / f".{entry.name}.partial"
                shutil.rmtree(partial, ignore_errors=True)
                shutil.copytree(target, partial, symlinks=True)
                partial.rename(entry)
        step.after_job.append(save)
        return f"no cache {step.inputs['key']}"
    return cache


BASIC_STAND_INS: Mapping[str, StandIn] = {
    "actions/checkout": checkout,
    "actions/upload-artifact": upload_artifact,
    "actions/download-artifact": download_artifact,
}


def gh_stand_in(directory: Path) -> Path:
    """A `gh` program for the runner's tools: `gh pr comment N ... --body-file F` keeps the body as
    the pull request's comment (`comments/<N>.md`, replaced on each call, as `--edit-last` does)."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "gh"
    comments = directory.parent / "comments"
    script.write_text(f"""#!/usr/bin/env bash
set -euo pipefail
[ -n "${{GH_TOKEN:-}}" ] || {{ echo "gh: GH_TOKEN is not set" >&2; exit 4; }}
[ "$1 $2" = "pr comment" ] || {{ echo "gh stand-in: only 'pr comment' is supported" >&2; exit 2; }}
number="$3"; shift 3; body=""
while [ $# -gt 0 ]; do
  case "$1" in --body-file) body="$2"; shift 2 ;; *) shift ;; esac
done
mkdir -p {comments}
cp "$body" "{comments}/$number.md"
""")
    script.chmod(0o755)
    return comments

