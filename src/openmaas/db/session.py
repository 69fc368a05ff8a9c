"""One transaction on one connection: the primitive under ``Store.transaction``. The request owns
its transaction (``http.state.DbConnection``): committed when the handler returns, rolled back when
it raises."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from openmaas.db.engine import SQLITE_BEGIN

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[Connection]:
    """One transaction on one connection. A read sees one snapshot however many statements it runs
    (a page and its total, say): SQLite's read transactions do; PostgreSQL's default READ COMMITTED
    takes a snapshot per statement, so its reads ask for REPEATABLE READ (which a read-only
    transaction gets without any risk of serialization failures)."""
    with engine.connect().execution_options(**_options(engine, write)) as connection, connection.begin():
        yield connection


def _options(engine: Engine, write: bool) -> dict[str, str]:
    if write:
        return {SQLITE_BEGIN: "IMMEDIATE"}
    return {} if engine.dialect.name == "sqlite" else {"isolation_level": "REPEATABLE READ"}
