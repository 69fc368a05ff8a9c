"""Reads as data: a prebuilt statement with its bind values, run either on a request's connection
or, for the two hottest listings (issue 5), by a ``HotReader`` that skips SQLAlchemy's per-read
connection, transaction and result machinery."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar, cast

from sqlalchemy import Connection, Engine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Select
from starlette.concurrency import run_in_threadpool

from openmaas.db.engine import is_sqlite
from openmaas.db.loop_connections import LoopConnections
from openmaas.db.session import transaction
from openmaas.telemetry.metrics import count_store_error

Rows = Sequence[Sequence[Any]]
# Turns a read's rows into the response bytes.
Render = Callable[[Rows], bytes]
# A SELECT of any number of columns of any types.
AnySelect: TypeAlias = Select[*tuple[Any, ...]]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PreparedRead:
    """A statement built once (through ``scoped``) and the values of one call."""

    statement: AnySelect
    values: dict[str, Any]

    def rows(self, connection: Connection) -> Rows:
        return connection.execute(self.statement, self.values).all()


@dataclass(frozen=True, slots=True)
class _DriverStatement:
    """A statement compiled once for the driver: its SQL, its bind names in order with the values
    the statement itself holds (literals), and the result converters SQLAlchemy would apply (JSON
    columns, for one)."""

    sql: str
    binds: tuple[tuple[str, Any], ...]
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]

    def parameters(self, values: dict[str, Any]) -> list[Any]:
        """For positional bind styles (SQLite's qmark)."""
        return [values.get(name, literal) for name, literal in self.binds]

    def named_parameters(self, values: dict[str, Any]) -> dict[str, Any]:
        """For named bind styles (psycopg's pyformat)."""
        return {name: values.get(name, literal) for name, literal in self.binds}

    def convert(self, rows: list[Any]) -> Rows:
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            values = list(row)
            for index, convert in self.converters:
                values[index] = convert(values[index])
            converted.append(values)
        return converted


class HotReader:
    """Runs a PreparedRead for the fast lane and token checks, with the same rows as
    ``PreparedRead.rows``.

    SQLite: one connection, held for the server's life and used on the event loop. A single
    SELECT in autocommit is its own snapshot, so there is no BEGIN or COMMIT to send; a WAL read
    never waits for a writer; and the driver keeps the prepared statement, so a read costs a bind,
    a step per row and a fetch. A thread hop would cost more than the read (GIL hand-offs).
    SQLite also keeps answers (see ``answer``).
    PostgreSQL: a few connections of its own on the event loop (``LoopConnections``), in
    autocommit: one round trip, instead of a worker thread, a pool checkout with its ping, BEGIN,
    SELECT and ROLLBACK.
    Otherwise (before ``open``, after ``close``, while another thread holds the SQLite connection,
    or when the lane's connection fails) the read takes a pooled connection in a worker thread.
    """

    # PostgreSQL connections the lane holds: reads are one round trip, so a few keep it busy.
    LOOP_CONNECTIONS = 4
    # Kept answers cost memory a tenant controls (page size, tags, descriptions): one answer larger
    # than this is not kept, and all of them together stay under KEPT_BYTES.
    KEPT_ANSWER_MAX_BYTES = 256 * 1024
    KEPT_BYTES = 32 * 1024 * 1024

    def __init__(self, engine: Engine, *, kept_answers: int = 0) -> None:
        self._engine = engine
        self._sqlite = is_sqlite(str(engine.url))
        self._held: PoolProxiedConnection | None = None
        # The store version is read on the held connection through a cursor of its own.
        self._version_cursor: Any = None
        # The loop is one thread, but an app may be served by more than one (test clients): a
        # second caller never waits, it takes the pooled way.
        self._held_lock = threading.Lock()
        self._loop_connections: LoopConnections | None = None
        self._compiled: dict[int, _DriverStatement] = {}
        self._kept_limit = kept_answers
        # (kind, statement, values) -> answer, all read at store version _kept_version.
        self._kept: dict[tuple[Any, ...], Any] = {}
        self._kept_version: int | None = None
        self._kept_bytes = 0

    async def open(self) -> None:
        """Take the lane's connections; call it on the event loop that will serve the requests."""
        if not self._sqlite:
            self._loop_connections = LoopConnections(self._engine, self.LOOP_CONNECTIONS)
        elif self._held is None:
            held = self._engine.raw_connection()
            # Never wait on the event loop: in the rare moments a WAL read must wait (another
            # connection recovering the WAL, say), the read fails at once and is made again
            # through the pool, in a worker thread that may wait.
            held.driver_connection.execute("PRAGMA busy_timeout=0")  # type: ignore[union-attr]
            self._version_cursor = held.driver_connection.cursor()  # type: ignore[union-attr]
            self._held = held

    async def close(self) -> None:
        loop_connections, self._loop_connections = self._loop_connections, None
        if loop_connections is not None:
            await loop_connections.close()
        with self._held_lock:
            held, self._held = self._held, None
            if held is not None:
                self._forget_kept(None)
                # Closed (its cursor with it) rather than handed back: its busy_timeout is the lane's
                # own, not the pool's.
                held.invalidate()

    async def answer(self, kind: str, read: PreparedRead, render: Render) -> bytes:
        """``render`` of ``read``'s rows; ``kind`` names the render.

        On SQLite the answer is kept and given again for as long as the store has not changed since
        it was read. ``PRAGMA data_version`` moves on every commit by any other connection, in this
        process or another, and the held connection itself never writes: so a kept answer is
        exactly what a read at this moment would give, and costs one cheap PRAGMA instead of the
        read, the rows and the serialisation. Consoles and scripts poll these pages; between two
        polls the store rarely changes.
        """
        return await self.kept(kind, read, render, len)

    async def kept(
        self, kind: str, read: PreparedRead, make: Callable[[Rows], T], size: Callable[[T], int | None]
    ) -> T:
        """``make`` of ``read``'s rows, kept as ``answer`` keeps answers: exactly what a read at
        this moment would give. ``size`` says what a value costs against ``KEPT_BYTES``; None: not
        worth keeping (a miss that anyone can ask for must not push out what others use)."""
        held = self._on_held(lambda driver: (self._held_kept(driver, kind, read, make, size),))
        return held[0] if held is not None else make(await self._rows_elsewhere(read))

    async def ready(self) -> bool:
        """Whether the store answers now. PostgreSQL is asked on the lane's own connections, within
        their time bound and without a worker thread, so a database that has stopped answering makes
        /ready say so, instead of piling up threads that wait on it."""
        if self._loop_connections is not None:
            try:
                return await self._loop_connections.rows("SELECT 1", {}) is not None
            except Exception:
                return False
        try:
            await run_in_threadpool(self._ping)
        except Exception:
            return False
        return True

    def _ping(self) -> None:
        with self._engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    async def rows(self, read: PreparedRead) -> Rows:
        rows = self._on_held(lambda driver: self._held_rows(driver, read))
        return rows if rows is not None else await self._rows_elsewhere(read)

    def _on_held(self, work: Callable[[Any], T]) -> T | None:
        """``work`` on the held SQLite connection; None when there is none, another thread has
        it, or the driver fails (the caller then reads elsewhere)."""
        if self._held is None or not self._held_lock.acquire(blocking=False):
            return None
        try:
            held = self._held
            return work(held.driver_connection) if held is not None else None
        except sqlite3.Error as error:
            count_store_error(error)
            return None
        finally:
            self._held_lock.release()

    async def _rows_elsewhere(self, read: PreparedRead) -> Rows:
        """The rows from PostgreSQL's loop connections, else from the pool in a worker thread."""
        if self._loop_connections is not None:
            statement = self._driver_statement(read.statement)
            rows = await self._loop_connections.rows(statement.sql, statement.named_parameters(read.values))
            if rows is not None:
                return statement.convert(list(rows))
        return await run_in_threadpool(self._pooled_rows, read)

    def _held_kept(
        self,
        driver: Any,
        kind: str,
        read: PreparedRead,
        make: Callable[[Rows], T],
        size: Callable[[T], int | None],
    ) -> T:
        if not self._kept_limit:
            return make(self._held_rows(driver, read))
        # Read before the rows: a commit in between leaves the kept value newer than its version,
        # which costs one more read later, never a stale value.
        version = self._version_cursor.execute("PRAGMA data_version").fetchone()[0]
        if version != self._kept_version:
            self._forget_kept(version)  # every kept value is older than the store: none is kept
        key = (kind, id(read.statement), *read.values.items())
        if key in self._kept:
            return cast(T, self._kept[key])
        value = make(self._held_rows(driver, read))
        cost = size(value)
        if cost is not None and cost <= self.KEPT_ANSWER_MAX_BYTES:
            if len(self._kept) >= self._kept_limit or self._kept_bytes + cost > self.KEPT_BYTES:
                self._forget_kept(version)
            self._kept[key] = value
            self._kept_bytes += cost
        return value

    def _forget_kept(self, version: int | None) -> None:
        self._kept.clear()
        self._kept_version = version
        self._kept_bytes = 0

    def _held_rows(self, driver: Any, read: PreparedRead) -> Rows:
        statement = self._driver_statement(read.statement)
        cursor = driver.execute(statement.sql, statement.parameters(read.values))
        return statement.convert(cursor.fetchall())

    def _pooled_rows(self, read: PreparedRead) -> Rows:
        with transaction(self._engine, write=False) as connection:
            return read.rows(connection)

    def _driver_statement(self, statement: AnySelect) -> _DriverStatement:
        compiled = self._compiled.get(id(statement))
        if compiled is None:
            compiled = self._compiled[id(statement)] = self._compile(statement)
        return compiled

    def _compile(self, statement: AnySelect) -> _DriverStatement:
        dialect = self._engine.dialect
        compiled = statement.compile(dialect=dialect)
        converters = []
        for index, column in enumerate(statement.selected_columns):
            convert = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if convert is not None:
                converters.append((index, convert))
        literals = compiled.params
        binds = tuple((name, literals.get(name)) for name in compiled.positiontup or literals)
        return _DriverStatement(compiled.string, binds, tuple(converters))
