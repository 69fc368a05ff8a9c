"""One transaction on one connection: the primitive under ``Store.transaction``. The request owns
its transaction (``http.state.DbConnection``): committed when the handler returns, rolled back when
it raises."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from openmaas.db.engine import SQLITE_BEGIN
from openmaas.telemetry.metrics import count_store_error

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Connection.info key: what to do once the transaction under way has committed.
AFTER_COMMIT = "openmaas_after_commit"


@contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[Connection]:
    """One transaction on one connection. A read sees one snapshot however many statements it runs
    (a page and its total, say): SQLite's read transactions do; PostgreSQL's default READ COMMITTED
    takes a snapshot per statement, so its reads ask for REPEATABLE READ (which a read-only
    transaction gets without any risk of serialization failures)."""
    try:
        with engine.connect().execution_options(**_options(engine, write)) as connection:
            try:
                with connection.begin():
                    yield connection
            finally:
                # The info dict lives with the pooled connection: nothing may outlive this transaction.
                committed_work = connection.info.pop(AFTER_COMMIT, [])
            for work in committed_work:
                work()
    except DBAPIError as error:
        count_store_error(error)
        raise


def after_commit(connection: Connection, work: Callable[[], None]) -> None:
    """Run ``work`` once the transaction ``connection`` is in commits, and never if it rolls back:
    what is counted or announced (a lifecycle transition, say) is what the store kept."""
    connection.info.setdefault(AFTER_COMMIT, []).append(work)


def _options(engine: Engine, write: bool) -> dict[str, str]:
    if write:
        return {SQLITE_BEGIN: "IMMEDIATE"}
    return {} if engine.dialect.name == "sqlite" else {"isolation_level": "REPEATABLE READ"}
