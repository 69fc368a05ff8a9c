"""Engines for the embedded store (SQLite, WAL) and for PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

# Execution option that asks SQLite for `BEGIN IMMEDIATE`: a writing request takes the write lock
# up front, so two writers queue on busy_timeout instead of failing on a read-to-write upgrade.
SQLITE_BEGIN = "openmaas_sqlite_begin"
# Requests run in AnyIO's worker threads (40 by default): one pooled connection each.
POOL_SIZE = 40
# A bounded connect: /ready must answer "not ready", and a hot read fall back, rather than hang
# when the PostgreSQL host stops answering.
CONNECT_TIMEOUT_SECONDS = 5
# libpq: notice a PostgreSQL host that has gone from the network, on idle connections (keepalives)
# and on ones waiting for an answer to what they sent (tcp_user_timeout, milliseconds).
KEEPALIVES: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
}


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str) -> Engine:
    if is_sqlite(url):
        return _sqlite_engine(url)
    return create_engine(
        url,
        pool_size=POOL_SIZE,
        max_overflow=10,
        pool_pre_ping=True,
        connect_args=connect_defaults(url),
        # A driver error's message would otherwise carry the statement's values (password hashes,
        # sealed secret keys) into the log.
        hide_parameters=True,
    )


class _OwnerOnly:
    """The store holds password hashes and sealed secrets: a folder and database file openmaas
    creates are its owner's alone, and SQLite gives the -wal and -shm files the database file's
    permissions. An existing folder or file keeps the permissions its owner gave it.

    The file is made owner-only by chmod once SQLite has created it, never by opening it here:
    closing any descriptor of a database file drops every POSIX lock this process holds on it."""

    def __init__(self, database: str | None) -> None:
        self._new_file: Path | None = None
        if database and database != ":memory:":
            path = Path(database)
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._new_file = None if path.exists() else path

    def on_connect(self) -> None:
        new_file, self._new_file = self._new_file, None
        if new_file is not None:
            os.chmod(new_file, 0o600)


def _set_wal(cursor: Any) -> None:
    """WAL mode, once per database file. Switching a new file to WAL needs it to itself, and SQLite
    answers "locked" at once, without its busy handler, while another process (one starting at the
    same moment, say) has it open: wait for that, as the busy timeout would."""
    deadline = time.monotonic() + 30
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def connect_defaults(url: str | URL) -> dict[str, int]:
    """libpq options openmaas sets on every PostgreSQL connection, except those the URL sets itself
    (an operator's ``?connect_timeout=20`` wins)."""
    given = make_url(url).query
    defaults = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, **KEEPALIVES}
    return {name: value for name, value in defaults.items() if name not in given}


def _sqlite_engine(url: str) -> Engine:
    owner_only = _OwnerOnly(make_url(url).database)
    # Overflow connections would be opened and closed per request (each paying the PRAGMAs below):
    # keep one pooled connection per request thread instead; SQLite connections are cheap to hold.
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=POOL_SIZE + 8,
        max_overflow=0,
        hide_parameters=True,  # as above: no values of a failed statement in the log
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        owner_only.on_connect()  # before journal_mode=WAL creates the -wal and -shm files
        # Let SQLAlchemy's "begin" event, not the driver, open transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _set_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
