"""Reset to the bootstrap state and named snapshots (issue 11, D-43, D-44): a known state for each test,
on SQLite and PostgreSQL; ids made deterministic on request."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.clock import seed_ids
from openmaas.http.existence import ExistenceCache
from tests.admin.conftest import admin_call, plain_error
from tests.conftest import ADMIN_PASSWORD, Account, count_rows, service_body


@pytest.fixture(autouse=True)
def random_ids_after() -> object:
    yield
    seed_ids(None)


def _service(client: TestClient, account: Account, name: str) -> str:
    made = client.post(
        f"/v2/{account.project()}/services", json=service_body(name), headers=account.headers()
    )
    assert made.status_code == 200, made.text
    return str(made.json()["id"])


def test_reset_brings_back_the_bootstrap_state(
    client: TestClient, admin: Account, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _service(client, admin, "before-reset")
    admin_call(client, "POST", "/domains", json={"name": "team-x"})
    old_headers = admin.headers()
    reset = admin_call(client, "POST", "/reset", json={})
    assert reset.status_code == 200
    body = reset.json()
    assert body["seed"] is None
    assert body["domain"]["name"] == "openmaas"
    assert count_rows(engine, "SELECT COUNT(*) FROM services") == 0
    assert count_rows(engine, "SELECT COUNT(*) FROM domains") == 1
    monkeypatch.setattr(ExistenceCache, "TTL_SECONDS", 0.0)
    # The old token's user was made again with a new id: the token names nobody now.
    assert (
        client.get(f"/v2/{admin.projects['ap-southeast-1']}/services", headers=old_headers).status_code == 401
    )
    # The bootstrap password still opens the account.
    again = Account(client, "admin", ADMIN_PASSWORD, "openmaas")
    assert client.get(f"/v2/{again.project()}/services", headers=again.headers()).json()["total"] == 0


def test_a_seeded_reset_makes_the_same_ids_again(client: TestClient) -> None:
    ids = []
    for _ in range(2):
        answer = admin_call(client, "POST", "/reset", json={"seed": 42}).json()
        account = Account(client, "admin", ADMIN_PASSWORD, "openmaas")
        ids.append((answer["domain"]["id"], account.project(), _service(client, account, "seeded")))
    assert ids[0] == ids[1]
    assert len(ids[0][2]) == 36


def test_save_change_and_restore_a_snapshot(client: TestClient, admin: Account, engine: Engine) -> None:
    kept = _service(client, admin, "kept")
    saved = admin_call(client, "POST", "/snapshots", json={"name": "known"})
    assert saved.status_code == 201
    assert saved.json()["name"] == "known"
    assert saved.json()["rows"] > 0
    _service(client, admin, "added-later")
    admin_call(client, "POST", "/domains", json={"name": "added-later"})
    restored = admin_call(client, "POST", "/snapshots/known/restore")
    assert restored.status_code == 200
    assert restored.json() == saved.json()
    names = {row for (row,) in _names(engine)}
    assert names == {"kept"}
    listed = client.get(f"/v2/{admin.project()}/services", headers=admin.headers()).json()
    assert [item["id"] for item in listed["data"]] == [kept]
    assert [s["name"] for s in admin_call(client, "GET", "/snapshots").json()["snapshots"]] == ["known"]
    # Restoring twice is the same state; a reset keeps the snapshots.
    admin_call(client, "POST", "/reset", json={})
    assert admin_call(client, "POST", "/snapshots/known/restore").status_code == 200
    assert {row for (row,) in _names(engine)} == {"kept"}


def _names(engine: Engine) -> list[tuple[str]]:
    with engine.connect() as connection:
        from sqlalchemy import text

        return [tuple(row) for row in connection.execute(text("SELECT name FROM services"))]


def test_unknown_snapshots_and_deleting_one(client: TestClient) -> None:
    assert admin_call(client, "POST", "/snapshots", json={"name": "gone-soon"}).status_code == 201
    assert admin_call(client, "DELETE", "/snapshots/gone-soon").status_code == 204
    for method, path in [("POST", "/snapshots/gone-soon/restore"), ("DELETE", "/snapshots/gone-soon")]:
        response = admin_call(client, method, path)
        assert response.status_code == 404
        assert response.json() == plain_error("OpenMaaS.0404", "Snapshot gone-soon does not exist.")
