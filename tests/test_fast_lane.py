"""Issue 5's fast lane answers exactly what the FastAPI routes answer (CONTRACT 5.2, 6.3), and
leaves every other request to them (D-3, D-4, D-5, D-7 errors unchanged).

Each request goes to two apps on the same store: the normal one (fast lane on) and one with the
lane switched off, and the answers are compared byte for byte (all headers but X-Request-Id).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import URL, make_url

from openmaas.app import create_app
from openmaas.config import Settings
from openmaas.db import loop_connections
from openmaas.db.engine import POOL_SIZE, connect_defaults, make_engine
from openmaas.db.reads import HotReader, Render, Rows
from openmaas.db.scope import Scope
from openmaas.db.session import transaction
from openmaas.http.existence import ExistenceCache
from openmaas.services import repository, tables
from openmaas.services.listing import plain_list_read
from openmaas.services.wire import list_item, listing_item
from tests.conftest import HOME, OTHER, PG_ADMIN_DSN, Account
from tests.maas.conftest import INVALID_TOKEN, INVALID_WORKSPACE, create_service, listing_url


@pytest.fixture
def route_client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """The same app with the fast lane off: every request goes through FastAPI's routes."""
    app = create_app(settings.model_copy(update={"fast_lane": False}), engine)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _wire(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(k, v) for k, v in response.headers.multi_items() if k != "x-request-id"]
    return response.status_code, headers, response.content


def _both(client: TestClient, route_client: TestClient, url: str, headers: dict[str, str]) -> httpx.Response:
    # The first call confirms the token's user and project in the store; the second is the lane's.
    client.get(url, headers=headers)
    fast = client.get(url, headers=headers)
    assert _wire(fast) == _wire(route_client.get(url, headers=headers))
    assert len(fast.headers["x-request-id"]) == 32
    return fast


@pytest.fixture
def services(client: TestClient, admin: Account) -> list[str]:
    return [create_service(client, admin, name=f"svc-{i}") for i in range(5)]


QUERIES = ["", "?workspace_id=0", "?workspace_id=", "?limit=2", "?workspace_id=0&limit=2&offset=4"]


@pytest.mark.parametrize("query", QUERIES)
def test_maas_listing_same_bytes_as_route_6_3(
    client: TestClient, route_client: TestClient, admin: Account, services: list[str], query: str
) -> None:
    """CONTRACT 6.3: the lane's page, total and pages are the route's, byte for byte."""
    response = _both(client, route_client, listing_url(admin.project(), HOME) + query, admin.headers())
    body = response.json()
    assert response.status_code == 200
    assert body["total"] == 5
    assert {item["id"] for item in body["data"]} <= set(services)


@pytest.mark.parametrize("query", ["", "?limit=2", "?workspace_id=0&limit=2&offset=2", "?offset=0"])
def test_v2_list_same_bytes_as_route_5_2(
    client: TestClient, route_client: TestClient, admin: Account, services: list[str], query: str
) -> None:
    """CONTRACT 5.2: the unfiltered v2 list from the lane equals the route's."""
    url = f"/v2/{admin.project()}/services{query}"
    response = _both(client, route_client, url, admin.headers())
    assert response.status_code == 200
    assert response.json()["total"] == 5


def test_maas_listing_of_region_without_workspace_services_6_3(
    client: TestClient, route_client: TestClient, admin: Account
) -> None:
    """CONTRACT 6.3: another region's listing (empty there) is the route's too."""
    response = _both(client, route_client, listing_url(admin.project(), OTHER), admin.headers())
    assert response.status_code == 200
    assert response.json() == {"data": [], "pages": 0, "total": 0}


FALL_THROUGH = [
    (
        "?offset=3",
        400,
        {
            "error_code": "ModelArts.0101",
            "error_msg": "Invalid parameter: offset must be a multiple of limit.",
        },
    ),
    ("?workspace_id=ffffffffffffffffffffffffffffffff", 400, INVALID_WORKSPACE),
    ("?workspace_id=nope", 400, INVALID_WORKSPACE),
]


