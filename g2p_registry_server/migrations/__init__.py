"""Alembic environment and revisions of the registry's own tables."""
