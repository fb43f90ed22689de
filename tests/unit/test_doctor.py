"""The emulator README and `doctor` stay in step: every guess names its check or why none."""

from __future__ import annotations

import re

from polytomic_components.doctor import CHECKS
from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "polytomic_components" / "emulator" / "README.md").read_text()
GUESSES = README.split("## Guesses", 1)[1]


def test_every_guess_in_the_emulator_readme_names_its_doctor_check_or_why_it_has_none():
    bullets = ["- " + bullet for bullet in GUESSES.split("\n- ")[1:]]

    assert bullets
    assert [b.splitlines()[0] for b in bullets if "doctor: " not in b] == []


def test_every_doctor_check_is_linked_from_a_guess():
    linked = set(re.findall(r"\[doctor: `([a-z0-9-]+)`\]\(\.\./doctor\.py\)", GUESSES))

    assert linked == {check.name for check in CHECKS}
