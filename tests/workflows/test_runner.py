"""The runner executes workflows with a GitHub runner's semantics (checked on small workflows)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.workflows.runner import BASIC_STAND_INS, Event, Runner, Step, WorkflowRun


def commit(origin: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        path = origin / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    subprocess.run(["git", "add", "-A"], cwd=origin, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "x"],
                   cwd=origin, check=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=origin, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture
def run_workflow(tmp_path):
    """Commit `files` to a fresh repository and run one workflow of it on a push to main."""
    origin = tmp_path / "origin"
    origin.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=origin, check=True)

    def run(files: dict[str, str], workflow: str = "w.yml", **runner_options) -> WorkflowRun:
        sha = commit(origin, {f".github/workflows/{k}" if k.endswith(".yml") else k: v
                              for k, v in files.items()})
        runner = Runner(origin=origin, root=tmp_path / f"runner-{sha[:8]}",
                        stand_ins=runner_options.pop("stand_ins", BASIC_STAND_INS),
                        secrets=runner_options.pop("secrets", {}), **runner_options)
        return runner.run(workflow, Event("push", "refs/heads/main", sha))
    return run


def job(steps: str, extra: str = "") -> str:
    return "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n" + textwrap.indent(
        textwrap.dedent(extra), "    ") + "    steps:\n" + textwrap.indent(textwrap.dedent(steps), "      ")


def output_of(run: WorkflowRun, step: str) -> str:
    [result] = [s for j in run.jobs for s in j.steps if s.name == step]
    return result.log


def test_env_is_layered_workflow_then_job_then_step(run_workflow):
    run = run_workflow({"w.yml": "env: {A: workflow, B: workflow, C: workflow}\n" + job("""\
        - name: show
          env: {C: step}
          run: echo "$A $B $C"
        """, extra="env: {B: job, C: job}\n")})
    assert output_of(run, "show").strip() == "workflow job step"


def test_an_expression_value_in_env_is_text_as_github_renders_it(run_workflow):
    run = run_workflow({"w.yml": job("""\
        - name: show
          env: {PREVIEW: "${{ github.ref == 'refs/heads/main' }}"}
          run: echo "$PREVIEW"
        """)})
    assert output_of(run, "show").strip() == "true"


def test_github_env_reaches_later_steps_only(run_workflow):
    run = run_workflow({"w.yml": job("""\
        - name: set
          run: |
            echo "X=from-env-file" >> "$GITHUB_ENV"
            echo "same step ${X:-unset}"
        - name: later
          run: echo "later step $X"
        """)})
    assert output_of(run, "set").strip() == "same step unset"
    assert output_of(run, "later").strip() == "later step from-env-file"


def test_step_outputs_feed_expressions_and_if_conditions(run_workflow):
    run = run_workflow({"w.yml": job("""\
        - id: first
          name: first
          run: |
            echo "status=1" >> "$GITHUB_OUTPUT"
            printf 'body<<EOF\\nline one\\nline two\\nEOF\\n' >> "$GITHUB_OUTPUT"
        - name: runs
          if: steps.first.outputs.status != '0'
          run: echo "${{ steps.first.outputs.body }}"
        - name: skipped
          if: steps.first.outputs.status == '0'
          run: echo never
        """)})
    assert output_of(run, "runs").strip() == "line one\nline two"
    assert [s.outcome for s in run.jobs[0].steps] == ["success", "success", "skipped"]


def test_a_failed_step_skips_the_rest_but_failure_and_always_steps(run_workflow):
    run = run_workflow({"w.yml": job("""\
        - name: fails
          run: |
            false
            echo "not reached"
        - name: skipped
          run: echo no
        - name: on failure
          if: failure()
          run: echo yes
        - name: always
          if: always()
          run: echo yes
        """)})
    assert [s.outcome for s in run.jobs[0].steps] == ["failure", "skipped", "success", "success"]
    assert "not reached" not in output_of(run, "fails")
    assert run.result == "failure"


def test_a_pipeline_fails_on_its_first_failing_command(run_workflow):
    run = run_workflow({"w.yml": job("""\
        - name: pipe
          run: false | cat
        """)})
    assert run.result == "failure"


def test_run_steps_start_in_the_workspace_or_their_working_directory(run_workflow):
    run = run_workflow({"sub/file.txt": "in sub\n", "w.yml": job("""\
        - uses: actions/checkout@v4
        - name: root
          run: test "$PWD" = "$GITHUB_WORKSPACE" && ls
        - name: sub
          working-directory: sub
          run: cat file.txt
        """)})
    assert "sub" in output_of(run, "root").split()
    assert output_of(run, "sub").strip() == "in sub"


def test_the_step_summary_is_kept_per_job(run_workflow):
    run = run_workflow({"w.yml": job("""\
        - run: echo "## Hello" >> "$GITHUB_STEP_SUMMARY"
        - run: echo "world" >> "$GITHUB_STEP_SUMMARY"
        """)})
    assert run.jobs[0].step_summary == "## Hello\nworld\n"


def test_a_job_starts_clean_with_only_the_system_path(run_workflow, tmp_path):
    run = run_workflow({"w.yml": job("""\
        - name: first
          run: |
            echo "/opt/added" >> "$GITHUB_PATH"
            touch "$HOME/left-behind"
        - name: second
          run: echo "$PATH"
        """) + "  k:\n    needs: j\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - name: third\n        run: 'ls \"$HOME\"; echo \"$PATH\"'\n"})
    assert output_of(run, "second").startswith("/opt/added:")
    third = output_of(run, "third")
    assert "left-behind" not in third and "/opt/added" not in third and "pulumi" not in third


def test_environment_secrets_add_to_the_repositorys(run_workflow):
    run = run_workflow({"w.yml": job("""\
        - name: show
          env: {A: "${{ secrets.A }}", B: "${{ secrets.B }}"}
          run: echo "$A $B"
        """, extra="environment: prod\n")},
        secrets={"": {"A": "repo", "B": "repo"}, "prod": {"B": "prod"}, "dev": {"A": "dev"}})
    assert output_of(run, "show").strip() == "repo prod"
    assert run.jobs[0].environment == "prod"


def test_a_reusable_workflow_gets_inputs_with_defaults_and_inherited_secrets(run_workflow):
    called = ("on:\n  workflow_call:\n    inputs:\n      stack: {type: string, required: true}\n"
              "      flag: {type: boolean, default: false}\n" + job("""\
        - name: show
          run: echo "${{ inputs.stack }} ${{ inputs.flag }} ${{ secrets.S }}"
        """, extra="name: run ${{ inputs.stack }}\n"
                   "concurrency: {group: 'g-${{ inputs.stack }}', cancel-in-progress: false}\n"
                   ).removeprefix("on: push\n"))
    caller = ("on: push\njobs:\n  call:\n    strategy:\n      matrix:\n        stack: [dev, prod]\n"
              "    uses: ./.github/workflows/called.yml\n    with:\n      stack: ${{ matrix.stack }}\n"
              "    secrets: inherit\n")
    run = run_workflow({"called.yml": called, "w.yml": caller}, secrets={"": {"S": "s3cret"}})
    assert [j.name for j in run.jobs] == ["call (dev) / run dev", "call (prod) / run prod"]
    assert run.jobs[0].steps[0].log.strip() == "dev false s3cret"
    assert run.jobs[1].concurrency == {"group": "g-prod", "cancel-in-progress": False}


def test_an_input_the_called_workflow_does_not_take_is_an_error(run_workflow):
    called = "on:\n  workflow_call:\n    inputs: {stack: {type: string}}\n" + job(
        "- run: 'true'\n").removeprefix("on: push\n")
    caller = "on: push\njobs:\n  call:\n    uses: ./.github/workflows/called.yml\n    with: {stak: dev}\n"
    with pytest.raises(AssertionError, match=r"takes no input \['stak'\]"):
        run_workflow({"called.yml": called, "w.yml": caller})


def test_a_job_whose_if_is_false_is_skipped_and_its_dependents_too(run_workflow):
    workflow = ("on: push\njobs:\n"
                "  a:\n    if: github.ref == 'refs/heads/other'\n    runs-on: x\n    steps: [{run: 'true'}]\n"
                "  b:\n    needs: a\n    runs-on: x\n    steps: [{run: 'true'}]\n"
                "  c:\n    needs: a\n    if: ${{ !cancelled() }}\n    runs-on: x\n"
                "    steps: [{run: 'true'}]\n")
    run = run_workflow({"w.yml": workflow})
    assert [(j.name, j.result) for j in run.jobs] == [("a", "skipped"), ("b", "skipped"), ("c", "success")]


def test_an_action_without_a_stand_in_fails_its_step(run_workflow):
    run = run_workflow({"w.yml": job("- uses: actions/cache@v4\n")})
    assert run.result == "failure"
    assert "no stand-in for action 'actions/cache@v4'" in run.jobs[0].steps[0].log


def test_a_stand_in_sees_its_inputs_and_sets_env_and_path_for_later_steps(run_workflow):
    def fake_tool(step: Step) -> str:
        step.env["TOOL_VERSION"] = step.inputs["version"]
        step.path.append("/opt/tool/bin")
        step.outputs["where"] = "/opt/tool"
        return "installed"

    run = run_workflow({"w.yml": job("""\
        - id: tool
          uses: example/tool@v1
          with: {version: "1.2"}
        - name: show
          run: echo "$TOOL_VERSION ${{ steps.tool.outputs.where }} ${PATH%%:*}"
        """)}, stand_ins={"example/tool": fake_tool})
    assert output_of(run, "show").strip() == "1.2 /opt/tool /opt/tool/bin"


def test_artifacts_pass_from_one_job_to_another(run_workflow):
    workflow = ("on: push\njobs:\n"
                "  make:\n    runs-on: x\n    steps:\n"
                "      - run: echo made > out.txt\n"
                "      - uses: actions/upload-artifact@v4\n        with: {name: out-1, path: out.txt}\n"
                "  use:\n    needs: make\n    runs-on: x\n    steps:\n"
                "      - uses: actions/download-artifact@v4\n"
                "        with: {pattern: 'out-*', merge-multiple: true}\n"
                "      - name: read\n        run: cat out.txt\n")
    run = run_workflow({"w.yml": workflow})
    assert output_of(run, "read").strip() == "made"
