"""Fixtures of the end-to-end tests: servers started here are killed at teardown, whatever the test did."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import HOME, password_body
from tests.live import Server, Store, backend_store, run_command, wait_for

__all__ = ["HeldRequest", "Server", "Session", "Store", "refuses_connections", "run_command", "wait_for"]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The embedded SQLite file of the first data folder, or a fresh PostgreSQL database (dropped after)."""
    with backend_store(request.param, tmp_path / "data") as chosen:
        yield chosen


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[Store]:
    """For what only a shared server store can show (several processes, an outage)."""
    with backend_store("postgresql", tmp_path / "data") as chosen:
        yield chosen


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start servers; all of them are killed at teardown if the test did not stop them."""
    started: list[Server] = []

    def start(store: Store, data_dir: Path | None = None, **env: str) -> Server:
        index = len(started)
        server = Server(
            store=store,
            data_dir=data_dir or tmp_path / "data",
            log_path=tmp_path / f"server-{index}.log",
            env=env,
        )
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.kill()


@dataclass
class Session:
    """A logged-in admin of a live server: token and project per region."""

    http: httpx.Client
    password: str
    tokens: dict[str, str] = field(default_factory=dict)
    projects: dict[str, str] = field(default_factory=dict)

    def login(self, region: str = HOME) -> str:
        scope = {"project": {"name": region}}
        response = self.http.post("/v3/auth/tokens", json=password_body(password=self.password, scope=scope))
        assert response.status_code == 201, response.text
        self.tokens[region] = response.headers["X-Subject-Token"]
        self.projects[region] = response.json()["token"]["project"]["id"]
        return self.tokens[region]

    def headers(self, region: str = HOME) -> dict[str, str]:
        if region not in self.tokens:
            self.login(region)
        return {"X-Auth-Token": self.tokens[region], "Content-Type": "application/json"}

    def project(self, region: str = HOME) -> str:
        if region not in self.projects:
            self.login(region)
        return self.projects[region]


class HeldRequest:
    """A POST the server has started to handle and whose body it is waiting for.

    ``Expect: 100-continue`` makes the server answer "100 Continue" only once the application asks
    for the body: from then on the request is in flight, for as long as the body is held back.
    """

    def __init__(self, port: int, path: str, body: bytes) -> None:
        self._body = body
        self._pending = b""
        self._socket = socket.create_connection(("127.0.0.1", port), timeout=30)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
        )
        self._socket.sendall(head.encode())
        interim = self._read_head()
        assert interim.startswith(b"HTTP/1.1 100"), interim

    def finish(self) -> tuple[int, dict[str, str], bytes]:
        """Send the body; the final status, headers and body."""
        self._socket.sendall(self._body)
        head = self._read_head()
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self._pending
        while len(body) < int(headers.get("content-length", "0")):
            chunk = self._socket.recv(65536)
            if not chunk:
                break
            body += chunk
        self._socket.close()
        return int(status_line.split()[1]), headers, body

    def close(self) -> None:
        self._socket.close()

    def _read_head(self) -> bytes:
        data = self._pending
        while b"\r\n\r\n" not in data:
            chunk = self._socket.recv(65536)
            if not chunk:
                raise AssertionError(f"connection closed before a full response head: {data!r}")
            data += chunk
        head, _, self._pending = data.partition(b"\r\n\r\n")
        return head


def refuses_connections(port: int) -> bool | None:
    """True once nothing listens on ``port`` (a stopping server closes its listener first)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return None
    except ConnectionRefusedError:
        return True
