"""Manage Polytomic connections, models and model syncs with Pulumi.

Resources: `Connection`, `Model`, `Sync`; the component `LinkedInAudiencePipeline`; and the API
client they are built on, `PolytomicClient`.
"""

from .args import (
    ArgumentError,
    FieldMapping,
    FirstRun,
    IdentityMapping,
    LinkedInAudiencePipelineArgs,
    LinkedInDestination,
    NewAudience,
    PipelineAdoption,
    RowFilter,
    SnowflakeSource,
    ValueOverride,
)
from .client import PolytomicClient
from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PolytomicError,
    ValidationError,
)
from .pipeline import LinkedInAudiencePipeline
from .resources.connection import Connection
from .resources.model import Model
from .resources.sync import Sync
from .resources.sync_run import FirstRunError, SyncRun
from .settings import Settings

__all__ = [
    "ArgumentError",
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "Connection",
    "FieldMapping",
    "FirstRun",
    "FirstRunError",
    "IdentityMapping",
    "LinkedInAudiencePipeline",
    "LinkedInAudiencePipelineArgs",
    "LinkedInDestination",
    "Model",
    "NewAudience",
    "NotFoundError",
    "PipelineAdoption",
    "PolytomicClient",
    "PolytomicError",
    "RowFilter",
    "Settings",
    "SnowflakeSource",
    "Sync",
    "SyncRun",
    "ValidationError",
    "ValueOverride",
]
