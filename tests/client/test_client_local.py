"""PolytomicClient behaviour that needs no server: argument checks, repr, unreachable hosts."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from polytomic_components._transport import default_retry
from polytomic_components.client import PolytomicClient
from polytomic_components.errors import PolytomicConnectionError
from polytomic_components.settings import Settings

KEY = "sk-test-0123456789abcdef"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def client() -> Iterator[PolytomicClient]:
    """A client for a loopback port nobody listens on: any request that is sent fails."""
    settings = Settings(api_key=KEY, deployment_url=f"http://127.0.0.1:{_closed_port()}")
    retry = default_retry(total=1, backoff_factor=0, backoff_jitter=0)
    with PolytomicClient(settings, retry=retry) as client:
        yield client


def test_repr_shows_only_the_url(client: PolytomicClient) -> None:
    assert repr(client).startswith("PolytomicClient(url='http://127.0.0.1:")
    assert KEY not in repr(client)


@pytest.mark.parametrize("key", ["short", "has space-123", "x" * 256, "ünïcode-key"])
def test_malformed_idempotency_key_is_refused_before_sending(
    client: PolytomicClient, key: str
) -> None:
    with pytest.raises(ValueError, match="Idempotency-Key"):
        client.create_connection({"name": "x"}, idempotency_key=key)


def test_target_fields_needs_exactly_one_of_target_or_properties(
    client: PolytomicClient,
) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        client.target_fields("c", target="t", properties={"type": "user_audience"})
    with pytest.raises(ValueError, match="exactly one"):
        client.target_fields("c")
    with pytest.raises(ValueError, match="exactly one"):
        client.target_fields("c", properties={})


def test_unreachable_host_is_a_connection_error_naming_it(client: PolytomicClient) -> None:
    with pytest.raises(PolytomicConnectionError) as caught:
        client.get_connection("abc")
    error = caught.value
    assert isinstance(error, ConnectionError)
    assert (error.status, error.method, error.path) == (None, "GET", "/api/connections/abc")
    assert "127.0.0.1" in str(error)
    assert "polytomic:deploymentUrl" in str(error)
    assert KEY not in str(error)


def test_from_env_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYTOMIC_API_KEY", KEY)
    monkeypatch.setenv("POLYTOMIC_DEPLOYMENT_URL", "http://localhost:9/")
    with PolytomicClient.from_env() as client:
        assert repr(client) == "PolytomicClient(url='http://localhost:9')"
