"""Sync options as the API documents them: filters (both forms), overrides, override fields,
per-field settings, sync_all_records, encryption_passphrase -- echoed as sent, checked against
the model's fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import Api

JSON = dict[str, Any]
Body = Callable[..., JSON]


@pytest.fixture
def source(model: JSON) -> Callable[[str], JSON]:
    return lambda field: {"model_id": model["id"], "field": field}


def _create(api: Api, body: JSON) -> JSON:
    response = api("POST", "/api/syncs", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


def _error(api: Api, body: JSON) -> JSON:
    response = api("POST", "/api/syncs", json=body)
    assert response.status_code in (400, 422), response.text
    return dict(response.json())


def test_deprecated_filters_are_echoed_with_labels_filled(api: Api, sync_body: Body,
                                                          source: Callable[[str], JSON]) -> None:
    filters = [{"field": source("is_active"), "field_type": "Model", "function": "True"},
               {"field": source("email"), "field_type": "Model", "function": "StringEndsWith",
                "value": "@polytomic.com", "label": ""}]
    sync = _create(api, sync_body(filters=filters))
    assert sync["filters"] == [{**filters[0], "label": "A"}, {**filters[1], "label": "B"}]
    assert "filter_logic" not in sync


def test_deprecated_filters_also_read_back_as_model_filters(
        api: Api, sync_body: Body, source: Callable[[str], JSON]) -> None:
    filters = [{"field": source("is_active"), "field_type": "Model", "function": "True"}]
    sync = _create(api, sync_body(filters=filters, filter_logic="A"))
    assert sync["model_filters"] == {
        "conditions": [{"source": source("is_active"), "function": "True", "label": "A"}],
        "logic": "A"}
    assert sync["filter_logic"] == "A"


def test_model_filters_also_read_back_as_deprecated_filters(
        api: Api, sync_body: Body, source: Callable[[str], JSON]) -> None:
    model_filters = {"conditions": [
        {"source": source("email"), "function": "IsNotNull", "label": "has_email"},
        {"source": source("is_active"), "function": "True", "label": "active"}],
        "logic": "has_email AND (active)"}
    sync = _create(api, sync_body(model_filters=model_filters))
    assert sync["model_filters"] == model_filters
    assert [(f["field"], f["field_type"], f["label"]) for f in sync["filters"]] == [
        (source("email"), "Model", "has_email"), (source("is_active"), "Model", "active")]
    assert sync["filter_logic"] == "has_email AND (active)"


def test_no_filters_leave_every_filter_key_unset(sync: JSON) -> None:
    assert not {"filters", "filter_logic", "model_filters", "target_filters"} & {
        key for key, value in sync.items() if value not in (None, [])}


def test_filter_on_unknown_model_field_is_named(api: Api, sync_body: Body,
                                                source: Callable[[str], JSON]) -> None:
    error = _error(api, sync_body(filters=[{"field": source("phone"), "function": "IsNull"}]))
    assert error["metadata"]["path"] == "filters[0].field.field"
    assert "email" in error["metadata"]["allowed"]


def test_model_filter_on_unknown_field_is_named(api: Api, sync_body: Body,
                                                source: Callable[[str], JSON]) -> None:
    body = sync_body(model_filters={"conditions": [{"source": source("phone"),
                                                    "function": "IsNull"}]})
    assert _error(api, body)["metadata"]["path"] == "model_filters.conditions[0].source.field"


def test_unknown_filter_function_is_named(api: Api, sync_body: Body,
                                          source: Callable[[str], JSON]) -> None:
    error = _error(api, sync_body(filters=[{"field": source("email"), "function": "Contains"}]))
    assert error["status"] == 400 and error["metadata"]["path"] == "filters[0].function"


@pytest.mark.parametrize(("logic", "problem"), [
    ("A OR C", "C"), ("A AND", "end"), ("(A OR B", ")"), ("A", "B"),
])
def test_bad_filter_logic_is_named(api: Api, sync_body: Body, source: Callable[[str], JSON],
                                   logic: str, problem: str) -> None:
    filters = [{"field": source("email"), "function": "IsNotNull"},
               {"field": source("is_active"), "function": "True"}]
    error = _error(api, sync_body(filters=filters, filter_logic=logic))
    assert error["status"] == 400 and error["metadata"]["path"] == "filter_logic"
    assert problem in error["message"]


def test_logic_operators_are_case_insensitive(api: Api, sync_body: Body,
                                              source: Callable[[str], JSON]) -> None:
    filters = [{"field": source("email"), "function": "IsNotNull"},
               {"field": source("is_active"), "function": "True"}]
    assert _create(api, sync_body(filters=filters, filter_logic="a or B".replace("a", "A")))


def test_labelling_only_some_conditions_is_rejected(api: Api, sync_body: Body,
                                                   source: Callable[[str], JSON]) -> None:
    filters = [{"field": source("email"), "function": "IsNotNull", "label": "x"},
               {"field": source("is_active"), "function": "True"}]
    assert _error(api, sync_body(filters=filters))["metadata"]["path"] == "filters[1].label"


def test_filters_and_model_filters_that_differ_are_rejected(
        api: Api, sync_body: Body, source: Callable[[str], JSON]) -> None:
    body = sync_body(filters=[{"field": source("email"), "function": "IsNotNull"}],
                     model_filters={"conditions": [{"source": source("is_active"),
                                                    "function": "True"}]})
    assert _error(api, body)["metadata"]["path"] == "filters"


def test_target_filters_are_refused_where_the_mode_has_none(api: Api, sync_body: Body) -> None:
    body = sync_body(target_filters={"conditions": [{"field": "Email", "function": "IsNull"}]})
    error = _error(api, body)
    assert error["status"] == 422 and error["metadata"]["path"] == "target_filters"


def test_overrides_are_echoed(api: Api, sync_body: Body, source: Callable[[str], JSON]) -> None:
    overrides = [{"field": source("first_name"), "function": "IsNull", "override": "Friend"}]
    assert _create(api, sync_body(overrides=overrides))["overrides"] == overrides


def test_override_on_unknown_field_is_named(api: Api, sync_body: Body,
                                            source: Callable[[str], JSON]) -> None:
    overrides = [{"field": source("nickname"), "function": "IsNull", "override": "x"}]
    assert _error(api, sync_body(overrides=overrides))["metadata"]["path"] \
        == "overrides[0].field.field"


def test_override_fields_are_echoed_and_folded_into_fields(api: Api, sync_body: Body) -> None:
    override = {"target": "Country", "override_value": "US"}
    sync = _create(api, sync_body(override_fields=[override]))
    assert sync["override_fields"] == [override]
    assert sync["fields"][-1] == override


def test_override_fields_sent_back_with_the_fields_they_fold_into_are_not_doubled(
        api: Api, sync_body: Body) -> None:
    override = {"target": "Country", "override_value": "US"}
    sync = _create(api, sync_body(override_fields=[override]))
    again = api.data("PUT", f"/api/syncs/{sync['id']}", json=sync_body(
        fields=sync["fields"], override_fields=sync["override_fields"]))
    assert again["fields"] == sync["fields"] and again["override_fields"] == [override]


def test_override_field_on_unknown_target_field_is_named(api: Api, sync_body: Body) -> None:
    body = sync_body(override_fields=[{"target": "Shoe size", "override_value": "9"}])
    assert _error(api, body)["metadata"]["path"] == "override_fields[0].target"


def test_unknown_field_sync_mode_is_named(api: Api, sync_body: Body,
                                          source: Callable[[str], JSON]) -> None:
    fields = [{"source": source("first_name"), "target": "FirstName", "sync_mode": "upsert"}]
    assert _error(api, sync_body(fields=fields))["metadata"]["path"] == "fields[0].sync_mode"


def test_sync_all_records_is_echoed(api: Api, sync_body: Body) -> None:
    assert _create(api, sync_body(sync_all_records=True))["sync_all_records"] is True


def test_encryption_passphrase_is_masked_and_never_echoed(api: Api, sync_body: Body) -> None:
    response = api("POST", "/api/syncs", json=sync_body(encryption_passphrase="hush-hush"))
    assert response.json()["data"]["encryption_passphrase"] == "********"
    assert "hush-hush" not in response.text


def test_options_survive_a_get(api: Api, sync_body: Body, source: Callable[[str], JSON]) -> None:
    sync = _create(api, sync_body(
        filters=[{"field": source("email"), "function": "IsNotNull"}],
        overrides=[{"field": source("first_name"), "function": "IsNull", "override": "F"}],
        override_fields=[{"target": "Country", "override_value": "US", "sync_mode": "create"}],
        sync_all_records=True))
    assert api.data("GET", f"/api/syncs/{sync['id']}") == sync
