"""`init-project`: one command that gives a Pulumi project of any language `LinkedInAudiencePipeline`.

    python -m polytomic_components init-project <project dir> [--language typescript|go|yaml|python]

Everything it writes lives in the project, with paths relative to the project, so the project
keeps working wherever it and this checkout sit (and when the checkout is gone):

- `.polytomic/wheels/`  this package, built as a wheel (commit it);
- `.polytomic/plugin/`  the `polytomic` component provider: `PulumiPlugin.yaml`, `__main__.py`, and a
  `requirements.txt` that installs the wheel (commit it);
- `.polytomic/venv/`    the provider's own virtualenv (do not commit; `pulumi install` or this command
  makes it again);
- `Pulumi.yaml`         `packages.polytomic` and `runtime.options.virtualenv` (the dynamic resources
  inside the component run in that virtualenv);
- `sdks/polytomic/`     TypeScript and Go: the SDK generated from the provider's schema, linked into
  `package.json` or `go.mod` and installed.

A Python program uses the package directly (`from polytomic_components import ...`): for it the
command installs the wheel into the program's own virtualenv instead.

Run it again after updating the checkout: it rebuilds the wheel, reinstalls it and regenerates the SDK.
A directory without `Pulumi.yaml` first gets a minimal project of `--language`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import yaml

from .command_line import PROG, add_subcommand

PACKAGE_ROOT = Path(__file__).resolve().parent
CHECKOUT = PACKAGE_ROOT.parent
DISTRIBUTION = "polytomic-components"

STATE_DIR = Path(".polytomic")
PLUGIN_DIR = STATE_DIR / "plugin"
WHEELS_DIR = STATE_DIR / "wheels"
VENV_DIR = STATE_DIR / "venv"
SDK_DIR = Path("sdks") / "polytomic"
#: The Go module path of the generated Go SDK; go.mod replaces it with SDK_DIR, so it names no
#: repository anyone could fetch by mistake.
GO_SDK_MODULE = "polytomic.local/sdk"
#: What a new TypeScript project depends on: the Node.js SDK of the language host's release.
NODEJS_DEPENDENCIES = {"@pulumi/pulumi": "3.137.0"}
NODEJS_DEV_DEPENDENCIES = {"typescript": "5.9.3", "@types/node": "20.19.25"}
GO_PULUMI_SDK = "github.com/pulumi/pulumi/sdk/v3@v3.137.0"

#: Pulumi.yaml runtime name → the language as this command names it.
RUNTIMES = {"nodejs": "typescript", "go": "go", "yaml": "yaml", "python": "python"}


def _say(line: str) -> None:
    print(line, flush=True)  # each step as it ends: the whole command takes minutes


class ProjectSetupError(Exception):
    """The project cannot be set up; the message says why and what to do."""


@attrs.frozen
class Tools:
    """Environment for the commands this runs: `pulumi`, and the language hosts it needs on PATH."""

    env: Mapping[str, str]
    #: Folders put before the user's PATH: built by the checkout's scripts, not yet on it.
    added: tuple[str, ...] = ()

    def run(self, args: Sequence[str | Path], cwd: Path, *, what: str) -> str:
        """Run a command; its output is returned, and on failure shown in the error with `what`."""
        result = subprocess.run([str(a) for a in args], cwd=cwd, env=dict(self.env),
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise ProjectSetupError(f"{what} failed ({' '.join(str(a) for a in args)}):\n"
                                    f"{result.stdout}{result.stderr}".rstrip())
        return result.stdout


def init_project(directory: Path, language: str | None = None,
                 say: Callable[[str], None] = _say) -> None:
    """Set up `directory` as described in the module docstring, reporting each step with `say`."""
    directory = directory.resolve()
    settings_file = directory / "Pulumi.yaml"
    if not settings_file.exists():
        if language is None:
            raise ProjectSetupError(f"{directory} has no Pulumi.yaml: give --language "
                                    f"({', '.join(RUNTIMES.values())}) to create a minimal project there")
        _write_new_project(directory, language)
        say(f"created a minimal {language} project in {directory}")
    settings = _load_settings(settings_file)
    runtime = _runtime_name(settings)
    found = RUNTIMES.get(runtime)
    if found is None:
        raise ProjectSetupError(f"Pulumi.yaml: runtime {runtime!r} is not supported; "
                                f"use one of {', '.join(RUNTIMES)}")
    if language is not None and language != found:
        raise ProjectSetupError(f"Pulumi.yaml says runtime {runtime!r} ({found}), not {language}")
    tools = _tools(found)

    wheel = _build_wheel(directory / WHEELS_DIR)
    say(f"built {wheel.relative_to(directory)} from {CHECKOUT}")
    if found == "python":
        _install_into_program_venv(directory, settings_file, settings, wheel, tools, say)
        return

    _write_plugin(directory, wheel)
    say(f"wrote the polytomic component provider to {PLUGIN_DIR}/")
    _install_plugin_venv(directory, wheel)
    say(f"installed it into its virtualenv {VENV_DIR}/ (not to be committed)")
    done = "set" if _set_project_settings(settings_file, settings) else "kept"
    say(f"{done} packages.polytomic: {PLUGIN_DIR} and runtime.options.virtualenv: {VENV_DIR} "
        "in Pulumi.yaml")
    schema = _schema(directory, tools)
    if found == "typescript":
        _generate_nodejs_sdk(directory, schema, tools)
        say(f"generated the TypeScript SDK into {SDK_DIR}/, added it to package.json as "
            "@pulumi/polytomic and ran npm install")
    elif found == "go":
        _generate_go_sdk(directory, schema, tools)
        say(f"generated the Go SDK into {SDK_DIR}/ (import \"{GO_SDK_MODULE}/polytomic\"), "
            "required and replaced it in go.mod and ran go mod tidy")
    if tools.added:
        say(f"pulumi needs these on PATH: export PATH={os.pathsep.join(tools.added)}:$PATH")
    say("next: pulumi stack init, pulumi config set --secret ... (see the README), pulumi preview")


# --- the project ------------------------------------------------------------------------------


def _load_settings(settings_file: Path) -> dict[str, Any]:
    settings = yaml.safe_load(settings_file.read_text()) or {}
    if not isinstance(settings, dict):
        raise ProjectSetupError(f"{settings_file}: expected a mapping")
    return settings


def _runtime_name(settings: Mapping[str, Any]) -> str:
    runtime = settings.get("runtime")
    name = runtime.get("name") if isinstance(runtime, Mapping) else runtime
    if not isinstance(name, str):
        raise ProjectSetupError("Pulumi.yaml has no runtime name")
    return name


def _set_project_settings(settings_file: Path, settings: dict[str, Any]) -> bool:
    """Point `packages.polytomic` and the runtime's `virtualenv` at the project's own copies.

    Returns whether Pulumi.yaml changed. It is rewritten only then (comments are not kept)."""
    runtime = settings.get("runtime")
    if not isinstance(runtime, dict):
        runtime = settings["runtime"] = {"name": runtime}
    options = runtime.setdefault("options", {})
    packages = settings.setdefault("packages", {})
    if options.get("virtualenv") == str(VENV_DIR) and packages.get("polytomic") == str(PLUGIN_DIR):
        return False
    options["virtualenv"] = str(VENV_DIR)
    packages["polytomic"] = str(PLUGIN_DIR)
    settings_file.write_text(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True))
    return True


# --- the provider: wheel, plugin folder, virtualenv ----------------------------------------------


def _build_wheel(wheels: Path) -> Path:
    """This package as a wheel in `wheels` (the only one there): built from a clean copy of the
    checkout's sources, so no build output lands in the checkout."""
    if not (CHECKOUT / "pyproject.toml").exists():
        raise ProjectSetupError(f"{CHECKOUT} is not a checkout of polytomic_components "
                                "(no pyproject.toml): run the command from a checkout")
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "source"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(CHECKOUT / name, source / name)
        shutil.copytree(PACKAGE_ROOT, source / PACKAGE_ROOT.name, ignore=shutil.ignore_patterns(
            ".venv", "__pycache__", "schema-*.json"))
        built = Path(scratch) / "wheels"
        result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                                 "--wheel-dir", str(built), str(source)], capture_output=True, text=True)
        if result.returncode != 0:
            raise ProjectSetupError(f"building the wheel failed:\n{result.stdout}{result.stderr}")
        (wheel,) = built.glob("*.whl")
        if wheels.exists():
            shutil.rmtree(wheels)
        wheels.mkdir(parents=True)
        return Path(shutil.copy2(wheel, wheels / wheel.name))


