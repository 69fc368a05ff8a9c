"""The schema, as SQLAlchemy Core tables. Migrations under ``migrations/`` create exactly this.

Core rather than ORM classes: every read path builds plain rows into wire dicts, and nothing is
lazily loaded behind a repository's back.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(32)
UUID = String(36)

server_keys = Table(
    "server_keys",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),
)

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

revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=False, index=True),
)

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
    Column("failure_reason", String(512), nullable=True),
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

__all__ = [
    "access_keys",
    "custom_endpoint_names",
    "custom_endpoints",
    "domains",
    "metadata",
    "projects",
    "revoked_tokens",
    "server_keys",
    "service_tags",
    "service_versions",
    "services",
    "users",
    "workspaces",
]
