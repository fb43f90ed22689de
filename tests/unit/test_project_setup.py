"""`init-project`: what it writes into a project, and what it refuses (no engine; see
tests/engine/test_languages.py for the whole command on the reference projects)."""

from __future__ import annotations

import pytest
import yaml

from polytomic_components import project_setup
from polytomic_components.project_setup import ProjectSetupError, init_project


def test_settings_point_packages_and_virtualenv_at_the_projects_own_copies(tmp_path):
    settings_file = tmp_path / "Pulumi.yaml"
    settings_file.write_text("name: mine\nruntime: nodejs\n")
    changed = project_setup._set_project_settings(settings_file, yaml.safe_load(settings_file.read_text()))
    assert changed
    assert yaml.safe_load(settings_file.read_text()) == {
        "name": "mine",
        "runtime": {"name": "nodejs", "options": {"virtualenv": ".polytomic/venv"}},
        "packages": {"polytomic": ".polytomic/plugin"},
    }


def test_settings_already_in_place_leave_pulumi_yaml_as_written(tmp_path):
    settings_file = tmp_path / "Pulumi.yaml"
    text = ("name: mine  # a comment the user keeps\nruntime:\n  name: go\n  options:\n"
            "    virtualenv: .polytomic/venv\npackages:\n  polytomic: .polytomic/plugin\n")
    settings_file.write_text(text)
    assert not project_setup._set_project_settings(settings_file, yaml.safe_load(text))
    assert settings_file.read_text() == text


def test_the_plugin_installs_the_wheel_by_a_path_relative_to_the_plugin(tmp_path):
    wheel = tmp_path / ".polytomic" / "wheels" / "polytomic_components-0.1.0-py3-none-any.whl"
    wheel.parent.mkdir(parents=True)
    wheel.touch()
    project_setup._write_plugin(tmp_path, wheel)
    plugin = tmp_path / ".polytomic" / "plugin"
    assert (plugin / "requirements.txt").read_text() == \
        "../wheels/polytomic_components-0.1.0-py3-none-any.whl\n"
    assert yaml.safe_load((plugin / "PulumiPlugin.yaml").read_text())["runtime"]["options"] == \
        {"toolchain": "pip", "virtualenv": "../venv"}
    assert (tmp_path / ".polytomic" / ".gitignore").read_text().splitlines()[0] == "venv/"


def test_a_directory_without_a_project_needs_a_language(tmp_path):
    with pytest.raises(ProjectSetupError, match=r"has no Pulumi\.yaml: give --language"):
        init_project(tmp_path)


def test_an_unsupported_runtime_is_named_with_the_supported_ones(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: mine\nruntime: dotnet\n")
    with pytest.raises(ProjectSetupError, match="runtime 'dotnet' is not supported; use one of nodejs, go"):
        init_project(tmp_path)


def test_a_language_that_contradicts_the_project_is_refused(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: mine\nruntime: go\n")
    with pytest.raises(ProjectSetupError, match=r"runtime 'go' \(go\), not typescript"):
        init_project(tmp_path, "typescript")


def test_a_new_project_never_overwrites_a_file(tmp_path):
    (tmp_path / "index.ts").write_text("// mine\n")
    with pytest.raises(ProjectSetupError, match=r"index\.ts exists but Pulumi\.yaml does not"):
        project_setup._write_new_project(tmp_path, "typescript")
    assert (tmp_path / "index.ts").read_text() == "// mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.ts"]


@pytest.mark.parametrize("language", ["typescript", "go", "yaml"])
def test_a_new_project_is_written_with_the_settings_already_in_place(tmp_path, language):
    project_setup._write_new_project(tmp_path, language)
    settings_file = tmp_path / "Pulumi.yaml"
    written = settings_file.read_text()
    assert not project_setup._set_project_settings(settings_file, yaml.safe_load(written))
    assert settings_file.read_text() == written