_PLUGIN_FILES = {
    "PulumiPlugin.yaml": f"""\
# The `polytomic` component provider, written by `python -m polytomic_components init-project`.
# Its virtualenv is the project's {VENV_DIR} (also the runtime's `virtualenv` in Pulumi.yaml).
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: ../venv
""",
    "__main__.py": '''\
"""Runs the `polytomic` component provider of the installed polytomic_components package."""

import runpy

runpy.run_module("polytomic_components.component_provider", run_name="__main__", alter_sys=True)
''',
}


def _write_plugin(directory: Path, wheel: Path) -> None:
    plugin = directory / PLUGIN_DIR
    plugin.mkdir(parents=True, exist_ok=True)
    for name, text in _PLUGIN_FILES.items():
        (plugin / name).write_text(text)
    # pip runs in the plugin folder; the wheel brings pulumi, requests and attrs from the index.
    relative_wheel = os.path.relpath(wheel, plugin)
    (plugin / "requirements.txt").write_text(f"{relative_wheel}\n")
    (directory / STATE_DIR / ".gitignore").write_text("venv/\nschema.json\nschema-*.json\n")
    # The engine caches the schema beside the plugin folder; a rebuilt wheel may change it.
    for cached in (directory / STATE_DIR).glob("schema-*.json"):
        cached.unlink()


