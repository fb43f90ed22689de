"""Entry point of the `polytomic` component provider plugin (the engine runs it, not people)."""

from importlib.metadata import version

from pulumi.provider.experimental import component_provider_host

from polytomic_components.component_provider.component import LinkedInAudiencePipeline
from polytomic_components.resources.ownership import share_identity_across_constructs

if __name__ == "__main__":
    share_identity_across_constructs()
    component_provider_host([LinkedInAudiencePipeline], name="polytomic",
                            version=version("polytomic-components"))
