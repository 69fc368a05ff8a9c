"""GET /metrics (issue 12): requests by route template, status and wire code, latency histograms,
lifecycle transitions and store errors, in the Prometheus text format, through the in-process app."""

from __future__ import annotations

import time
import uuid
from bisect import bisect_left
from collections.abc import Callable

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from pydantic import SecretStr
from sqlalchemy import Engine

from openmaas.app import create_app
from openmaas.config import Settings
from openmaas.telemetry.metrics import LATENCY_BUCKETS, RequestMeter, add_observations
from tests.conftest import ADMIN_PASSWORD, HOME, Account, password_body, service_body
from tests.telemetry.scrape import scrape

REQUESTS = "openmaas_http_requests_total"
LATENCY_COUNT = "openmaas_http_request_duration_seconds_count"
TRANSITIONS = "openmaas_service_transitions_total"
STORE_ERRORS = "openmaas_store_errors_total"
SERVICES = "/v2/{project_id}/services"
SERVICE = "/v2/{project_id}/services/{service_id}"


def test_requests_are_counted_by_route_template_status_and_wire_code(
    client: TestClient, admin: Account
) -> None:
    project = admin.project()
    before = scrape(client)
    assert client.get(f"/v2/{project}/services", headers=admin.headers()).status_code == 200
    missing = client.get(f"/v2/{project}/services/{uuid.uuid4()}", headers=admin.headers())
    unknown = client.get("/v2/nowhere/at-all", headers=admin.headers())
    refused = client.post("/v3/auth/tokens", json=password_body(password="not-the-password"))
    after = scrape(client)

    assert after.delta(before, REQUESTS, method="GET", route=SERVICES, status="200", code="") == 1
    assert after.delta(before, LATENCY_COUNT, method="GET", route=SERVICES) == 1
    assert missing.json()["error_code"] == "ModelArts.0102"
    labels = {"method": "GET", "route": SERVICE, "status": str(missing.status_code)}
    assert after.delta(before, REQUESTS, **labels, code="ModelArts.0102") == 1
    assert (unknown.status_code, unknown.json()["error_code"]) == (404, "APIG.0101")
    unmatched = {"method": "GET", "route": "<unmatched>", "status": "404", "code": "APIG.0101"}
    assert after.delta(before, REQUESTS, **unmatched) == 1
    # IAM's body carries the status as its code (CONTRACT 4.4): so does the label.
    assert refused.status_code == 401
    login = {"method": "POST", "route": "/v3/auth/tokens", "status": "401", "code": "401"}
    assert after.delta(before, REQUESTS, **login) == 1
    # Templates, never the raw paths: an id is no label.
    assert project not in after.text


def test_the_fast_lane_and_the_full_app_count_one_listing_alike(client: TestClient, admin: Account) -> None:
    """The plain list is the fast lane's (issue 5); with a filter the route answers it. Same series."""
    project = admin.project()
    before = scrape(client)
    assert client.get(f"/v2/{project}/services", headers=admin.headers()).status_code == 200
    filtered = client.get(f"/v2/{project}/services?service_name=x", headers=admin.headers())
    assert filtered.status_code == 200
    after = scrape(client)
    assert after.delta(before, REQUESTS, method="GET", route=SERVICES, status="200", code="") == 2


def test_lifecycle_transitions_are_counted_once_committed(
    client: TestClient, admin: Account, settle: Callable[[], int]
) -> None:
    services = f"/v2/{admin.project()}/services"
    before = scrape(client)
    refused = client.post(
        services, json=service_body("svc-1", workspace_id="no-such-workspace"), headers=admin.headers()
    )
    assert refused.status_code == 400
    made = client.post(services, json=service_body("svc-1"), headers=admin.headers())
    assert made.status_code == 200
    service_id = made.json()["id"]
    service = f"{services}/{service_id}"
    settle()
    assert client.post(f"{service}/stop", headers=admin.headers()).status_code == 200
    settle()
    deleted = client.post(f"{services}/delete", json={"service_ids": [service_id]}, headers=admin.headers())
    assert deleted.status_code == 200
    settle()
    after = scrape(client)
    moves = [
        ("NEW", "DEPLOYING"),
        ("DEPLOYING", "RUNNING"),
        ("RUNNING", "STOPPING"),
        ("STOPPING", "STOPPED"),
        ("STOPPED", "DELETING"),
        ("DELETING", "GONE"),
    ]
    counted = {
        move: after.delta(before, TRANSITIONS, from_status=move[0], to_status=move[1]) for move in moves
    }
    assert counted == dict.fromkeys(moves, 1)


