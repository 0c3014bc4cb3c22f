"""Alembic environment: runs on the connection the store hands in.

Used only programmatically, through ``Store.upgrade()``; there is no
alembic.ini. New revisions go into ``versions/`` with ``down_revision`` set
to the previous one (``Store.upgrade`` applies them in order).
"""

from __future__ import annotations

from alembic import context

from finduo.store.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "finduo's migrations run through Store.upgrade(), which provides the "
        "database connection"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
