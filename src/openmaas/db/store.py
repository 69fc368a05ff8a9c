"""The one way to the store. Every part of the server reaches it through a ``Store``:

- ``transaction(write=...)``: one connection, one transaction (a request's, the worker's, a job's);
- ``run(work, ...)``: the same, in a worker thread, for code on the event loop;
- ``rows(read)`` / ``answer(kind, read, render)`` / ``kept(kind, read, make, size)``: a prebuilt read
  on the event loop (``HotReader``), for the hottest listings, the token checks and the API keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from openmaas.db.reads import HotReader
from openmaas.db.session import transaction

P = ParamSpec("P")
T = TypeVar("T")


class Store:
    def __init__(self, engine: Engine, *, kept_answers: int = 0) -> None:
        self.engine = engine
        self._hot = HotReader(engine, kept_answers=kept_answers)
        # The hot reads are the reader's own methods: no extra coroutine on the hottest path.
        self.rows = self._hot.rows
        self.answer = self._hot.answer
        self.kept = self._hot.kept

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Connection]:
        """One transaction on one connection (see ``db.session.transaction``)."""
        with transaction(self.engine, write=write) as connection:
            yield connection

    async def run(
        self,
        work: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``work(connection, ...)`` in one read transaction in one worker thread: one thread hop
        for all of a read-only handler's store work."""

        def in_thread() -> T:
            with transaction(self.engine, write=False) as connection:
                return work(connection, *args, **kwargs)

        return await run_in_threadpool(in_thread)

    async def open(self) -> None:
        """Take the event loop's connections; call it on the loop that serves the requests."""
        await self._hot.open()

    async def close(self) -> None:
        await self._hot.close()

    async def ready(self) -> bool:
        return await self._hot.ready()
