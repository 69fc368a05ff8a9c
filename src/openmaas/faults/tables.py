"""Fault rules (D-41)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Integer, String, Table

from openmaas.db.metadata import ID, UUID, metadata

fault_rules = Table(
    "fault_rules",
    metadata,
    Column("id", UUID, primary_key=True),
    # What a request must be to match: a method, a path glob or an operation (method and route
    # template), a tenant; a rule with none of them matches every request.
    Column("method", String(16), nullable=True),
    Column("path", String(2048), nullable=True),
    Column("operation", String(2100), nullable=True),
    Column("domain_id", ID, nullable=True),
    Column("probability", Float, nullable=False),
    # How many more times it may fire (shared by every process); None: no limit.
    Column("remaining", Integer, nullable=True),
    # What it does: wait, and/or answer this status and wire error instead of the API.
    Column("latency_ms", Integer, nullable=False),
    Column("status", Integer, nullable=True),
    Column("error_code", String(64), nullable=True),
    Column("error_msg", String(512), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=True),
)
