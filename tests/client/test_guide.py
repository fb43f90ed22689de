"""The Snowflake → LinkedIn Ads guide, replayed step by step with PolytomicClient."""

from __future__ import annotations

import uuid
from typing import Any

from polytomic_components.client import PolytomicClient

from ..conftest import Emulator
from .conftest import guide_sync_body

JSON = dict[str, Any]


def test_guide_six_steps_replay(
    client: PolytomicClient, emulator: Emulator, snowflake_body: JSON, linkedin_body: JSON
) -> None:
    # 1. A Snowflake connection.
    snowflake = client.create_connection(snowflake_body, idempotency_key=f"g1-{uuid.uuid4()}")

    # 2. A LinkedIn Ads connection (non-interactive credentials); enable the offered accounts.
    linkedin = client.create_connection(linkedin_body, idempotency_key=f"g2-{uuid.uuid4()}")
    offered = client.connection_parameter_values(linkedin["id"])["accounts"]["values"]
    accounts = [{"value": v["value"], "label": v["label"]} for v in offered[:2]]
    linkedin = client.update_connection(
        linkedin["id"], {**linkedin_body, "configuration": {"accounts": accounts}}
    )
    assert [a["value"] for a in linkedin["configuration"]["accounts"]] == [
        a["value"] for a in accounts
    ]

    # 3. A model from a Snowflake query.
    model = client.create_model(
        {
            "name": "Active Users",
            "connection_id": snowflake["id"],
            "configuration": {"query": "SELECT first_name, last_name, email FROM users"},
        },
        idempotency_key=f"g3-{uuid.uuid4()}",
    )
    assert {f["name"] for f in model["fields"]} == {"first_name", "last_name", "email"}

    # 4. The audiences on the LinkedIn connection, and how to create one.
    targets = client.target_objects(linkedin["id"])
    assert targets.creation is not None and targets.creation["supported"]
    enabled = {a["value"] for a in accounts}
    existing = next(
        o
        for o in targets.objects
        if "~user_audience." in o["id"] and o["id"].split("~")[0] in enabled
    )
    fields = client.target_fields(linkedin["id"], target=existing["id"])
    email = next(f for f in fields["fields"] if f["id"] == "Email")
    assert "Equality" in {f["id"] for f in email["identity_functions"]}

    # 5. A sync into the existing audience.
    into_existing = client.create_sync(
        guide_sync_body(model["id"], linkedin["id"], {"object": existing["id"]}, "Into existing"),
        idempotency_key=f"g5-{uuid.uuid4()}",
    )
    assert into_existing["target"]["object"] == existing["id"]

    # 6. A sync that creates a new audience from the creation properties' values.
    account = client.target_property_values(linkedin["id"], "account")[0]["value"]
    types = {v["value"] for v in client.target_property_values(linkedin["id"], "type")}
    assert "user_audience" in types
    create = {"name": "New audience", "type": "user_audience", "account": account}
    into_new = client.create_sync(
        guide_sync_body(model["id"], linkedin["id"], {"create": create}, "Into new"),
        idempotency_key=f"g6-{uuid.uuid4()}",
    )

    new_id = into_new["target"]["object"]
    assert new_id.startswith(f"{account}~user_audience.")
    assert "create" not in into_new["target"]
    audiences = {o["id"]: o for o in client.target_objects(linkedin["id"]).objects}
    assert audiences[new_id]["name"] == "User Audience: New audience"
    assert client.get_sync(into_new["id"])["target"]["object"] == new_id
    assert emulator.state()["syncs"] == 2
