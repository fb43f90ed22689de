"""The Polytomic policy pack, run by the Pulumi engine: ``pulumi preview --policy-pack <PACK_DIRECTORY>``.

It needs `polytomic-components[policy]` in the Python the engine runs it with (``PULUMI_PYTHON_CMD``,
else ``python3`` on ``PATH``). The policies are in `polytomic_components.policy.policies`.
"""

from pathlib import Path

PACK_DIRECTORY = Path(__file__).resolve().parent

__all__ = ["PACK_DIRECTORY"]
