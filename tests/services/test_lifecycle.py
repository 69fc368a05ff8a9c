"""The lifecycle of CONTRACT 5.3, driven through the ``settle`` fixture, and D-8's upstream check."""

from __future__ import annotations

import http.server
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from openmaas.db.store import Store
from openmaas.services import repository
from openmaas.services.worker import LifecycleWorker
from tests.conftest import Account, count_rows
from tests.services.conftest import (
    act,
    create,
    delete,
    invalid,
    listing,
    not_found,
    services_url,
    show,
    update,
)

Settle = Callable[[], int]


def _illegal(action: str, service_id: str, status: str) -> dict[str, str]:
    return {
        "error_code": "ModelArts.0105",
        "error_msg": f"Cannot {action} service {service_id} in status {status}.",
    }


def _status(client: TestClient, admin: Account, service_id: str) -> str:
    status: str = show(client, admin, service_id)["status"]
    return status


def _versions(client: TestClient, admin: Account, service_id: str) -> list[str]:
    deployments = client.get(services_url(admin, f"/{service_id}/deployments"), headers=admin.headers())
    deployment = deployments.json()["data"][0]["id"]
    url = services_url(admin, f"/{service_id}/deployments/{deployment}/versions")
    return [item["version"] for item in client.get(url, headers=admin.headers()).json()["data"]]


def test_create_deploys_then_runs(client: TestClient, admin: Account, settle: Settle) -> None:
    created = create(client, admin)
    assert created["status"] == "DEPLOYING"
    assert settle() == 1
    assert _status(client, admin, created["id"]) == "RUNNING"
    assert settle() == 0
    assert _status(client, admin, created["id"]) == "RUNNING"


def test_stop_then_start(client: TestClient, admin: Account, settle: Settle) -> None:
    service_id = create(client, admin)["id"]
    settle()
    assert act(client, admin, service_id, "stop")["status"] == "STOPPING"
    assert settle() == 1
    assert _status(client, admin, service_id) == "STOPPED"
    assert act(client, admin, service_id, "start")["status"] == "DEPLOYING"
    assert settle() == 1
    assert _status(client, admin, service_id) == "RUNNING"


def test_update_upgrades_with_a_new_version(client: TestClient, admin: Account, settle: Settle) -> None:
    service_id = create(client, admin)["id"]
    settle()
    upgraded = update(client, admin, service_id, runtime_config={"service_invoke": {"auth_type": "API_KEY"}})
    assert upgraded["status"] == "UPGRADING"
    assert upgraded["version"]["version"] == "1.0.1"
    item = listing(client, admin)["data"][0]
    assert (item["version"], item["version_count"], item["auth_type"]) == ("1.0.1", 2, "API_KEY")
    assert settle() == 1
    assert _status(client, admin, service_id) == "RUNNING"
    update(client, admin, service_id, version="3.0.0", description="third")
    settle()
    item = listing(client, admin)["data"][0]
    assert (item["status"], item["version"], item["version_count"], item["description"]) == (
        "RUNNING",
        "3.0.0",
        3,
        "third",
    )
    assert _versions(client, admin, service_id) == ["3.0.0", "1.0.1", "1.0.0"]


def test_description_only_update_makes_no_version(client: TestClient, admin: Account, settle: Settle) -> None:
    service_id = create(client, admin)["id"]
    settle()
    updated = update(client, admin, service_id, description="only words")
    assert updated["status"] == "RUNNING"
    assert settle() == 0
    item = listing(client, admin)["data"][0]
    assert (item["version"], item["version_count"], item["description"]) == ("1.0.0", 1, "only words")
    assert _versions(client, admin, service_id) == ["1.0.0"]


def test_update_of_a_stopped_service_keeps_it_stopped(
    client: TestClient, admin: Account, settle: Settle
) -> None:
    service_id = create(client, admin)["id"]
    settle()
    act(client, admin, service_id, "stop")
    settle()
    updated = update(client, admin, service_id, group_configs=[{"count": 4}])
    assert updated["status"] == "STOPPED"
    assert updated["version"]["version"] == "1.0.1"
    assert settle() == 0
    assert act(client, admin, service_id, "start")["version"]["instance_groups"][0]["count"] == 4