def _install_plugin_venv(directory: Path, wheel: Path) -> None:
    venv = directory / VENV_DIR
    _install_wheel(venv, wheel)


def _install_wheel(venv: Path, wheel: Path) -> None:
    """Create `venv` if missing and install the wheel with its dependencies, replacing an older
    build of the same version (pip would otherwise keep it)."""
    python = venv / "bin" / "python"
    if not python.exists():
        _checked([sys.executable, "-m", "venv", str(venv)], "creating the virtualenv")
    _checked([str(python), "-m", "pip", "install", "--quiet", str(wheel)], "installing the wheel")
    _checked([str(python), "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps",
              str(wheel)], "installing the wheel")


def _checked(args: Sequence[str], what: str) -> None:
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise ProjectSetupError(f"{what} failed:\n{result.stdout}{result.stderr}")


# --- SDKs -------------------------------------------------------------------------------------


def _schema(directory: Path, tools: Tools) -> Path:
    schema = directory / STATE_DIR / "schema.json"
    text = tools.run(["pulumi", "package", "get-schema", str(PLUGIN_DIR)], directory,
                     what="reading the provider's schema")
    schema.write_text(text)
    return schema


def _generate_nodejs_sdk(directory: Path, schema: Path, tools: Tools) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        tools.run(["pulumi", "package", "gen-sdk", str(schema), "--language", "nodejs", "--local",
                   "--out", scratch], directory, what="generating the TypeScript SDK")
        _replace_dir(Path(scratch) / "nodejs", directory / SDK_DIR)
    package_file = directory / "package.json"
    package = json.loads(package_file.read_text()) if package_file.exists() else {}
    dependencies = package.setdefault("dependencies", {})
    for name, pinned in NODEJS_DEPENDENCIES.items():
        dependencies.setdefault(name, pinned)
    dependencies["@pulumi/polytomic"] = f"file:{SDK_DIR}"
    package_file.write_text(json.dumps(package, indent=4) + "\n")
    tools.run(["npm", "install", "--no-audit", "--no-fund", "--prefer-offline"], directory,
              what="npm install")


