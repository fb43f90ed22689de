"""A local emulator of the Polytomic REST API (connections, models, model syncs, LinkedIn Ads).

Run it with ``python -m polytomic_components.emulator`` or in-process with
``server.start()``. State lives in one SQLite file, so a restart keeps everything.
"""

from .server import EmulatorServer, start

__all__ = ["EmulatorServer", "start"]
