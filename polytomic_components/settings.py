"""Where the client finds its API key and deployment URL: Pulumi stack config or the environment."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

import attrs

from .errors import ConfigurationError

__all__ = ["DEFAULT_DEPLOYMENT_URL", "URL_SETTING", "Settings"]

DEFAULT_DEPLOYMENT_URL = "https://app.polytomic.com"
#: The `key` of a ConfigurationError about the deployment URL (a bad URL is an error in any run,
#: while a missing key only limits what a preview can check).
URL_SETTING = "polytomic:deploymentUrl"

_API_KEY_HINT = (
    "Set it with `pulumi config set --secret polytomic:apiKey <key>` "
    "or `export POLYTOMIC_API_KEY=<key>`. `pulumi refresh` and `pulumi destroy` read the stack "
    "config recorded at the last `up`: after a key moved into stack config, run `pulumi up` "
    "first, or export POLYTOMIC_API_KEY for this run."
)


def _normalise_url(url: str) -> str:
    """Add ``https://`` when there is no scheme; drop trailing slashes (as Polytomic's TF does)."""
    url = url.strip()
    if "://" not in url:
        url = f"https://{url}"
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a DNS name other than localhost
        return False


def _check_url(_instance: Settings | None, _attribute: attrs.Attribute[str] | None, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(
            f"deployment URL {url!r} is not an http(s) URL",
            key=URL_SETTING, hint="Use a URL like https://app.polytomic.com.",
        )
    # The API key travels in a header: plain http is only acceptable when it never leaves this host.
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"deployment URL {url!r} uses plain http on a non-loopback host",
            key=URL_SETTING, hint="Use https:// (http is allowed only for localhost, 127.0.0.0/8 and ::1).",
        )


def _check_api_key(_instance: Settings, _attribute: attrs.Attribute[str], key: str) -> None:
    if not key.strip():
        raise ConfigurationError("the Polytomic API key is empty", hint=_API_KEY_HINT)


@attrs.frozen
class Settings:
    """How to reach Polytomic: an API key and a deployment URL.

    The key is left out of ``repr``/``str`` so it never shows up in logs or tracebacks.
    """

    api_key: str = attrs.field(repr=False, validator=_check_api_key)
    deployment_url: str = attrs.field(
        default=DEFAULT_DEPLOYMENT_URL, converter=_normalise_url, validator=_check_url
    )

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> Settings:
        """Read ``polytomic:apiKey`` / ``polytomic:deploymentUrl`` from Pulumi stack config.

        Keys are also accepted without the ``polytomic:`` prefix. Anything missing falls back
        to ``POLYTOMIC_API_KEY`` / ``POLYTOMIC_DEPLOYMENT_URL``.

        Raises:
            ConfigurationError: no API key anywhere, or an unusable URL.
        """

        def lookup(name: str, env: str) -> str | None:
            return config.get(f"polytomic:{name}") or config.get(name) or os.environ.get(env)

        # The URL first: a malformed one is reported whether or not a key is set.
        url = _normalise_url(lookup("deploymentUrl", "POLYTOMIC_DEPLOYMENT_URL") or DEFAULT_DEPLOYMENT_URL)
        _check_url(None, None, url)
        api_key = lookup("apiKey", "POLYTOMIC_API_KEY")
        if not api_key:
            raise ConfigurationError("no Polytomic API key is configured", hint=_API_KEY_HINT)
        return cls(api_key=api_key, deployment_url=url)

    @classmethod
    def from_env(cls) -> Settings:
        """Read ``POLYTOMIC_API_KEY`` and ``POLYTOMIC_DEPLOYMENT_URL``."""
        return cls.from_config({})
