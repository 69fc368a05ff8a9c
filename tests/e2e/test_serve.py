"""`openmaas serve` as a real process: bootstrap, tokens, services in two regions and two workspaces
listed through CONTRACT 6.3, a SIGTERM while a service deploys, and the probes."""

from __future__ import annotations

import stat
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import psycopg
import pytest

from tests.conftest import HOME, OTHER, PG_ADMIN_DSN, password_body, service_body
from tests.e2e.conftest import (
    HeldRequest,
    Server,
    Session,
    Store,
    refuses_connections,
    wait_for,
)

pytestmark = pytest.mark.e2e


def _listing_url(session: Session, region: str) -> str:
    return f"/v1/{session.project()}/maas/services/custom-endpoint/services/{region}"


def _create_workspace(session: Session, region: str, name: str) -> str:
    response = session.http.post(
        f"/v1/{session.project(region)}/workspaces", json={"name": name}, headers=session.headers(region)
    )
    assert response.status_code == 200, response.text
    workspace_id: str = response.json()["id"]
    return workspace_id


def _create_service(session: Session, region: str, name: str, workspace_id: str = "0") -> str:
    response = session.http.post(
        f"/v2/{session.project(region)}/services",
        json=service_body(name, workspace_id=workspace_id),
        headers=session.headers(region),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "DEPLOYING"
    service_id: str = response.json()["id"]
    return service_id


def _listed(session: Session, region: str, workspace_id: str | None = None) -> dict[str, Any]:
    params = {} if workspace_id is None else {"workspace_id": workspace_id}
    response = session.http.get(_listing_url(session, region), params=params, headers=session.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_bootstrap_token_and_listing_across_two_regions_and_two_workspaces(
    store: Store, launch: Callable[..., Server]
) -> None:
    server = launch(store)
    password_file = server.data_dir / "admin-password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    password = server.admin_password()
    assert len(password) >= 16
    assert password in server.log()  # printed once, at bootstrap
    with server.client() as http:
        session = Session(http, password)
        home_team = _create_workspace(session, HOME, "home-team")
        far_team = _create_workspace(session, OTHER, "far-team")
        expected = {
            (HOME, None): _create_service(session, HOME, "home-default"),
            (HOME, home_team): _create_service(session, HOME, "home-team-svc", home_team),
            (OTHER, None): _create_service(session, OTHER, "far-default"),
            (OTHER, far_team): _create_service(session, OTHER, "far-team-svc", far_team),
        }
        for (region, workspace_id), service_id in expected.items():
            body = _listed(session, region, workspace_id)
            assert [item["id"] for item in body["data"]] == [service_id], (region, workspace_id)
            assert body["data"][0]["workspace_id"] == (workspace_id or "0")
            assert (body["pages"], body["total"]) == (1, 1)
        workspaces = http.get(
            f"/v1/{session.project()}/maas/services/workspace/{OTHER}", headers=session.headers()
        )
        assert workspaces.status_code == 200
        assert [item["id"] for item in workspaces.json()["workspaces"]] == ["0", far_team]
        # The probes: /health while the process runs, /ready while the store answers.
        health, ready = http.get("/health"), http.get("/ready")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
        assert len(ready.headers["X-Request-Id"]) == 32
    assert server.stop() == 0


def test_sigterm_drains_in_flight_requests_and_a_restart_resumes_deploying(
    store: Store, launch: Callable[..., Server]
) -> None:
    """SIGTERM while a service is DEPLOYING: exit 0 after answering the request in flight; the next
    process on the same store finishes the deployment (CONTRACT 5.3: transitions resume)."""
    # Long enough that the first process is stopped before the deployment is due.
    server = launch(store, OPENMAAS_DEPLOY_DELAY_SECONDS="6")
    password = server.admin_password()
    with server.client() as http:
        session = Session(http, password)
        service_id = _create_service(session, HOME, "survivor")
        assert _listed(session, HOME)["data"][0]["status"] == "DEPLOYING"
    login = orjson.dumps(password_body(password=password, scope={"project": {"name": HOME}}))
    held = HeldRequest(server.port, "/v3/auth/tokens", login)
    try:
        server.signal()
        wait_for(lambda: refuses_connections(server.port), 30, "the listener to close")
        status, answer_headers, body = held.finish()
    finally:
        held.close()
    assert status == 201, body
    drained_token = answer_headers["x-subject-token"]
    assert server.wait() == 0, server.log()
    assert "Traceback" not in server.log()
    status_between_runs = store.scalar("SELECT status FROM services WHERE id = :id", id=service_id)
    assert status_between_runs == "DEPLOYING"

    restarted = launch(store)
    with restarted.client() as http:
        # The token issued while the first process drained still holds (tokens survive restarts).
        headers = {"X-Auth-Token": drained_token}
        url = f"/v1/{session.project()}/maas/services/custom-endpoint/services/{HOME}"

        def running() -> dict[str, Any] | None:
            response = http.get(url, headers=headers)
            assert response.status_code == 200, response.text
            item: dict[str, Any] = response.json()["data"][0]
            return item if item["status"] == "RUNNING" else None

        item = wait_for(running, 30, "the service to reach RUNNING after the restart")
    assert item["id"] == service_id
    assert item["version_count"] == 1
    assert restarted.stop() == 0


def _allow_connections(database: str, allowed: bool) -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,)
            )


def test_ready_fails_while_postgresql_refuses_and_health_does_not(
    pg_store: Store, launch: Callable[..., Server]
) -> None:
    server = launch(pg_store)
    assert pg_store.pg_database is not None
    with server.client() as http:
        assert http.get("/ready").status_code == 200
        _allow_connections(pg_store.pg_database, False)
        try:
            response = http.get("/ready")
            assert response.status_code == 503
            assert response.json() == {"status": "store unavailable"}
            health = http.get("/health")
            assert (health.status_code, health.json()) == (200, {"status": "ok"})
        finally:
            _allow_connections(pg_store.pg_database, True)

        def ready_again() -> httpx.Response | None:
            response = http.get("/ready")
            return response if response.status_code == 200 else None

        assert wait_for(ready_again, 15, "/ready after the store came back").json() == {"status": "ready"}
    assert server.stop() == 0
