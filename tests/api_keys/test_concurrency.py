"""API keys under concurrent creates (D-22, D-24): the quota and the label hold exactly, with no
500, on both stores.

Every thread sends its create at the same moment to the in-process app (its handlers run on a
thread pool, each request in its own transaction), so the store decides every race.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api_keys.conftest import create, keys_url, label_taken, listed, quota_exceeded
from tests.conftest import Account, count_rows

START_TIMEOUT_SECONDS = 30


def _race(client: TestClient, account: Account, bodies: list[dict[str, Any]]) -> list[tuple[int, Any]]:
    """Send every body at once, one thread each; answer (status, JSON) per body."""
    headers, url = account.headers(), keys_url(account)
    start = threading.Barrier(len(bodies), timeout=START_TIMEOUT_SECONDS)

    def send(body: dict[str, Any]) -> tuple[int, Any]:
        start.wait()
        response = client.post(url, json=body, headers=headers)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(send, bodies))


def test_ten_concurrent_creates_for_the_last_five_places_make_exactly_five_d24(
    client: TestClient, admin: Account, engine: Engine
) -> None:
    for index in range(25):
        create(client, admin, label=f"before-{index}")
    answers = _race(client, admin, [{"allow_all": True, "label": f"racer-{index}"} for index in range(10)])
    assert Counter(status for status, _ in answers) == {200: 5, 400: 5}
    assert all(body == quota_exceeded(30) for status, body in answers if status == 400)
    won = {body["label"] for status, body in answers if status == 200}
    body = listed(client, admin)
    assert (body["total"], body["quantity_limit"]) == (30, 30)
    assert {item["label"] for item in body["items"]} >= won
    assert count_rows(engine, "SELECT count(*) FROM api_keys") == 30


def test_ten_concurrent_creates_of_one_label_make_exactly_one_key_d22(
    client: TestClient, admin: Account, engine: Engine
) -> None:
    answers = _race(client, admin, [{"allow_all": True, "label": "contested"} for _ in range(10)])
    assert Counter(status for status, _ in answers) == {200: 1, 400: 9}
    assert all(body == label_taken("contested") for status, body in answers if status == 400)
    assert count_rows(engine, "SELECT count(*) FROM api_keys WHERE label = 'contested'") == 1
