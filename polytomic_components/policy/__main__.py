"""Serves the policy pack to the Pulumi engine, which runs `python <this directory> <engine address>`."""

import io
import sys

# pulumi_policy announces its port on sys.stdout.buffer without flushing, and the Python language host
# starts packs without `-u`: unless PYTHONUNBUFFERED is set, the engine would wait for the port forever.
sys.stdout = io.TextIOWrapper(io.FileIO(sys.stdout.fileno(), "w", closefd=False), write_through=True)

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from polytomic_components.policy.policies import POLICIES  # noqa: E402

PolicyPack(name="polytomic", policies=POLICIES, enforcement_level=EnforcementLevel.MANDATORY)
