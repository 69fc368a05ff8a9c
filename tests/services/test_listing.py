"""The v2 service list, CONTRACT 5.2: every filter, sorting, and exact paging figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from openmaas.auth.passwords import hash_password
from openmaas.db.session import transaction
from openmaas.iam import repository as iam_repository
from openmaas.iam.tables import domains
from tests.conftest import Account, service_body
from tests.services.conftest import (
    act,
    assert_service_item,
    create,
    invalid,
    listing,
    services_url,
    update,
)

Settle = Callable[[], int]
TOO_MANY_PAIRS = "must have at most 20 distinct key|value pairs"


def _figures(body: dict[str, Any]) -> tuple[int, int, int, int]:
    return body["current"], body["size"], body["pages"], body["total"]


def _ids(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["data"]]


def _workspace(client: TestClient, admin: Account, name: str) -> str:
    response = client.post(f"/v1/{admin.project()}/workspaces", json={"name": name}, headers=admin.headers())
    assert response.status_code == 200
    workspace_id: str = response.json()["id"]
    return workspace_id


def test_empty_list(client: TestClient, admin: Account) -> None:
    assert listing(client, admin) == {"data": [], "current": 0, "size": 0, "pages": 0, "total": 0}


def test_default_limit_is_ten(client: TestClient, admin: Account) -> None:
    for n in range(11):
        create(client, admin, f"svc-{n}")
    first = listing(client, admin)
    assert _figures(first) == (0, 10, 2, 11)
    for item in first["data"]:
        assert_service_item(item)
    second = listing(client, admin, offset=10)
    assert _figures(second) == (1, 1, 2, 11)
    assert not set(_ids(first)) & set(_ids(second))


def test_paging_figures(client: TestClient, admin: Account) -> None:
    for n in range(5):
        create(client, admin, f"svc-{n}")
    everything = _ids(listing(client, admin, limit=500))
    pages = [listing(client, admin, limit=2, offset=offset) for offset in (0, 2, 4, 6)]
    assert [_figures(page) for page in pages] == [(0, 2, 3, 5), (1, 2, 3, 5), (2, 1, 3, 5), (3, 0, 3, 5)]
    assert [i for page in pages for i in _ids(page)] == everything
    exact = listing(client, admin, limit=5)
    assert _figures(exact) == (0, 5, 1, 5)
    single = listing(client, admin, limit=1, offset=4)
    assert _figures(single) == (4, 1, 5, 5)
    assert _ids(single) == everything[4:]


def test_largest_offset_is_served_past_the_last_page(client: TestClient, admin: Account) -> None:
    create(client, admin, "far-away")
    response = client.get(
        services_url(admin), params={"offset": 2147483647, "limit": 1}, headers=admin.headers()
    )
    assert response.status_code == 200
    assert response.json() == {"data": [], "current": 2147483647, "size": 0, "pages": 1, "total": 1}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"limit": 0}, "limit input should be greater than or equal to 1"),
        ({"limit": 501}, "limit input should be less than or equal to 500"),
        ({"limit": "x"}, "limit input should be a valid integer, unable to parse string as an integer"),
        ({"offset": -10}, "offset input should be greater than or equal to 0"),
        ({"offset": 3, "limit": 2}, "offset must be a multiple of limit"),
        ({"offset": 5}, "offset must be a multiple of limit"),
        ({"offset": 10**20}, "offset input should be less than or equal to 2147483647"),
        ({"sort_key": "name"}, "sort_key input should be 'update_at' or 'create_at'"),
        ({"sort_dir": "sideways"}, "sort_dir input should be 'DESC' or 'ASC'"),
        (
            {"status": "BROKEN"},
            "status input should be 'INIT', 'DEPLOYING', 'RUNNING', 'FAILED', 'STOPPING', 'STOPPED', "
            "'UPGRADING', 'DELETING', 'CONCERNING', 'ERROR' or 'INTERRUPTING'",
        ),
        ({"auth_type": "AKSK"}, "auth_type input should be 'TOKEN', 'API_KEY' or 'NONE'"),
        ({"type": "BATCH"}, "type input should be 'REAL_TIME' or 'ASYNC_REAL_TIME'"),
        ({"name": "n" * 50_000}, "name string should have at most 64 characters"),
        ({"description": "d" * 50_000}, "description string should have at most 512 characters"),
        ({"name": "nul\u0000"}, "name must not contain NUL characters"),
        ({"user_name": "\u0000"}, "user_name must not contain NUL characters"),
        ({"workspace_id": "\u0000"}, "workspace_id must not contain NUL characters"),
        ({"tags": "k|\u0000"}, "tags must not contain NUL characters"),
        ({"id": "\u0000"}, "id must not contain NUL characters"),
        # D-7: a service holds at most 20 tags, so no filter needs more than 20 distinct pairs
        ({"tags": ",".join(f"k{i}|v" for i in range(21))}, f"tags {TOO_MANY_PAIRS}, not 21"),
        ({"tags": ",".join(f"k{i}|v" for i in range(300))}, f"tags {TOO_MANY_PAIRS}, not 300"),
        ({"tags": "|v"}, "tags must not have a pair with an empty key"),
        ({"tags": "team|nlp,|"}, "tags must not have a pair with an empty key"),
        ({"tags": "team|nlp,|nlp,tier|gold"}, "tags must not have a pair with an empty key"),
    ],
)
def test_invalid_query(client: TestClient, admin: Account, query: dict[str, Any], message: str) -> None:
    response = client.get(services_url(admin), params=query, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == invalid(message)


def _by(items: list[dict[str, Any]], key: str, descending: bool) -> list[str]:
    ordered = sorted(items, key=lambda item: (item[key], item["id"]), reverse=descending)
    return [item["id"] for item in ordered]


def test_sorting(client: TestClient, admin: Account, settle: Settle) -> None:
    ids = [create(client, admin, f"svc-{n}")["id"] for n in range(4)]
    settle()
    update(client, admin, ids[0], description="touched last")
    items = listing(client, admin, limit=500)["data"]
    assert _ids(listing(client, admin)) == _by(items, "update_at", descending=True)
    assert _ids(listing(client, admin, sort_dir="ASC")) == _by(items, "update_at", descending=False)
    assert _ids(listing(client, admin, sort_key="create_at")) == _by(items, "create_at", descending=True)
    assert _ids(listing(client, admin, sort_key="create_at", sort_dir="asc")) == _by(
        items, "create_at", descending=False
    )
    # The most recently updated service leads the default order.
    assert listing(client, admin, limit=1)["data"][0]["update_at"] == max(item["update_at"] for item in items)


def _filtered(client: TestClient, admin: Account, **query: Any) -> set[str]:
    body = listing(client, admin, limit=500, **query)
    assert body["total"] == body["size"] == len(body["data"])
    assert body["pages"] == (1 if body["total"] else 0)
    return {item["name"] for item in body["data"]}


def test_filters(client: TestClient, admin: Account, settle: Settle) -> None:
    other_ws = _workspace(client, admin, "second-ws")
    alpha = create(
        client,
        admin,
        "alpha",
        description="Large language model",
        tags=[{"key": "team", "value": "nlp"}, {"key": "tier", "value": "gold"}],
    )
    create(
        client,
        admin,
        "beta",
        description="small LANGUAGE model",
        tags=[{"key": "team", "value": "nlp"}],
        type="ASYNC_REAL_TIME",
        runtime_config={"service_invoke": {"auth_type": "TOKEN"}},
    )
    create(client, admin, "gamma", description="50% off_sale", workspace_id=other_ws)
    settle()
    act(client, admin, alpha["id"], "stop")
    assert _filtered(client, admin) == {"alpha", "beta", "gamma"}
    assert _filtered(client, admin, id=alpha["id"]) == {"alpha"}
    assert _filtered(client, admin, id="00000000-0000-4000-8000-000000000000") == set()
    assert _filtered(client, admin, name="beta") == {"beta"}
    assert _filtered(client, admin, name="bet") == set()
    assert _filtered(client, admin, status="STOPPING") == {"alpha"}
    assert _filtered(client, admin, status="RUNNING") == {"beta", "gamma"}
    assert _filtered(client, admin, auth_type="TOKEN") == {"beta"}
    assert _filtered(client, admin, auth_type="NONE") == {"alpha", "gamma"}
    assert _filtered(client, admin, type="ASYNC_REAL_TIME") == {"beta"}
    assert _filtered(client, admin, type="REAL_TIME") == {"alpha", "gamma"}
    # A substring in any letter case; LIKE wildcards are literal.
    assert _filtered(client, admin, description="LANGUAGE") == {"alpha", "beta"}
    assert _filtered(client, admin, description="large") == {"alpha"}
    assert _filtered(client, admin, description="model") == {"alpha", "beta"}
    assert _filtered(client, admin, description="%") == {"gamma"}
    assert _filtered(client, admin, description="f_s") == {"gamma"}
    assert _filtered(client, admin, description="_") == {"gamma"}
    assert _filtered(client, admin, workspace_id=other_ws) == {"gamma"}
    assert _filtered(client, admin, workspace_id="0") == {"alpha", "beta"}
    assert _filtered(client, admin, workspace_id="0123456789abcdef0123456789abcdef") == set()
    assert _filtered(client, admin, user_name="admin") == {"alpha", "beta", "gamma"}
    assert _filtered(client, admin, user_name="nobody") == set()
    assert _filtered(client, admin, tags="team|nlp") == {"alpha", "beta"}
    assert _filtered(client, admin, tags="team|nlp,tier|gold") == {"alpha"}
    assert _filtered(client, admin, tags="tier|silver") == set()
    assert _filtered(client, admin, tags="team|nlp", workspace_id="0", status="RUNNING") == {"beta"}


def test_d7_tags_filter_takes_20_distinct_pairs(client: TestClient, admin: Account) -> None:
    """Repeated pairs count once, so the longest query (1024 repeats) is one pair; 20 distinct pairs
    find the service holding exactly those 20 tags, and any other pair among them finds nothing."""
    twenty = [{"key": f"t{i}", "value": f"v{i}"} for i in range(20)]
    create(client, admin, "twenty", tags=twenty)
    create(client, admin, "bare", tags=[{"key": "k", "value": ""}])
    assert _filtered(client, admin, tags=",".join(["k"] * 1024)) == {"bare"}
    assert _filtered(client, admin, tags=",".join(["t0|v0"] * 30 + ["t1|v1"] * 30)) == {"twenty"}
    pairs = [f"{tag['key']}|{tag['value']}" for tag in twenty]
    assert _filtered(client, admin, tags=",".join(pairs)) == {"twenty"}
    assert _filtered(client, admin, tags=",".join(pairs + pairs)) == {"twenty"}
    assert _filtered(client, admin, tags=",".join([*pairs[:19], "t19|other"])) == set()
    # One key with two values: no service holds both.
    assert _filtered(client, admin, tags="t0|v0,t0|v1") == set()
    response = client.get(
        services_url(admin), params={"tags": ",".join([*pairs, "k|"])}, headers=admin.headers()
    )
    assert response.status_code == 400
    assert response.json() == invalid(f"tags {TOO_MANY_PAIRS}, not 21")


def test_filtered_paging(client: TestClient, admin: Account) -> None:
    for n in range(5):
        create(client, admin, f"tagged-{n}", tags=[{"key": "k", "value": "v"}])
    create(client, admin, "plain")
    page = listing(client, admin, tags="k|v", limit=2, offset=4)
    assert _figures(page) == (2, 1, 3, 5)
    workspace_page = listing(client, admin, workspace_id="0", limit=4, offset=4)
    assert _figures(workspace_page) == (1, 2, 2, 6)


def test_user_name_filter(client: TestClient, admin: Account, engine: Engine) -> None:
    with transaction(engine, write=True) as connection:
        domain_id = connection.execute(select(domains.c.id).where(domains.c.name == "openmaas")).scalar_one()
        iam_repository.create_user(connection, domain_id, "bob", hash_password("Bob-Passw0rd!"))
    bob = Account(client, "bob", "Bob-Passw0rd!", "openmaas")
    assert bob.project() == admin.project()
    create(client, admin, "by-admin")
    made = client.post(services_url(bob), json=service_body("by-bob"), headers=bob.headers())
    assert made.status_code == 200
    assert _filtered(client, admin, user_name="bob") == {"by-bob"}
    assert _filtered(client, bob, user_name="admin") == {"by-admin"}
    assert listing(client, bob)["total"] == 2
