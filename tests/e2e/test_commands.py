"""`openmaas db upgrade` and `openmaas bootstrap` on their own, then a server on what they made."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from tests.conftest import HOME, password_body
from tests.e2e.conftest import Server, Store, run_command

pytestmark = pytest.mark.e2e


def _tables(store: Store) -> set[str]:
    engine = create_engine(store.url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_db_upgrade_alone_builds_the_schema_and_is_idempotent(store: Store, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = run_command(store, data_dir, "db", "upgrade")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "store is up to date" in first.stdout
    assert {"alembic_version", "domains", "users", "projects", "workspaces", "services"} <= _tables(store)
    # Only the schema: no account yet.
    assert store.scalar("SELECT count(*) FROM domains") == 0
    again = run_command(store, data_dir, "db", "upgrade")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "store is up to date" in again.stdout


def test_bootstrap_alone_creates_the_admin_once_and_serve_keeps_it(
    store: Store, tmp_path: Path, launch: Callable[..., Server]
) -> None:
    data_dir = tmp_path / "data"
    created = run_command(store, data_dir, "bootstrap")
    assert created.returncode == 0, created.stdout + created.stderr
    password_file = data_dir / "admin-password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    password = password_file.read_text().strip()
    assert password in created.stdout
    assert store.scalar("SELECT count(*) FROM projects") == 2  # one per configured region

    again = run_command(store, data_dir, "bootstrap")
    assert again.returncode == 0, again.stdout + again.stderr
    assert password not in again.stdout
    assert password_file.read_text().strip() == password
    assert store.scalar("SELECT count(*) FROM users") == 1

    server = launch(store, data_dir)
    with server.client() as http:
        scope = {"project": {"name": HOME}}
        response = http.post("/v3/auth/tokens", json=password_body(password=password, scope=scope))
        assert response.status_code == 201, response.text
        assert response.json()["token"]["user"]["name"] == "admin"
    assert server.stop() == 0


def test_an_explicit_admin_password_is_neither_printed_nor_written(store: Store, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    chosen = "Chosen-Passw0rd!"
    created = run_command(store, data_dir, "bootstrap", OPENMAAS_ADMIN_PASSWORD=chosen)
    assert created.returncode == 0, created.stdout + created.stderr
    assert "created user admin in domain openmaas" in created.stdout
    assert chosen not in created.stdout + created.stderr
    assert not (data_dir / "admin-password").exists()
