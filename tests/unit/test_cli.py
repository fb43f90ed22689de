"""`python -m polytomic_components`: discovery for people writing stack config."""

from __future__ import annotations

import argparse
import subprocess
import sys
from importlib.metadata import version

import pytest

from polytomic_components import __main__ as cli_module
from tests.conftest import REPO_ROOT

ACCOUNT = "512630692::urn:li:organization:28818517"


@pytest.fixture
def linkedin_id(emulator):
    body = {"name": "LinkedIn", "type": "linkedinads", "configuration": {
        "client_id": "i", "client_secret": "s", "oauth_refresh_token": "r",
        "accounts": [{"value": ACCOUNT, "label": "Polytomic Inc. (512630692)"}]}}
    return emulator.api("POST", "/api/connections", json=body).json()["data"]["id"]


def run(emulator, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"POLYTOMIC_API_KEY": emulator.api_key, "POLYTOMIC_DEPLOYMENT_URL": emulator.url}
    return subprocess.run([sys.executable, "-m", "polytomic_components", *args], env=env,
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)


def test_audiences_lists_the_enabled_accounts_audiences_with_their_modes(emulator, linkedin_id):
    lines = run(emulator, "audiences", linkedin_id).stdout.splitlines()
    newsletter = f"{ACCOUNT}~user_audience.29728401\tUser Audience: Newsletter Subscribers"
    assert f"{newsletter}\tmodes: create, remove" in lines
    assert all(line.startswith(ACCOUNT) for line in lines)


def test_values_lists_the_allowed_accounts(emulator, linkedin_id):
    listed = run(emulator, "values", linkedin_id, "account").stdout
    assert listed == f"{ACCOUNT}\tPolytomic Inc. (512630692)\n"


def test_an_unknown_connection_fails_with_the_status_and_no_traceback(emulator):
    result = run(emulator, "audiences", "00000000-0000-0000-0000-000000000000")
    assert result.returncode == 1
    assert "404" in result.stderr and "Traceback" not in result.stderr


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "polytomic_components", *args], env=env or {},
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


SUBCOMMANDS = ["audiences", "values", "init-project", "migrate-terraform", "export", "recover",
               "leftover-audiences", "preview-summary", "doctor"]


def test_the_top_level_help_says_what_the_tool_does_and_lists_every_command():
    help_text = cli("--help").stdout
    assert "Tools for managing Polytomic with Pulumi" in help_text
    assert all(command in help_text for command in SUBCOMMANDS)
    assert "Exit status: 0 done, 1 failed" in help_text


def test_version_prints_the_package_version():
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"python -m polytomic_components {version('polytomic-components')}"


def subcommand(name: str) -> argparse.ArgumentParser:
    [commands] = [a for a in cli_module.build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return commands.choices[name]


def test_the_commands_are_the_documented_ones():
    [commands] = [a for a in cli_module.build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert sorted(commands.choices) == sorted(SUBCOMMANDS)


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_command_has_a_description_an_example_and_help_for_each_argument(command):
    parser = subcommand(command)
    assert len((parser.description or "").split()) >= 10
    assert f"python -m polytomic_components {command}" in (parser.epilog or "")
    assert [a.dest for a in parser._actions if not a.help] == []


def test_a_command_line_it_does_not_understand_exits_2():
    assert cli("values", "some-id", "colour").returncode == 2


def test_a_missing_api_key_is_advised_in_terms_of_the_environment_the_command_reads():
    result = cli("audiences", "some-id")
    assert result.returncode == 1
    assert "export POLYTOMIC_API_KEY=<key>" in result.stderr
    assert "pulumi config" not in result.stderr


def test_an_unknown_connection_is_advised_to_check_the_id_not_to_refresh(emulator):
    result = run(emulator, "audiences", "not-an-id")
    assert result.returncode == 1
    assert "Check the id" in result.stderr and "pulumi refresh" not in result.stderr


def test_an_unreachable_deployment_prints_progress_naming_its_url_while_retrying():
    url = "http://127.0.0.1:9"  # the discard port: nothing listens there
    result = cli("values", "some-id", "account",
                 env={"POLYTOMIC_API_KEY": "k", "POLYTOMIC_DEPLOYMENT_URL": url})
    assert result.returncode == 1
    progress = [line for line in result.stderr.splitlines() if line.startswith("polytomic: ")]
    assert progress and all(url in line for line in progress)
    assert "Check POLYTOMIC_DEPLOYMENT_URL" in result.stderr and "Traceback" not in result.stderr


def test_a_bug_exits_3_with_one_line_naming_its_trace_file(monkeypatch, capsys, emulator):
    def broken(*_args: object) -> None:
        raise KeyError("modes")

    monkeypatch.setenv("POLYTOMIC_API_KEY", emulator.api_key)
    monkeypatch.setenv("POLYTOMIC_DEPLOYMENT_URL", emulator.url)
    monkeypatch.setattr(cli_module, "list_audiences", broken)
    assert cli_module.main(["audiences", "some-id"]) == 3
    [line] = capsys.readouterr().err.splitlines()
    assert "a bug" in line and "written to " in line
