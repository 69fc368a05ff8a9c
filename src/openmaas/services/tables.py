"""Services, their tags and versions (CONTRACT 5.2-5.4)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from openmaas.db.metadata import ID, UUID, metadata

services = Table(
    "services",
    metadata,
    Column("id", UUID, primary_key=True),
    Column("project_id", ID, ForeignKey("projects.id"), nullable=False),
    Column("workspace_id", ID, nullable=False),
    Column("name", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("description", String(512), nullable=False, default=""),
    Column("type", String(16), nullable=False),
    Column("deploy_type", String(16), nullable=False),
    Column("task_type", String(32), nullable=True),
    Column("workload_type", String(16), nullable=True),
    Column("auth_type", String(16), nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("version", String(16), nullable=False),
    Column("version_count", Integer, nullable=False),
    Column("deploy_timeout_minutes", Integer, nullable=False),
    Column("deployment_id", UUID, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("schedule", JSON, nullable=False),
    Column("upstream_url", String(2048), nullable=True),
    # The model name the upstream serves (the data plane's ``model``); None: the service's name.
    Column("upstream_model", String(256), nullable=True),
    Column("failure_reason", String(512), nullable=True),
    # Lifecycle control (D-40): when set, the pending transition ends FAILED with this reason.
    Column("settle_failure", String(512), nullable=True),
    Column("create_at", BigInteger, nullable=False),
    Column("update_at", BigInteger, nullable=False),
    # Lifecycle bookkeeping: when the pending transition is due and when it began.
    Column("transition_due_at", BigInteger, nullable=True),
    Column("transition_started_at", BigInteger, nullable=True),
    # Optimistic lock: a transition applies only to the row version it read (one transition, once).
    Column("row_version", Integer, nullable=False, default=1),
    ForeignKeyConstraint(["project_id", "workspace_id"], ["workspaces.project_id", "workspaces.id"]),
    UniqueConstraint("project_id", "name"),
    Index("ix_services_listing", "project_id", "workspace_id", "update_at", "id"),
    Index("ix_services_project_update", "project_id", "update_at", "id"),
    Index("ix_services_due", "transition_due_at"),
)


service_tags = Table(
    "service_tags",
    metadata,
    Column("service_id", UUID, ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("value", String(256), nullable=False),
    Index("ix_service_tags_key_value", "key", "value"),
)


service_versions = Table(
    "service_versions",
    metadata,
    Column("service_id", UUID, ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("id", UUID, nullable=False, unique=True),
    Column("version", String(16), nullable=False),
    Column("description", String(512), nullable=False, default=""),
    Column("config", JSON, nullable=False),
    Column("create_at", BigInteger, nullable=False),
    Column("update_at", BigInteger, nullable=False),
)


# Lifecycle control (D-40): how a service's deploys, stops and deletes settle; target "*" is every
# service without a rule of its own.
lifecycle_rules = Table(
    "lifecycle_rules",
    metadata,
    Column("target", UUID, primary_key=True),
    Column("action", String(16), primary_key=True),
    Column("mode", String(16), nullable=False),
    Column("delay_ms", BigInteger, nullable=True),
    Column("reason", String(512), nullable=True),
)
