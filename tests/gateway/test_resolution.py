"""How the gateway finds what a ``model`` names (D-15: reused for a second per process): calls that find
the same resolution expired wait for one read of the store, not one each."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from openmaas.api_keys.service import CallerKey
from openmaas.gateway.service import Gateway, Resolution

KEY = CallerKey(
    id="k",
    domain_id="d",
    project_id="p",
    label="",
    allow_all=True,
    ip_whitelist=(),
    endpoint_whitelist=(),
    model_whitelist=(),
)


class CountingStore:
    """Stands in for the store's worker-thread reads: counts them, and answers when released."""

    def __init__(self, answer: Any) -> None:
        self.reads = 0
        self.answer = answer
        self.release = asyncio.Event()

    async def run(self, _work: Any, *_args: Any) -> Any:
        self.reads += 1
        await self.release.wait()
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def gateway(store: CountingStore) -> Gateway:
    none: Any = None
    return Gateway(
        store=store,  # type: ignore[arg-type]
        directory=none,
        presets=none,
        home_region="ap-southeast-1",
        hasher=none,
        limiter=none,
        recorder=none,
        upstreams=none,
    )


def test_concurrent_calls_share_one_read_and_the_next_call_reuses_it() -> None:
    async def scenario() -> tuple[int, list[Resolution], Resolution]:
        store = CountingStore(Resolution(None))
        plane = gateway(store)
        waiting = [asyncio.ensure_future(plane._resolution(KEY, "ep")) for _ in range(20)]
        await asyncio.sleep(0)
        store.release.set()
        results = await asyncio.gather(*waiting)
        again = await plane._resolution(KEY, "ep")
        return store.reads, results, again

    reads, results, again = asyncio.run(scenario())
    assert reads == 1
    assert results == [Resolution(None)] * 20
    assert again == Resolution(None)


def test_a_failed_read_fails_its_waiters_and_is_not_kept() -> None:
    async def scenario() -> int:
        store = CountingStore(RuntimeError("store down"))
        plane = gateway(store)
        waiting = [asyncio.ensure_future(plane._resolution(KEY, "ep")) for _ in range(3)]
        await asyncio.sleep(0)
        store.release.set()
        outcomes = await asyncio.gather(*waiting, return_exceptions=True)
        assert [str(outcome) for outcome in outcomes] == ["store down"] * 3
        with pytest.raises(RuntimeError):
            await plane._resolution(KEY, "ep")
        return store.reads

    assert asyncio.run(scenario()) == 2


def test_a_waiter_that_goes_away_does_not_cancel_the_others() -> None:
    async def scenario() -> tuple[int, Resolution]:
        store = CountingStore(Resolution(None))
        plane = gateway(store)
        leaving = asyncio.ensure_future(plane._resolution(KEY, "ep"))
        staying = asyncio.ensure_future(plane._resolution(KEY, "ep"))
        await asyncio.sleep(0)
        leaving.cancel()
        store.release.set()
        resolution = await staying
        return store.reads, resolution

    assert asyncio.run(scenario()) == (1, Resolution(None))