@pytest.mark.parametrize(("query", "status", "error"), FALL_THROUGH)
def test_maas_listing_errors_unchanged_d7(
    client: TestClient,
    route_client: TestClient,
    admin: Account,
    query: str,
    status: int,
    error: dict[str, str],
) -> None:
    """D-7: a value the lane does not take reaches the route, which words the error as before."""
    response = _both(client, route_client, listing_url(admin.project(), HOME) + query, admin.headers())
    assert response.status_code == status
    assert response.json() == error


@pytest.mark.parametrize("query", ["?limit=0", "?limit=501", "?limit=x", "?offset=-10", "?limit=+5"])
def test_bad_paging_values_answer_as_route_d7(
    client: TestClient, route_client: TestClient, admin: Account, query: str
) -> None:
    """D-7: malformed limit/offset are the route's 400 ModelArts.0101 naming the field."""
    response = _both(client, route_client, listing_url(admin.project(), HOME) + query, admin.headers())
    field = query[1:].split("=")[0]
    if query == "?limit=+5":
        # pydantic reads "+5" as 5: the route answers a page, and so does the app.
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.json()["error_code"] == "ModelArts.0101"
    assert response.json()["error_msg"].startswith(f"Invalid parameter: {field} ")


def test_missing_and_bad_tokens_are_d5_errors(
    client: TestClient, route_client: TestClient, admin: Account
) -> None:
    """D-5: no token or a forged one falls through to the family's invalid-token answer."""
    maas = listing_url(admin.project(), HOME)
    v2 = f"/v2/{admin.project()}/services"
    for headers in ({}, {"X-Auth-Token": admin.headers()["X-Auth-Token"] + "x"}):
        assert _both(client, route_client, maas, headers).json() == INVALID_TOKEN
        response = _both(client, route_client, v2, headers)
        assert response.status_code == 401
        assert response.json() == {"error_code": "ModelArts.0203", "error_msg": "Invalid token."}


def test_other_project_and_region_rules_unchanged_d3_d4(
    client: TestClient, route_client: TestClient, admin: Account
) -> None:
    """D-4: another project in the path is 403 ModelArts.0105; D-3: a non-home token is 404."""
    other_project = admin.project(OTHER)
    response = _both(client, route_client, listing_url(other_project, HOME), admin.headers())
    assert response.status_code == 403
    assert response.json()["error_code"] == "ModelArts.0105"
    response = _both(client, route_client, f"/v2/{other_project}/services", admin.headers())
    assert response.status_code == 403
    assert response.json()["error_code"] == "ModelArts.0105"
    response = _both(client, route_client, listing_url(other_project, HOME), admin.headers(OTHER))
    assert response.status_code == 404
    assert response.json()["error_code"] == "APIG.0101"


# ---- kept answers (SQLite) and what may never go stale ------------------------------------------


def _other_process_engine(engine: Engine) -> Engine:
    """A second engine on the same store: what another server process would write through."""
    return make_engine(engine.url.render_as_string(hide_password=False))


def _listing(client: TestClient, admin: Account) -> dict[str, Any]:
    response = client.get(listing_url(admin.project(), HOME) + "?workspace_id=0", headers=admin.headers())
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_a_commit_by_another_process_shows_at_once_6_3_5_2(
    client: TestClient, admin: Account, services: list[str], engine: Engine
) -> None:
    """Issue 5: a kept answer is never older than the store, whoever wrote to it."""
    before = _listing(client, admin)
    assert _listing(client, admin) == before
    assert {item["status"] for item in before["data"]} == {"DEPLOYING"}
    other = _other_process_engine(engine)
    try:
        with other.begin() as connection:
            connection.execute(
                text("UPDATE services SET status = 'FAILED', description = 'elsewhere' WHERE id = :id"),
                {"id": services[0]},
            )
    finally:
        other.dispose()
    changed = next(item for item in _listing(client, admin)["data"] if item["id"] == services[0])
    assert (changed["status"], changed["description"]) == ("FAILED", "elsewhere")
    response = client.get(f"/v2/{admin.project()}/services", headers=admin.headers())
    listed = next(item for item in response.json()["data"] if item["id"] == services[0])
    assert (listed["status"], listed["description"]) == ("FAILED", "elsewhere")


