"""The embedded store's files: they hold password hashes and sealed secrets, so a folder and files
openmaas creates are readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from openmaas.db.engine import make_engine


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_is_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # the usual umask, which would leave new files readable by all
    try:
        database = tmp_path / "fresh" / "data" / "openmaas.db"
        engine = make_engine(f"sqlite:///{database}")
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE probe (id INTEGER)"))
            connection.execute(text("INSERT INTO probe VALUES (1)"))
        wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")
        # Still open: the WAL files are there to check.
        assert wal.exists()
        assert shm.exists()
        assert _mode(database.parent) == 0o700
        assert {path.name: _mode(path) for path in (database, wal, shm)} == {
            "openmaas.db": 0o600,
            "openmaas.db-wal": 0o600,
            "openmaas.db-shm": 0o600,
        }
        engine.dispose()
    finally:
        os.umask(previous)


def test_an_existing_store_keeps_its_owners_permissions(tmp_path: Path) -> None:
    tmp_path.chmod(0o750)
    database = tmp_path / "openmaas.db"
    database.touch()
    database.chmod(0o640)
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
    engine.dispose()
    assert (_mode(tmp_path), _mode(database)) == (0o750, 0o640)
