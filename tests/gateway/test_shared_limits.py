"""The gateway with its counters in a real Redis (D-18): exact rpm, and a Redis that does not answer
refuses calls with 503 ModelArts.81198 rather than letting them through unlimited."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.app import create_app
from openmaas.config import Settings
from tests.answers import check_answers
from tests.conftest import ADMIN_PASSWORD, Account
from tests.gateway.conftest import CHAT, HELLO, DataPlane, bearer, error
from tests.live import free_port


def _client(engine: Engine, settings: Settings, redis_url: str) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"redis_url": redis_url}), engine)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield check_answers(test_client)


@pytest.fixture
def shared_client(engine: Engine, settings: Settings, redis_url: str) -> Iterator[TestClient]:
    yield from _client(engine, settings, redis_url)


def _plane(client: TestClient, settle: Callable[[], int]) -> DataPlane:
    return DataPlane(client, Account(client, "admin", ADMIN_PASSWORD, "openmaas"), settle)


def test_rpm_is_exact_with_shared_counters_d18(
    shared_client: TestClient, settle: Callable[[], int], mock_url: str
) -> None:
    plane = _plane(shared_client, settle)
    plane.endpoint("chat-ep", plane.service(mock_url), rpm=4)
    key = plane.key()
    statuses = [
        shared_client.post(
            CHAT, json={"model": "chat-ep", "messages": HELLO}, headers=bearer(key)
        ).status_code
        for _ in range(9)
    ]
    assert statuses == [200] * 4 + [429] * 5


def test_redis_down_refuses_calls_503_81198_d18(
    engine: Engine, settings: Settings, settle: Callable[[], int], mock_url: str
) -> None:
    for client in _client(engine, settings, f"redis://127.0.0.1:{free_port()}/0"):
        plane = _plane(client, settle)
        plane.endpoint("limited-ep", plane.service(mock_url), rpm=100)
        plane.endpoint("free-ep", plane.service(mock_url, name="free"))
        key = plane.key()
        limited = client.post(CHAT, json={"model": "limited-ep", "messages": HELLO}, headers=bearer(key))
        assert limited.status_code == 503
        assert limited.headers["Retry-After"] == "1"
        assert limited.json() == error(
            "ModelArts.81198",
            "Rate limiting is unavailable: the shared counter store does not answer. Retry later.",
            503,
        )
        # An endpoint with no limits needs no counters: it is called as usual.
        free = client.post(CHAT, json={"model": "free-ep", "messages": HELLO}, headers=bearer(key))
        assert free.status_code == 200
