"""Data-plane usage per custom endpoint and minute, written in batches (issue 10)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Table

from openmaas.db.metadata import UUID, metadata

endpoint_usage = Table(
    "endpoint_usage",
    metadata,
    Column("endpoint_id", UUID, primary_key=True),
    # The minute's start, in ms since the epoch (D-1's unit).
    Column("minute", BigInteger, primary_key=True),
    Column("calls", BigInteger, nullable=False, default=0),
    Column("errors", BigInteger, nullable=False, default=0),
    Column("prompt_tokens", BigInteger, nullable=False, default=0),
    Column("completion_tokens", BigInteger, nullable=False, default=0),
)
