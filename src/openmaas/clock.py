"""Time and identifiers in the shapes the wire uses (CONTRACT 1).

Ids are random; ``seed_ids`` makes this process draw them from a seeded generator instead, so that a
test suite replaying the same calls after an admin reset gets the same ids (D-44).
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime


class _Ids:
    def __init__(self) -> None:
        self.seeded: random.Random | None = None

    def bits(self) -> int:
        if self.seeded is None:
            return uuid.uuid4().int
        return self.seeded.getrandbits(128)


_IDS = _Ids()


def seed_ids(seed: int | None) -> None:
    """From now on, ids from a generator seeded with ``seed``; None: random again."""
    _IDS.seeded = None if seed is None else random.Random(seed)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def _uuid4() -> uuid.UUID:
    # The version and variant bits of a random UUID, whatever drew the other bits.
    return uuid.UUID(int=_IDS.bits(), version=4)


def hex_id() -> str:
    """Project, domain, user and workspace ids: 32 lowercase hex chars."""
    return _uuid4().hex


def uuid_id() -> str:
    """Service, deployment and version ids: canonical UUIDs with dashes."""
    return str(_uuid4())


def iam_time(ms: int) -> str:
    """IAM bodies: ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
