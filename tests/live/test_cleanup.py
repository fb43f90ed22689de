"""Nothing of an earlier live run is left in the deployment, and `--live-cleanup` removes it."""

from __future__ import annotations

import pytest

from polytomic_components.doctor import LIVE_PREFIX

from .conftest import RUN_PREFIX, clean_up_earlier_runs

pytestmark = pytest.mark.live


def test_no_object_of_an_earlier_live_run_is_left(live_account):
    left = [(kind, name) for kind, _id, name in live_account.named(f"{LIVE_PREFIX}-", but=RUN_PREFIX)]

    assert not left, ("an interrupted live run left these; delete them with "
                      f"`./scripts/test.sh -m live --live-cleanup`: {left}")


def test_the_cleanup_deletes_what_an_interrupted_run_left(live_account):
    interrupted = f"{LIVE_PREFIX}-000000-interrupted"
    source = live_account.snowflake_connection(f"{interrupted} warehouse")
    model = live_account.data("POST", "/api/models", json={
        "name": f"{interrupted}-users", "connection_id": source,
        "configuration": {"query": live_account.query()}})

    deleted = clean_up_earlier_runs(live_account)

    assert {object_id for _kind, object_id, _name in deleted} >= {source, model["id"]}
    assert live_account.named(interrupted) == []