def test_a_store_failure_is_counted_and_answered_without_its_stack(
    client: TestClient, admin: Account, engine: Engine, workspaces_away: None
) -> None:
    kind = "OperationalError" if engine.dialect.name == "sqlite" else "ProgrammingError"
    headers = admin.headers()
    before = scrape(client)
    failed = client.get(f"/v1/{admin.project()}/workspaces", headers=headers)
    after = scrape(client)
    assert failed.status_code == 500
    assert failed.json() == {"error_code": "ModelArts.0001", "error_msg": "Internal server error."}
    assert after.delta(before, STORE_ERRORS, kind=kind) == 1
    labels = {
        "method": "GET",
        "route": "/v1/{project_id}/workspaces",
        "status": "500",
        "code": "ModelArts.0001",
    }
    assert after.delta(before, REQUESTS, **labels) == 1


def test_an_injected_fault_is_counted_under_the_route_it_caught(settings: Settings, engine: Engine) -> None:
    key = "metrics-operator-key-0123456789"
    chosen = settings.model_copy(update={"admin_api_key": SecretStr(key)})
    with TestClient(create_app(chosen, engine)) as client:
        account = Account(client, "admin", ADMIN_PASSWORD, "openmaas")
        rule = {"method": "GET", "path": "/v2/*/services", "status": 503, "error_code": "OpenMaaS.0999"}
        made = client.post("/openmaas/v1/faults", json=rule, headers={"Authorization": f"Bearer {key}"})
        assert made.status_code == 201, made.text
        before = scrape(client)
        caught = client.get(f"/v2/{account.project(HOME)}/services", headers=account.headers())
        after = scrape(client)
    assert (caught.status_code, caught.json()["error_code"]) == (503, "OpenMaaS.0999")
    labels = {"method": "GET", "route": SERVICES, "status": "503", "code": "OpenMaaS.0999"}
    assert after.delta(before, REQUESTS, **labels) == 1


def test_metrics_switched_off_are_not_published(settings: Settings, engine: Engine) -> None:
    with TestClient(create_app(settings.model_copy(update={"metrics": False}), engine)) as client:
        answer = client.get("/metrics")
    assert (answer.status_code, answer.json()["error_code"]) == (404, "APIG.0101")


def test_the_meters_bulk_add_is_what_observe_adds_for_each_observation() -> None:
    """The request meter moves its tallies into a histogram in bulk, through the library's own values
    (it has no public call for it): the exposition must be the same as one ``observe`` per request."""
    samples = [0.0001, 0.00025, 0.0007, 0.003, 0.003, 0.2, 9.0, 31.0, 500.0]
    by_observe, in_bulk = CollectorRegistry(), CollectorRegistry()
    one = Histogram("latency", "x", ["route"], buckets=LATENCY_BUCKETS, registry=by_observe).labels("/a")
    for seconds in samples:
        one.observe(seconds)
    tally = [0] * (len(LATENCY_BUCKETS) + 1)
    for seconds in samples:
        tally[bisect_left(LATENCY_BUCKETS, seconds)] += 1
    bulk = Histogram("latency", "x", ["route"], buckets=LATENCY_BUCKETS, registry=in_bulk).labels("/a")
    add_observations(bulk, sum(samples), tally)

    def exposed(registry: CollectorRegistry) -> list[str]:
        return [line for line in generate_latest(registry).decode().splitlines() if "_created" not in line]

    assert exposed(in_bulk) == exposed(by_observe)
    assert 'latency_bucket{le="0.00025",route="/a"} 2.0' in exposed(in_bulk)
    assert 'latency_count{route="/a"} 9.0' in exposed(in_bulk)


def test_a_request_is_published_within_a_second_without_a_scrape(client: TestClient, admin: Account) -> None:
    """Other processes read this one's values from the shared folder: its tallies are published on a
    timer too (D-62), not only when this process is scraped."""
    project = admin.project()

    def published() -> float:
        # This process's values as the library holds them, read without a scrape (which would publish).
        labels = {"method": "GET", "route": SERVICES, "status": "200", "code": ""}
        return REGISTRY.get_sample_value(REQUESTS, labels) or 0.0

    before = published()
    assert client.get(f"/v2/{project}/services", headers=admin.headers()).status_code == 200
    deadline = time.monotonic() + RequestMeter.PUBLISH_SECONDS * 5
    while published() == before:
        assert time.monotonic() < deadline, "the request was not published"
        time.sleep(0.02)
    assert published() == before + 1
