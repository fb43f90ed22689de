"""The scripts that put the engine and the language hosts on a machine, on the paths a machine with
no cache takes before any build: no Go toolchain, or a host of the official CLI on PATH.

Each run gets a cache of its own (XDG_CACHE_HOME), never ~/.cache/polytomic-components, and a PATH
of only the tools the scripts use, so no `go` or `pulumi` of this machine is found. (A build itself
takes minutes; each install script's build ran by hand against a throwaway cache when it changed.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
#: What the scripts run besides bash builtins.
TOOLS = ("bash", "dirname", "sha256sum", "cut", "mkdir", "flock", "sort", "head", "tail", "sed",
         "mktemp", "rm", "mv", "ln", "readlink", "chmod", "du")
INSTALLS = {
    "install-pulumi.sh": ((), "pulumi >= v3.274.1", "1.26"),
    "install-pulumi-yaml.sh": ((), "pulumi-language-yaml", "1.25"),
    "install-pulumi-language-host.sh nodejs": (("nodejs",), "nodejs language host", "1.26"),
    "install-pulumi-language-host.sh go": (("go",), "go language host", "1.26"),
}


def run(script: str, args: tuple[str, ...], tmp_path: Path,
        *extra_path: Path) -> subprocess.CompletedProcess[str]:
    """`script` with a cache in `tmp_path` and only the scripts' tools (and `extra_path`) on PATH."""
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, f"{tool} is not on this machine"
        if not (tools / tool).exists():
            (tools / tool).symlink_to(found)
    env = {"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "PATH": os.pathsep.join(map(str, [*extra_path, tools]))}
    return subprocess.run([str(tools / "bash"), str(SCRIPTS / script), *args], env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", INSTALLS)
def test_without_a_go_toolchain_an_install_says_what_to_install_and_fails(name, tmp_path):
    args, missing, go_version = INSTALLS[name]
    result = run(name.split()[0], args, tmp_path)

    assert result.returncode == 1
    assert f"no {missing} on PATH and no Go toolchain to build one." in result.stderr
    assert f"Install the Pulumi CLI (https://www.pulumi.com/docs/install/) or Go >= {go_version}" \
        in result.stderr
    assert result.stdout == ""
    assert not list((tmp_path / "cache").rglob("bin"))  # nothing half-built is cached


@pytest.mark.parametrize(("script", "args", "host"), [
    ("install-pulumi-yaml.sh", (), "pulumi-language-yaml"),
    ("install-pulumi-language-host.sh", ("nodejs",), "pulumi-language-nodejs"),
])
def test_a_host_on_path_that_these_scripts_did_not_build_is_used_where_it_is(script, args, host, tmp_path):
    official = tmp_path / "official-cli"
    official.mkdir()
    (official / host).write_text("#!/bin/sh\n")
    (official / host).chmod(0o755)

    result = run(script, args, tmp_path, official)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(official)
    assert f"using {official / host} from PATH" in result.stderr
