"""Exact rpm/tpm counting (D-30 to D-33): the in-process limiter with a clock of the test's, and the
shared one against a real redis-server, under concurrency and across two separate event loops."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from openmaas.ratelimit import (
    Admission,
    LimiterUnavailable,
    Limits,
    MemoryLimiter,
    RedisLimiter,
    make_limiter,
)
from tests.live import free_port
from tests.redis_server import RedisServer


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def run(coroutine: object) -> object:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


async def admitted(
    limiter: object, key: str, limits: Limits, count: int, reserve: int = 0
) -> list[Admission]:
    return list(await asyncio.gather(*(limiter.admit(key, limits, reserve) for _ in range(count))))  # type: ignore[attr-defined]


# ---- in this process ------------------------------------------------------------------------------


def test_memory_burst_admits_exactly_rpm_d30() -> None:
    limiter = MemoryLimiter(60, clock=Clock(6000.0))
    answers = run(admitted(limiter, "ep", Limits(rpm=7, tpm=None), 50))
    assert isinstance(answers, list)
    assert sum(a.admitted for a in answers) == 7
    refused = [a for a in answers if not a.admitted]
    assert {(a.exceeded, a.retry_after, a.reserved) for a in refused} == {("rpm", 60, 0)}


def test_memory_new_window_admits_again_and_retry_after_counts_down_d30() -> None:
    clock = Clock(6000.0 + 45.5)
    limiter = MemoryLimiter(60, clock=clock)
    limits = Limits(rpm=1, tpm=None)
    first, second = run(admitted(limiter, "ep", limits, 2))  # type: ignore[misc]
    assert (first.admitted, second.admitted, second.retry_after) == (True, False, 15)
    clock.now = 6060.0
    assert run(limiter.admit("ep", limits, 0)).admitted  # type: ignore[attr-defined]


def test_memory_tpm_reserves_then_settles_d31() -> None:
    clock = Clock(600.0)
    limiter = MemoryLimiter(60, clock=clock)
    limits = Limits(rpm=None, tpm=100)

    async def scenario() -> list[bool]:
        first = await limiter.admit("ep", limits, 60)
        second = await limiter.admit("ep", limits, 60)  # 60 < 100: admitted, now 120 reserved
        third = await limiter.admit("ep", limits, 1)  # 120 >= 100: refused
        await limiter.settle("ep", first, 10)  # 70 reserved
        await limiter.settle("ep", second, 10)  # 20
        fourth = await limiter.admit("ep", limits, 50)  # 20 < 100
        return [first.admitted, second.admitted, third.admitted, third.exceeded == "tpm", fourth.admitted]

    assert run(scenario()) == [True, True, False, True, True]


def test_memory_settle_lands_in_the_admissions_window_d31() -> None:
    clock = Clock(600.0)
    limiter = MemoryLimiter(60, clock=clock)
    limits = Limits(rpm=None, tpm=10)

    async def scenario() -> tuple[bool, bool]:
        early = await limiter.admit("ep", limits, 1)
        clock.now = 660.0  # next window: the late settle must not charge it
        await limiter.settle("ep", early, 500)
        return (await limiter.admit("ep", limits, 1)).admitted, early.window == 10

    assert run(scenario()) == (True, True)


def test_unlimited_endpoints_count_nothing_d30() -> None:
    limiter = MemoryLimiter(60, clock=Clock(0.0))
    answers = run(admitted(limiter, "ep", Limits(None, None), 1000))
    assert isinstance(answers, list)
    assert all(a.admitted for a in answers)


def test_refused_calls_count_nothing_d30() -> None:
    limiter = MemoryLimiter(60, clock=Clock(0.0))

    async def scenario() -> list[bool]:
        tight = Limits(rpm=1, tpm=None)
        results = [(await limiter.admit("ep", tight, 5)).admitted for _ in range(3)]
        # The two refusals reserved nothing: a tpm of 6 still has room after the one call's 5.
        results.append((await limiter.admit("ep", Limits(rpm=None, tpm=6), 0)).admitted)
        return results

    assert run(scenario()) == [True, False, False, True]


def test_make_limiter_chooses_by_the_redis_setting(redis_url: str) -> None:
    assert isinstance(make_limiter("", 60), MemoryLimiter)
    shared = make_limiter(redis_url, 60)
    assert isinstance(shared, RedisLimiter)
    run(shared.close())


# ---- shared through Redis -------------------------------------------------------------------------


@pytest.fixture
def key() -> str:
    return f"test-{uuid.uuid4().hex}"


def test_redis_burst_admits_exactly_rpm_d30(redis_url: str, key: str) -> None:
    async def scenario() -> list[Admission]:
        limiter = RedisLimiter(redis_url, 60)
        try:
            return await admitted(limiter, key, Limits(rpm=25, tpm=None), 300)
        finally:
            await limiter.close()

    answers = run(scenario())
    assert isinstance(answers, list)
    assert sum(a.admitted for a in answers) == 25
    assert {a.exceeded for a in answers if not a.admitted} == {"rpm"}
    assert all(1 <= a.retry_after <= 60 for a in answers)


def test_redis_two_event_loops_share_one_count_d30(redis_url: str, key: str) -> None:
    """Two limiters, each on its own thread and event loop, as two server processes would be."""
    results: list[list[Admission]] = []

    def worker() -> None:
        async def burst() -> list[Admission]:
            limiter = RedisLimiter(redis_url, 60)
            try:
                return await admitted(limiter, key, Limits(rpm=40, tpm=None), 150)
            finally:
                await limiter.close()

        results.append(asyncio.run(burst()))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(a.admitted for answers in results for a in answers) == 40


def test_redis_tpm_under_concurrency_admits_what_reservations_allow_d31(redis_url: str, key: str) -> None:
    async def scenario() -> int:
        limiter = RedisLimiter(redis_url, 60)
        try:
            answers = await admitted(limiter, key, Limits(rpm=None, tpm=100), 50, reserve=10)
            return sum(a.admitted for a in answers)
        finally:
            await limiter.close()

    assert run(scenario()) == 10


def test_redis_settle_gives_back_and_charges_d31(redis_url: str, key: str) -> None:
    async def scenario() -> list[bool]:
        limiter = RedisLimiter(redis_url, 60)
        limits = Limits(rpm=None, tpm=100)
        try:
            big = await limiter.admit(key, limits, 100)
            full = await limiter.admit(key, limits, 1)
            await limiter.settle(key, big, 30)  # 70 given back
            room = await limiter.admit(key, limits, 1)
            await limiter.settle(key, room, 500)  # charged past the limit
            over = await limiter.admit(key, limits, 1)
            return [big.admitted, full.admitted, room.admitted, over.admitted]
        finally:
            await limiter.close()

    assert run(scenario()) == [True, False, True, False]


def test_redis_window_rolls_over_and_admits_again_d30(redis_url: str, key: str) -> None:
    async def scenario() -> tuple[bool, bool, bool]:
        limiter = RedisLimiter(redis_url, 2)
        limits = Limits(rpm=1, tpm=None)
        try:
            first = await limiter.admit(key, limits, 0)
            refused = await limiter.admit(key, limits, 0)
            if first.window != refused.window:  # the first landed at a window's very end: start again
                refused = await limiter.admit(key, limits, 0)
            again = await _next_window(limiter, key, limits, refused.window)
            return first.admitted, refused.admitted, again.admitted
        finally:
            await limiter.close()

    assert run(scenario()) == (True, False, True)


async def _next_window(limiter: RedisLimiter, key: str, limits: Limits, window: int) -> Admission:
    """Ask until the answer is of a later window (the test's timeout bounds the wait)."""
    while True:
        answer = await limiter.admit(key, limits, 0)
        if answer.window > window:
            return answer
        await asyncio.sleep(0.1)


def test_a_port_without_redis_is_unavailable_d33(key: str) -> None:
    async def scenario() -> None:
        limiter = RedisLimiter(f"redis://127.0.0.1:{free_port()}/0", 60)
        try:
            await limiter.admit(key, Limits(rpm=1, tpm=None), 0)
        finally:
            await limiter.close()

    with pytest.raises(LimiterUnavailable, match="did not answer"):
        run(scenario())


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def test_a_redis_that_stops_then_returns_is_used_again_d33(own_redis: RedisServer, key: str) -> None:
    async def scenario() -> tuple[bool, str, bool]:
        limiter = RedisLimiter(own_redis.url, 60)
        limits = Limits(rpm=100, tpm=None)
        try:
            before = (await limiter.admit(key, limits, 0)).admitted
            own_redis.stop()
            try:
                await limiter.admit(key, limits, 0)
                failure = "none"
            except LimiterUnavailable:
                failure = "unavailable"
            own_redis.start()
            after = (await limiter.admit(key, limits, 0)).admitted
            return before, failure, after
        finally:
            await limiter.close()

    assert run(scenario()) == (True, "unavailable", True)


def test_keys_expire_after_their_window(redis_url: str, key: str) -> None:
    """A window's counts are not kept for ever: the hash expires two windows after its end."""
    import redis as redis_client

    async def scenario() -> int:
        limiter = RedisLimiter(redis_url, 60)
        try:
            answer = await limiter.admit(key, Limits(rpm=5, tpm=None), 0)
            return answer.window
        finally:
            await limiter.close()

    window = run(scenario())
    connection = redis_client.Redis.from_url(redis_url)
    try:
        ttl_ms = connection.pttl(f"openmaas:rl:{key}:{window}")
    finally:
        connection.close()
    assert isinstance(ttl_ms, int)
    assert 120_000 < ttl_ms <= 180_000
    assert time.time() > 0
