"""Access keys (CONTRACT 4.3)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, String, Table

from openmaas.db.metadata import ID, metadata

access_keys = Table(
    "access_keys",
    metadata,
    # The AK itself (20 upper-case alphanumerics) is public; the SK is stored only encrypted.
    Column("access", String(32), primary_key=True),
    Column("user_id", ID, ForeignKey("users.id"), nullable=False, index=True),
    Column("domain_id", ID, ForeignKey("domains.id"), nullable=False),
    Column("secret_encrypted", String(512), nullable=False),
    Column("description", String(255), nullable=False, default=""),
    Column("status", String(16), nullable=False, default="active"),
    Column("create_time", BigInteger, nullable=False),
)
