"""The real engine runs our dynamic providers: inline programs and the reference project."""

from __future__ import annotations

import pulumi
import pytest

from tests.engine.smoke_resource import Marker

pytestmark = pytest.mark.engine


def test_inline_program_creates_previews_clean_refreshes_and_destroys(inline_stack, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()

    def program() -> None:
        marker = Marker("marker", str(markers), "hello")
        pulumi.export("text", marker.text)

    stack = inline_stack(program)
    up = stack.up(on_output=lambda _line: None)
    assert up.summary.resource_changes == {"create": 2}
    assert up.outputs["text"].value == "hello"
    assert [p.read_text() for p in markers.iterdir()] == ["hello"]

    preview = stack.preview(on_output=lambda _line: None)
    assert preview.change_summary == {"same": 2}

    stack.refresh(on_output=lambda _line: None)
    stack.destroy(on_output=lambda _line: None)
    assert list(markers.iterdir()) == []
