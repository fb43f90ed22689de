"""The sync and model options Polytomic's Terraform provider has, under the real engine."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest
from pulumi.automation import errors as auto_errors

from polytomic_components import Model, Sync
from tests.engine.test_pipeline import AUDIENCE, existing_connections
from tests.engine.test_resources_lifecycle import preview, quiet, up

pytestmark = pytest.mark.engine

QUERY = "SELECT email, first_name, country, created_at FROM users"


def program_with(sides: dict[str, str], **options: Any) -> Any:
    """A model and a sync on existing connections, with model options and sync options."""
    model_options = {k: options.pop(k) for k in ("tracking_columns", "labels", "additional_fields")
                     if k in options}

    def program() -> None:
        model = Model("users", name="Users", connection_id=sides["source_connection_id"],
                      configuration={"query": QUERY}, identifier="email", **model_options)

        def source(field: str) -> dict[str, Any]:
            return {"model_id": model.id, "field": field}

        sync = Sync("users-sync", name="Users to LinkedIn", mode="create",
                    target={"connection_id": sides["destination_connection_id"], "object": AUDIENCE},
                    identity={"source": source("email"), "target": "Email", "function": "Equality"},
                    fields=[{"source": source("first_name"), "target": "FirstName"}],
                    **{k: v(source) if callable(v) else v for k, v in options.items()})
        pulumi.export("sync_id", sync.id)
    return program


FILTERS = {
    "filters": lambda source: [
        {"field": source("country"), "field_type": "Model", "function": "Equality", "value": "US"},
        {"field": source("email"), "field_type": "Model", "function": "StringEndsWith", "value": ".com"}],
    "filter_logic": "A and B",
    "overrides": lambda source: [{"field": source("first_name"), "function": "IsNull", "override": "Friend"}],
    "override_fields": [{"target": "Country", "override_value": "US"}],
    "sync_all_records": True,
}


def test_filters_overrides_and_override_fields_are_written_and_preview_clean_after(polytomic_stack, emulator):
    stack = polytomic_stack(program_with(existing_connections(emulator), **FILTERS))
    result = up(stack)
    sync = emulator.api("GET", f"/api/syncs/{result.outputs['sync_id'].value}").json()["data"]
    assert [(f["function"], f["label"]) for f in sync["filters"]] == \
        [("Equality", "A"), ("StringEndsWith", "B")]
    assert sync["filter_logic"] == "A and B"
    assert sync["overrides"][0]["override"] == "Friend"
    assert sync["override_fields"] == [{"target": "Country", "override_value": "US"}]
    assert sync["sync_all_records"] is True
    assert preview(stack).change_summary == {"same": 4}


def test_model_options_are_written_and_preview_clean_after(polytomic_stack, emulator):
    stack = polytomic_stack(program_with(existing_connections(emulator), tracking_columns=["created_at"],
                                         labels=["marketing"]))
    up(stack)
    model = next(m for m in emulator.api("GET", "/api/models").json()["data"] if m["name"] == "Users")
    assert model["tracking_columns"] == ["created_at"]
    assert [label["name"] for label in model["labels"]] == ["marketing"]
    assert preview(stack).change_summary == {"same": 4}


@pytest.mark.parametrize(("options", "expected"), [
    ({"filters": lambda source: [{"field": source("phone"), "function": "IsNotNull"}]},
     "filters[0].field: 'phone' is not a field of model 'Users'"),
    ({**FILTERS, "filter_logic": "A and C"}, "filter_logic: names 'C', which no filter has"),
    ({"filters": lambda source: [{"field": source("email"), "function": "Matches"}]},
     "filters[0].function: 'Matches' is not a filter function"),
    ({"override_fields": [{"target": "Shoe size", "override_value": "9"}]},
     "override_fields[0].target: 'Shoe size' is not a field of this target"),
    ({"tracking_columns": ["updated_at"]}, "tracking_columns[0]"),
], ids=["filter-on-unknown-field", "logic-names-unknown-label", "unknown-filter-function",
        "override-field-unknown-target", "tracking-column-not-selected"])
def test_bad_options_fail_preview_naming_the_property_with_no_write(polytomic_stack, emulator, options,
                                                                    expected):
    sides = existing_connections(emulator)
    stack = polytomic_stack(program_with(sides))
    up(stack)
    stack.workspace.program = program_with(sides, **options)
    emulator.clear_requests_log()
    with pytest.raises(auto_errors.CommandError, match=re.escape(expected)):
        stack.preview(on_output=quiet)
    assert emulator.writes() == []
