"""The one SQLAlchemy MetaData that every package's ``tables.py`` puts its tables on, the column
types ids share, and the one table the store itself needs (``server_keys``).

Core rather than ORM classes: every read path builds plain rows into wire dicts, and nothing is
lazily loaded behind a repository's back. Each resource package owns its tables; ``openmaas.schema``
gathers them all for the migrations.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, MetaData, String, Table

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(32)
UUID = String(36)

server_keys = Table(
    "server_keys",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),
)


# Named snapshots of the whole store (D-43): every other table's rows, by table name.
snapshots = Table(
    "snapshots",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("created_at", BigInteger, nullable=False),
    Column("tables", JSON, nullable=False),
)
