"""Revoked tokens: what every process polls (``auth.revocation``)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, String, Table

from openmaas.db.metadata import metadata

revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=False, index=True),
)
