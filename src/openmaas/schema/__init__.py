"""The whole store's schema: every package's tables on one MetaData, and the Alembic migrations
(``schema.migrations``) that build exactly it on SQLite and PostgreSQL.

This is the one module that imports every package's ``tables``: the migrations and the schema test
need them all; everything else imports only its own package's tables.
"""

from __future__ import annotations

from openmaas.api_keys import tables as api_keys_tables
from openmaas.auth import tables as auth_tables
from openmaas.credentials import tables as credentials_tables
from openmaas.custom_endpoints import tables as custom_endpoints_tables
from openmaas.db.metadata import metadata
from openmaas.faults import tables as faults_tables
from openmaas.iam import tables as iam_tables
from openmaas.services import tables as services_tables
from openmaas.usage import tables as usage_tables
from openmaas.workspaces import tables as workspaces_tables

TABLE_MODULES = (
    auth_tables,
    iam_tables,
    workspaces_tables,
    services_tables,
    credentials_tables,
    custom_endpoints_tables,
    api_keys_tables,
    usage_tables,
    faults_tables,
)

__all__ = ["TABLE_MODULES", "metadata"]
