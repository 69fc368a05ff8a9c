"""Passwords are kept only as argon2 hashes and never logged (issue 2, item 4)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from openmaas.db.session import transaction
from openmaas.iam.tables import users
from openmaas.schema import metadata
from tests.conftest import ADMIN_PASSWORD, HOME, OTHER_PASSWORD, Account, password_body


def _every_stored_value(engine: Engine) -> str:
    with transaction(engine, write=False) as connection:
        rows = [row for table in metadata.sorted_tables for row in connection.execute(select(table))]
    return "\n".join(repr(tuple(row)) for row in rows)


def test_passwords_are_stored_only_as_argon2id_hashes(
    client: TestClient, engine: Engine, make_account: Callable[..., Account]
) -> None:
    make_account("tenant-b", "user1", OTHER_PASSWORD)
    with transaction(engine, write=False) as connection:
        hashes = {row.name: row.password_hash for row in connection.execute(select(users))}
    assert set(hashes) == {"admin", "user1"}
    for name, password in (("admin", ADMIN_PASSWORD), ("user1", OTHER_PASSWORD)):
        assert hashes[name].startswith("$argon2id$")
        assert PasswordHasher().verify(hashes[name], password)
    stored = _every_stored_value(engine)
    assert ADMIN_PASSWORD not in stored
    assert OTHER_PASSWORD not in stored


def test_the_same_password_gets_a_different_salt(
    client: TestClient, engine: Engine, make_account: Callable[..., Account]
) -> None:
    make_account("tenant-b", "admin", ADMIN_PASSWORD)
    with transaction(engine, write=False) as connection:
        hashes = [
            row.password_hash for row in connection.execute(select(users).where(users.c.name == "admin"))
        ]
    assert len(hashes) == 2
    assert hashes[0] != hashes[1]


@pytest.mark.parametrize(
    ("password", "status"),
    [(ADMIN_PASSWORD, 201), ("Wrong-Secret-41", 401), ("Over-Long-Secret-" + "z" * 300, 400)],
    ids=["right", "wrong", "too-long"],
)
def test_no_password_reaches_the_logs_or_the_answer(
    client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture, password: str, status: int
) -> None:
    """Everything at DEBUG, the store's SQL included, for a good, a bad and an invalid login."""
    caplog.set_level(logging.DEBUG)
    # SQLAlchemy pins its own loggers at WARNING; open them so the SQL and its parameters are seen.
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    response = client.post(
        "/v3/auth/tokens", json=password_body(password=password, scope={"project": {"name": HOME}})
    )
    assert response.status_code == status
    # The store's traffic was captured, so the check below also covers what the store was sent
    # (an invalid body is refused before the store is touched).
    if status != 400:
        assert "BEGIN" in caplog.text
        assert "FROM users" in caplog.text
    assert password not in caplog.text
    assert password not in response.text
    assert password not in _every_stored_value(engine)
