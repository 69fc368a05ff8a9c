"""Custom endpoints and the ledger of names ever used (CONTRACT 6.4)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from openmaas.db.metadata import ID, UUID, metadata

custom_endpoints = Table(
    "custom_endpoints",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("domain_id", ID, ForeignKey("domains.id"), nullable=False),
    # The MaaS home-region project the endpoint was created through.
    Column("project_id", ID, ForeignKey("projects.id"), nullable=False),
    Column("endpoint_name", String(64), nullable=False),
    Column("source", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("model_name", String(128), nullable=True),
    # custom_from_maas: the preset model's resident id from the catalogue at creation time.
    Column("resident_model_id", String(64), nullable=True),
    Column("served_model_name", String(128), nullable=False),
    Column("region", String(64), nullable=True),
    Column("workspace_id", String(64), nullable=True),
    Column("infer_service_id", UUID, nullable=True),
    Column("rpm", Integer, nullable=True),
    Column("tpm", Integer, nullable=True),
    Column("remark", String(256), nullable=False, default=""),
    Column("moderation", Boolean, nullable=False, default=True),
    Column("agreement_id", String(64), nullable=True),
    Column("create_at", BigInteger, nullable=False),
    Column("update_at", BigInteger, nullable=False),
    # Deleted endpoints stay as rows: their names stay taken in the domain forever (CONTRACT 2).
    Column("deleted_at", BigInteger, nullable=True),
    UniqueConstraint("domain_id", "endpoint_name"),
    # Listing and the quota count read a domain's live endpoints through its MaaS project.
    Index("ix_custom_endpoints_project_live", "project_id", "deleted_at", "create_at"),
)


custom_endpoint_names = Table(
    "custom_endpoint_names",
    metadata,
    # Every endpoint name a domain ever held, renamed-away and deleted ones included (CONTRACT 6.4):
    # the primary key is what refuses a reused name, even between two concurrent requests.
    Column("domain_id", ID, ForeignKey("domains.id"), primary_key=True),
    Column("endpoint_name", String(64), primary_key=True),
    Column("reserved_at", BigInteger, nullable=False),
)
