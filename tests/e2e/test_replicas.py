"""Two `openmaas serve` processes on one PostgreSQL behave as one service (CONTRACT 4.2, 5.3)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import HOME, service_body
from tests.e2e.conftest import Server, Session, Store, wait_for

pytestmark = pytest.mark.e2e

INVALID_TOKEN = {"error_msg": "Invalid token.", "error_code": "ModelArts.0104"}


def _pair(store: Store, tmp_path: Path, launch: Callable[..., Server]) -> tuple[Server, Server]:
    # Started one after the other so that exactly one of them bootstraps (and writes the password).
    first = launch(store, tmp_path / "replica-a")
    second = launch(store, tmp_path / "replica-b")
    return first, second


def test_a_token_revoked_through_one_process_is_refused_by_the_other_within_5_s(
    pg_store: Store, tmp_path: Path, launch: Callable[..., Server]
) -> None:
    first, second = _pair(pg_store, tmp_path, launch)
    with first.client() as via_first, second.client() as via_second:
        session = Session(via_first, first.admin_password())
        token = session.login()
        url = f"/v1/{session.project()}/maas/services/custom-endpoint/services/{HOME}"
        assert via_second.get(url, headers={"X-Auth-Token": token}).status_code == 200
        revoked = via_first.delete(
            "/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token}
        )
        assert revoked.status_code == 204

        def refused() -> httpx.Response | None:
            response = via_second.get(url, headers={"X-Auth-Token": token})
            return response if response.status_code != 200 else None

        # CONTRACT 4.2: revocation takes effect on every replica within 5 s.
        response = wait_for(refused, 5, "the other process to refuse the revoked token")
        assert response.status_code == 400
        assert response.json() == INVALID_TOKEN
    assert first.stop() == 0
    assert second.stop() == 0


def test_with_two_workers_each_transition_is_applied_once(
    pg_store: Store, tmp_path: Path, launch: Callable[..., Server]
) -> None:
    first, second = _pair(pg_store, tmp_path, launch)
    password = first.admin_password()
    with first.client() as via_first, second.client() as via_second:
        sessions = [Session(via_first, password), Session(via_second, password)]
        service_ids = []
        for n in range(8):
            session = sessions[n % 2]
            response = session.http.post(
                f"/v2/{session.project()}/services",
                json=service_body(f"shared-{n}"),
                headers=session.headers(),
            )
            assert response.status_code == 200, response.text
            service_ids.append(response.json()["id"])
        reader = sessions[1]
        url = f"/v1/{reader.project()}/maas/services/custom-endpoint/services/{HOME}"

        def all_running() -> list[dict[str, Any]] | None:
            response = reader.http.get(url, params={"limit": 50}, headers=reader.headers())
            assert response.status_code == 200, response.text
            items: list[dict[str, Any]] = response.json()["data"]
            return items if all(item["status"] == "RUNNING" for item in items) else None

        items = wait_for(all_running, 30, "every service to reach RUNNING")
    assert sorted(item["id"] for item in items) == sorted(service_ids)
    assert first.stop() == 0
    assert second.stop() == 0
    logs = first.log() + second.log()
    for service_id in service_ids:
        # Created at row_version 1; one applied compare-and-set makes it 2, a second would make it 3.
        assert pg_store.scalar("SELECT row_version FROM services WHERE id = :id", id=service_id) == 2
        assert logs.count(f"service {service_id}: DEPLOYING -> RUNNING") == 1
