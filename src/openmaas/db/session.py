"""The request owns the transaction: one connection, one transaction, committed when the handler
returns and rolled back when it raises."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

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


def _request_connection(request: Request) -> Iterator[Connection]:
    engine: Engine = request.app.state.engine
    with transaction(engine, write=request.method not in READ_METHODS) as connection:
        yield connection


# scope="function": the commit happens before the response is sent, so a failed commit is
# still an error answer and a success is durable when the client sees it.
DbConnection = Annotated[Connection, Depends(_request_connection, scope="function")]


P = ParamSpec("P")
T = TypeVar("T")


async def read_in_thread(
    request: Request, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """A read-only handler's store work: one read transaction in one worker thread.

    The hot listing paths use this from async handlers, so a request costs one thread hop instead
    of one per sync dependency.
    """
    engine: Engine = request.app.state.engine

    def run() -> T:
        with transaction(engine, write=False) as connection:
            return work(connection, *args, **kwargs)

    return await run_in_threadpool(run)
