"""The live-server harness: real `openmaas serve` processes on free loopback ports, over SQLite or a
fresh PostgreSQL database that is dropped afterwards. Used by the end-to-end, client, CLI and SDK tests."""

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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import create_engine, text

from tests.conftest import _create_pg_database, _drop_pg_database, _pg_url

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


def base_env(store: Store, extra: dict[str, str]) -> dict[str, str]:
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
        env=base_env(store, env),
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
                command, env=base_env(self.store, self.env), stdout=log, stderr=subprocess.STDOUT
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


def new_secret_key() -> dict[str, str]:
    # Replicas on different hosts share the store and this key, not a data folder.
    return {"OPENMAAS_SECRET_KEY": base64.b64encode(secrets.token_bytes(32)).decode()}


@contextmanager
def backend_store(backend: str, data_dir: Path) -> Iterator[Store]:
    """The embedded SQLite file of ``data_dir``, or a fresh PostgreSQL database (dropped after)."""
    if backend == "sqlite":
        yield Store("sqlite", f"sqlite:///{data_dir / 'openmaas.db'}", new_secret_key())
        return
    name = f"openmaas_e2e_{uuid.uuid4().hex[:12]}"
    _create_pg_database(name)
    try:
        url = _pg_url(name)
        yield Store("postgresql", url, {**new_secret_key(), "OPENMAAS_DATABASE_URL": url}, name)
    finally:
        _drop_pg_database(name)
