"""Bring any store, empty or older, up to the newest schema with Alembic."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from openmaas.db.engine import SQLITE_BEGIN

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration's revision. A store already there starts without importing Alembic, which
# is a quarter of a second of a server's start (issue 5: ready within 2 s). A test keeps this
# equal to Alembic's own head.
HEAD_REVISION = "0004"
# Several processes may start at once on one PostgreSQL: only one migrates at a time.
PG_LOCK_KEY = 0x6F70656E6D616173 & 0x7FFFFFFFFFFFFFFF


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option(
        "file_template", "%%(year)d-%%(month).2d-%%(day).2d-%%(hour).2d%%(minute).2d_%%(slug)s"
    )
    return config


def is_at_head(engine: Engine) -> bool:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return versions == [HEAD_REVISION]


def upgrade(engine: Engine, revision: str = "head") -> None:
    if revision == "head" and is_at_head(engine):
        return
    from alembic import command

    config = alembic_config()
    # On SQLite, BEGIN IMMEDIATE: a second process starting at the same moment queues on the busy
    # timeout and then finds the schema at head, instead of failing on a read-to-write upgrade.
    with engine.connect().execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": PG_LOCK_KEY})
            connection.commit()
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PG_LOCK_KEY})
                connection.commit()
