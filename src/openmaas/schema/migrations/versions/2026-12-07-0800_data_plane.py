"""data plane: API keys, endpoint usage, the upstream's model name

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("domain_id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_mask", sa.String(length=32), nullable=False),
        sa.Column("allow_all", sa.Boolean(), nullable=False),
        sa.Column("ip_whitelist", sa.JSON(), nullable=False),
        sa.Column("endpoint_whitelist", sa.JSON(), nullable=False),
        sa.Column("model_whitelist", sa.JSON(), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.Column("update_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_api_keys_domain_id_domains")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_api_keys_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("domain_id", "label", name=op.f("uq_api_keys_domain_id_label")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index("ix_api_keys_domain_create", ["domain_id", "create_at"], unique=False)

    op.create_table(
        "endpoint_usage",
        sa.Column("endpoint_id", sa.String(length=36), nullable=False),
        sa.Column("minute", sa.BigInteger(), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
        sa.Column("prompt_tokens", sa.BigInteger(), nullable=False),
        sa.Column("completion_tokens", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("endpoint_id", "minute", name=op.f("pk_endpoint_usage")),
    )
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(sa.Column("upstream_model", sa.String(length=256), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_column("upstream_model")
    op.drop_table("endpoint_usage")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_api_keys_domain_create")
    op.drop_table("api_keys")
