"""Time and identifiers in the shapes the wire uses (CONTRACT 1)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def hex_id() -> str:
    """Project, domain, user and workspace ids: 32 lowercase hex chars."""
    return uuid.uuid4().hex


def uuid_id() -> str:
    """Service, deployment and version ids: canonical UUIDs with dashes."""
    return str(uuid.uuid4())


def iam_time(ms: int) -> str:
    """IAM bodies: ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
