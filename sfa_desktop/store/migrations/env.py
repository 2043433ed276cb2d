"""Alembic environment: runs on the connection the store passes in."""

from alembic import context

from sfa_desktop.store.migrate import include_name
from sfa_desktop.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
