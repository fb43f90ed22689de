"""A pipeline's life against a deployment: updates in place, a rename, an out-of-band change
seen by refresh, and objects made elsewhere taken over, each through the `pulumi` CLI."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.live


def test_a_changed_query_and_mapping_update_the_model_and_the_sync_in_place(
        live_stack, live_account, reused_audience):
    stack = live_stack(lambda prefix: live_account.pipelines_config(prefix, audience=reused_audience))
    stack.up()
    before = {kind: stack.ids(kind) for kind in ("Model", "Sync")}

    config = live_account.pipelines_config(stack.prefix, audience=reused_audience,
                                           query=live_account.query("email LIKE '%@%'"),
                                           fields={"first_name": "FirstName"})
    stack.configure(config)
    stack.up()

    assert {kind: stack.ids(kind) for kind in ("Model", "Sync")} == before
    model = live_account.data("GET", f"/api/models/{next(iter(before['Model'].values()))}")
    assert model["configuration"]["query"] == live_account.query("email LIKE '%@%'")
    sync = live_account.data("GET", f"/api/syncs/{next(iter(before['Sync'].values()))}")
    assert [f["target"] for f in sync["fields"]] == ["FirstName"]


def test_a_pipeline_renamed_with_its_former_name_keeps_its_model_and_sync(
        live_stack, live_account, reused_audience):
    stack = live_stack(lambda prefix: live_account.pipelines_config(prefix, audience=reused_audience))
    stack.up()
    before = {kind: set(stack.ids(kind).values()) for kind in ("Model", "Sync")}

    config = live_account.pipelines_config(stack.prefix, audience=reused_audience)
    config["pipelines"][0] |= {"name": f"{stack.prefix}-renamed", "renamed_from": f"{stack.prefix}-users"}
    stack.configure(config)
    stack.up()

    assert {kind: set(stack.ids(kind).values()) for kind in ("Model", "Sync")} == before
    assert f"{stack.prefix}-renamed-sync" in stack.ids("Sync")


def test_refresh_sees_an_out_of_band_change_and_up_restores_the_declared_query(
        live_stack, live_account, reused_audience):
    stack = live_stack(lambda prefix: live_account.pipelines_config(prefix, audience=reused_audience))
    stack.up()
    model_id = next(iter(stack.ids("Model").values()))
    model = live_account.data("GET", f"/api/models/{model_id}")
    changed = {"name": model["name"], "connection_id": model["connection_id"],
               "configuration": {"query": live_account.query("first_name IS NOT NULL")}}
    live_account.data("PUT", f"/api/models/{model_id}", json=changed)

    stack.run("refresh", "--yes", "--skip-preview")
    drift = stack.run("preview", "--expect-no-changes", check=False)
    stack.up()

    assert drift.returncode != 0 and "~ 1 to update" in drift.stdout + drift.stderr
    restored = live_account.data("GET", f"/api/models/{model_id}")
    assert restored["configuration"]["query"] == live_account.query()


def test_objects_made_elsewhere_are_adopted_without_creating_anything(live_stack, live_account,
                                                                      reused_audience):
    def config(prefix: str) -> dict[str, object]:
        source = live_account.snowflake_connection(f"{prefix} warehouse")
        destination = live_account.linkedin_connection(f"{prefix} linkedin")
        model = live_account.data("POST", "/api/models", json={
            "name": f"{prefix}-users", "connection_id": source,
            "configuration": {"query": live_account.query()}})
        sync = live_account.data("POST", "/api/syncs", json={
            "name": f"{prefix}-users to LinkedIn Ads", "mode": "create",
            "schedule": {"frequency": "continuous"},
            "target": {"connection_id": destination, "object": reused_audience},
            "identity": {"source": {"model_id": model["id"], "field": "email"}, "target": "Email",
                         "function": "Equality"},
            "fields": [{"source": {"model_id": model["id"], "field": "first_name"}, "target": "FirstName"}]})
        settings = live_account.pipelines_config(prefix, audience=reused_audience,
                                                 adopt={"model": model["id"], "sync": sync["id"]})
        settings["snowflake"]["adopt_id"] = source
        settings["linkedin"]["adopt_id"] = destination
        return settings

    stack = live_stack(config)
    made = sorted(live_account.named(stack.prefix))

    stack.up()

    assert sorted(live_account.named(stack.prefix)) == made
    owned = {object_id for kind in ("Connection", "Model", "Sync") for object_id in stack.ids(kind).values()}
    assert owned == {object_id for _kind, object_id, _name in made}
    stack.run("preview", "--expect-no-changes")
