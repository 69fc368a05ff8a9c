"""`openmaas cluster` (issue 12): three servers on one PostgreSQL behind nginx act as one service, a
killed server is routed around with nothing acknowledged lost, and `down` leaves nothing behind."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from openmaas_cli.cluster import process_started
from tests.cluster.conftest import SERVERS, Cluster, cluster_command, login
from tests.conftest import service_body
from tests.live import Store, free_port, wait_for
from tests.telemetry.scrape import settled_delta, settled_scrape

pytestmark = pytest.mark.e2e

UPSTREAM = "X-OpenMaaS-Upstream"
REQUESTS = "openmaas_http_requests_total"


def _refuses(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True


def _running_under(folder: Path) -> list[str]:
    """Live processes that `up` started in the cluster folder: named in their command line, or, for
    redis-server (which rewrites its command line), working in it."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or process_started(int(entry.name)) is None:
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if str(folder) in command or cwd.startswith(str(folder)):
            found.append(command)
    return found


def _names(http: httpx.Client, project: str, headers: dict[str, str]) -> list[str]:
    response = http.get(f"/v2/{project}/services", params={"limit": 500}, headers=headers)
    assert response.status_code == 200, response.text
    return [service["name"] for service in response.json()["data"]]


def test_a_write_through_nginx_is_read_on_every_server_and_nginx_spreads_requests(cluster: Cluster) -> None:
    servers = cluster.servers()
    assert len(servers) == SERVERS
    with cluster.client() as front:
        session = login(front)
        made = front.post(
            f"/v2/{session.project}/services", json=service_body("via-nginx"), headers=session.headers
        )
        assert made.status_code == 200, made.text
        service_id = made.json()["id"]
        answered_by = Counter(
            front.get(f"/v2/{session.project}/services/{service_id}", headers=session.headers).headers[
                UPSTREAM
            ]
            for _ in range(4 * SERVERS)
        )
    # Round robin: every server answered some of the reads through nginx.
    assert set(answered_by) == {f"127.0.0.1:{server['port']}" for server in servers}
    for server in servers:
        with cluster.client(server["port"]) as direct:
            read = direct.get(f"/v2/{session.project}/services/{service_id}", headers=session.headers)
            assert read.status_code == 200, read.text
            assert read.json()["name"] == "via-nginx"


def test_a_killed_server_is_routed_around_and_no_acknowledged_write_is_lost_or_doubled(
    cluster: Cluster,
) -> None:
    victim, *survivors = cluster.servers()
    with cluster.client() as front:
        session = login(front)
        os.kill(victim["pid"], signal.SIGKILL)
        wait_for(lambda: _refuses(victim["port"]) or None, 10, "the killed server's port to close")
        reads = [front.get(f"/v2/{session.project}/services", headers=session.headers) for _ in range(30)]
        # Every read succeeds: nginx retries an idempotent request on the next server.
        assert [read.status_code for read in reads] == [200] * 30
        # nginx names every server it tried, the one that answered last.
        answered = {read.headers[UPSTREAM].split(", ")[-1] for read in reads}
        assert f"127.0.0.1:{victim['port']}" not in answered
        acknowledged = []
        for n in range(20):
            made = front.post(
                f"/v2/{session.project}/services",
                json=service_body(f"after-kill-{n}"),
                headers=session.headers,
            )
            if made.is_success:
                acknowledged.append(f"after-kill-{n}")
    with cluster.client(survivors[0]["port"]) as direct:
        names = Counter(_names(direct, session.project, session.headers))
    assert acknowledged, "no write was acknowledged after the kill"
    assert all(names[name] == 1 for name in acknowledged), names
    # Nothing was applied twice, acknowledged or not.
    assert max(names.values()) == 1