def test_creates_transitions_and_deletes_show_at_once_6_3(
    client: TestClient, admin: Account, services: list[str], settle: Callable[[], int]
) -> None:
    """CONTRACT 6.3 `total`, `pages` and order follow every write between two identical polls."""
    assert _listing(client, admin)["total"] == 5
    newest = create_service(client, admin, name="svc-new")
    after_create = _listing(client, admin)
    assert (after_create["total"], after_create["pages"]) == (6, 1)
    assert after_create["data"][0]["id"] == newest
    settle()
    assert {item["status"] for item in _listing(client, admin)["data"]} == {"RUNNING"}
    response = client.post(
        f"/v2/{admin.project()}/services/delete", json={"service_ids": [newest]}, headers=admin.headers()
    )
    assert response.status_code == 200
    deleting = _listing(client, admin)["data"][0]
    assert (deleting["id"], deleting["status"]) == (newest, "DELETING")
    settle()
    after_delete = _listing(client, admin)
    assert after_delete["total"] == 5
    assert newest not in {item["id"] for item in after_delete["data"]}


def test_answers_without_keeping_are_the_same_bytes(
    client: TestClient, admin: Account, services: list[str], engine: Engine, settings: Settings
) -> None:
    """OPENMAAS_LISTING_CACHE_ENTRIES=0 keeps nothing and answers the same bytes."""
    app = create_app(settings.model_copy(update={"listing_cache_entries": 0}), engine)
    with TestClient(app) as uncached:
        url = listing_url(admin.project(), HOME)
        for _ in range(2):
            assert _wire(uncached.get(url, headers=admin.headers())) == _wire(
                client.get(url, headers=admin.headers())
            )


def _counting_render() -> tuple[list[int], Render]:
    calls: list[int] = []

    def render(rows: Rows) -> bytes:
        calls.append(len(rows))
        return orjson.dumps([list(row) for row in rows])

    return calls, render


@contextlib.asynccontextmanager
async def opened(reader: HotReader) -> AsyncIterator[HotReader]:
    """``reader`` opened for the block, and closed after it."""
    await reader.open()
    try:
        yield reader
    finally:
        await reader.close()


def test_hot_reader_keeps_an_answer_until_the_store_changes(
    client: TestClient, admin: Account, services: list[str], engine: Engine, database_url: str
) -> None:
    """SQLite keeps a rendered answer until any other connection commits; PostgreSQL keeps none."""
    kept = database_url.startswith("sqlite")
    read = plain_list_read(Scope(admin.project(), HOME), None, 10, 0)
    calls, render = _counting_render()
    changing = text("UPDATE services SET description = 'changed' WHERE id = :id")

    async def scenario() -> None:
        async with opened(HotReader(engine, kept_answers=8)) as reader:
            first = await reader.answer("5.2", read, render)
            assert await reader.answer("5.2", read, render) == first
            assert len(calls) == (1 if kept else 2)
            with transaction(engine, write=True) as connection:
                connection.execute(changing, {"id": services[0]})
            changed = await reader.answer("5.2", read, render)
            assert len(calls) == (2 if kept else 3)
            assert changed != first
            assert b'"changed"' in changed
            assert await reader.answer("other", read, render) == changed
            assert len(calls) == (3 if kept else 4)

    asyncio.run(scenario())


def test_hot_reader_keeps_no_value_its_size_calls_not_worth_keeping(
    client: TestClient, admin: Account, services: list[str], engine: Engine, database_url: str
) -> None:
    """A value sized None (an unknown API key, say) is made on every ask and pushes out nothing."""
    kept = database_url.startswith("sqlite")
    read = plain_list_read(Scope(admin.project(), HOME), None, 10, 0)
    calls, render = _counting_render()
    made: list[int] = []

    def unkept(rows: Rows) -> int:
        made.append(len(rows))
        return len(rows)

    async def scenario() -> None:
        async with opened(HotReader(engine, kept_answers=1)) as reader:
            first = await reader.answer("5.2", read, render)
            for _ in range(3):
                assert await reader.kept("miss", read, unkept, lambda _value: None) == len(services[:10])
            assert await reader.answer("5.2", read, render) == first

    asyncio.run(scenario())
    assert len(made) == 3
    # With room for one value, keeping any of the three would have pushed the answer out.
    assert len(calls) == (1 if kept else 2)


