"""The Alembic migrations build exactly the schema of ``openmaas.schema`` on both stores."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from openmaas.db.engine import make_engine
from openmaas.schema import metadata
from openmaas.schema.migrate import HEAD_REVISION, alembic_config, is_at_head, upgrade
from tests.conftest import BACKENDS, _create_pg_database, _drop_pg_database, _pg_url


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A brand-new, empty database (no tables at all) on each backend."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    name = f"openmaas_migr_{uuid.uuid4().hex[:12]}"
    _create_pg_database(name)
    engine = make_engine(_pg_url(name))
    try:
        yield engine
    finally:
        engine.dispose()
        _drop_pg_database(name)


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_migrated_schema_matches_tables_module(migrated_engine: Engine) -> None:
    """Autogenerate finds nothing to add, drop or alter between head and ``tables.metadata``."""
    assert _differences(migrated_engine) == []
    assert _current_revision(migrated_engine) == _head()


def test_head_revision_constant_is_alembics_head(migrated_engine: Engine, empty_engine: Engine) -> None:
    """A start skips Alembic only when the store is at the real head: the constant must be it."""
    assert _head() == HEAD_REVISION
    assert is_at_head(migrated_engine) is True
    assert is_at_head(empty_engine) is False


def test_empty_database_migrates_from_base_to_head(empty_engine: Engine) -> None:
    assert inspect(empty_engine).get_table_names() == []
    upgrade(empty_engine)
    assert _current_revision(empty_engine) == _head()
    assert set(metadata.tables) <= set(inspect(empty_engine).get_table_names())
    assert _differences(empty_engine) == []


def test_downgrade_to_base_and_upgrade_again(empty_engine: Engine) -> None:
    """Every migration's downgrade undoes its upgrade, so the chain can be replayed."""
    upgrade(empty_engine)
    config = alembic_config()
    with empty_engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        connection.commit()
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_engine)
    assert _differences(empty_engine) == []
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM workspaces")).scalar_one() == 0


# Each start is a process of its own (Alembic's context is process-global): it loads everything,
# waits for the others, then migrates and bootstraps the store, as `openmaas serve` does first.
_START = """
import sys, time
from pathlib import Path
from openmaas.bootstrap import bootstrap
from openmaas.config import Settings
from openmaas.db.engine import make_engine
from openmaas.db.store import Store
from openmaas.schema.migrate import upgrade

url, data_dir, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
settings = Settings(database_url=url, data_dir=data_dir, admin_password="Race-Passw0rd!", run_worker=False)
(go.parent / f"ready-{data_dir.name}").touch()
deadline = time.monotonic() + 60
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.005)
engine = make_engine(url)
upgrade(engine)
bootstrap(Store(engine), settings)
engine.dispose()
"""


def test_starts_racing_on_a_new_store_all_succeed(empty_engine: Engine, tmp_path: Path) -> None:
    """Several processes started at the same moment on one new store: each migrates and bootstraps
    without a "database is locked" failure, and the store ends with one schema and one account."""
    url = empty_engine.url.render_as_string(hide_password=False)
    go = tmp_path / "go"
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", _START, url, str(tmp_path / f"data-{index}"), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(3)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < len(starts) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()  # all have loaded: the store work starts together
    outcomes = [(start.wait(timeout=120), start.communicate()[1]) for start in starts]
    assert outcomes == [(0, "")] * 3
    assert _current_revision(empty_engine) == HEAD_REVISION
    assert _differences(empty_engine) == []
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM domains")).scalar_one() == 1
        assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() == 1
