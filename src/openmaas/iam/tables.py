"""Domains, their users and their projects (CONTRACT 2)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    false,
    true,
)

from openmaas.db.metadata import ID, metadata

domains = Table(
    "domains",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
)


users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("domain_id", ID, ForeignKey("domains.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("failed_window_start", BigInteger, nullable=True),
    Column("locked_until", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    # The domain's administrator (its first user, and whoever it makes one): manages the other users.
    Column("is_admin", Boolean, nullable=False, default=False, server_default=false()),
    Column("enabled", Boolean, nullable=False, default=True, server_default=true()),
    Column("description", String(255), nullable=False, default="", server_default=""),
    Column("email", String(255), nullable=True),
    Column("areacode", String(8), nullable=True),
    Column("phone", String(32), nullable=True),
    Column("updated_at", BigInteger, nullable=True),
    UniqueConstraint("domain_id", "name"),
)


projects = Table(
    "projects",
    metadata,
    Column("id", ID, primary_key=True),
    Column("domain_id", ID, ForeignKey("domains.id"), nullable=False),
    # The project name is its region id (CONTRACT 2).
    Column("name", String(64), nullable=False),
    Column("description", String(255), nullable=False, default=""),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("domain_id", "name"),
)
