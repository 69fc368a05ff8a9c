"""Counters every process shares, in Redis (or Valkey): one Lua script per step, so that the check and
the count are one atomic step for all of them, and one round trip."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from openmaas.ratelimit.limits import UNCOUNTED, Admission, Exceeded, LimiterUnavailable, Limits

# A Redis that has not answered in this long is down, as far as a call waiting on it is concerned.
TIMEOUT_SECONDS = 1.0
NO_LIMIT = -1
# Connections to Redis per process: each step is one short round trip, so a few serve a burst.
POOL_CONNECTIONS = 32

# KEYS[1]: the key's prefix; ARGV: window length (ms), rpm, tpm (-1: none), tokens to reserve.
# Answers {admitted, exceeded (0 none, 1 rpm, 2 tpm), window, ms until the window ends}.
ADMIT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local length = tonumber(ARGV[1])
local window = math.floor(now_ms / length)
local key = KEYS[1] .. window
local counts = redis.call('HMGET', key, 'r', 't')
local requests, tokens = tonumber(counts[1]) or 0, tonumber(counts[2]) or 0
local rpm, tpm = tonumber(ARGV[2]), tonumber(ARGV[3])
local left_ms = (window + 1) * length - now_ms
if rpm >= 0 and requests >= rpm then return {0, 1, window, left_ms} end
if tpm >= 0 and tokens >= tpm then return {0, 2, window, left_ms} end
redis.call('HINCRBY', key, 'r', 1)
redis.call('HINCRBY', key, 't', tonumber(ARGV[4]))
redis.call('PEXPIRE', key, left_ms + 2 * length)
return {1, 0, window, left_ms}
"""

# KEYS[1]: the key's prefix; ARGV: the admission's window, tokens to add (negative gives back).
SETTLE = """
local key = KEYS[1] .. ARGV[1]
if redis.call('EXISTS', key) == 1 then
  if redis.call('HINCRBY', key, 't', tonumber(ARGV[2])) < 0 then redis.call('HSET', key, 't', 0) end
end
return 0
"""
EXCEEDED: dict[int, Exceeded | None] = {0: None, 1: "rpm", 2: "tpm"}


class RedisLimiter:
    def __init__(self, url: str, window_seconds: float, prefix: str = "openmaas:rl:") -> None:
        self._window_ms = max(1, round(window_seconds * 1000))
        self._prefix = prefix
        # A bounded pool that a burst waits on (at most TIMEOUT_SECONDS) rather than one that fails
        # past its size; and no retries: a call waits for one answer at most, then the gateway
        # answers 503.
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=POOL_CONNECTIONS,
            timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
            socket_timeout=TIMEOUT_SECONDS,
            health_check_interval=30,
        )
        self._redis: Redis = Redis(connection_pool=pool, retry=Retry(NoBackoff(), 0))
        self._admit = self._redis.register_script(ADMIT)
        self._settle = self._redis.register_script(SETTLE)

    async def admit(self, key: str, limits: Limits, reserve: int) -> Admission:
        if limits.unlimited:
            return UNCOUNTED
        args = [self._window_ms, _or_none(limits.rpm), _or_none(limits.tpm), reserve]
        admitted, exceeded, window, left_ms = await self._run(self._admit, key, args)
        wait = max(1, math.ceil(int(left_ms) / 1000))
        return Admission(
            bool(admitted), EXCEEDED[int(exceeded)], wait, int(window), reserve if admitted else 0
        )

    async def settle(self, key: str, admission: Admission, used: int) -> None:
        if admission.admitted and admission.window >= 0 and used != admission.reserved:
            await self._run(self._settle, key, [admission.window, used - admission.reserved])

    async def close(self) -> None:
        await self._redis.aclose()
        await self._redis.connection_pool.disconnect()

    async def _run(self, script: Any, key: str, args: list[int]) -> Any:
        try:
            async with asyncio.timeout(2 * TIMEOUT_SECONDS):
                return await script(keys=[f"{self._prefix}{key}:"], args=args)
        except (RedisError, OSError, TimeoutError) as failure:
            raise LimiterUnavailable(f"the rate-limit store did not answer: {failure}") from None


def _or_none(limit: int | None) -> int:
    return NO_LIMIT if limit is None else limit
