"""The simulated LinkedIn Ads world behind a ``linkedinads`` connection.

Everything here is fixed data; audiences created through syncs live in the emulator's store next
to the seeded ones, so this module only describes them.

Ad accounts (``AD_ACCOUNTS``; what ``parameter_values`` offers and ``configuration.accounts`` may
enable):

- ``512630692::urn:li:organization:28818517`` -- Polytomic Inc. (512630692)
- ``508814420::urn:li:organization:10493027`` -- Northwind Traders (508814420)
- ``509937215::urn:li:organization:76213840`` -- Acme Analytics (509937215)

Seeded audiences (``SEED_AUDIENCES``): one company audience and one user audience per account.

Audience ids look like ``<account>~<type>.<segment number>`` and names like
``"Company Audience: <name>"`` / ``"User Audience: <name>"``, as in the Polytomic guide.

Target fields per audience type (ids are what ``fields[].target`` and ``identity.target`` use):

- ``user_audience``: ``Email`` (identity; Equality), ``FirstName``, ``LastName``, ``Title``,
  ``CompanyName``, ``Country``, ``GoogleAdvertisingId``
- ``company_audience``: ``CompanyName`` (identity; Equality), ``CompanyDomain`` (identity;
  Equality, DomainMatch), ``CompanyPageUrl``, ``StockSymbol``, ``Industry``, ``City``, ``State``,
  ``Country``

Both audience types accept the sync modes ``create`` (add members) and ``remove`` (remove
members); neither requires an identity, supports target filters or per-field modes.
"""

from __future__ import annotations

from typing import Any

CONNECTED_USER = "Jordan Rivera (jordan.rivera@example.com)"

AD_ACCOUNTS: list[dict[str, str]] = [
    {"value": "512630692::urn:li:organization:28818517", "label": "Polytomic Inc. (512630692)"},
    {"value": "508814420::urn:li:organization:10493027", "label": "Northwind Traders (508814420)"},
    {"value": "509937215::urn:li:organization:76213840", "label": "Acme Analytics (509937215)"},
]

AUDIENCE_TYPES: dict[str, str] = {
    "company_audience": "Company Audience",
    "user_audience": "User Audience",
}

# Creation properties, in the order the guide lists them; all values are strings.
CREATION_PROPERTIES: list[dict[str, Any]] = [
    {"id": "account", "title": "LinkedIn Ads account ID", "enum": True},
    {"id": "type", "title": "Audience type", "enum": True},
    {"id": "name", "title": "Audience name", "enum": False},
]

# Fixed ids and names so tests and docs can refer to them.
SEED_AUDIENCES: list[dict[str, str]] = [
    {"account": AD_ACCOUNTS[0]["value"], "type": "company_audience", "number": "29728356",
     "name": "Polytomic-Created Company List"},
    {"account": AD_ACCOUNTS[0]["value"], "type": "user_audience", "number": "29728401",
     "name": "Newsletter Subscribers"},
    {"account": AD_ACCOUNTS[1]["value"], "type": "company_audience", "number": "31140072",
     "name": "Target Accounts FY25"},
    {"account": AD_ACCOUNTS[1]["value"], "type": "user_audience", "number": "31140115",
     "name": "Trial Signups"},
    {"account": AD_ACCOUNTS[2]["value"], "type": "company_audience", "number": "33871904",
     "name": "Enterprise Prospects"},
    {"account": AD_ACCOUNTS[2]["value"], "type": "user_audience", "number": "33871958",
     "name": "Webinar Attendees"},
]

# Segment numbers for audiences minted by syncs start above every seeded one.
FIRST_CREATED_NUMBER = 40000001


def _mode(mode_id: str) -> dict[str, Any]:
    return {"id": mode_id, "requires_identity": False, "supports_target_filters": False,
            "supports_per_field_mode": False}


MODES: list[dict[str, Any]] = [_mode("create"), _mode("remove")]

def _mode_detail(mode_id: str, label: str, description: str) -> dict[str, Any]:
    """The richer mode shape ``target/fields`` serves (``mode`` there, not ``id``)."""
    return {"mode": mode_id, "label": label, "description": description,
            "requires_identity": False, "supports_field_sync_mode": False,
            "supports_target_filters": False}


MODE_DETAILS: list[dict[str, Any]] = [
    _mode_detail("create", "Add members", "Add matched records to the audience."),
    _mode_detail("remove", "Remove members", "Remove matched records from the audience."),
]

TARGET_PROPERTIES: dict[str, Any] = {
    "target_creator": True, "mappings_not_required": False, "optional_target_mappings": True,
    "supports_multiple_identities": False, "supports_identity_field_creation": False,
    "supports_field_creation": False, "supports_field_type_selection": False,
    "supports_field_encryption": False, "supports_target_filters": False,
    "supports_filter_value_fields": False, "requires_configuration": False,
    "does_not_report_operation_counts": False, "new_target_label": "New audience",
    "primary_metadata_object": "", "use_field_names_as_labels": False,
}


def _field(field_id: str, name: str, description: str,
           identity_functions: tuple[str, ...] = ()) -> dict[str, Any]:
    """One TargetField in the API's shape; a field is an identity iff it has identity functions."""
    return {
        "id": field_id, "name": name, "type": "string", "source_type": "string",
        "description": description, "required": False, "createable": True, "updateable": False,
        "filterable": False, "encryptable": False, "association": False,
        "multiple_associations": False, "supports_identity": bool(identity_functions),
        "identity_functions": [{"id": f, "label": f} for f in identity_functions],
        "filter_functions": [], "values": [],
    }


TARGET_FIELDS: dict[str, list[dict[str, Any]]] = {
    "user_audience": [
        _field("Email", "Email", "Contact email address; hashed before upload.", ("Equality",)),
        _field("FirstName", "First name", "Contact first name."),
        _field("LastName", "Last name", "Contact last name."),
        _field("Title", "Job title", "Contact job title."),
        _field("CompanyName", "Company name", "Contact's employer."),
        _field("Country", "Country", "Two-letter ISO country code."),
        _field("GoogleAdvertisingId", "Google advertising ID", "Mobile advertising ID."),
    ],
    "company_audience": [
        _field("CompanyName", "Company name", "Legal or common company name.", ("Equality",)),
        _field("CompanyDomain", "Company domain", "Primary web domain, e.g. example.com.",
               ("Equality", "DomainMatch")),
        _field("CompanyPageUrl", "Company page URL", "LinkedIn company page URL."),
        _field("StockSymbol", "Stock symbol", "Ticker symbol."),
        _field("Industry", "Industry", "Industry name."),
        _field("City", "City", "Headquarters city."),
        _field("State", "State", "Headquarters state or region."),
        _field("Country", "Country", "Headquarters two-letter ISO country code."),
    ],
}


def account_label(account: str) -> str | None:
    """The display label of a simulated ad account, or None when no such account exists."""
    return next((a["label"] for a in AD_ACCOUNTS if a["value"] == account), None)


def audience_id(account: str, audience_type: str, number: int | str) -> str:
    """The target-object id LinkedIn audiences have in Polytomic."""
    return f"{account}~{audience_type}.{number}"


def audience_name(audience_type: str, name: str) -> str:
    """The target-object name Polytomic shows, e.g. ``"User Audience: Trial Signups"``."""
    return f"{AUDIENCE_TYPES[audience_type]}: {name}"
