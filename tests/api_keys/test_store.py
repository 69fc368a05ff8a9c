"""What the store keeps of a key (D-21), and the lookups the data plane makes with it: the key is
nowhere in the store or the logs, only its HMAC under a server key; ``find_key``, and ``key_read``
with ``caller_key`` (on a request's connection and as a hot read), find exactly the live keys."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from openmaas.api_keys import service
from openmaas.api_keys.service import ApiKeyHasher, CallerKey, api_key_hasher, caller_key, find_key, key_read
from openmaas.app import create_app
from openmaas.config import Settings
from openmaas.crypto import SecretBox
from openmaas.db.reads import Rows
from openmaas.db.session import transaction
from openmaas.db.store import Store
from openmaas.http.state import app_state
from openmaas.schema import metadata
from tests.api_keys.conftest import DELETED, create, delete, put
from tests.conftest import Account


def hasher_of(client: TestClient) -> ApiKeyHasher:
    return app_state(client.app).api_keys.hasher  # type: ignore[arg-type]


def stored_text(engine: Engine) -> str:
    """Every value of every table, as text."""
    with engine.connect() as connection:
        return "\n".join(
            repr(tuple(row)) for table in metadata.sorted_tables for row in connection.execute(select(table))
        )


def domain_id(engine: Engine, name: str = "openmaas") -> str:
    with engine.connect() as connection:
        return str(
            connection.execute(text("SELECT id FROM domains WHERE name = :n"), {"n": name}).scalar_one()
        )


def find(engine: Engine, hasher: ApiKeyHasher, key: str) -> CallerKey | None:
    with transaction(engine, write=False) as connection:
        return find_key(connection, hasher, key)


def test_the_key_is_nowhere_in_the_store_or_the_logs_d21(
    client: TestClient, admin: Account, engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = create(client, admin, label="secretive", description="d")["api_key"]
    assert key not in caplog.text
    everything = stored_text(engine)
    assert "secretive" in everything  # the dump does hold the key's row
    assert key not in everything
    assert key[4:-4] not in everything
    assert hashlib.sha256(key.encode()).hexdigest() not in everything
    if engine.dialect.name == "sqlite":
        database = Path(str(engine.url.database))
        files = [database, database.with_name(database.name + "-wal")]
        assert all(not _file_holds(path, key) for path in files if path.exists())


def _file_holds(path: Path, text: str) -> bool:
    """Whether the file's bytes hold ``text``, read by another process: closing a descriptor of the
    database file in this one would drop every SQLite lock this process holds on it."""
    found = subprocess.run(["grep", "-qaF", "--", text, str(path)], check=False)
    assert found.returncode in (0, 1), found
    return found.returncode == 0


def test_the_store_keeps_the_hmac_under_a_server_key_d21(
    client: TestClient, admin: Account, engine: Engine
) -> None:
    created = create(client, admin)
    key = created["api_key"]
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT key_hash, key_mask FROM api_keys")).one()
    assert stored.key_hash == hasher_of(client).hash(key)
    assert len(stored.key_hash) == 64
    assert stored.key_hash != hashlib.sha256(key.encode()).hexdigest()
    assert stored.key_mask == created["key_mask"] == f"{key[:4]}********{key[-4:]}"


def test_the_hash_key_is_its_own_and_survives_a_restart_d21(
    client: TestClient, admin: Account, engine: Engine, settings: Settings
) -> None:
    key = create(client, admin)["api_key"]
    with TestClient(create_app(settings, engine)) as restarted:
        assert hasher_of(restarted).hash(key) == hasher_of(client).hash(key)
    with transaction(engine, write=True) as connection:
        names = set(connection.execute(text("SELECT name FROM server_keys")).scalars())
        other_box = api_key_hasher(connection, SecretBox(bytes(32)))
    # A random value of its own in the store, beside the token key's.
    assert {"api_key_hashing", "token_signing"} <= names
    # The store's value alone makes no hasher: the server's secret key is in it too.
    assert other_box.hash(key) != hasher_of(client).hash(key)


def test_find_key_finds_the_live_key_with_its_owner_and_allowlists(
    client: TestClient, admin: Account, engine: Engine
) -> None:
    created = create(
        client,
        admin,
        label="gw",
        ip_whitelist=["10.0.0.0/8", "192.168.1.10-192.168.1.20"],
        endpoint_whitelist=["ep-a"],
        resident_model_version_whitelist=["DeepSeek-V3"],
    )
    found = find(engine, hasher_of(client), created["api_key"])
    assert found == CallerKey(
        id=created["id"],
        domain_id=domain_id(engine),
        project_id=admin.project(),
        label="gw",
        allow_all=False,
        ip_whitelist=("10.0.0.0/8", "192.168.1.10-192.168.1.20"),
        endpoint_whitelist=("ep-a",),
        model_whitelist=("DeepSeek-V3",),
    )
    assert found is not None
    assert (found.allows_ip("10.1.2.3"), found.allows_ip("192.168.1.21")) == (True, False)
    assert (found.allows_endpoint("ep-a"), found.allows_endpoint("ep-b")) == (True, False)
    assert (found.allows_model("DeepSeek-V3"), found.allows_model("Qwen3-32B")) == (True, False)


def test_find_key_finds_nothing_for_other_strings(client: TestClient, admin: Account, engine: Engine) -> None:
    key = create(client, admin)["api_key"]
    hasher = hasher_of(client)
    other_shaped = ("A" if key[0] != "A" else "B") + key[1:]
    for presented in (
        other_shaped,
        key[:-1],
        f"{key}x",
        "",
        f" {key}",
        key.lower() if key != key.lower() else "x",
    ):
        assert find(engine, hasher, presented) is None, presented
    assert find(engine, hasher, key) is not None


def test_a_changed_key_is_found_changed_and_a_deleted_one_not_at_all(
    client: TestClient, admin: Account, engine: Engine
) -> None:
    created = create(client, admin)
    hasher = hasher_of(client)
    status, _ = put(client, admin, created["id"], {"allow_all": False, "ip_whitelist": ["10.0.0.1"]})
    assert status == 200
    changed = find(engine, hasher, created["api_key"])
    assert changed is not None
    assert (changed.allow_all, changed.ip_whitelist) == (False, ("10.0.0.1",))
    assert delete(client, admin, created["id"], "v1") == (200, DELETED)
    assert find(engine, hasher, created["api_key"]) is None


def test_key_read_and_caller_key_on_a_connection_and_as_a_hot_read(
    client: TestClient, admin: Account, engine: Engine
) -> None:
    """The gateway's way: the prebuilt read, run by the store's hot reader on the event loop, gives
    the same key as ``find_key`` (JSON columns and booleans converted alike on both stores)."""
    created = create(client, admin, ip_whitelist=["10.0.0.1"], endpoint_whitelist=["ep-a", "ep-b"])
    hasher = hasher_of(client)
    read = key_read(hasher.hash(created["api_key"]))
    with transaction(engine, write=False) as connection:
        on_connection = caller_key(read.rows(connection))
    hot = caller_key(asyncio.run(_hot_rows(engine, read)))
    assert on_connection is not None
    assert hot == on_connection == find(engine, hasher, created["api_key"])
    assert (hot.allow_all, hot.endpoint_whitelist) == (False, ("ep-a", "ep-b"))
    # The statement is built once; a call binds only the hash.
    assert key_read("0" * 64).statement is read.statement
    assert caller_key(asyncio.run(_hot_rows(engine, key_read("0" * 64)))) is None


async def _hot_rows(engine: Engine, read: Any) -> Rows:
    store = Store(engine)
    await store.open()
    try:
        return await store.rows(read)
    finally:
        await store.close()


def test_keys_hash_with_the_hasher_that_finds_them() -> None:
    """``find_key`` hashes what it is given exactly as ``create`` stored it, and never fails on text a
    header could carry."""
    hasher = ApiKeyHasher(b"k" * 32)
    assert hasher.hash("abc") == hasher.hash("abc") != hasher.hash("abd")
    assert len(hasher.hash("\udcff\x00é")) == 64
    assert service.mask("A" * 40 + "B" * 46) == "AAAA********BBBB"