def test_delete_then_gone(client: TestClient, admin: Account, settle: Settle, engine: Engine) -> None:
    """D-9 once the service is gone."""
    service_id = create(client, admin, tags=[{"key": "a", "value": "b"}])["id"]
    settle()
    assert delete(client, admin, service_id)["service_responses"][0]["status"] == "DELETING"
    listed = listing(client, admin)
    assert [(item["id"], item["status"]) for item in listed["data"]] == [(service_id, "DELETING")]
    assert settle() == 1
    response = client.get(services_url(admin, f"/{service_id}"), headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == not_found(service_id)
    assert listing(client, admin)["total"] == 0
    for table in ("services", "service_versions", "service_tags"):
        assert count_rows(engine, f"SELECT count(*) FROM {table}") == 0  # noqa: S608
    # The name is free again.
    assert create(client, admin)["status"] == "DEPLOYING"


def test_the_name_stays_taken_while_deleting(client: TestClient, admin: Account) -> None:
    service_id = create(client, admin, "held")["id"]
    delete(client, admin, service_id)
    response = client.post(services_url(admin), json={"name": "held"} | _minimal(), headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0103",
        "error_msg": "Service name held already exists.",
    }


def _minimal() -> dict[str, Any]:
    return {"type": "REAL_TIME", "deploy_type": "SINGLE", "group_configs": [], "runtime_config": {}}


def _post(client: TestClient, admin: Account, service_id: str, action: str) -> Any:
    if action == "update":
        return client.put(
            services_url(admin, f"/{service_id}"),
            json={"group_configs": [{"count": 2}]},
            headers=admin.headers(),
        )
    if action == "describe":
        return client.put(
            services_url(admin, f"/{service_id}"), json={"description": "x"}, headers=admin.headers()
        )
    if action == "delete":
        return client.post(
            services_url(admin, "/delete"), json={"service_ids": [service_id]}, headers=admin.headers()
        )
    return client.post(services_url(admin, f"/{service_id}/{action}"), headers=admin.headers())


# (how to reach the status, action, the verb in the message)
ILLEGAL = [
    ("RUNNING", "start", "start"),
    ("DEPLOYING", "start", "start"),
    ("DEPLOYING", "update", "update"),
    ("STOPPING", "stop", "stop"),
    ("STOPPING", "start", "start"),
    ("STOPPED", "stop", "stop"),
    ("UPGRADING", "start", "start"),
    ("UPGRADING", "update", "update"),
    ("DELETING", "update", "update"),
    ("DELETING", "describe", "update"),
    ("DELETING", "stop", "stop"),
    ("DELETING", "start", "start"),
    ("DELETING", "delete", "delete"),
]


def _reach(client: TestClient, admin: Account, settle: Settle, status: str) -> str:
    service_id = create(client, admin)["id"]
    if status == "DEPLOYING":
        return service_id
    settle()
    if status in ("STOPPING", "STOPPED"):
        act(client, admin, service_id, "stop")
        if status == "STOPPED":
            settle()
    elif status == "UPGRADING":
        update(client, admin, service_id, group_configs=[{"count": 2}])
    elif status == "DELETING":
        delete(client, admin, service_id)
    assert _status(client, admin, service_id) == status
    return service_id


@pytest.mark.parametrize(("status", "action", "verb"), ILLEGAL)
def test_illegal_actions(
    client: TestClient, admin: Account, settle: Settle, status: str, action: str, verb: str
) -> None:
    service_id = _reach(client, admin, settle, status)
    response = _post(client, admin, service_id, action)
    assert response.status_code == 400
    assert response.json() == _illegal(verb, service_id, status)
    assert _status(client, admin, service_id) == status


def test_failed_service_can_be_started_again(client: TestClient, admin: Account, settle: Settle) -> None:
    service_id = create(
        client, admin, upstream_url=f"http://127.0.0.1:{_closed_port()}/", deploy_timeout_minutes=0
    )["id"]
    assert settle() == 1
    assert _status(client, admin, service_id) == "FAILED"
    assert act(client, admin, service_id, "start")["status"] == "DEPLOYING"
    restarted = show(client, admin, service_id)
    assert restarted["failure_reason"] == ""


# ---- D-8: an upstream URL decides when a deployment is RUNNING ---------------------------------


def _closed_port() -> int:
    """A loopback port with nothing listening on it (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class _Quiet(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        """No request log on the test output."""


@pytest.fixture
def upstream() -> Iterator[tuple[int, Callable[[], None]]]:
    """A loopback port and a function that starts a tiny HTTP server on it; stopped at teardown."""
    port = _closed_port()
    servers: list[http.server.HTTPServer] = []

    def start() -> None:
        server = http.server.HTTPServer(("127.0.0.1", port), _Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)

    yield port, start
    for server in servers:
        server.shutdown()
        server.server_close()


def _settle_until(settle: Settle, done: Callable[[], bool], seconds: float = 15.0) -> None:
    """Tick the worker until ``done`` holds; a bounded wait, never an assertion on time."""
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "the transition did not settle in time"
        settle()
        time.sleep(0.05)


def test_d8_running_only_once_the_upstream_answers(
    client: TestClient, admin: Account, settle: Settle, upstream: tuple[int, Callable[[], None]]
) -> None:
    port, start = upstream
    created = create(client, admin, upstream_url=f"http://127.0.0.1:{port}/health")
    # A recheck is not a transition: nothing is reported as applied while the upstream is silent.
    assert settle() == 0
    assert _status(client, admin, created["id"]) == "DEPLOYING"
    start()
    _settle_until(settle, lambda: _status(client, admin, created["id"]) != "DEPLOYING")
    assert _status(client, admin, created["id"]) == "RUNNING"
    assert show(client, admin, created["id"])["failure_reason"] == ""


def test_d8_upgrade_also_waits_for_the_upstream(
    client: TestClient, admin: Account, settle: Settle, upstream: tuple[int, Callable[[], None]]
) -> None:
    port, start = upstream
    start()
    service_id = create(client, admin, upstream_url=f"http://127.0.0.1:{port}/")["id"]
    _settle_until(settle, lambda: _status(client, admin, service_id) == "RUNNING")
    moved = update(client, admin, service_id, upstream_url=f"http://127.0.0.1:{_closed_port()}/")
    assert moved["status"] == "UPGRADING"
    assert settle() == 0
    assert _status(client, admin, service_id) == "UPGRADING"


def test_d8_deploy_timeout_zero_fails_when_the_upstream_never_answers(
    client: TestClient, admin: Account, settle: Settle
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/"
    created = create(client, admin, upstream_url=url, deploy_timeout_minutes=0)
    assert settle() == 1
    failed = show(client, admin, created["id"])
    assert failed["status"] == "FAILED"
    assert failed["failure_reason"] == f"Upstream {url} did not become healthy in time."
    assert listing(client, admin)["data"][0]["status"] == "FAILED"
    assert settle() == 0


class _Held(http.server.BaseHTTPRequestHandler):
    """Answers each GET only when the test's ``answer`` (set on the server) says what to send."""

    server: _HeldServer

    def do_GET(self) -> None:
        status = self.server.answer(self.path)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """No request log on the test output."""


class _HeldServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer: Callable[[str], int]) -> None:
        super().__init__(("127.0.0.1", 0), _Held)
        self.answer = answer
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


