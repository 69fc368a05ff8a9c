"""A read transaction sees one snapshot, however many statements it runs: a page and its total read
by two statements agree even while another process commits in between (CONTRACT 5.2 `total`)."""

from __future__ import annotations

from sqlalchemy import Engine, func, select, text

from openmaas.db.engine import make_engine
from openmaas.db.session import transaction
from openmaas.iam.tables import domains


def test_a_read_transaction_sees_one_snapshot(engine: Engine) -> None:
    other_process = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        count = select(func.count()).select_from(domains)
        with transaction(engine, write=False) as reading:
            before = reading.execute(count).scalar_one()
            with transaction(other_process, write=True) as writing:
                writing.execute(
                    text("INSERT INTO domains (id, name, created_at) VALUES (:id, :name, 0)"),
                    {"id": "f" * 32, "name": "committed-meanwhile"},
                )
            assert reading.execute(count).scalar_one() == before
        with transaction(engine, write=False) as reading:
            assert reading.execute(count).scalar_one() == before + 1
    finally:
        other_process.dispose()
