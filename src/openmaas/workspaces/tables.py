"""Workspaces (CONTRACT 5.1)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Table, UniqueConstraint

from openmaas.db.metadata import ID, metadata

workspaces = Table(
    "workspaces",
    metadata,
    Column("project_id", ID, ForeignKey("projects.id"), primary_key=True),
    Column("id", ID, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("description", String(256), nullable=False, default=""),
    Column("owner", String(64), nullable=False),
    Column("auth_type", String(16), nullable=False, default="PUBLIC"),
    Column("create_time", BigInteger, nullable=False),
    Column("update_time", BigInteger, nullable=False),
    # Services in the workspace that are not yet gone; kept in the same transaction as every
    # create and final delete so that listing never counts rows (CONTRACT 6.3 `total`).
    Column("service_count", Integer, nullable=False, default=0),
    UniqueConstraint("project_id", "name"),
    # The workspace's own id is what a workspace-narrowed Scope filters on.
    info={"workspace_column": "id"},
)