def test_hot_reader_keeps_answers_within_a_memory_budget(
    client: TestClient,
    admin: Account,
    services: list[str],
    engine: Engine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kept answers are bounded in bytes, not only in number: a tenant chooses page sizes, tags and
    descriptions. An answer over the per-answer bound is never kept; past the total bound, the kept
    answers are let go before a new one is kept. (PostgreSQL keeps none: every ask reads.)"""
    kept = database_url.startswith("sqlite")
    reads = [plain_list_read(Scope(admin.project(), HOME), None, limit, 0) for limit in (1, 2, 3)]
    calls, render = _counting_render()

    async def asks(*indexes: int) -> int:
        """How many of these asks were read and rendered."""
        before = len(calls)
        for index in indexes:
            await reader.answer("5.2", reads[index], render)
        return len(calls) - before

    reader = HotReader(engine, kept_answers=8)

    async def scenario() -> None:
        await reader.open()
        try:
            sizes = [len(await reader.answer("5.2", read, render)) for read in reads]
            # A bound just under the largest answer: that one is read and rendered on every ask.
            monkeypatch.setattr(HotReader, "KEPT_ANSWER_MAX_BYTES", max(sizes) - 1)
            reader._forget_kept(None)
            assert await asks(0, 1, 2) == 3
            assert await asks(0, 1, 2) == (1 if kept else 3)
            # A total that holds the two smaller answers but not a third as well: keeping the third
            # lets go of both, so the first is read again.
            monkeypatch.setattr(HotReader, "KEPT_ANSWER_MAX_BYTES", max(sizes))
            monkeypatch.setattr(HotReader, "KEPT_BYTES", sizes[0] + sizes[1])
            reader._forget_kept(None)
            assert await asks(0, 1, 2) == 3
            assert await asks(2) == (0 if kept else 1)
            assert await asks(0) == 1
        finally:
            await reader.close()

    asyncio.run(scenario())


def test_hot_reader_answers_the_same_rows_as_the_request_path_5_2(
    client: TestClient, admin: Account, services: list[str], engine: Engine
) -> None:
    """The lane's own connections (held SQLite, PostgreSQL on the loop) read what a request's
    transaction reads, JSON columns included."""
    read = plain_list_read(Scope(admin.project(), HOME), "0", 3, 3)
    with transaction(engine, write=False) as connection:
        expected = [list(row) for row in read.rows(connection)]

    async def scenario() -> list[list[Any]]:
        reader = HotReader(engine)
        await reader.open()
        try:
            return [list(row) for row in await reader.rows(read)]
        finally:
            await reader.close()

    assert asyncio.run(scenario()) == expected
    assert [row[-1] for row in expected] == [5, 5]
    assert all(row[14] == [] and isinstance(row[15], list) for row in expected)


def test_a_database_that_stops_answering_is_not_ready_and_holds_no_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A PostgreSQL host that accepts connections and then never answers (stopped, say): the lane's
    reads and /ready's check give up after READ_TIMEOUT_SECONDS instead of waiting for ever."""
    monkeypatch.setattr(loop_connections, "READ_TIMEOUT_SECONDS", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel completes each connection; nothing ever answers on it
        port = silent.getsockname()[1]
        engine = make_engine(f"postgresql+psycopg://openmaas@127.0.0.1:{port}/openmaas")

        async def scenario() -> tuple[bool, Any]:
            reader = HotReader(engine)
            await reader.open()
            try:
                # The test's own bound: far above the reader's, so only a hang trips it.
                ready = await asyncio.wait_for(reader.ready(), timeout=20)
                rows = await asyncio.wait_for(
                    reader._loop_connections.rows("SELECT 1", {}),  # type: ignore[union-attr]
                    timeout=20,
                )
                return ready, rows
            finally:
                await reader.close()

        try:
            assert asyncio.run(scenario()) == (False, None)
        finally:
            engine.dispose()


class _FreezableRelay:
    """A loopback TCP relay to PostgreSQL that can stop passing bytes while keeping every
    connection open, as a database host that has stopped answering looks to its clients."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.frozen = threading.Event()
        self.closing = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closing.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target, timeout=5)
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        source.settimeout(0.05)
        while not self.closing.is_set():
            try:
                data = source.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            while self.frozen.is_set() and not self.closing.is_set():
                time.sleep(0.05)  # held, not passed on, while frozen
            with contextlib.suppress(OSError):
                sink.sendall(data)

    def close(self) -> None:
        self.closing.set()
        for opened in self.sockets:
            with contextlib.suppress(OSError):
                opened.close()


def _admin_database_url() -> URL:
    """The suite's PostgreSQL (the store behind a network, where a database can stop answering)."""
    return make_url(PG_ADMIN_DSN).set(drivername="postgresql+psycopg")


def test_a_read_on_an_open_connection_to_a_silent_database_is_cut_at_its_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lane's connections are open when PostgreSQL stops answering: the read waiting on one
    fails at READ_TIMEOUT_SECONDS (0.5 here), not after psycopg's own cancel request and wait (10 s
    more), and /ready says so; once the database answers again, so does /ready."""
    monkeypatch.setattr(loop_connections, "READ_TIMEOUT_SECONDS", 0.5)
    database = _admin_database_url()
    relay = _FreezableRelay((database.host or "127.0.0.1", database.port or 5432))
    through_relay = make_engine(database.set(port=relay.port).render_as_string(hide_password=False))

    async def scenario() -> tuple[bool, bool, bool]:
        reader = HotReader(through_relay)
        await reader.open()
        try:
            # Every lane connection open: whichever the next read takes is one that was answering.
            warm = await asyncio.gather(*(reader.ready() for _ in range(HotReader.LOOP_CONNECTIONS)))
            before = all(warm)
            relay.frozen.set()
            # The test's own bound: 4 s, past the 0.5 s cut and well short of the 10 s a cancel takes.
            frozen = await asyncio.wait_for(reader.ready(), timeout=4)
            relay.frozen.clear()
            after = await asyncio.wait_for(reader.ready(), timeout=10)
            return before, frozen, after
        finally:
            await reader.close()

    try:
        assert asyncio.run(scenario()) == (True, False, True)
    finally:
        through_relay.dispose()
        relay.close()


def test_connection_options_in_the_url_win_over_the_defaults() -> None:
    url = _admin_database_url().update_query_dict({"connect_timeout": "20", "keepalives_idle": "300"})
    assert connect_defaults(url) == {
        "keepalives": 1,
        "keepalives_interval": 10,
        "keepalives_count": 3,
        "tcp_user_timeout": 30_000,
    }
    own = make_engine(url.render_as_string(hide_password=False))
    try:
        with own.connect() as connection:
            dsn = connection.connection.dbapi_connection.info.dsn  # type: ignore[union-attr]
    finally:
        own.dispose()
    assert {"connect_timeout=20", "keepalives_idle=300", "keepalives_count=3"} <= set(dsn.split())


def test_a_failed_lane_connection_costs_no_answer(
    client: TestClient, admin: Account, services: list[str], engine: Engine
) -> None:
    """A lane connection that fails (PostgreSQL: terminated; SQLite: closed underneath) costs no
    read: that read goes through the pool, and a PostgreSQL connection is made again."""
    read = plain_list_read(Scope(admin.project(), HOME), None, 10, 0)

    async def scenario() -> tuple[list[int], list[int], list[int]]:
        reader = HotReader(engine)
        await reader.open()
        try:
            counts = [len(await reader.rows(read))]
            broken = _lane_backends(engine)
            for pid in broken:
                with transaction(engine, write=False) as connection:
                    connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            if reader._held is not None:
                reader._held.driver_connection.close()  # type: ignore[union-attr]
            counts += [len(await reader.rows(read)) for _ in range(HotReader.LOOP_CONNECTIONS + 1)]
            return counts, broken, _lane_backends(engine)
        finally:
            await reader.close()

    counts, broken, replaced = asyncio.run(scenario())
    assert counts == [5] * (HotReader.LOOP_CONNECTIONS + 2)
    if engine.dialect.name == "postgresql":
        assert broken
        assert replaced
        assert not set(broken) & set(replaced)


def _lane_backends(engine: Engine) -> list[int]:
    """PostgreSQL backends of connections that are neither this query's nor the pool's idle ones
    in a transaction: the lane's loop connections (autocommit, idle)."""
    if engine.dialect.name == "sqlite":
        return []
    query = text(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND application_name = '' AND state = 'idle' "
        "AND query LIKE '%FROM services%'"
    )
    with transaction(engine, write=False) as connection:
        return [int(pid) for pid in connection.execute(query).scalars()]


def test_lane_confirms_user_and_project_itself_d5(
    client: TestClient, admin: Account, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """D-5: once the confirmation runs out, a token whose project is gone is refused (400 0104)."""
    monkeypatch.setattr(ExistenceCache, "TTL_SECONDS", 0.0)
    url = listing_url(admin.project(), HOME)
    assert client.get(url, headers=admin.headers()).status_code == 200
    assert client.get(url, headers=admin.headers()).status_code == 200
    with transaction(engine, write=True) as connection:
        project = {"p": admin.project()}
        connection.execute(text("DELETE FROM services WHERE project_id = :p"), project)
        connection.execute(text("DELETE FROM workspaces WHERE project_id = :p"), project)
        connection.execute(text("DELETE FROM projects WHERE id = :p"), project)
    response = client.get(url, headers=admin.headers())
    assert (response.status_code, response.json()) == (400, INVALID_TOKEN)


def test_item_builders_follow_the_repository_column_order_5_4_6_3(
    client: TestClient, admin: Account, services: list[str], engine: Engine
) -> None:
    """The builders read rows by position: every field must be its own column, in the wire order."""
    distinct = text(
        'UPDATE services SET update_at = create_at + 1, tags = \'[{"key": "k", "value": "v"}]\' '
        "WHERE id = :id"
    )
    columns = select(*repository.ITEM_COLUMNS).where(tables.services.c.id == services[0])
    with transaction(engine, write=True) as connection:
        connection.execute(distinct, {"id": services[0]})
        row = connection.execute(columns).one()
    values = dict(row._mapping)
    # Every column holds a different value, so a swapped position could not go unnoticed.
    assert len({repr(value) for value in values.values()}) == len(values)
    named = [(str(column.name), values[column.name]) for column in repository.ITEM_COLUMNS]
    assert list(listing_item(row).items()) == named[: len(repository.LISTING_COLUMNS)]
    assert list(list_item(row).items()) == [*named, ("frozen_infos", [])]


def test_the_lane_connection_never_goes_back_to_the_pool(tmp_path: Path) -> None:
    """The held SQLite connection fails fast instead of waiting on the event loop; the pool's
    connections keep their 30 s busy timeout, so writers still queue after the lane is gone."""
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        reader = HotReader(engine)
        asyncio.run(reader.open())
        assert reader._held is not None
        held = reader._held.driver_connection  # the connection the lane reads on
        assert held is not None
        assert held.execute("PRAGMA busy_timeout").fetchone() == (0,)
        asyncio.run(reader.close())
        pooled = [engine.raw_connection() for _ in range(POOL_SIZE + 8)]
        try:
            timeouts = {
                connection.driver_connection.execute("PRAGMA busy_timeout").fetchone()
                for connection in pooled
            }
        finally:
            for connection in pooled:
                connection.close()
        assert timeouts == {(30000,)}
    finally:
        engine.dispose()
