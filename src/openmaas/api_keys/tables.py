"""MaaS API keys: the keys applications call the data plane with (data-plane facts §3)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, ForeignKey, Index, String, Table, UniqueConstraint

from openmaas.db.metadata import ID, UUID, metadata

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("domain_id", ID, ForeignKey("domains.id"), nullable=False),
    # The MaaS home-region project the key was created through: keys are per account and region.
    Column("project_id", ID, ForeignKey("projects.id"), nullable=False),
    Column("label", String(100), nullable=False),
    Column("description", String(100), nullable=False, default=""),
    # HMAC-SHA256 of the key under a server key (hex): the key itself is never stored.
    Column("key_hash", String(64), nullable=False, unique=True),
    # What a listing shows instead of the key.
    Column("key_mask", String(32), nullable=False),
    Column("allow_all", Boolean, nullable=False),
    Column("ip_whitelist", JSON, nullable=False),
    Column("endpoint_whitelist", JSON, nullable=False),
    Column("model_whitelist", JSON, nullable=False),
    Column("create_at", BigInteger, nullable=False),
    Column("update_at", BigInteger, nullable=False),
    UniqueConstraint("domain_id", "label"),
    Index("ix_api_keys_domain_create", "domain_id", "create_at"),
)
