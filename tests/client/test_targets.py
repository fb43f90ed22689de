"""PolytomicClient ↔ emulator: destination discovery (audiences, creation properties, fields)."""

from __future__ import annotations

from typing import Any

from polytomic_components.client import PolytomicClient, TargetObjects

JSON = dict[str, Any]


def test_target_objects_list_audiences_and_creation_properties(
    client: PolytomicClient, linkedin: JSON
) -> None:
    targets = client.target_objects(linkedin["id"])
    assert isinstance(targets, TargetObjects)
    assert targets.objects
    assert {m["id"] for m in targets.objects[0]["modes"]} == {"create", "remove"}
    assert targets.creation is not None
    assert targets.creation["supported"] is True
    assert [p["id"] for p in targets.creation["properties"]] == ["account", "type", "name"]
    assert all("values" not in p for p in targets.creation["properties"])


def test_target_objects_can_inline_creation_values(client: PolytomicClient, linkedin: JSON) -> None:
    creation = client.target_objects(linkedin["id"], include_creation_values=True).creation
    assert creation is not None
    by_id = {p["id"]: p for p in creation["properties"]}
    assert {v["value"] for v in by_id["type"]["values"]} == {"company_audience", "user_audience"}


def test_property_values_are_the_enabled_accounts(client: PolytomicClient, linkedin: JSON) -> None:
    values = client.target_property_values(linkedin["id"], "account")
    assert [v["value"] for v in values] == [
        a["value"] for a in linkedin["configuration"]["accounts"]
    ]


def test_target_fields_of_an_existing_audience(
    client: PolytomicClient, linkedin: JSON, audience: JSON
) -> None:
    target = client.target_fields(linkedin["id"], target=audience["id"], refresh=True)
    fields = {f["id"]: f for f in target["fields"]}
    assert {"Email", "FirstName", "LastName"} <= fields.keys()
    assert fields["Email"]["supports_identity"] is True
    assert {"create", "remove"} == {m["mode"] for m in target["modes"]}


def test_target_fields_of_an_audience_to_create(client: PolytomicClient, linkedin: JSON) -> None:
    account = linkedin["configuration"]["accounts"][0]["value"]
    properties = {"account": account, "type": "company_audience", "name": "New & shiny"}
    target = client.target_fields(linkedin["id"], properties=properties)
    assert "CompanyName" in {f["id"] for f in target["fields"]}