def _tick_in_background(worker: LifecycleWorker) -> tuple[threading.Thread, list[int]]:
    applied: list[int] = []
    thread = threading.Thread(target=lambda: applied.append(worker.tick()), daemon=True)
    thread.start()
    return thread, applied


def test_d8_a_silent_upstream_does_not_hold_up_other_transitions(
    client: TestClient, admin: Account, engine: Engine
) -> None:
    asked, release = threading.Event(), threading.Event()

    def answer(path: str) -> int:
        asked.set()
        return 200 if release.wait(timeout=30) else 503

    upstream = _HeldServer(answer)
    try:
        waiting = create(client, admin, "waits-on-upstream", upstream_url=upstream.url("/health"))["id"]
        plain = create(client, admin, "no-upstream")["id"]
        thread, applied = _tick_in_background(LifecycleWorker(Store(engine), health_timeout=30))
        assert asked.wait(timeout=30), "the worker never asked the upstream"
        # The upstream has not answered yet, and the service without one has already settled.
        assert _status(client, admin, plain) == "RUNNING"
        assert _status(client, admin, waiting) == "DEPLOYING"
        release.set()
        thread.join(timeout=30)
        assert applied == [2]
        assert _status(client, admin, waiting) == "RUNNING"
    finally:
        release.set()
        upstream.close()


