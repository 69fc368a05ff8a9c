"""PostgreSQL connections for the event loop (issue 5): a hot read costs one round trip and no hop
to a worker thread."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from openmaas.db.engine import connect_defaults
from openmaas.telemetry.metrics import count_store_error

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
        self._connect_options = connect_defaults(engine.url)
        # Last in, first out: an open connection is taken before an empty slot is used to connect.
        self._idle: asyncio.LifoQueue[psycopg.AsyncConnection[Any] | None] = asyncio.LifoQueue()
        for _ in range(size):
            self._idle.put_nowait(None)

    async def rows(self, sql: str, parameters: dict[str, Any]) -> Sequence[Sequence[Any]] | None:
        """The rows, or None when the read fails or runs past its time: waiting for a connection
        and the read itself each take at most READ_TIMEOUT_SECONDS (a connect, CONNECT_TIMEOUT_SECONDS),
        so a stopped or unreachable database never holds a request, or /ready, longer than that."""
        # Imported here: an embedded SQLite server never loads the PostgreSQL driver.
        import psycopg

        try:
            connection = self._idle.get_nowait()
        except asyncio.QueueEmpty:
            try:
                async with asyncio.timeout(READ_TIMEOUT_SECONDS):
                    connection = await self._idle.get()
            except TimeoutError:
                return None
        return await self._read(psycopg, connection, sql, parameters)

    async def _read(
        self, psycopg: Any, connection: Any, sql: str, parameters: dict[str, Any]
    ) -> Sequence[Sequence[Any]] | None:
        overdue: asyncio.TimerHandle | None = None
        try:
            if connection is None or connection.closed:
                connection = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, **self._connect_options
                )
            # Past its time the read's socket is shut, so the read fails at once. Cancelling it
            # instead would make psycopg ask the (silent) server to cancel and wait again, 10 s more.
            overdue = asyncio.get_running_loop().call_later(READ_TIMEOUT_SECONDS, _cut, connection)
            cursor = await connection.execute(sql, parameters)
            rows: Sequence[Sequence[Any]] = await cursor.fetchall()
        except BaseException as failure:
            # Its state is unknown (a broken link, a read cut short): never hand it out again.
            self._idle.put_nowait(None)
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()
            if isinstance(failure, psycopg.Error):
                count_store_error(failure)
            if isinstance(failure, psycopg.OperationalError):
                return None
            raise
        finally:
            if overdue is not None:
                overdue.cancel()
        self._idle.put_nowait(connection)
        return rows

    async def close(self) -> None:
        while not self._idle.empty():
            connection = self._idle.get_nowait()
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()


def _cut(connection: Any) -> None:
    """Shut the connection's socket both ways (through a duplicate descriptor, which is then closed):
    the read waiting on it sees the connection end and fails with OperationalError."""
    with contextlib.suppress(Exception), socket.socket(fileno=os.dup(connection.pgconn.socket)) as duplicate:
        duplicate.shutdown(socket.SHUT_RDWR)
