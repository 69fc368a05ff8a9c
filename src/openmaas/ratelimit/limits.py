"""What a limiter is asked and answers, whichever store keeps its counts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Protocol

Exceeded = Literal["rpm", "tpm"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Either may be None: no limit of that kind."""

    rpm: int | None
    tpm: int | None

    @property
    def unlimited(self) -> bool:
        return self.rpm is None and self.tpm is None


@dataclass(frozen=True, slots=True)
class Admission:
    admitted: bool
    # Which limit refused the request (rpm is judged first).
    exceeded: Exceeded | None
    # Whole seconds until the next window starts, at least 1.
    retry_after: int
    # The window the request was counted in.
    window: int
    # Tokens reserved for it, replaced by what it used on ``settle``.
    reserved: int


class LimiterUnavailable(Exception):
    """The shared counter store did not answer."""


class Limiter(Protocol):
    async def admit(self, key: str, limits: Limits, reserve: int) -> Admission: ...

    async def settle(self, key: str, admission: Admission, used: int) -> None: ...

    async def close(self) -> None: ...


# An admission that counted nothing: what an endpoint without limits gets, with no store asked.
UNCOUNTED = Admission(admitted=True, exceeded=None, retry_after=1, window=-1, reserved=0)


def window_of(now: float, window_seconds: float) -> int:
    return math.floor(now / window_seconds)


def retry_after(now: float, window: int, window_seconds: float) -> int:
    """Seconds until window ``window`` ends, rounded up, at least 1."""
    return max(1, math.ceil((window + 1) * window_seconds - now))


def make_limiter(redis_url: str, window_seconds: float) -> Limiter:
    """The limiter a process uses: shared through Redis when a URL is set, else its own."""
    if redis_url:
        from openmaas.ratelimit.shared import RedisLimiter

        return RedisLimiter(redis_url, window_seconds)
    from openmaas.ratelimit.memory import MemoryLimiter

    return MemoryLimiter(window_seconds)
