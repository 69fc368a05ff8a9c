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
    options = {SQLITE_BEGIN: "IMMEDIATE"} if write else {}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        yield connection


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
