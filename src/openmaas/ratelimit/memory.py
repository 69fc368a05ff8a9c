"""Counters of one process. Each step runs on the event loop without an await between its check and
its count, so concurrent calls cannot overshoot."""

from __future__ import annotations

import time
from collections.abc import Callable

from openmaas.ratelimit.limits import UNCOUNTED, Admission, Exceeded, Limits, retry_after, window_of


class MemoryLimiter:
    def __init__(self, window_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self._window_seconds = window_seconds
        self._clock = clock
        # (key, window) -> [requests, tokens]
        self._counts: dict[tuple[str, int], list[int]] = {}
        self._current = 0

    async def admit(self, key: str, limits: Limits, reserve: int) -> Admission:
        if limits.unlimited:
            return UNCOUNTED
        now = self._clock()
        window = window_of(now, self._window_seconds)
        self._forget_before(window)
        counts = self._counts.setdefault((key, window), [0, 0])
        exceeded = _exceeded(limits, counts)
        wait = retry_after(now, window, self._window_seconds)
        if exceeded is not None:
            return Admission(False, exceeded, wait, window, 0)
        counts[0] += 1
        counts[1] += reserve
        return Admission(True, None, wait, window, reserve)

    async def settle(self, key: str, admission: Admission, used: int) -> None:
        counts = self._counts.get((key, admission.window))
        if admission.admitted and counts is not None:
            counts[1] = max(0, counts[1] + used - admission.reserved)

    async def close(self) -> None:
        self._counts.clear()

    def _forget_before(self, window: int) -> None:
        """Windows before the previous one can take no settle that matters any more."""
        if window > self._current:
            self._current = window
            self._counts = {key: counts for key, counts in self._counts.items() if key[1] >= window - 1}


def _exceeded(limits: Limits, counts: list[int]) -> Exceeded | None:
    requests, tokens = counts
    if limits.rpm is not None and requests >= limits.rpm:
        return "rpm"
    if limits.tpm is not None and tokens >= limits.tpm:
        return "tpm"
    return None
