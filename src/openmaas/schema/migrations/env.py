"""Alembic environment: runs on SQLite and PostgreSQL with the connection the caller opened."""

from __future__ import annotations

from alembic import context

from openmaas.schema import metadata

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things in place: batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # One transaction for the whole upgrade on SQLite too (its DDL is transactional; Alembic assumes
    # not and commits after each migration): a process that starts while another migrates waits on
    # the BEGIN IMMEDIATE of ``migrate.upgrade`` until every step is in, instead of finding the
    # store between two steps and applying the next one a second time.
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