def test_status_shows_a_dead_server_and_down_stops_every_process_and_frees_every_port(
    cluster: Cluster,
) -> None:
    victim = cluster.servers()[1]
    healthy = cluster.status()
    assert healthy["exit_code"] == 0
    assert {member["state"] for member in healthy["members"]} == {"running"}
    assert [member["role"] for member in healthy["members"]] == [
        "redis",
        *(f"server-{n}" for n in range(SERVERS)),
        "nginx",
    ]
    os.kill(victim["pid"], signal.SIGKILL)
    wait_for(lambda: process_started(victim["pid"]) is None or None, 10, "the killed server to end")
    status = cluster.status()
    assert status["exit_code"] == 1
    states = {member["role"]: member["state"] for member in status["members"]}
    assert states == {**{role: "running" for role in states}, victim["role"]: "dead"}

    members = cluster.members()
    # Every member but the killed one is found so (the check after `down` would see them).
    assert len(_running_under(cluster.folder)) == len(members) - 1
    done = cluster.run("down")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"stopped {len(members) - 1} processes" in done.stdout
    assert all(process_started(member["pid"]) is None for member in members)
    assert all(_refuses(member["port"]) for member in members)
    assert _running_under(cluster.folder) == []
    assert not (cluster.folder / "metrics").exists()
    assert not (cluster.folder / "cluster.json").exists()


def test_metrics_through_nginx_sum_the_requests_of_every_server(cluster: Cluster) -> None:
    with cluster.client() as front:
        before = settled_scrape(front)
        answered_by = Counter(front.get("/health").headers[UPSTREAM] for _ in range(30))
        labels = {"method": "GET", "route": "/health", "status": "200", "code": ""}
        # Each scrape is one server's: whichever answers must show the whole cluster's counts.
        assert settled_delta(front, before, 30, REQUESTS, **labels) == 30
    assert len(answered_by) == SERVERS
    assert len(list((cluster.folder / "metrics").glob("counter_*.db"))) >= SERVERS


def test_up_refuses_a_taken_port_with_a_message_and_starts_nothing(pg_store: Store, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        folder = tmp_path / "cluster"
        done = cluster_command(
            pg_store, "up", "--database-url", pg_store.url, "--port", str(port), "--dir", str(folder)
        )
    assert done.returncode == 3
    assert f"error: port {port} on 127.0.0.1 is taken" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (folder / "cluster.json").exists()


def test_up_says_when_the_database_is_unreachable_and_leaves_nothing_running(
    pg_store: Store, tmp_path: Path
) -> None:
    unreachable = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/openmaas"
    folder = tmp_path / "cluster"
    started = time.monotonic()
    done = cluster_command(
        pg_store, "up", "--database-url", unreachable, "--port", str(free_port()), "--dir", str(folder)
    )
    assert done.returncode == 4, done.stdout + done.stderr
    assert "error: cannot prepare the store: cannot use the store at postgresql+psycopg://" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert time.monotonic() - started < 60
    assert not (folder / "cluster.json").exists()
    # The private redis-server it had started is stopped again.
    assert (folder / "logs" / "redis.log").exists()
    assert _running_under(folder) == []


def test_up_needs_a_postgresql_url(pg_store: Store, tmp_path: Path) -> None:
    done = cluster_command(
        pg_store, "up", "--database-url", f"sqlite:///{tmp_path / 'x.db'}", "--dir", str(tmp_path / "c")
    )
    assert done.returncode == 3
    assert "a cluster shares one PostgreSQL database" in done.stderr


def test_a_second_up_from_the_same_folder_is_refused_and_leaves_the_first_running(cluster: Cluster) -> None:
    again = cluster.run("up", "--database-url", cluster.store.url, "--port", str(free_port()))
    assert again.returncode == 3
    assert f"a cluster started from {cluster.folder} is running" in again.stderr
    assert cluster.status()["exit_code"] == 0


def test_down_without_a_cluster_says_so(pg_store: Store, tmp_path: Path) -> None:
    done = cluster_command(pg_store, "down", "--dir", str(tmp_path / "nothing"))
    assert done.returncode == 3
    assert f"no cluster was started from {tmp_path / 'nothing'}" in done.stderr
    assert "Traceback" not in done.stderr
