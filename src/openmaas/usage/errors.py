"""Usage wire errors."""

from __future__ import annotations

from openmaas.errors import InvalidParameter


class BadUsageRange(InvalidParameter):
    """D-7: a range that ends before it starts, or spans more than the kept days."""

    def __init__(self, reason: str) -> None:
        super().__init__("start_time", reason)