def _generate_go_sdk(directory: Path, schema: Path, tools: Tools) -> None:
    tools.run(["gen-go-sdk", "-schema", str(schema), "-module", GO_SDK_MODULE, "-out", str(SDK_DIR)],
              directory, what="generating the Go SDK")
    tools.run(["go", "mod", "edit", f"-require={GO_SDK_MODULE}@v0.0.0",
               f"-replace={GO_SDK_MODULE}=./{SDK_DIR}"], directory, what="editing go.mod")
    tools.run(["go", "mod", "tidy"], directory, what="go mod tidy")


def _replace_dir(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), str(target))


# --- Python programs --------------------------------------------------------------------------


def _install_into_program_venv(directory: Path, settings_file: Path, settings: dict[str, Any],
                               wheel: Path, tools: Tools, say: Callable[[str], None]) -> None:
    runtime = settings.get("runtime")
    if not isinstance(runtime, dict):
        runtime = settings["runtime"] = {"name": runtime}
    options = runtime.setdefault("options", {})
    if "virtualenv" not in options:
        options["virtualenv"] = "venv"
        settings_file.write_text(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True))
        say("set runtime.options.virtualenv: venv in Pulumi.yaml")
    requirements = directory / "requirements.txt"
    lines = requirements.read_text().splitlines() if requirements.exists() else []
    line = os.path.relpath(wheel, directory)
    kept = [x for x in lines if not (x.startswith(str(WHEELS_DIR)) and x.endswith(".whl"))]
    requirements.write_text("\n".join([*kept, line]) + "\n")
    say(f"added {line} to requirements.txt")
    tools.run(["pulumi", "install"], directory, what="pulumi install")
    venv = directory / options["virtualenv"]
    _install_wheel(venv, wheel)
    say(f"installed it into the program's virtualenv {options['virtualenv']}/; in the program: "
        "from polytomic_components import LinkedInAudiencePipeline, LinkedInAudiencePipelineArgs")
    say("next: pulumi stack init, pulumi config set --secret ... (see the README), pulumi preview")


# --- tools and new projects -------------------------------------------------------------------


def _tools(language: str) -> Tools:
    """PATH with `pulumi` and the language host: those on PATH, else the ones the checkout's
    scripts build and cache."""
    path = os.environ.get("PATH", "")
    extra: list[str] = []
    if shutil.which("pulumi") is None:
        extra.append(_script_output("install-pulumi.sh"))
    host, script_args = {
        "typescript": ("pulumi-language-nodejs", ["install-pulumi-language-host.sh", "nodejs"]),
        "go": ("gen-go-sdk", ["install-pulumi-language-host.sh", "go"]),
        "yaml": ("pulumi-language-yaml", ["install-pulumi-yaml.sh"]),
        "python": ("pulumi-language-python", ["install-pulumi.sh"]),
    }[language]
    if shutil.which(host) is None:
        extra.insert(0, _script_output(*script_args))
    extra = [d for d in dict.fromkeys(extra) if d not in path.split(os.pathsep)]
    return Tools({**os.environ, "PATH": os.pathsep.join([*extra, path])}, tuple(extra))


