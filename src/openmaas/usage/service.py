"""Usage of custom endpoints, counted per minute (issue 10).

The gateway records every call in memory (``UsageRecorder.record``, no store write on the hot path);
a background job writes what was counted in one batch every ``usage_flush_seconds``, and once more
when the server stops, so a SIGTERM loses nothing. A kill -9 loses the counts since the last batch.
Minutes older than ``KEPT_DAYS`` are dropped, as the public usage APIs keep 30 days.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection

from openmaas.clock import now_ms
from openmaas.custom_endpoints import service as endpoints
from openmaas.db.scope import Scope
from openmaas.db.store import Store
from openmaas.usage import repository
from openmaas.usage.errors import BadUsageRange
from openmaas.usage.schemas import UsageQuery

MINUTE_MS = 60_000
KEPT_DAYS = 30
KEPT_MS = KEPT_DAYS * 24 * 60 * MINUTE_MS
DEFAULT_RANGE_MS = 60 * MINUTE_MS

# calls, errors, prompt tokens, completion tokens
Counts = list[int]


class UsageRecorder:
    """Counts in memory, per (endpoint, minute), until ``flush`` writes them."""

    def __init__(self) -> None:
        self._counts: defaultdict[tuple[str, int], Counts] = defaultdict(lambda: [0, 0, 0, 0])
        # The gateway records on the event loop; the flush job runs in a thread of its own.
        self._lock = threading.Lock()

    def record(self, endpoint_id: str, *, error: bool, prompt_tokens: int, completion_tokens: int) -> None:
        minute = now_ms() // MINUTE_MS * MINUTE_MS
        with self._lock:
            counts = self._counts[(endpoint_id, minute)]
            counts[0] += 1
            counts[1] += error
            counts[2] += prompt_tokens
            counts[3] += completion_tokens

    def discard(self) -> None:
        """Drop what was counted and not written (its endpoints are gone with a reset)."""
        with self._lock:
            self._counts = defaultdict(lambda: [0, 0, 0, 0])

    def flush(self, store: Store) -> int:
        """Write what was counted since the last flush, in one transaction; returns the rows written.
        If the write fails, the counts are put back for the next flush."""
        with self._lock:
            taken, self._counts = self._counts, defaultdict(lambda: [0, 0, 0, 0])
        rows = [_row(key, counts) for key, counts in taken.items()]
        try:
            with store.transaction(write=True) as connection:
                repository.add_counts(connection, rows)
        except Exception:
            self._put_back(taken)
            raise
        return len(rows)

    def _put_back(self, taken: dict[tuple[str, int], Counts]) -> None:
        with self._lock:
            for key, counts in taken.items():
                kept = self._counts[key]
                for index, value in enumerate(counts):
                    kept[index] += value


def _row(key: tuple[str, int], counts: Counts) -> dict[str, Any]:
    calls, errors, prompt, completion = counts
    endpoint_id, minute = key
    return {
        "endpoint_id": endpoint_id,
        "minute": minute,
        "calls": calls,
        "errors": errors,
        "prompt_tokens": prompt,
        "completion_tokens": completion,
    }


def forget_old(store: Store) -> int:
    """Drop the minutes past the kept days."""
    with store.transaction(write=True) as connection:
        return repository.forget_before(connection, now_ms() - KEPT_MS)


def endpoint_usage(
    connection: Connection, scope: Scope, endpoint_id: str, query: UsageQuery
) -> dict[str, Any]:
    """One endpoint's minutes in the asked range, with their totals."""
    endpoint = endpoints.require(connection, scope, endpoint_id)
    end = query.end_time if query.end_time is not None else now_ms()
    start = query.start_time if query.start_time is not None else end - DEFAULT_RANGE_MS
    if start > end:
        raise BadUsageRange("must not be after end_time")
    if end - start > KEPT_MS:
        raise BadUsageRange(f"must be at most {KEPT_DAYS} days before end_time")
    items = [_minute(row) for row in repository.minutes(connection, endpoint.id, start, end)]
    return {
        "endpoint_id": endpoint.id,
        "endpoint_name": endpoint.endpoint_name,
        "start_time": start,
        "end_time": end,
        "totals": _totals(items),
        "items": items,
    }


def _minute(row: Any) -> dict[str, Any]:
    counts = {name: int(getattr(row, name)) for name in repository.COUNTERS}
    return {
        "minute": int(row.minute),
        **counts,
        "total_tokens": counts["prompt_tokens"] + counts["completion_tokens"],
    }


def _totals(items: list[dict[str, Any]]) -> dict[str, int]:
    names = (*repository.COUNTERS, "total_tokens")
    return {name: sum(item[name] for item in items) for name in names}


def forget_endpoints(connection: Connection, endpoint_ids: list[str]) -> None:
    """The usage of endpoints that are gone with their account."""
    if endpoint_ids:
        repository.forget_endpoints(connection, endpoint_ids)
