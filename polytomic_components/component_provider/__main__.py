"""Entry point of the `polytomic` component provider plugin (the engine runs it, not people)."""

import sys
from importlib.metadata import version

from pulumi.provider import main

from polytomic_components.component_provider.provider import PolytomicProvider
from polytomic_components.resources.ownership import share_identity_across_constructs

if __name__ == "__main__":
    share_identity_across_constructs()
    # The engine passes the plugin's folder, then its own address and flags.
    main(PolytomicProvider(version("polytomic-components")), sys.argv[1:])
