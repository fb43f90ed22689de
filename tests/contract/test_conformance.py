"""The checker itself: each kind of departure from an SDK model is caught."""

from __future__ import annotations

import pytest

from .conformance import violations

polytomic = pytest.importorskip("polytomic")

FIELD = {"source": {"model_id": "m", "field": "email"}, "target": "Email"}


def test_a_payload_the_model_describes_passes() -> None:
    assert violations({"data": {"fields": [FIELD]}}, polytomic.ModelSyncV5ResponseEnvelope) == []


def test_a_key_the_model_does_not_define_is_caught() -> None:
    found = violations({"data": {"fields": [{**FIELD, "invented": 1}]}},
                       polytomic.ModelSyncV5ResponseEnvelope)
    assert found == ["data.fields[0].invented: key not defined by SyncField"]


def test_a_missing_required_key_is_caught() -> None:
    found = violations({"data": {"fields": [{"source": FIELD["source"]}]}},
                       polytomic.ModelSyncV5ResponseEnvelope)
    assert any("target" in problem for problem in found)


def test_a_wrong_json_type_is_caught_even_where_the_sdk_coerces() -> None:
    found = violations({"data": {"active": "true"}}, polytomic.ModelSyncV5ResponseEnvelope)
    assert found == ["data.active: expected bool, got 'true'"]


def test_an_enum_value_the_model_does_not_list_is_caught() -> None:
    found = violations({"data": {"mode": "upsert"}}, polytomic.ModelSyncV5ResponseEnvelope)
    assert found and found[0].startswith("data.mode: 'upsert' is not one of")
