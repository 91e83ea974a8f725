"""The hub core's alembic environment and revisions."""
