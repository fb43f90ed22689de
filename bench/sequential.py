"""The yardstick: a plain sequential `requests` script doing the workload's API calls one by one.

`create` is what an `up` must at least do (POST the 2 connections, then per pipeline POST the
model and POST the sync that needs its id); `read` and `delete` are the counterparts of
`refresh` and `destroy`. One keep-alive session, no retries, no checks, no idempotency keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import requests

from .workload import connection_inputs, pipelines

API_VERSION = "2025-09-18"
TIMEOUT = 60


@dataclass
class Created:
    """The ids the script created, by collection, in creation order."""

    connections: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    syncs: list[str] = field(default_factory=list)


class SequentialScript:
    def __init__(self, url: str, api_key: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {api_key}",
                                     "X-Polytomic-Version": API_VERSION})

    def _call(self, method: str, path: str, body: dict[str, object] | None = None) -> dict[str, object]:
        response = self.session.request(method, f"{self.url}{path}", json=body, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json() if response.content else {}

    def _post(self, collection: str, body: dict[str, object]) -> str:
        return str(self._call("POST", f"/api/{collection}", body)["data"]["id"])  # type: ignore[index]

    def create(self, count: int) -> Created:
        created = Created()
        for role in ("snowflake", "linkedin"):
            inputs = connection_inputs(role)
            secrets = inputs.pop("secret_configuration")
            created.connections.append(self._post("connections", {
                **inputs, "configuration": {**inputs["configuration"], **secrets}}))
        snowflake, linkedin = created.connections
        for pipeline in pipelines(count):
            model_id = self._post("models", pipeline.model_inputs(snowflake))
            created.models.append(model_id)
            created.syncs.append(self._post("syncs", pipeline.sync_inputs(model_id, linkedin)))
        return created

    def read(self, created: Created) -> None:
        for collection in ("connections", "models", "syncs"):
            for id_ in getattr(created, collection):
                self._call("GET", f"/api/{collection}/{id_}")

    def delete(self, created: Created) -> None:
        for collection in ("syncs", "models", "connections"):  # users before what they use
            for id_ in getattr(created, collection):
                self._call("DELETE", f"/api/{collection}/{id_}")

    def close(self) -> None:
        self.session.close()
