"""The admin API across two `openmaas serve` processes on one PostgreSQL (issue 11): fault rules, their
counts and lifecycle rules are obeyed by every process; a deleted account's tokens stop working on the
other process within 5 s."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import service_body
from tests.e2e.conftest import Server, Session, Store, wait_for

pytestmark = pytest.mark.e2e

ADMIN_KEY = "e2e-operator-key-0123456789abcdef"
OPERATOR = {"Authorization": f"Bearer {ADMIN_KEY}"}
ENV = {"OPENMAAS_ADMIN_API_KEY": ADMIN_KEY, "OPENMAAS_FAULT_POLL_SECONDS": "0.5"}


def _pair(store: Store, tmp_path: Path, launch: Callable[..., Server], **env: str) -> tuple[Server, Server]:
    return launch(store, tmp_path / "a", **ENV, **env), launch(store, tmp_path / "b", **ENV, **env)


def _admin(server: Server, method: str, path: str, **options: Any) -> httpx.Response:
    return httpx.request(method, f"{server.url}/openmaas/v1{path}", headers=OPERATOR, timeout=30, **options)


def test_fault_rules_and_their_count_hold_across_processes(
    pg_store: Store, tmp_path: Path, launch: Callable[..., Server]
) -> None:
    first, second = _pair(pg_store, tmp_path, launch)
    counted = _admin(
        first, "POST", "/faults", json={"method": "POST", "path": "/v2/*/services", "count": 3, "status": 503}
    )
    assert counted.status_code == 201
    # A marker rule made after it: once the other process answers it, it has read both.
    marker = {
        "path": "/v3/auth/projects",
        "status": 418,
        "error_code": "OpenMaaS.0418",
        "error_msg": "marker",
    }
    assert _admin(first, "POST", "/faults", json=marker).status_code == 201
    with first.client() as via_first, second.client() as via_second:
        sessions = [Session(via_first, first.admin_password()), Session(via_second, first.admin_password())]
        wait_for(
            lambda: (
                via_second.get("/v3/auth/projects", headers=sessions[1].headers()).status_code == 418 or None
            ),
            10,
            "the second process to read the fault rules",
        )
        statuses = [
            session.http.post(
                f"/v2/{session.project()}/services", json=service_body(f"svc-{n}"), headers=session.headers()
            ).status_code
            for n, session in zip(range(10), sessions * 5, strict=False)
        ]
    assert sorted(statuses) == [200] * 7 + [503] * 3
    assert first.stop() == 0
    assert second.stop() == 0


def test_lifecycle_rules_hold_across_processes(
    pg_store: Store, tmp_path: Path, launch: Callable[..., Server]
) -> None:
    first, second = _pair(pg_store, tmp_path, launch)
    with first.client() as via_first, second.client() as via_second:
        by_first = Session(via_first, first.admin_password())
        by_second = Session(via_second, first.admin_password())
        services = f"/v2/{by_first.project()}/services"
        witness = via_first.post(services, json=service_body("witness"), headers=by_first.headers()).json()[
            "id"
        ]
        _wait_status(via_first, f"{services}/{witness}", by_first, "RUNNING")
        assert _admin(first, "PUT", "/lifecycle/deploy", json={"mode": "manual"}).status_code == 200
        made = via_second.post(services, json=service_body("manual"), headers=by_second.headers())
        url = f"{services}/{made.json()['id']}"
        # The workers keep settling other transitions (the witness's stop) while the manual deploy waits.
        assert via_first.post(f"{services}/{witness}/stop", headers=by_first.headers()).status_code == 200
        _wait_status(via_second, f"{services}/{witness}", by_second, "STOPPED")
        assert via_first.get(url, headers=by_first.headers()).json()["status"] == "DEPLOYING"
        settled = _admin(second, "POST", f"/services/{made.json()['id']}/settle", json={})
        assert settled.json() == {"service_id": made.json()["id"], "status": "RUNNING"}
        assert via_first.get(url, headers=by_first.headers()).json()["status"] == "RUNNING"
        reason = "the node drained"
        rule = {"mode": "fail", "reason": reason}
        assert (
            _admin(first, "PUT", f"/services/{made.json()['id']}/lifecycle/stop", json=rule).status_code
            == 200
        )
        assert via_second.post(f"{url}/stop", headers=by_second.headers()).status_code == 200
        shown = _wait_status(via_first, url, by_first, "FAILED")
        assert shown["failure_reason"] == reason
    assert first.stop() == 0
    assert second.stop() == 0


def _wait_status(http: httpx.Client, url: str, session: Session, status: str) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        shown: dict[str, Any] = http.get(url, headers=session.headers()).json()
        return shown if shown["status"] == status else None

    return wait_for(reached, 20, f"{url} to be {status}")


def test_a_deleted_accounts_tokens_stop_on_the_other_process_within_5_s(
    pg_store: Store, tmp_path: Path, launch: Callable[..., Server]
) -> None:
    first, second = _pair(pg_store, tmp_path, launch)
    made = _admin(first, "POST", "/domains", json={"name": "short-lived"}).json()
    with second.client() as via_second:
        login = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": "admin",
                            "password": made["password"],
                            "domain": {"name": "short-lived"},
                        }
                    },
                },
                "scope": {"project": {"name": "ap-southeast-1"}},
            }
        }
        answer = via_second.post("/v3/auth/tokens", json=login)
        token, project = answer.headers["X-Subject-Token"], answer.json()["token"]["project"]["id"]
        url = f"/v2/{project}/services"
        assert via_second.get(url, headers={"X-Auth-Token": token}).status_code == 200
        assert _admin(first, "DELETE", f"/domains/{made['domain']['id']}").status_code == 204

        def refused() -> httpx.Response | None:
            response = via_second.get(url, headers={"X-Auth-Token": token})
            return response if response.status_code != 200 else None

        response = wait_for(refused, 5, "the other process to refuse the deleted account's token")
        assert response.status_code == 401
        assert response.json() == {"error_code": "ModelArts.0203", "error_msg": "Invalid token."}
    assert first.stop() == 0
    assert second.stop() == 0
