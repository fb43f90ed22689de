"""The TypeScript and Go reference projects (stacks/typescript/, stacks/go/), as users run them.

Each project is copied on its own, away from the checkout, and set up by the one command users run,
`python -m polytomic_components init-project <dir>`: the provider's wheel, plugin folder and
virtualenv, and the SDK generated from its schema, all inside the copy. No PULUMI_PYTHON_CMD or
PYTHONPATH: the project's own settings must lead the engine to the provider.

Then one `dev` stack per language goes through its life against the emulator, in the order of the
tests below: type check, `up`, an unchanged preview, a rename by alias, `destroy`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from ..conftest import REPO_ROOT, Emulator, Project, set_up_language_project

pytestmark = pytest.mark.engine

NEWSLETTER_AUDIENCE = "512630692::urn:li:organization:28818517~user_audience.29728401"
SECRETS = {
    "snowflakePassword": "sf-lang-password-31d7",
    "linkedinClientId": "li-lang-client-8e0b",
    "linkedinClientSecret": "li-lang-secret-c24a",
    "linkedinRefreshToken": "li-lang-refresh-5f96",
}


@attrs.frozen
class Language:
    """What differs between the reference projects: the program, its check, and edits to it."""

    name: str
    host: str
    program: str
    check: tuple[str, ...]
    #: Mistakes made in the program (edits), and what the check says about each.
    mistakes: tuple[tuple[str, str], ...]
    mistake_messages: tuple[str, ...]
    #: Edits that rename the pipeline `trial-signups` to `signups`, with the old name as an alias.
    rename: tuple[tuple[str, str], ...]
    #: Text the generated SDK must contain, by file: an enum for a closed set (the audience type),
    #: the enum-typed property, and a secret input wrapped as a secret.
    sdk_contains: dict[str, tuple[str, ...]]


TYPESCRIPT = Language(
    name="typescript", host="nodejs", program="index.ts",
    check=("node_modules/.bin/tsc", "--noEmit", "--pretty", "false"),
    # Each in an object literal of its own: tsc checks no excess property where a value is wrong.
    mistakes=(('    modelName: "Newsletter subscribers",', '    modelNme: "Newsletter subscribers",'),
              ('        type: "user_audience",', '        type: "user_audiense",'),
              ('        title: "Title",', '        title: 42,')),
    mistake_messages=("'modelNme' does not exist",
                      "Type '\"user_audiense\"' is not assignable to type 'AudienceType'",
                      "Type 'number' is not assignable to type 'Input<string> | Input<FieldSettingArgs>'"),
    rename=(('LinkedInAudiencePipeline("trial-signups", {', 'LinkedInAudiencePipeline("signups", {'),
            ('    schedule: { frequency: "daily", hour: 6, minute: 0 },\n});',
             '    schedule: { frequency: "daily", hour: 6, minute: 0 },\n'
             '}, { aliases: [{ name: "trial-signups" }] });')),
    sdk_contains={
        "types/enums/index.ts": ('UserAudience: "user_audience",', 'CompanyAudience: "company_audience",'),
        "types/input.ts": ("type: enums.AudienceType;",),
        "linkedInAudiencePipeline.ts": ("pulumi.secret(args.encryptionPassphrase)",),
    },
)
GO = Language(
    name="go", host="go", program="main.go",
    check=("go", "build", "-o", os.devnull, "."),
    mistakes=(('ModelName:               "Trial signups",', 'ModelNme: "Trial signups",'),
              ("polytomic.AudienceTypeUserAudience,", "polytomic.AudienceTypeUserAudiense,")),
    mistake_messages=("unknown field ModelNme", "undefined: polytomic.AudienceTypeUserAudiense"),
    rename=(('NewLinkedInAudiencePipeline(ctx, "trial-signups",',
             'NewLinkedInAudiencePipeline(ctx, "signups",'),
            ('Minute: 0},\n\t\t\t})',
             'Minute: 0},\n\t\t\t},\n\t\t\t'
             'pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String("trial-signups")}}))')),
    sdk_contains={
        "polytomic/pulumiEnums.go": ('AudienceTypeUserAudience    = AudienceType("user_audience")',),
        "polytomic/pulumiTypes.go": ("Type AudienceType `pulumi:\"type\"`",),
        "polytomic/linkedInAudiencePipeline.go": ("pulumi.ToSecret(args.EncryptionPassphrase)",),
    },
)


@attrs.frozen
class LanguageProject:
    """A set-up copy of a reference project, and what `init-project` printed for it."""

    language: Language
    project: Project
    init_output: str

    @property
    def directory(self) -> Path:
        return self.project.directory

    def check(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.language.check, cwd=self.directory, env=self.project.env,
                              capture_output=True, text=True, timeout=600)

    @contextlib.contextmanager
    def edited(self, *edits: tuple[str, str]) -> Iterator[None]:
        """The program with each `old` replaced by `new` (each must occur once), restored after."""
        program = self.directory / self.language.program
        original = program.read_text()
        text = original
        for old, new in edits:
            assert text.count(old) == 1, f"{old!r} is not in {program.name} exactly once"
            text = text.replace(old, new)
        program.write_text(text)
        try:
            yield
        finally:
            program.write_text(original)


def outputs(project: Project) -> dict[str, str]:
    return json.loads(project.run("stack", "output", "--json").stdout)


@pytest.fixture(scope="module", params=[TYPESCRIPT, GO], ids=lambda language: language.name)
def language_project(request: pytest.FixtureRequest, engine_env: dict[str, str],
                     tmp_path_factory: pytest.TempPathFactory) -> LanguageProject:
    """A copy of stacks/<language>/ after `init-project`, with the language host on PATH."""
    language: Language = request.param
    directory = tmp_path_factory.mktemp(language.name) / "project"
    return LanguageProject(language, *set_up_language_project(language.name, language.host, engine_env,
                                                              directory))


@attrs.frozen
class Deployment:
    project: LanguageProject
    before: dict[str, int]


@pytest.fixture(scope="module")
def deployed(language_project: LanguageProject, emulator_session: Emulator) -> Iterator[Deployment]:
    """The project's `dev` stack after `up` against the emulator (reset first), secrets set as
    users set them. The emulator is not reset between this module's tests: they share the stack."""
    emulator_session.reset()
    project = language_project.project
    project.run("stack", "init", "dev")
    for key, value in {**SECRETS, "polytomic:apiKey": emulator_session.api_key}.items():
        project.run("config", "set", "--secret", key, value)
    project.run("config", "set", "polytomic:deploymentUrl", emulator_session.url)
    before = emulator_session.state()
    project.run("up", "--yes", "--skip-preview")
    yield Deployment(language_project, before)
    project.run("destroy", "--yes", check=False)
    project.run("stack", "rm", "--yes", "--force", "dev", check=False)


