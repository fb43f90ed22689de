"""LinkedIn target discovery: audiences, creation properties, target fields."""

from __future__ import annotations

from typing import Any

from polytomic_components.emulator import linkedin

from .conftest import FIRST_ACCOUNT, USER_AUDIENCE, Api

JSON = dict[str, Any]


def _path(connection: JSON, rest: str) -> str:
    return f"/api/connections/{connection['id']}/modelsync/{rest}"


def test_target_objects_cover_enabled_accounts_only(api: Api, linkedin_conn: JSON) -> None:
    objects = api.data("GET", _path(linkedin_conn, "targetobjects"))
    enabled = {a["value"] for a in linkedin.AD_ACCOUNTS[:2]}
    assert len(objects) == 4
    assert {o["id"].split("~")[0] for o in objects} == enabled
    assert [m["id"] for m in objects[0]["modes"]] == ["create", "remove"]


def test_target_creation_is_a_sibling_of_data(api: Api, linkedin_conn: JSON) -> None:
    body = api("GET", _path(linkedin_conn, "targetobjects")).json()
    assert body["target_creation"]["supported"] is True
    assert [p["id"] for p in body["target_creation"]["properties"]] == ["account", "type", "name"]
    assert "values" not in body["target_creation"]["properties"][0]


def test_creation_values_are_inlined_on_request(api: Api, linkedin_conn: JSON) -> None:
    body = api("GET", _path(linkedin_conn, "targetobjects"),
               params={"include_target_creation_values": "true"}).json()
    account, kind, name = body["target_creation"]["properties"]
    assert len(account["values"]) == 2 and len(kind["values"]) == 2 and "values" not in name


def test_account_property_lists_enabled_accounts(api: Api, linkedin_conn: JSON) -> None:
    values = api.data("GET", _path(linkedin_conn, "targetobjects/properties/account"))
    assert values == {"enum": False, "values": [dict(a) for a in linkedin.AD_ACCOUNTS[:2]]}


def test_type_property_lists_audience_types(api: Api, linkedin_conn: JSON) -> None:
    values = api.data("GET", _path(linkedin_conn, "targetobjects/properties/type"))
    assert [v["value"] for v in values["values"]] == ["company_audience", "user_audience"]


def test_unknown_property_is_404(api: Api, linkedin_conn: JSON) -> None:
    assert api("GET", _path(linkedin_conn, "targetobjects/properties/size")).status_code == 404


def test_fields_of_existing_audience(api: Api, linkedin_conn: JSON) -> None:
    target = api.data("GET", _path(linkedin_conn, "target/fields"),
                      params={"target": USER_AUDIENCE})
    fields = {f["id"]: f for f in target["fields"]}
    assert fields["Email"]["supports_identity"] is True
    assert fields["Email"]["identity_functions"] == [{"id": "Equality", "label": "Equality"}]
    assert [m["mode"] for m in target["modes"]] == ["create", "remove"]


def test_fields_of_audience_to_create(api: Api, linkedin_conn: JSON) -> None:
    params = {"properties[account]": FIRST_ACCOUNT, "properties[type]": "company_audience",
              "properties[name]": "New"}
    target = api.data("GET", _path(linkedin_conn, "target/fields"), params=params)
    assert target["name"] == "Company Audience: New"
    assert "CompanyDomain" in {f["id"] for f in target["fields"]}


def test_fields_need_target_or_properties(api: Api, linkedin_conn: JSON) -> None:
    assert api("GET", _path(linkedin_conn, "target/fields")).status_code == 400


def test_fields_of_unknown_target_is_404(api: Api, linkedin_conn: JSON) -> None:
    response = api("GET", _path(linkedin_conn, "target/fields"), params={"target": "nope"})
    assert response.status_code == 404


def test_source_connection_has_no_targets(api: Api, snowflake: JSON) -> None:
    assert api("GET", _path(snowflake, "targetobjects")).status_code == 400
