"""Pulumi resources for Polytomic objects, one module per kind, sharing one provider base."""
