"""The `polytomic` component provider: `LinkedInAudiencePipeline` for Pulumi YAML, TypeScript, Go, ...

This folder is the plugin (`PulumiPlugin.yaml`, `requirements.txt`, `__main__.py`); its schema is
inferred from the typed arguments in `component.py`. The engine caches that schema beside this
folder (`../schema-polytomic.json`) until the folder itself changes: after editing the arguments
in place, delete the cached file.
"""
