"""tenants and the test bench

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 09:32:58.573543
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fault_rules",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("path", sa.String(length=2048), nullable=True),
        sa.Column("operation", sa.String(length=2100), nullable=True),
        sa.Column("domain_id", sa.String(length=32), nullable=True),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_msg", sa.String(length=512), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fault_rules")),
    )
    op.create_table(
        "lifecycle_rules",
        sa.Column("target", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("delay_ms", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=512), nullable=True),
        sa.PrimaryKeyConstraint("target", "action", name=op.f("pk_lifecycle_rules")),
    )
    op.create_table(
        "snapshots",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_snapshots")),
    )
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settle_failure", sa.String(length=512), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(
            sa.Column("description", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("email", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("areacode", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.BigInteger(), nullable=True))

    # Each domain's first user is its administrator (it was the one user a domain had).
    op.execute(
        "UPDATE users SET is_admin = TRUE WHERE id IN (SELECT u.id FROM users u WHERE u.created_at ="
        " (SELECT MIN(v.created_at) FROM users v WHERE v.domain_id = u.domain_id))"
    )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("phone")
        batch_op.drop_column("areacode")
        batch_op.drop_column("email")
        batch_op.drop_column("description")
        batch_op.drop_column("enabled")
        batch_op.drop_column("is_admin")

    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_column("settle_failure")

    op.drop_table("snapshots")
    op.drop_table("lifecycle_rules")
    op.drop_table("fault_rules")
