"""A live `openmaas serve` process per test, on a free loopback port, over SQLite or a fresh PostgreSQL
database. Every process started here is killed in the fixture's teardown, whatever the test did."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import HOME, _create_pg_database, _drop_pg_database, _pg_url, password_body

OPENMAAS_SCRIPT = Path(sys.executable).with_name("openmaas")
STARTUP_SECONDS = 60.0
STOP_SECONDS = 40.0
T = TypeVar("T")


def openmaas_command(*args: str) -> list[str]:
    """The installed console script beside this interpreter, else the same entry point through it."""
    if OPENMAAS_SCRIPT.exists():
        return [str(OPENMAAS_SCRIPT), *args]
    return [sys.executable, "-c", "from openmaas_cli.main import app; app()", *args]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(probe: Callable[[], T | None], timeout: float, what: str, interval: float = 0.1) -> T:
    """Poll ``probe`` until it returns something other than None, at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Store:
    """Where the servers of one test keep their state."""

    backend: str
    url: str
    # Extra environment every server (and command) of the test gets.
    env: dict[str, str]
    pg_database: str | None = None

    def scalar(self, sql: str, **params: Any) -> Any:
        """Read the store directly, as an operator's SQL client would (between server runs)."""
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                return connection.execute(text(sql), params).scalar_one()
        finally:
            engine.dispose()


def _base_env(store: Store, extra: dict[str, str]) -> dict[str, str]:
    # The developer's own OPENMAAS_* settings must not leak into the server under test.
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPENMAAS_")}
    env.update(
        OPENMAAS_DEPLOY_DELAY_SECONDS="1",
        OPENMAAS_WORKER_INTERVAL_SECONDS="0.1",
        OPENMAAS_REVOCATION_POLL_SECONDS="0.5",
        PYTHONUNBUFFERED="1",
    )
    env.update(store.env)
    env.update(extra)
    return env


def run_command(store: Store, data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """One `openmaas` command to completion (bounded)."""
    return subprocess.run(
        openmaas_command(*args, "--data-dir", str(data_dir)),
        env=_base_env(store, env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass
class Server:
    """One `openmaas serve` process."""

    store: Store
    data_dir: Path
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        command = openmaas_command(
            "serve", "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", str(self.data_dir)
        )
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=_base_env(self.store, self.env), stdout=log, stderr=subprocess.STDOUT
            )
        wait_for(self._healthy, STARTUP_SECONDS, f"{self.url}/health\n{self.log()}")
        return self

    def _healthy(self) -> bool | None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log()}")
        try:
            return httpx.get(f"{self.url}/health", timeout=2).status_code == 200 or None
        except httpx.TransportError:
            return None

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def signal(self, signum: int = signal.SIGTERM) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def wait(self) -> int:
        """The exit status once the process has stopped by itself (bounded)."""
        assert self.process is not None
        return self.process.wait(timeout=STOP_SECONDS)

    def stop(self) -> int:
        self.signal(signal.SIGTERM)
        return self.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_SECONDS)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def admin_password(self) -> str:
        return (self.data_dir / "admin-password").read_text().strip()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The embedded SQLite file of the first data folder, or a fresh PostgreSQL database (dropped after)."""
    # Replicas on different hosts share the store and this key, not a data folder.
    key = {"OPENMAAS_SECRET_KEY": base64.b64encode(secrets.token_bytes(32)).decode()}
    if request.param == "sqlite":
        yield Store("sqlite", f"sqlite:///{tmp_path / 'data' / 'openmaas.db'}", key)
        return
    name = f"openmaas_e2e_{uuid.uuid4().hex[:12]}"
    _create_pg_database(name)
    try:
        yield Store("postgresql", _pg_url(name), {**key, "OPENMAAS_DATABASE_URL": _pg_url(name)}, name)
    finally:
        _drop_pg_database(name)


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[Store]:
    """For what only a shared server store can show (several processes, an outage)."""
    key = {"OPENMAAS_SECRET_KEY": base64.b64encode(secrets.token_bytes(32)).decode()}
    name = f"openmaas_e2e_{uuid.uuid4().hex[:12]}"
    _create_pg_database(name)
    try:
        yield Store("postgresql", _pg_url(name), {**key, "OPENMAAS_DATABASE_URL": _pg_url(name)}, name)
    finally:
        _drop_pg_database(name)


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
