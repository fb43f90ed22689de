"""PolytomicClient ↔ emulator: syncs, activation, executions and pagination."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from polytomic_components.client import PolytomicClient
from polytomic_components.errors import NotFoundError

from ..conftest import Emulator

JSON = dict[str, Any]


def test_create_sync_into_an_existing_audience(
    client: PolytomicClient, sync: JSON, audience: JSON, model: JSON, linkedin: JSON
) -> None:
    assert sync["target"]["connection_id"] == linkedin["id"]
    assert sync["target"]["object"] == audience["id"]
    assert sync["model_ids"] == [model["id"]]
    assert sync["identity"]["target"] == "Email"
    assert [f["target"] for f in sync["fields"]] == ["FirstName", "LastName"]
    assert client.get_sync(sync["id"])["target"] == sync["target"]


def test_list_syncs_yields_slim_items_and_filters(
    client: PolytomicClient, sync: JSON, linkedin: JSON, audience: JSON
) -> None:
    (item,) = client.list_syncs()
    assert item["id"] == sync["id"]
    assert item["target_connection_id"] == linkedin["id"]
    assert item["target_object"] == audience["id"]
    assert "fields" not in item
    assert [s["id"] for s in client.list_syncs(mode="create")] == [sync["id"]]
    assert list(client.list_syncs(mode="remove")) == []
    assert [s["id"] for s in client.list_syncs(target_connection_id=linkedin["id"])] == [sync["id"]]


def test_list_syncs_follows_every_page(
    client: PolytomicClient,
    emulator: Emulator,
    sync_body: Callable[..., JSON],
    audience: JSON,
) -> None:
    created = {
        client.create_sync(sync_body({"object": audience["id"]}, f"s{i}"))["id"] for i in range(51)
    }
    emulator.clear_requests_log()

    listed = [s["id"] for s in client.list_syncs()]

    assert sorted(listed) == sorted(created)
    pages = [r for r in emulator.requests_log() if r["path"].startswith("/api/syncs")]
    assert len(pages) == 2


def test_update_sync_replaces_it(
    client: PolytomicClient, sync: JSON, sync_body: Callable[..., JSON], audience: JSON
) -> None:
    body = sync_body({"object": audience["id"]}, "Renamed")
    body["fields"] = body["fields"][:1]
    updated = client.update_sync(sync["id"], body)
    assert updated["name"] == "Renamed"
    assert [f["target"] for f in updated["fields"]] == ["FirstName"]


def test_activate_sync_switches_schedule(client: PolytomicClient, sync: JSON) -> None:
    assert client.activate_sync(sync["id"], False) == {"id": sync["id"], "active": False}
    assert [s["id"] for s in client.list_syncs(active=False)] == [sync["id"]]
    assert client.activate_sync(sync["id"], True)["active"] is True
    assert list(client.list_syncs(active=False)) == []


def test_executions_start_report_and_cancel(client: PolytomicClient, sync: JSON) -> None:
    started = client.start_sync(sync["id"], resync=True)
    assert {"id", "status", "created_at"} <= started.keys()

    status = client.sync_status(sync["id"])
    assert started["id"] in {
        (status.get(which) or {}).get("id") for which in ("current_execution", "last_execution")
    }
    assert [e["id"] for e in client.list_executions(sync["id"])] == [started["id"]]
    assert client.get_execution(sync["id"], started["id"])["id"] == started["id"]
    assert isinstance(client.cancel_sync(sync["id"])["message"], str)


def test_completed_executions_have_counts(client: PolytomicClient, sync: JSON) -> None:
    first = client.start_sync(sync["id"])
    client.sync_status(sync["id"])  # the emulator finishes an execution when it is next read
    second = client.start_sync(sync["id"])

    completed = list(client.list_executions(sync["id"], only_completed=True, ascending=True))

    assert [e["id"] for e in completed] == [first["id"], second["id"]]
    assert all(e["status"] == "completed" for e in completed)
    assert completed[0]["counts"]["total"] > 0


def test_deleted_sync_is_gone(client: PolytomicClient, sync: JSON) -> None:
    client.delete_sync(sync["id"])
    with pytest.raises(NotFoundError):
        client.get_sync(sync["id"])
