"""Alembic environment: runs on the connection `sync_server.migrate` passes in."""

from alembic import context

from sync_server import insight_models  # noqa: F401 - its tables join Base.metadata
from sync_server.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