def test_d8_upstreams_are_asked_side_by_side(client: TestClient, admin: Account, engine: Engine) -> None:
    # Each upstream answers 200 only once both have been asked: asked one after the other, the first
    # gives up waiting for the second and answers 503, and neither deployment would run.
    both_asked = threading.Barrier(2, timeout=10)

    def answer(path: str) -> int:
        try:
            both_asked.wait()
        except threading.BrokenBarrierError:
            return 503
        return 200

    upstream = _HeldServer(answer)
    try:
        first = create(client, admin, "first", upstream_url=upstream.url("/first"))["id"]
        second = create(client, admin, "second", upstream_url=upstream.url("/second"))["id"]
        assert LifecycleWorker(Store(engine), health_timeout=30).tick() == 2
        assert _status(client, admin, first) == "RUNNING"
        assert _status(client, admin, second) == "RUNNING"
    finally:
        both_asked.abort()
        upstream.close()


@pytest.mark.parametrize("stored_url", ["http://\x01host/", "http://xn--/"])
def test_d8_a_stored_url_no_client_can_ask_fails_alone(
    client: TestClient,
    admin: Account,
    engine: Engine,
    settle: Settle,
    upstream: tuple[int, Callable[[], None]],
    stored_url: str,
) -> None:
    """A URL stored before create refused unusable ones (a control character, a host that is no
    IDNA name) counts as an upstream that never answers; it neither stops the tick nor holds up the
    others, those waiting on an upstream of their own included."""
    port, start = upstream
    start()
    broken = create(client, admin, "broken", upstream_url="http://127.0.0.1/", deploy_timeout_minutes=0)["id"]
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE services SET upstream_url = :url WHERE id = :id"), {"url": stored_url, "id": broken}
        )
    healthy = create(client, admin, "healthy", upstream_url=f"http://127.0.0.1:{port}/")["id"]
    plain = create(client, admin, "plain")["id"]
    assert settle() == 3
    failed = show(client, admin, broken)
    assert failed["status"] == "FAILED"
    assert failed["failure_reason"] == f"Upstream {stored_url} did not become healthy in time."
    assert (_status(client, admin, healthy), _status(client, admin, plain)) == ("RUNNING", "RUNNING")


