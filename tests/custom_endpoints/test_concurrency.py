"""CONTRACT 6.4 under concurrent creates: names and the quota hold with no 500, on both stores.

Twenty threads send their create at the same moment to the in-process app (its handlers run on a
thread pool, each request in its own transaction), so the store decides every race.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import Account, count_rows
from tests.custom_endpoints.conftest import QUOTA, endpoints_url, listed, maas_body, name_taken

THREADS = 20
START_TIMEOUT_SECONDS = 30


def _race(client: TestClient, account: Account, bodies: list[dict[str, Any]]) -> list[tuple[int, Any]]:
    """Send every body at once, one thread each; answer (status, JSON) per body."""
    headers = account.headers()
    url = endpoints_url(account)
    start = threading.Barrier(len(bodies), timeout=START_TIMEOUT_SECONDS)

    def send(body: dict[str, Any]) -> tuple[int, Any]:
        start.wait()
        response = client.post(url, json=body, headers=headers)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(send, bodies))


def test_twenty_concurrent_creates_of_one_name_make_exactly_one_endpoint(
    client: TestClient, admin: Account, engine: Engine
) -> None:
    answers = _race(client, admin, [maas_body("contested") for _ in range(THREADS)])
    assert Counter(status for status, _ in answers) == {200: 1, 400: THREADS - 1}
    failures = [body for status, body in answers if status == 400]
    assert all(body == name_taken("contested") for body in failures)
    assert listed(client, admin)["total"] == 1
    assert count_rows(engine, "SELECT count(*) FROM custom_endpoints") == 1


def test_twenty_concurrent_creates_against_a_quota_of_ten_make_exactly_ten(
    client: TestClient, admin: Account, engine: Engine
) -> None:
    answers = _race(client, admin, [maas_body(f"racer-{index}") for index in range(THREADS)])
    assert Counter(status for status, _ in answers) == {200: 10, 400: 10}
    assert all(body == QUOTA for status, body in answers if status == 400)
    created = {body["endpoint_name"] for status, body in answers if status == 200}
    body = listed(client, admin)
    assert (body["total"], body["quantity_limit"]) == (10, 10)
    assert {item["endpoint_name"] for item in body["items"]} == created
    assert count_rows(engine, "SELECT count(*) FROM custom_endpoints") == 10
