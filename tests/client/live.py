"""One `openmaas serve` shared by a test module (client, CLI and SDK tests), on the harness of
``tests/live.py``, with the settings that make those tests quick."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ADMIN_PASSWORD
from tests.live import Server, backend_store

DOMAIN = "openmaas"
USER = "admin"
QUICK_SETTINGS = {
    "OPENMAAS_ADMIN_PASSWORD": ADMIN_PASSWORD,
    "OPENMAAS_DEPLOY_DELAY_SECONDS": "0",
    "OPENMAAS_WORKER_INTERVAL_SECONDS": "0.05",
    "OPENMAAS_REVOCATION_POLL_SECONDS": "0.2",
    "OPENMAAS_USAGE_FLUSH_SECONDS": "0.2",
}


@dataclass(frozen=True)
class LiveServer:
    url: str
    backend: str
    log: Path


@contextmanager
def live_server(backend: str, workdir: Path) -> Iterator[LiveServer]:
    """Start the server, wait for /health, yield, and always stop it (SIGTERM, then kill)."""
    data_dir = workdir / "data"
    with backend_store(backend, data_dir) as store:
        server = Server(store=store, data_dir=data_dir, log_path=workdir / "server.log", env=QUICK_SETTINGS)
        try:
            server.start()
            yield LiveServer(server.url, backend, server.log_path)
        finally:
            _stop(server)


def _stop(server: Server) -> None:
    if server.process is None or server.process.poll() is not None:
        return
    try:
        server.stop()
    except subprocess.TimeoutExpired:
        server.kill()
