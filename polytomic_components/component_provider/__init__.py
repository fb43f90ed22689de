"""The `polytomic` component provider: `LinkedInAudiencePipeline` for Pulumi YAML, TypeScript, Go, ...

The plugin directory is this folder (`PulumiPlugin.yaml`, `requirements.txt`, `__main__.py`); the
schema is inferred from the typed arguments in `component.py`.
"""
