"""settings: URL normalisation, the plain-http rule, config/env precedence, a hidden key."""

from __future__ import annotations

import attrs
import pytest

from polytomic_components.errors import ConfigurationError
from polytomic_components.settings import DEFAULT_DEPLOYMENT_URL, Settings

KEY = "sk-test-0123456789abcdef"


@pytest.fixture(autouse=True)
def _no_polytomic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLYTOMIC_API_KEY", raising=False)
    monkeypatch.delenv("POLYTOMIC_DEPLOYMENT_URL", raising=False)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://app.polytomic.com", "https://app.polytomic.com"),
        ("app.polytomic.com", "https://app.polytomic.com"),
        ("https://polytomic.example.com/", "https://polytomic.example.com"),
        ("  polytomic.example.com//  ", "https://polytomic.example.com"),
    ],
)
def test_url_gets_https_and_loses_trailing_slashes(given: str, expected: str) -> None:
    assert Settings(api_key=KEY, deployment_url=given).deployment_url == expected


def test_default_url_is_polytomic_cloud() -> None:
    assert Settings(api_key=KEY).deployment_url == DEFAULT_DEPLOYMENT_URL


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://127.9.9.9", "http://localhost:1", "http://[::1]:80"]
)
def test_plain_http_is_allowed_on_loopback(url: str) -> None:
    assert Settings(api_key=KEY, deployment_url=url).deployment_url == url


@pytest.mark.parametrize(
    "url", ["http://app.polytomic.com", "http://10.0.0.5", "http://localhost.example.com"]
)
def test_plain_http_off_loopback_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="plain http") as caught:
        Settings(api_key=KEY, deployment_url=url)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("url", ["ftp://app.polytomic.com", "https://"])
def test_non_http_url_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="not an http"):
        Settings(api_key=KEY, deployment_url=url)


def test_empty_key_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="empty"):
        Settings(api_key="  ")


def test_repr_and_str_hide_the_key() -> None:
    settings = Settings(api_key=KEY)
    assert KEY not in repr(settings)
    assert KEY not in str(settings)


def test_settings_are_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Settings(api_key=KEY).api_key = "other"  # type: ignore[misc]


def test_from_config_reads_namespaced_keys() -> None:
    settings = Settings.from_config(
        {"polytomic:apiKey": KEY, "polytomic:deploymentUrl": "polytomic.example.com"}
    )
    assert settings == Settings(api_key=KEY, deployment_url="https://polytomic.example.com")


def test_from_config_accepts_keys_without_namespace() -> None:
    settings = Settings.from_config({"apiKey": KEY, "deploymentUrl": "http://127.0.0.1:9"})
    assert settings == Settings(api_key=KEY, deployment_url="http://127.0.0.1:9")


def test_from_config_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYTOMIC_API_KEY", "env-key-0123456789")
    monkeypatch.setenv("POLYTOMIC_DEPLOYMENT_URL", "https://env.example.com")
    settings = Settings.from_config({"polytomic:apiKey": KEY})
    assert settings.api_key == KEY
    assert settings.deployment_url == "https://env.example.com"


def test_from_env_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLYTOMIC_API_KEY", KEY)
    monkeypatch.setenv("POLYTOMIC_DEPLOYMENT_URL", "http://localhost:8000/")
    assert Settings.from_env() == Settings(api_key=KEY, deployment_url="http://localhost:8000")


def test_missing_key_says_how_to_set_it() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_config({"polytomic:deploymentUrl": "https://app.polytomic.com"})
    message = str(caught.value)
    assert "pulumi config set --secret polytomic:apiKey" in message
    assert "export POLYTOMIC_API_KEY=" in message
