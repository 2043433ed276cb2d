"""Alembic migrations of the server schema (bundled with the package)."""
