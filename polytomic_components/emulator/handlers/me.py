"""``GET /api/me``: who the API key belongs to (clients use it to check a key)."""

from __future__ import annotations

from .common import ORGANIZATION_ID, Request, Response, ok


def me(request: Request) -> Response:
    """The emulator's single key is an organization key of one organization."""
    return ok({"id": ORGANIZATION_ID, "email": "", "organization_id": ORGANIZATION_ID,
               "organization_name": "Emulated Organization", "is_user": False,
               "is_organization": True, "is_partner": False, "is_system": False,
               "role": "admin", "credential": {"method": "api_key"}})
