"""Alembic environment: runs on the connection that `upgrade_schema` hands over."""

from alembic import context

from phantom_desktop.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through phantom_desktop.store.database.upgrade_schema")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
