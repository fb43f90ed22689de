"""The guide's flow against a deployment: a Snowflake query into a LinkedIn Ads audience, new or
existing, with the `pulumi` CLI and the reference project, then destroyed."""

from __future__ import annotations

import pytest

from .conftest import REUSED_AUDIENCE

pytestmark = pytest.mark.live


def test_the_guides_flow_into_a_new_audience_creates_it(live_stack, live_account, find_reused_audience):
    if find_reused_audience():
        pytest.skip(f"the suite's audience {REUSED_AUDIENCE!r} exists on this account already: the "
                    "`create` flow ran when it was made, and runs again only on an account without "
                    "it (the API cannot delete an audience, so a run must not mint one)")
    create = {"account": live_account.linkedin["account"], "type": "user_audience",
              "name": REUSED_AUDIENCE}
    stack = live_stack(lambda prefix: live_account.pipelines_config(prefix, create=create))

    audience = stack.up()["audiences"][f"{stack.prefix}-users"]

    assert find_reused_audience() == audience
    sync = live_account.data("GET", f"/api/syncs/{stack.ids('Sync')[f'{stack.prefix}-users-sync']}")
    assert sync["target"]["object"] == audience


def test_the_guides_flow_into_an_existing_audience_then_destroy_deletes_all_but_the_audience(
        live_stack, live_account, find_reused_audience, reused_audience):
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
    assert find_reused_audience() == reused_audience