def test_init_project_says_what_it_did(language_project):
    said = language_project.init_output
    assert "built .polytomic/wheels/polytomic_components-" in said
    assert "wrote the polytomic component provider to .polytomic/plugin/" in said
    assert "generated the" in said and "SDK into sdks/polytomic/" in said


def test_init_project_writes_no_machine_path_into_the_project(language_project):
    directory = language_project.directory
    written = ["Pulumi.yaml", ".polytomic/plugin/PulumiPlugin.yaml", ".polytomic/plugin/requirements.txt",
               "package.json" if language_project.language is TYPESCRIPT else "go.mod"]
    texts = {name: (directory / name).read_text() for name in written}
    assert [name for name, text in texts.items() if str(directory) in text or str(REPO_ROOT) in text] == []
    settings = texts["Pulumi.yaml"]
    assert re.search(r"^  polytomic: \.polytomic/plugin$", settings, re.MULTILINE)
    assert re.search(r"^    virtualenv: \.polytomic/venv$", settings, re.MULTILINE)


def test_the_provider_runs_from_the_projects_own_virtualenv(language_project):
    venv_python = language_project.directory / ".polytomic" / "venv" / "bin" / "python"
    script = "import polytomic_components.component_provider.component as c; print(c.__file__)"
    module = subprocess.run([str(venv_python), "-c", script], cwd=language_project.directory,
                            check=True, capture_output=True, text=True).stdout.strip()
    assert Path(module).is_relative_to(language_project.directory / ".polytomic" / "venv")


def test_the_program_type_checks_against_the_generated_sdk(language_project):
    result = language_project.check()
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_generated_sdk_types_closed_sets_as_enums_and_secrets_as_secrets(language_project):
    sdk = language_project.directory / "sdks" / "polytomic"
    missing = [(file, text) for file, texts in language_project.language.sdk_contains.items()
               for text in texts if text not in (sdk / file).read_text()]
    assert missing == []


def test_mistakes_in_the_program_fail_the_type_check_each_named(language_project):
    with language_project.edited(*language_project.language.mistakes):
        result = language_project.check()
    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert [m for m in language_project.language.mistake_messages if m not in said] == []


def test_up_syncs_into_an_existing_and_a_new_audience(deployed, emulator_session):
    audiences = outputs(deployed.project.project)
    assert audiences["newsletterAudience"] == NEWSLETTER_AUDIENCE
    created = audiences["trialSignupsAudience"]
    assert created not in (None, NEWSLETTER_AUDIENCE)
    syncs = emulator_session.api("GET", "/api/syncs").json()["data"]
    assert sorted(s["target_object"] for s in syncs) == sorted([NEWSLETTER_AUDIENCE, created])
    assert len({s["target_connection_id"] for s in syncs}) == 1  # the second reuses the first's


def test_preview_after_up_expects_no_changes_writes_nothing_and_warns_of_nothing(deployed, emulator_session):
    emulator_session.clear_requests_log()
    preview = deployed.project.project.run("preview", "--expect-no-changes")
    assert emulator_session.writes() == []
    assert "warning" not in preview.stdout + preview.stderr  # e.g. about the language host's place


def test_no_secret_is_stored_in_plaintext(deployed, emulator_session, backend_text):
    stored = backend_text() + (deployed.project.directory / "Pulumi.dev.yaml").read_text()
    assert [s for s in [*SECRETS.values(), emulator_session.api_key] if s in stored] == []


def test_a_rename_by_alias_keeps_the_audience_and_the_sync(deployed, emulator_session):
    project = deployed.project
    audience = outputs(project.project)["trialSignupsAudience"]
    syncs = {s["id"] for s in emulator_session.api("GET", "/api/syncs").json()["data"]}
    audience_count = len(emulator_session.audiences())
    with project.edited(*project.language.rename):
        project.project.run("up", "--yes", "--skip-preview")
        assert outputs(project.project)["trialSignupsAudience"] == audience
        assert {s["id"] for s in emulator_session.api("GET", "/api/syncs").json()["data"]} == syncs
        assert len(emulator_session.audiences()) == audience_count


def test_destroy_deletes_what_up_made_but_keeps_the_audiences(deployed, emulator_session):
    created = outputs(deployed.project.project)["trialSignupsAudience"]
    deployed.project.project.run("destroy", "--yes")
    after = emulator_session.state()
    assert [after[k] for k in ("connections", "models", "syncs")] == \
        [deployed.before[k] for k in ("connections", "models", "syncs")]
    assert created in {a["id"] for a in emulator_session.audiences()}
