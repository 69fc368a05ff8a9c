"""The request owns the transaction: one connection, one transaction, committed when the handler
returns and rolled back when it raises."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine

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
