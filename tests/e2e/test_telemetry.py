"""A live `openmaas serve` logs JSON lines and publishes /metrics; two processes sharing a
PROMETHEUS_MULTIPROC_DIR publish one sum (issue 12)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import HOME
from tests.e2e.conftest import Server, Session, Store
from tests.telemetry.scrape import settled_delta, settled_scrape

pytestmark = pytest.mark.e2e

REQUESTS = "openmaas_http_requests_total"
FOUNDING = "/v1/{project_id}/maas/services/custom-endpoint/services/{region_id}"


def _json_lines(log: str) -> list[dict[str, object]]:
    """The server's log lines; the bootstrap's own notice (the first start's password, for a person at
    a terminal, D-3) is the only text that is not one JSON object."""
    lines = [line for line in log.splitlines() if line]
    notice = [line for line in lines if not line.startswith("{")]
    assert notice == [] or notice[0].startswith("created user admin in domain openmaas"), notice
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_a_live_server_writes_one_json_line_per_request(
    store: Store, tmp_path: Path, launch: Callable[..., Server]
) -> None:
    server = launch(store)
    with server.client() as http:
        session = Session(http, server.admin_password())
        url = f"/v1/{session.project()}/maas/services/custom-endpoint/services/{HOME}?workspace_id=0"
        listed = http.get(url, headers=session.headers())
        assert listed.status_code == 200
    server.stop()
    lines = _json_lines(server.log())
    access = [line for line in lines if line["logger"] == "openmaas.access"]
    mine = [line for line in access if line["request_id"] == listed.headers["X-Request-Id"]]
    assert [(line["route"], line["status"], line["workspace_id"]) for line in mine] == [(FOUNDING, 200, "0")]
    assert server.admin_password() not in server.log().split("\n", 2)[-1]
    assert session.tokens[HOME] not in server.log()


def test_two_processes_sharing_a_metrics_folder_publish_one_sum(
    pg_store: Store, tmp_path: Path, launch: Callable[..., Server]
) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    shared = {"PROMETHEUS_MULTIPROC_DIR": str(folder)}
    first = launch(pg_store, tmp_path / "replica-a", **shared)
    second = launch(pg_store, tmp_path / "replica-b", **shared)
    with first.client() as via_first, second.client() as via_second:
        before = settled_scrape(via_first)
        for _ in range(3):
            assert via_first.get("/v2/anything/services").status_code == 401
        for _ in range(2):
            assert via_second.get("/v2/anything/services").status_code == 401
        labels = {
            "method": "GET",
            "route": "/v2/{project_id}/services",
            "status": "401",
            "code": "ModelArts.0203",
        }
        # A process publishes its own requests before it answers a scrape, the other's within a
        # second (D-62): each scrape reaches the sum, and no more.
        for http in (via_first, via_second):
            assert settled_delta(http, before, 5, REQUESTS, **labels) == 5