def _script_output(script: str, *args: str) -> str:
    scripts = CHECKOUT / "scripts"
    result = subprocess.run(["bash", str(scripts / script), *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise ProjectSetupError(f"scripts/{script} {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


def _write_new_project(directory: Path, language: str) -> None:
    runtime = {v: k for k, v in RUNTIMES.items()}.get(language)
    if runtime is None:
        raise ProjectSetupError(f"--language {language!r}: use one of {', '.join(RUNTIMES.values())}")
    directory.mkdir(parents=True, exist_ok=True)
    name = directory.name
    # Written with the settings init_project sets, so that it leaves this file (and its comment) as is.
    settings: dict[str, Any] = {"name": name, "runtime": {"name": runtime, "options": {
        "virtualenv": "venv" if language == "python" else str(VENV_DIR)}}}
    if language != "python":
        settings["packages"] = {"polytomic": str(PLUGIN_DIR)}
    files = {"Pulumi.yaml": yaml.safe_dump(settings, sort_keys=False)}
    example = f"the reference project stacks/{language}/ of polytomic_components"
    if language == "typescript":
        files["package.json"] = json.dumps(
            {"name": name, "main": "index.ts", "private": True,
             "devDependencies": NODEJS_DEV_DEPENDENCIES, "dependencies": NODEJS_DEPENDENCIES},
            indent=4) + "\n"
        files["tsconfig.json"] = json.dumps(
            {"compilerOptions": {"strict": True, "outDir": "bin", "target": "es2020",
                                 "module": "commonjs", "moduleResolution": "node"},
             "files": ["index.ts"]}, indent=4) + "\n"
        files["index.ts"] = ("import * as polytomic from \"@pulumi/polytomic\";\n\n"
                             f"// Declare pipelines here, as {example} does:\n"
                             "// new polytomic.LinkedInAudiencePipeline(\"name\", {modelName: ..., ...});\n")
    elif language == "go":
        files["go.mod"] = f"module {name}\n\ngo 1.21\n"
        files["main.go"] = (f"// Declare pipelines here, as {example} does:\n"
                            "// polytomic.NewLinkedInAudiencePipeline(ctx, \"name\", "
                            "&polytomic.LinkedInAudiencePipelineArgs{...})\n"
                            "package main\n\nimport (\n"
                            "\t\"github.com/pulumi/pulumi/sdk/v3/go/pulumi\"\n"
                            f"\t_ \"{GO_SDK_MODULE}/polytomic\"\n)\n\n"
                            "func main() {\n"
                            "\tpulumi.Run(func(ctx *pulumi.Context) error { return nil })\n}\n")
    elif language == "python":
        files["__main__.py"] = ('"""Declare pipelines here, as stacks/__main__.py of polytomic_components '
                                'does."""\n\nimport polytomic_components  # noqa: F401\n')
        files["requirements.txt"] = "pulumi>=3.272,<4\n"
    elif language == "yaml":
        files["Pulumi.yaml"] += f"# Declare pipelines here, as {example} does.\nresources: {{}}\n"
    existing = [directory / file for file in files if (directory / file).exists()]
    if existing:
        raise ProjectSetupError(f"{existing[0]} exists but Pulumi.yaml does not; "
                                "remove it or add Pulumi.yaml")
    for file, text in files.items():
        (directory / file).write_text(text)


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `init-project` to the command line; it sets `run`, which takes the parsed arguments."""
    command = add_subcommand(
        commands, "init-project",
        summary="set up a Pulumi project (TypeScript, Go, YAML, Python) to use the pipelines",
        description=__doc__.split("\n\n", 2)[2] if __doc__ else None,
        examples=[f"{PROG} init-project stacks/typescript", f"{PROG} init-project my-project --language go"],
        run=_run, formatter_class=argparse.RawDescriptionHelpFormatter)
    command.add_argument("directory", type=Path, help="the Pulumi project (made if it has no Pulumi.yaml)")
    command.add_argument("--language", choices=sorted(RUNTIMES.values()),
                         help="the project's language (needed only for a new project)")


def _run(args: argparse.Namespace) -> int:
    try:
        init_project(args.directory, args.language)
    except ProjectSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
