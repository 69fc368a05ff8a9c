"""PostgreSQL connections for the event loop (issue 5): a hot read costs one round trip and no hop
to a worker thread."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from openmaas.db.engine import CONNECT_TIMEOUT_SECONDS, KEEPALIVES

# A hot read (or the readiness check) that takes longer than this is given up.
READ_TIMEOUT_SECONDS = 5.0

if TYPE_CHECKING:
    import psycopg


class LoopConnections:
    """A few psycopg connections in autocommit, used only on the event loop that opened them.

    A single SELECT in autocommit is its own snapshot, as in a transaction of its own. Connections
    are made when first needed; one that fails or is interrupted mid-read is closed, and the next
    read that takes its place connects again. A read whose connection fails answers None: the
    caller reads through the pool instead.
    """

    def __init__(self, engine: Engine, size: int) -> None:
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._idle: asyncio.Queue[psycopg.AsyncConnection[Any] | None] = asyncio.Queue()
        for _ in range(size):
            self._idle.put_nowait(None)

    async def rows(self, sql: str, parameters: dict[str, Any]) -> Sequence[Sequence[Any]] | None:
        """The rows, or None when the read fails or takes longer than READ_TIMEOUT_SECONDS in all
        (waiting for a connection included): a stopped or unreachable database never holds a
        request, or /ready, for longer than that."""
        # Imported here: an embedded SQLite server never loads the PostgreSQL driver.
        import psycopg

        try:
            async with asyncio.timeout(READ_TIMEOUT_SECONDS):
                connection = await self._idle.get()
                return await self._read(psycopg, connection, sql, parameters)
        except TimeoutError:
            return None

    async def _read(
        self, psycopg: Any, connection: Any, sql: str, parameters: dict[str, Any]
    ) -> Sequence[Sequence[Any]] | None:
        try:
            if connection is None or connection.closed:
                connection = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS, **KEEPALIVES
                )
            cursor = await connection.execute(sql, parameters)
            rows: Sequence[Sequence[Any]] = await cursor.fetchall()
        except BaseException as failure:
            # Its state is unknown (a broken link, a read cut short): never hand it out again.
            self._idle.put_nowait(None)
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()
            if isinstance(failure, psycopg.OperationalError):
                return None
            raise
        self._idle.put_nowait(connection)
        return rows

    async def close(self) -> None:
        while not self._idle.empty():
            connection = self._idle.get_nowait()
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()
