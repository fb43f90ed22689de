"""Every command block of the README names the test (or checked script) that runs it, so a README
step cannot break unnoticed: a new block fails here until it is given one."""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
README = (REPO_ROOT / "README.md").read_text()

#: Under each heading, in order, the README's shell blocks and where each is run: a test
#: (`path::name`) that runs those commands against the emulator, or a script CI runs.
RUN_BY: dict[str, list[list[str]]] = {
    "The two commands": [
        ["tests/engine/test_tooling.py::test_up_dev_uses_its_own_emulator_even_with_an_account_in_the_environment"],
        [".ci/run"],
    ],
    "Recovering from a crashed `pulumi up`": [
        ["tests/engine/test_shared_backend.py::"
         "test_a_killed_runners_lock_is_released_by_the_documented_recovery_steps",
         "tests/engine/test_recovery.py::test_recover_then_up_leaves_no_pending_operation_duplicate_or_orphan"],
    ],
    "Audiences left by destroyed stacks": [
        ["tests/engine/test_leftovers.py::"
         "test_an_audience_left_by_a_destroyed_stack_is_listed_with_its_stack_and_no_sync"],
    ],
    "Coming from Terraform": [
        ["tests/engine/test_migration.py::"
         "test_terraform_state_migrates_to_a_program_that_adopts_everything_and_creates_nothing"],
        ["tests/engine/test_migration.py::"
         "test_an_exported_organization_is_adopted_by_the_reference_project_creating_nothing"],
    ],
    "Pointing it at a real Polytomic account": [
        ["tests/engine/test_tooling.py::test_the_readmes_real_account_commands_run_against_the_emulator",
         "tests/doctor/test_doctor.py::test_without_write_doctor_changes_nothing_and_says_what_it_did_not_check"],
        ["tests/engine/test_tooling.py::test_the_readmes_real_account_commands_run_against_the_emulator"],
    ],
    "From TypeScript, Go and Pulumi YAML": [
        ["tests/engine/test_init_project.py::test_a_new_typescript_project_with_the_readme_program_deploys",
         "tests/engine/test_languages.py::test_init_project_says_what_it_did"],
        ["tests/engine/test_languages.py::test_up_syncs_into_an_existing_and_a_new_audience"],
    ],
    "Review pipelines": [
        ["tests/engine/test_tooling.py::test_the_readmes_review_pipeline_commands_run_as_written"],
    ],
    "Policy pack": [
        ["tests/engine/test_tooling.py::test_the_readmes_policy_command_runs_as_written"],
    ],
}


def command_blocks() -> dict[str, list[str]]:
    """The README's shell blocks (```bash, or a bare ```) by the heading they are under."""
    blocks: dict[str, list[str]] = {}
    heading, fence, lines = "", None, []
    for line in README.splitlines():
        if fence is None:
            if match := re.match(r"#{2,3} (.+)", line):
                heading = match.group(1)
            elif match := re.match(r"(`{3,})(\w*)$", line):
                fence, language, lines = match.group(1), match.group(2), []
        elif line == fence:
            if language in ("bash", ""):
                blocks.setdefault(heading, []).append("\n".join(lines))
            fence = None
        else:
            lines.append(line)
    return blocks


def test_every_readme_command_block_names_where_it_is_run():
    found = {heading: len(blocks) for heading, blocks in command_blocks().items()}
    listed = {heading: len(runs) for heading, runs in RUN_BY.items()}
    assert found == listed, (
        "README command blocks per heading differ from RUN_BY in tests/unit/test_readme.py: give each "
        f"new block the test that runs its commands (README has {found}, RUN_BY lists {listed})")


def test_every_test_named_for_a_readme_command_exists():
    for runs in RUN_BY.values():
        for reference in (r for block in runs for r in block):
            path, _, name = reference.partition("::")
            text = (REPO_ROOT / path).read_text()
            assert not name or f"def {name}(" in text, f"{reference} does not exist"
