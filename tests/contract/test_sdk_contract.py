"""Every emulator route the library's client calls answers in the shape Polytomic's SDK defines.

Each contract drives the official SDK (``polytomic`` on PyPI, generated from Polytomic's API
definition) against the emulator and holds the raw response to the model the SDK method declares:
no key the model lacks, no missing required key, no wrong type, no unknown enum value.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
import requests

from polytomic_components.client import PolytomicClient
from polytomic_components.emulator import linkedin

from ..conftest import Emulator
from .conformance import assert_conforms

polytomic = pytest.importorskip("polytomic")

Call = Callable[..., Any]
ACCOUNT = linkedin.AD_ACCOUNTS[0]["value"]
AUDIENCE = linkedin.audience_id(ACCOUNT, "user_audience", "29728401")
QUERY = "SELECT email, first_name, last_name FROM users"
SNOWFLAKE = {"account": "uc193736182", "username": "user", "password": "s3cret",
             "dbname": "database"}
LINKEDIN = {"client_id": "cid", "client_secret": "csecret", "oauth_refresh_token": "refresh"}


class World:
    """Connections, a model and a sync made through the SDK, each call checked on the way."""

    def __init__(self, sdk: Any, call: Call) -> None:
        self.sdk, self.call = sdk, call
        self.snowflake = call(sdk.connections.create, name="Snowflake", type="snowflake",
                              configuration=dict(SNOWFLAKE)).data
        self.linkedin = call(sdk.connections.create, name="LinkedIn", type="linkedinads",
                             configuration=dict(LINKEDIN)).data
        call(sdk.connections.update, id=self.linkedin.id, name="LinkedIn", type="linkedinads",
             configuration={"accounts": [dict(linkedin.AD_ACCOUNTS[0])]})
        self.model = call(sdk.models.create, name="Users", connection_id=self.snowflake.id,
                          configuration={"query": QUERY}).data
        self.sync = call(sdk.model_sync.create, **self.sync_body()).data

    def source(self, field: str) -> dict[str, str]:
        return {"model_id": self.model.id, "field": field}

    def sync_body(self, **changes: Any) -> dict[str, Any]:
        body = {"name": "Users to LinkedIn", "mode": "create",
                "schedule": {"frequency": "daily", "hour": "6", "minute": "0"},
                "target": {"connection_id": self.linkedin.id, "object": AUDIENCE},
                "identity": {"source": self.source("email"), "target": "Email",
                             "function": "Equality"},
                "fields": [{"source": self.source("first_name"), "target": "FirstName"}]}
        return {**body, **changes}

    def finished_execution(self) -> Any:
        execution = self.call(self.sdk.model_sync.start, id=self.sync.id).data
        self.call(self.sdk.model_sync.get_status, id=self.sync.id)
        return execution


@pytest.fixture
def world(sdk: Any, sdk_call: Call) -> World:
    return World(sdk, sdk_call)


CONNECTION_TYPES = ("snowflake", "linkedinads", "postgresql", "bigquery", "s3", "salesforce", "hubspot")

# One contract per public method of PolytomicClient: the SDK call that hits the same route.
CONTRACTS: dict[str, Callable[[World], Any]] = {
    "me": lambda w: w.call(w.sdk.identity.get),
    "list_connections": lambda w: w.call(w.sdk.connections.list),
    "get_connection": lambda w: w.call(w.sdk.connections.get, id=w.linkedin.id),
    "create_connection": lambda w: w.call(
        w.sdk.connections.create, name="Interactive", type="linkedinads", configuration={}),
    "update_connection": lambda w: w.call(
        w.sdk.connections.update, id=w.snowflake.id, name="Renamed", type="snowflake",
        configuration={**SNOWFLAKE, "password": "********"}),
    "delete_connection": lambda w: w.call(w.sdk.connections.delete, id=w.linkedin.id,
                                          force=True),
    "connection_parameter_values": lambda w: w.call(w.sdk.connections.get_parameter_values,
                                                    id=w.linkedin.id),
    "connection_types": lambda w: w.call(w.sdk.connections.get_types),
    "connection_type_schema": lambda w: [w.call(w.sdk.connections.get_connection_type_schema, id=type_id)
                                         for type_id in CONNECTION_TYPES],
    "type_parameter_values": lambda w: w.call(
        w.sdk.connections.get_type_parameter_values, type="linkedinads", field="accounts",
        parameters={"client_id": "i", "client_secret": "s", "oauth_refresh_token": "r"}),
    "preview_model": lambda w: w.call(w.sdk.models.preview, name="Preview",
                                      connection_id=w.snowflake.id, configuration={"query": QUERY}),
    "list_models": lambda w: w.call(w.sdk.models.list),
    "list_models_in_one_answer": lambda w: w.call(w.sdk.models.list),
    "get_model": lambda w: w.call(w.sdk.models.get, id=w.model.id),
    "create_model": lambda w: w.call(
        w.sdk.models.create, name="Companies", connection_id=w.snowflake.id,
        configuration={"table": "companies"}, identifier="id", tracking_columns=["name"]),
    "update_model": lambda w: w.call(
        w.sdk.models.update, id=w.model.id, name="Users v2", connection_id=w.snowflake.id,
        configuration={"query": "SELECT email, country FROM users"}),
    "delete_model": lambda w: w.call(w.sdk.models.delete, id=w.model.id),
    "model_sample": lambda w: w.call(w.sdk.models.sample, id=w.model.id),
    "list_syncs": lambda w: w.call(w.sdk.model_sync.list),
    "get_sync": lambda w: w.call(w.sdk.model_sync.get, id=w.sync.id),
    "create_sync": lambda w: w.call(w.sdk.model_sync.create, **w.sync_body(
        name="New audience", target={"connection_id": w.linkedin.id,
                                     "create": {"account": ACCOUNT, "type": "user_audience",
                                                "name": "Fresh"}})),
    "update_sync": lambda w: w.call(w.sdk.model_sync.update, id=w.sync.id,
                                    **w.sync_body(name="Renamed", active=True)),
    "delete_sync": lambda w: w.call(w.sdk.model_sync.delete, id=w.sync.id),
    "activate_sync": lambda w: w.call(w.sdk.model_sync.activate, id=w.sync.id, active=True),
    "start_sync": lambda w: w.call(w.sdk.model_sync.start, id=w.sync.id),
    "sync_status": lambda w: w.finished_execution(),
    "list_executions": lambda w: (w.finished_execution(),
                                  w.call(w.sdk.model_sync.executions.list, sync_id=w.sync.id)),
    "get_execution": lambda w: w.call(w.sdk.model_sync.executions.get, sync_id=w.sync.id,
                                      id=w.finished_execution().id),
    "cancel_sync": lambda w: (w.call(w.sdk.model_sync.start, id=w.sync.id),
                              w.call(w.sdk.model_sync.cancel, id=w.sync.id)),
    "target_objects": lambda w: w.call(w.sdk.model_sync.targets.list, id=w.linkedin.id,
                                       include_target_creation_values=True),
    "target_property_values": lambda w: w.call(w.sdk.model_sync.targets.get_create_property,
                                               id=w.linkedin.id, property="account"),
    "target_fields": lambda w: w.call(w.sdk.model_sync.targets.get_target_fields,
                                      id=w.linkedin.id, target=AUDIENCE),
}


def _client_methods() -> set[str]:
    return {name for name, _ in inspect.getmembers(PolytomicClient, inspect.isfunction)
            if not name.startswith("_") and name not in ("close", "from_env")}


def test_every_client_method_has_a_contract() -> None:
    assert _client_methods() - set(CONTRACTS) == set(), \
        "add a contract for each new PolytomicClient method"


@pytest.mark.parametrize("method", sorted(CONTRACTS))
def test_route_answers_in_the_sdk_shape(world: World, method: str) -> None:
    CONTRACTS[method](world)


def test_target_fields_for_a_new_audience_answer_in_the_sdk_shape(world: World) -> None:
    world.call(world.sdk.model_sync.targets.get_target_fields, id=world.linkedin.id,
               properties={"account": [ACCOUNT], "type": ["user_audience"], "name": ["New"]})


def test_legacy_sync_list_answers_in_the_sdk_shape(world: World, emulator: Emulator) -> None:
    """2024-02-08 (what the Terraform provider and the guide send) lists full syncs."""
    response = emulator.api("GET", "/api/syncs", headers={"X-Polytomic-Version": "2024-02-08"})
    assert response.status_code == 200
    for item in response.json()["data"]:
        assert_conforms({"data": item}, polytomic.ModelSyncV5ResponseEnvelope)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/syncs/00000000-0000-0000-0000-000000000000", None),
    ("POST", "/api/models", {"name": "M"}),
    ("POST", "/api/connections", {"name": "X", "type": "snowflake", "configuration": {}}),
])
def test_error_bodies_answer_in_the_sdk_shape(emulator: Emulator, method: str, path: str,
                                              body: Any) -> None:
    response = emulator.api(method, path, json=body)
    assert response.status_code >= 400
    assert_conforms(response.json(), polytomic.ApiError)


def test_unauthorized_body_answers_in_the_sdk_shape(emulator: Emulator) -> None:
    response = requests.get(f"{emulator.url}/api/connections", timeout=10)
    assert response.status_code == 401
    assert_conforms(response.json(), polytomic.ApiError)


# Routes the library's checks at preview rely on, beyond PolytomicClient's current methods.

def test_connection_test_answers_in_the_sdk_shape(world: World) -> None:
    world.call(world.sdk.connections.test_connection, type="snowflake",
               configuration=dict(SNOWFLAKE))


def test_sync_with_every_option_answers_in_the_sdk_shape(world: World) -> None:
    world.call(world.sdk.model_sync.create, **world.sync_body(
        filters=[{"field": world.source("email"), "field_type": "Model",
                  "function": "StringEndsWith", "value": ".com"}],
        filter_logic="A",
        overrides=[{"field": world.source("first_name"), "function": "IsNull",
                    "override": "Friend"}],
        override_fields=[{"target": "Country", "override_value": "US"}],
        identities={"mappings": [{"source": world.source("email"), "target": "Email",
                                  "function": "Equality", "new_field": False}],
                    "strategy": "priority"},
        sync_all_records=True, encryption_passphrase="hush", policies=[]))


def test_sync_with_model_filters_answers_in_the_sdk_shape(world: World) -> None:
    world.call(world.sdk.model_sync.create, **world.sync_body(
        model_filters={"conditions": [{"source": world.source("email"), "function": "IsNotNull",
                                       "label": "has_email"}], "logic": "has_email"}))


def test_failed_execution_answers_in_the_sdk_shape(world: World, emulator: Emulator) -> None:
    response = requests.post(f"{emulator.url}/__emulator/executions/fail-next", timeout=10,
                             json={"message": "LinkedIn refused the upload"})
    assert response.status_code == 200
    execution = world.finished_execution()
    failed = world.call(world.sdk.model_sync.executions.get, sync_id=world.sync.id,
                        id=execution.id).data
    assert failed.status == "failed" and failed.errors == ["LinkedIn refused the upload"]
