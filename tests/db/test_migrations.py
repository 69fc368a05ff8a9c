"""The Alembic migrations build exactly the schema of ``openmaas.db.tables`` on both stores."""

from __future__ import annotations

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
from openmaas.db.migrate import HEAD_REVISION, alembic_config, is_at_head, upgrade
from openmaas.db.tables import metadata
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
