"""Concurrent writers on both stores: one name, one winner; never a 500 (CONTRACT 5.2, issue 2)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import Account, count_rows, service_body
from tests.services.conftest import listing, services_url

WRITERS = 20


def _in_parallel(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Run ``call(i)`` in ``count`` threads released together; every thread must finish."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait(timeout=30)
        results[index] = call(index)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_same_name_twenty_times_gives_one_service(client: TestClient, admin: Account, engine: Engine) -> None:
    headers = admin.headers()
    url = services_url(admin)

    def attempt(_: int) -> tuple[int, dict[str, Any]]:
        response = client.post(url, json=service_body("contested"), headers=headers)
        return response.status_code, response.json()

    results = _in_parallel(WRITERS, attempt)
    assert Counter(status for status, _ in results) == Counter({200: 1, 400: WRITERS - 1})
    losers = [body for status, body in results if status == 400]
    assert all(
        body == {"error_code": "ModelArts.0103", "error_msg": "Service name contested already exists."}
        for body in losers
    )
    [winner] = [body for status, body in results if status == 200]
    assert winner["name"] == "contested"
    assert winner["status"] == "DEPLOYING"
    assert count_rows(engine, "SELECT count(*) FROM services") == 1
    assert count_rows(engine, "SELECT count(*) FROM service_versions") == 1
    assert listing(client, admin)["total"] == 1


def test_twenty_distinct_creates_all_succeed(client: TestClient, admin: Account, engine: Engine) -> None:
    headers = admin.headers()
    url = services_url(admin)

    def attempt(index: int) -> int:
        return client.post(url, json=service_body(f"svc-{index}"), headers=headers).status_code

    assert _in_parallel(WRITERS, attempt) == [200] * WRITERS
    assert listing(client, admin)["total"] == WRITERS
    assert count_rows(engine, "SELECT count(*) FROM services") == WRITERS
    counted = "SELECT service_count FROM workspaces WHERE project_id = :p AND id = '0'"
    assert count_rows(engine, counted, p=admin.project()) == WRITERS


def test_mixed_load_never_answers_500(client: TestClient, admin: Account, settle: Callable[[], int]) -> None:
    """Creates, reads, updates, deletes and the worker at once: every answer is a 200 or a documented 400."""
    headers = admin.headers()
    seeded = [
        client.post(services_url(admin), json=service_body(f"seed-{n}"), headers=headers).json()["id"]
        for n in range(4)
    ]
    settle()

    def work(index: int) -> list[tuple[int, str]]:
        target = seeded[index % len(seeded)]
        calls = [
            lambda: client.post(services_url(admin), json=service_body(f"load-{index % 5}"), headers=headers),
            lambda: client.get(services_url(admin), headers=headers),
            lambda: client.put(
                services_url(admin, f"/{target}"), json={"group_configs": [{"count": 2}]}, headers=headers
            ),
            lambda: client.post(services_url(admin, f"/{target}/stop"), headers=headers),
            lambda: client.post(
                services_url(admin, "/delete"), json={"service_ids": [target]}, headers=headers
            ),
        ]
        answers = []
        for call in calls:
            response = call()
            answers.append((response.status_code, response.json().get("error_code", "")))
        settle()
        return answers

    outcomes = [answer for answers in _in_parallel(WRITERS, work) for answer in answers]
    allowed = {(200, ""), (400, "ModelArts.0103"), (400, "ModelArts.0105"), (400, "ModelArts.0102")}
    assert set(outcomes) <= allowed


def test_concurrent_updates_each_make_one_version(
    client: TestClient, admin: Account, settle: Callable[[], int]
) -> None:
    """A stopped service takes every update: ten at once give ten new, distinct versions."""
    headers = admin.headers()
    service_id = client.post(services_url(admin), json=service_body(), headers=headers).json()["id"]
    settle()
    assert client.post(services_url(admin, f"/{service_id}/stop"), headers=headers).status_code == 200
    settle()

    def attempt(index: int) -> int:
        body = {"group_configs": [{"count": index + 1}]}
        return client.put(services_url(admin, f"/{service_id}"), json=body, headers=headers).status_code

    assert _in_parallel(10, attempt) == [200] * 10
    item = listing(client, admin)["data"][0]
    assert (item["status"], item["version_count"], item["version"]) == ("STOPPED", 11, "1.0.10")
    deployment = client.get(services_url(admin, f"/{service_id}/deployments"), headers=headers).json()
    versions_url = services_url(admin, f"/{service_id}/deployments/{deployment['data'][0]['id']}/versions")
    versions = client.get(versions_url, params={"limit": 20}, headers=headers).json()
    assert versions["total"] == 11
    assert [v["version"] for v in versions["data"]] == [f"1.0.{n}" for n in range(10, -1, -1)]


def test_workspace_delete_racing_creates(client: TestClient, admin: Account, engine: Engine) -> None:
    """Creates into a workspace while it is deleted: each answer is documented and nothing dangles."""
    headers = admin.headers()
    workspace = client.post(
        f"/v1/{admin.project()}/workspaces", json={"name": "racy"}, headers=headers
    ).json()
    workspace_url = f"/v1/{admin.project()}/workspaces/{workspace['id']}"

    def attempt(index: int) -> tuple[str, int, str]:
        if index == 5:
            response = client.delete(workspace_url, headers=headers)
            return "delete", response.status_code, response.json().get("error_code", "")
        body = service_body(f"racer-{index}", workspace_id=workspace["id"])
        response = client.post(services_url(admin), json=body, headers=headers)
        return "create", response.status_code, response.json().get("error_code", "")

    results = _in_parallel(10, attempt)
    [deleted] = [(status, code) for kind, status, code in results if kind == "delete"]
    created = [(status, code) for kind, status, code in results if kind == "create"]
    assert set(created) <= {(200, ""), (400, "ModelArts.0104")}
    made = created.count((200, ""))
    in_workspace = count_rows(
        engine, "SELECT count(*) FROM services WHERE workspace_id = :w", w=workspace["id"]
    )
    assert in_workspace == made
    if deleted == (200, ""):
        # Deleted while empty: every create either came too late (0104) or there was none before it.
        assert made == 0
        assert count_rows(engine, "SELECT count(*) FROM workspaces WHERE id = :w", w=workspace["id"]) == 0
    else:
        assert deleted == (400, "ModelArts.0105")
        assert made > 0
        counted = "SELECT service_count FROM workspaces WHERE id = :w"
        assert count_rows(engine, counted, w=workspace["id"]) == made