def test_d8_a_host_name_that_never_resolves_holds_the_tick_no_longer_than_the_timeout(
    client: TestClient, admin: Account, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The health timeout bounds the name lookup too: the tick ends while the resolver is still
    stuck on the upstream's host name."""
    resolving, release = threading.Event(), threading.Event()
    real_getaddrinfo = socket.getaddrinfo

    def stuck_for_one_name(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in ("upstream.invalid", b"upstream.invalid"):
            resolving.set()
            release.wait(timeout=60)
            raise socket.gaierror("not found")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", stuck_for_one_name)
    try:
        url = "http://upstream.invalid/health"
        stuck = create(client, admin, "stuck", upstream_url=url, deploy_timeout_minutes=0)["id"]
        thread, applied = _tick_in_background(LifecycleWorker(Store(engine), health_timeout=0.5))
        thread.join(timeout=30)
        assert resolving.is_set()
        assert not release.is_set()
        assert applied == [1], "the tick waited for the resolver"
        assert show(client, admin, stuck)["status"] == "FAILED"
    finally:
        release.set()


def test_d8_update_refuses_an_unusable_upstream_url(
    client: TestClient, admin: Account, settle: Settle
) -> None:
    service_id = create(client, admin)["id"]
    settle()
    response = client.put(
        services_url(admin, f"/{service_id}"), headers=admin.headers(), json={"upstream_url": "http://"}
    )
    assert response.status_code == 400
    assert response.json() == invalid("upstream_url must name a host")
    assert show(client, admin, service_id)["status"] == "RUNNING"


class _Dripping(socketserver.BaseRequestHandler):
    """Sends an answer's status line and headers one byte at a time, until the test says stop:
    every read by the client gets a byte well within any per-read timeout."""

    server: _DrippingServer

    def handle(self) -> None:
        self.server.connected.set()
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
            if self.server.stop.wait(timeout=0.2):
                return
            try:
                self.request.sendall(bytes([byte]))
            except OSError:
                return  # the client gave up


class _DrippingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Dripping)
        self.connected, self.stop = threading.Event(), threading.Event()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.shutdown()
        self.server_close()


def test_d8_an_upstream_that_answers_a_byte_at_a_time_is_not_healthy(
    client: TestClient, admin: Account, engine: Engine
) -> None:
    """The health timeout bounds the whole check, not each read: a dripping upstream counts as one
    that never answered, and the tick ends while it is still dripping."""
    upstream = _DrippingServer()
    try:
        url = f"http://127.0.0.1:{upstream.server_address[1]}/"
        dripping = create(client, admin, "dripping", upstream_url=url, deploy_timeout_minutes=0)["id"]
        thread, applied = _tick_in_background(LifecycleWorker(Store(engine), health_timeout=1))
        thread.join(timeout=30)
        assert upstream.connected.is_set()
        assert not upstream.stop.is_set()
        assert applied == [1], "the tick did not end while the upstream was still dripping"
        failed = show(client, admin, dripping)
        assert (failed["status"], failed["failure_reason"]) == (
            "FAILED",
            f"Upstream {url} did not become healthy in time.",
        )
    finally:
        upstream.close()


def test_d8_a_long_upstream_url_fails_within_the_reason_column(
    client: TestClient, admin: Account, settle: Settle
) -> None:
    """upstream_url may be 2048 characters, failure_reason holds 512: the reason is shortened, not
    refused by the store (which stopped every later settle on PostgreSQL)."""
    base = f"http://127.0.0.1:{_closed_port()}/"
    long_url = base + "a" * 2000
    long_one = create(client, admin, "long", upstream_url=long_url, deploy_timeout_minutes=0)["id"]
    short_one = create(client, admin, "short", upstream_url=base, deploy_timeout_minutes=0)["id"]
    assert settle() == 2
    reason = show(client, admin, long_one)["failure_reason"]
    room = 512 - len("Upstream ... did not become healthy in time.")
    assert reason == f"Upstream {long_url[:room]}... did not become healthy in time."
    assert len(reason) == 512
    assert show(client, admin, short_one)["status"] == "FAILED"


def test_a_row_that_fails_to_settle_holds_up_no_other(
    client: TestClient,
    admin: Account,
    settle: Settle,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = create(client, admin, "broken")["id"]
    healthy = create(client, admin, "healthy")["id"]
    compare_and_set = repository.compare_and_set

    def failing_for_one(connection: Any, scope: Any, service_id: str, *args: Any) -> bool:
        if service_id == broken:
            raise RuntimeError("the store refused this row")
        return compare_and_set(connection, scope, service_id, *args)

    monkeypatch.setattr(repository, "compare_and_set", failing_for_one)
    assert settle() == 1
    assert (_status(client, admin, broken), _status(client, admin, healthy)) == ("DEPLOYING", "RUNNING")
    assert f"service {broken}: settling DEPLOYING failed; retried on the next tick" in caplog.text
    monkeypatch.setattr(repository, "compare_and_set", compare_and_set)
    assert settle() == 1
    assert _status(client, admin, broken) == "RUNNING"


def test_two_workers_apply_each_transition_once(client: TestClient, admin: Account, engine: Engine) -> None:
    ids = [create(client, admin, f"svc-{n}")["id"] for n in range(12)]
    workers = [LifecycleWorker(Store(engine)), LifecycleWorker(Store(engine))]

    def run_both() -> int:
        barrier = threading.Barrier(len(workers))
        applied: list[int] = []

        def run(worker: LifecycleWorker) -> None:
            barrier.wait(timeout=10)
            applied.append(worker.tick())

        threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(applied) == len(workers)
        return sum(applied)

    assert run_both() == 12
    assert {_status(client, admin, i) for i in ids} == {"RUNNING"}
    for service_id in ids[:6]:
        act(client, admin, service_id, "stop")
    delete(client, admin, *ids[6:])
    assert run_both() == 12
    assert {_status(client, admin, i) for i in ids[:6]} == {"STOPPED"}
    assert listing(client, admin)["total"] == 6
    assert count_rows(engine, "SELECT count(*) FROM services") == 6
    assert (
        count_rows(
            engine,
            "SELECT service_count FROM workspaces WHERE id = '0' AND project_id = :p",
            p=admin.project(),
        )
        == 6
    )
    assert run_both() == 0
