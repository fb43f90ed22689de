"""Injected faults for ``/api`` requests, configured through ``PUT /__emulator/faults``.

Each request draws once per fault kind from one seedable ``random.Random``; the server acts on
the result (see ``server._RequestHandler._handle_api``).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import Any

from .handlers.common import ApiError, Json

FAULT_DEFAULTS: Json = {
    "error_429_rate": 0.0,  # answer 429 with Retry-After, without processing
    "error_5xx_rate": 0.0,  # answer 503, without processing
    "reset_rate": 0.0,  # close the connection before processing
    "drop_after_commit_rate": 0.0,  # process fully, then close without answering
    "latency_ms": 0,  # delay before the handler runs (after an idempotency key is claimed)
    "retry_after_seconds": 1,
    "seed": None,  # seed for the random draws; None = unpredictable
}
_RATES = ("error_429_rate", "error_5xx_rate", "reset_rate", "drop_after_commit_rate")


@dataclass
class Roll:
    """Which faults hit one request."""

    reset: bool = False
    rate_limited: bool = False
    unavailable: bool = False
    drop_after_commit: bool = False


class FaultInjector:
    """The current fault settings and the random source the draws come from."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.configure({})

    def configure(self, settings: Json) -> None:
        """Replace the settings: keys not given go back to ``FAULT_DEFAULTS``."""
        checked = _checked_fault_settings(settings)
        with self._lock:
            self.settings = checked
            self._random = random.Random(checked["seed"])

    def roll(self) -> Roll:
        # Always four draws, so a seed gives the same sequence whatever the rates are.
        with self._lock:
            draws = [self._random.random() for _ in _RATES]
            hits = [draw < self.settings[rate] for draw, rate in zip(draws, _RATES, strict=True)]
        return Roll(rate_limited=hits[0], unavailable=hits[1], reset=hits[2],
                    drop_after_commit=hits[3])

    def delay(self) -> None:
        if self.settings["latency_ms"]:
            time.sleep(self.settings["latency_ms"] / 1000)


def _checked_fault_settings(settings: Any) -> Json:
    if not isinstance(settings, dict):
        raise ApiError(400, "bad_request", "fault settings must be a JSON object")
    unknown = sorted(set(settings) - set(FAULT_DEFAULTS))
    if unknown:
        raise ApiError(400, "bad_request", f"unknown fault settings {unknown}; known: "
                                           f"{', '.join(FAULT_DEFAULTS)}")
    checked = {**FAULT_DEFAULTS, **settings}
    for rate in _RATES:
        if not _is_number(checked[rate]) or not 0 <= checked[rate] <= 1:
            raise ApiError(400, "bad_request", f"{rate} must be a number from 0 to 1")
    for name in ("latency_ms", "retry_after_seconds"):
        if not _is_number(checked[name]) or checked[name] < 0:
            raise ApiError(400, "bad_request", f"{name} must be a number >= 0")
    if checked["seed"] is not None and (isinstance(checked["seed"], bool)
                                        or not isinstance(checked["seed"], int)):
        raise ApiError(400, "bad_request", "seed must be an integer or null")
    return checked


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
