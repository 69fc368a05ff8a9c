"""A cluster per test: the real `openmaas cluster up` on a fresh PostgreSQL database, always taken down
again (and its processes killed if `down` could not)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from openmaas_cli.cluster import process_started
from tests.conftest import ADMIN_PASSWORD, HOME, password_body
from tests.live import Store, backend_store, base_env, free_port, openmaas_command

SERVERS = 3
COMMAND_SECONDS = 120
# Cheap password hashes keep logins fast; the hash format and checks are the same.
CLUSTER_ENV = {
    "OPENMAAS_ADMIN_PASSWORD": ADMIN_PASSWORD,
    "OPENMAAS_PASSWORD_HASH_TIME_COST": "1",
    "OPENMAAS_PASSWORD_HASH_MEMORY_KIB": "1024",
    # One long rate-limit window: a burst never straddles two (tests wait out the window's last minute).
    "OPENMAAS_RATE_LIMIT_WINDOW_SECONDS": "3600",
}


def cluster_command(store: Store, *args: str) -> subprocess.CompletedProcess[str]:
    """One `openmaas cluster ...` command to completion (bounded)."""
    return subprocess.run(
        openmaas_command("cluster", *args),
        env=base_env(store, CLUSTER_ENV),
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )


@dataclass
class Cluster:
    store: Store
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return cluster_command(self.store, *args, "--dir", str(self.folder))

    def status(self) -> dict[str, Any]:
        done = self.run("status", "--output", "json")
        assert "Traceback" not in done.stderr, done.stderr
        status: dict[str, Any] = json.loads(done.stdout)
        status["exit_code"] = done.returncode
        return status

    def members(self) -> list[dict[str, Any]]:
        """The processes as the state file records them (readable after `down` too)."""
        members: list[dict[str, Any]] = json.loads((self.folder / "cluster.json").read_text())["members"]
        return members

    def servers(self) -> list[dict[str, Any]]:
        return [member for member in self.members() if member["role"].startswith("server-")]

    def client(self, port: int | None = None) -> httpx.Client:
        return httpx.Client(base_url=f"http://127.0.0.1:{port or self.port}", timeout=30)


def kill_leftovers(members: list[dict[str, Any]]) -> None:
    for member in members:
        if process_started(member["pid"]) == member["started"]:
            os.kill(member["pid"], signal.SIGKILL)


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[Store]:
    with backend_store("postgresql", tmp_path / "data") as store:
        yield store


@pytest.fixture
def cluster(pg_store: Store, tmp_path: Path) -> Iterator[Cluster]:
    """Three servers behind nginx, started with the real command; down at teardown, whatever happened."""
    started = Cluster(pg_store, tmp_path / "cluster", free_port())
    up = started.run(
        "up", "--servers", str(SERVERS), "--database-url", pg_store.url, "--port", str(started.port)
    )
    members = started.members() if (started.folder / "cluster.json").exists() else []
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield started
    finally:
        if (started.folder / "cluster.json").exists():
            started.run("down")
        kill_leftovers(members)


@dataclass
class Login:
    token: str
    project: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Auth-Token": self.token, "Content-Type": "application/json"}


def login(http: httpx.Client) -> Login:
    body = password_body(password=ADMIN_PASSWORD, scope={"project": {"name": HOME}})
    response = http.post("/v3/auth/tokens", json=body)
    assert response.status_code == 201, response.text
    return Login(response.headers["X-Subject-Token"], response.json()["token"]["project"]["id"])
