"""Values the whole store shares, one per name (table ``server_keys``): the token signing key and
the access-key sealing key's fingerprint."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from openmaas.db.metadata import server_keys


def stored_once(connection: Connection, name: str, first_value: Callable[[], str]) -> str:
    """The value stored under ``name``; if there is none yet, ``first_value()`` is stored. When
    processes race, the first to commit wins and every process returns its value."""
    stored = stored_value(connection, name)
    if stored is not None:
        return stored
    try:
        with connection.begin_nested():
            connection.execute(insert(server_keys).values(name=name, value=first_value()))
    except IntegrityError:
        pass  # another process stored it first: read theirs below
    stored = stored_value(connection, name)
    assert stored is not None
    return stored


def stored_value(connection: Connection, name: str) -> str | None:
    row = connection.execute(select(server_keys.c.value).where(server_keys.c.name == name)).first()
    return None if row is None else str(row.value)
