"""Manage Polytomic connections, models and model syncs with Pulumi.

Resources: `Connection`, `Model`, `Sync`; the component `LinkedInAudiencePipeline`; and the API
client they are built on, `PolytomicClient`.
"""

from .client import PolytomicClient
from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PolytomicError,
    ValidationError,
)
from .resources.connection import Connection
from .resources.model import Model
from .resources.sync import Sync
from .settings import Settings

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "Connection",
    "Model",
    "NotFoundError",
    "PolytomicClient",
    "PolytomicError",
    "Settings",
    "Sync",
    "ValidationError",
]
