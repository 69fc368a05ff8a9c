"""A real `openmaas serve` process on a free loopback port, on SQLite or on a fresh PostgreSQL
database that is dropped afterwards. Shared by the client and CLI tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_PASSWORD, _create_pg_database, _drop_pg_database, _pg_url

START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
DOMAIN = "openmaas"
USER = "admin"


@dataclass(frozen=True)
class LiveServer:
    url: str
    backend: str
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(data_dir: Path, database_url: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("OPENMAAS_")}
    environment.update(
        OPENMAAS_ADMIN_PASSWORD=ADMIN_PASSWORD,
        OPENMAAS_DATABASE_URL=database_url,
        OPENMAAS_DEPLOY_DELAY_SECONDS="0",
        OPENMAAS_WORKER_INTERVAL_SECONDS="0.05",
        OPENMAAS_REVOCATION_POLL_SECONDS="0.2",
    )
    return environment


def _wait_until_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"openmaas serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"openmaas serve did not answer /health within {START_TIMEOUT_SECONDS} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT_SECONDS)


@contextmanager
def _database(backend: str, data_dir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{data_dir / 'openmaas.db'}"
        return
    name = f"openmaas_live_{uuid.uuid4().hex[:12]}"
    _create_pg_database(name)
    try:
        yield _pg_url(name)
    finally:
        _drop_pg_database(name)


@contextmanager
def live_server(backend: str, workdir: Path) -> Iterator[LiveServer]:
    """Start the server, wait for /health, yield, and always stop it (SIGTERM, then kill)."""
    data_dir = workdir / "data"
    data_dir.mkdir()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = workdir / "server.log"
    command = [str(Path(sys.executable).parent / "openmaas"), "serve", "--host", "127.0.0.1"]
    with _database(backend, data_dir) as database_url, log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--data-dir", str(data_dir)],
            env=_environment(data_dir, database_url),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(process, url, log)
            yield LiveServer(url, backend, log)
        finally:
            _stop(process)
