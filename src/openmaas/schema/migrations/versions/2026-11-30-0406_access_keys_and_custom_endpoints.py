"""access keys and custom endpoints

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 04:06:27.940263
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_keys",
        sa.Column("access", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("domain_id", sa.String(length=32), nullable=False),
        sa.Column("secret_encrypted", sa.String(length=512), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("create_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["domain_id"], ["domains.id"], name=op.f("fk_access_keys_domain_id_domains")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_access_keys_user_id_users")),
        sa.PrimaryKeyConstraint("access", name=op.f("pk_access_keys")),
    )
    with op.batch_alter_table("access_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_keys_user_id"), ["user_id"], unique=False)

    op.create_table(
        "custom_endpoints",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("domain_id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.String(length=32), nullable=False),
        sa.Column("endpoint_name", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("model_name", sa.String(length=128), nullable=True),
        sa.Column("resident_model_id", sa.String(length=64), nullable=True),
        sa.Column("served_model_name", sa.String(length=128), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("workspace_id", sa.String(length=64), nullable=True),
        sa.Column("infer_service_id", sa.String(length=36), nullable=True),
        sa.Column("rpm", sa.Integer(), nullable=True),
        sa.Column("tpm", sa.Integer(), nullable=True),
        sa.Column("remark", sa.String(length=256), nullable=False),
        sa.Column("moderation", sa.Boolean(), nullable=False),
        sa.Column("agreement_id", sa.String(length=64), nullable=True),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.Column("update_at", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["domain_id"], ["domains.id"], name=op.f("fk_custom_endpoints_domain_id_domains")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_custom_endpoints_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_endpoints")),
        sa.UniqueConstraint(
            "domain_id", "endpoint_name", name=op.f("uq_custom_endpoints_domain_id_endpoint_name")
        ),
    )
    with op.batch_alter_table("custom_endpoints", schema=None) as batch_op:
        batch_op.create_index(
            "ix_custom_endpoints_project_live", ["project_id", "deleted_at", "create_at"], unique=False
        )

    op.create_table(
        "custom_endpoint_names",
        sa.Column("domain_id", sa.String(length=32), nullable=False),
        sa.Column("endpoint_name", sa.String(length=64), nullable=False),
        sa.Column("reserved_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["domain_id"], ["domains.id"], name=op.f("fk_custom_endpoint_names_domain_id_domains")
        ),
        sa.PrimaryKeyConstraint("domain_id", "endpoint_name", name=op.f("pk_custom_endpoint_names")),
    )


def downgrade() -> None:
    op.drop_table("custom_endpoint_names")
    with op.batch_alter_table("custom_endpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_custom_endpoints_project_live")

    op.drop_table("custom_endpoints")
    with op.batch_alter_table("access_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_keys_user_id"))

    op.drop_table("access_keys")
