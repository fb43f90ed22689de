"""The guide's flow against a deployment: a Snowflake query into a LinkedIn Ads audience, new or
existing, with the `pulumi` CLI and the reference project, then destroyed."""

from __future__ import annotations

import pytest

from .conftest import NEW_AUDIENCE, REUSED_AUDIENCE

pytestmark = pytest.mark.live


def test_the_guides_flow_into_a_new_audience_creates_it(live_stack, live_account, find_audience):
    assert find_audience(NEW_AUDIENCE) is None  # named for this run: only this `create` makes it
    create = {"account": live_account.linkedin["account"], "type": "user_audience", "name": NEW_AUDIENCE}
    stack = live_stack(lambda prefix: live_account.pipelines_config(prefix, create=create))

    audience = stack.up()["audiences"][f"{stack.prefix}-users"]

    assert find_audience(NEW_AUDIENCE) == audience
    sync = live_account.data("GET", f"/api/syncs/{stack.ids('Sync')[f'{stack.prefix}-users-sync']}")
    assert sync["target"]["object"] == audience


def test_the_guides_flow_into_an_existing_audience_then_destroy_deletes_all_but_the_audience(
        live_stack, live_account, find_audience, reused_audience):
    stack = live_stack(lambda prefix: live_account.pipelines_config(prefix, audience=reused_audience))

    assert stack.up()["audiences"] == {f"{stack.prefix}-users": reused_audience}
    sync_id = stack.ids("Sync")[f"{stack.prefix}-users-sync"]
    assert live_account.data("GET", f"/api/syncs/{sync_id}")["target"]["object"] == reused_audience
    stack.run("preview", "--expect-no-changes")
    made = live_account.named(stack.prefix)
    assert sorted(kind for kind, _id, _name in made) == ["connections", "connections", "models", "syncs"]

    stack.run("destroy", "--yes", "--skip-preview")

    for collection, object_id, _name in made:
        assert live_account.api("GET", f"/api/{collection}/{object_id}").status_code == 404
    assert find_audience(REUSED_AUDIENCE) == reused_audience
