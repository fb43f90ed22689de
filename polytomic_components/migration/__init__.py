"""Bring existing Polytomic objects under management: from a Terraform state, or a live organization.

A reader (:mod:`.terraform`, :mod:`.organization`) builds an :class:`Inventory`; :mod:`.render`
writes a Pulumi program or reference-project stack config that adopts each object by id.
"""

from .inventory import FoundObject, Inventory, MigrationError, Secret
from .organization import read_organization
from .render import Rendering, render_program, render_stack_config
from .terraform import read_state, read_state_file

__all__ = [
    "FoundObject",
    "Inventory",
    "MigrationError",
    "Rendering",
    "Secret",
    "read_organization",
    "read_state",
    "read_state_file",
    "render_program",
    "render_stack_config",
]
