"""Fixtures of the browser tests: a live openmaas server and the mock model on loopback ports, and
Debian's chromium driven by Playwright. Screenshots go to tests/console/artifacts/ (git-ignored)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from openmaas.mock_model import MockOptions, create_mock_app
from tests.gateway.upstreams import served
from tests.live import Server, backend_store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"


@dataclass
class Console:
    """A live server with its console, the admin's password, and where its screenshots go."""

    server: Server
    password: str
    model_url: str
    artifacts: Path

    @property
    def url(self) -> str:
        return f"{self.server.url}/console"

    def shot(self, page: Page, name: str) -> None:
        page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=True)


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    artifacts = ARTIFACTS
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    with (
        served(create_mock_app(MockOptions(default_max_tokens=8))) as model_url,
        backend_store("sqlite", tmp_path / "data") as store,
    ):
        server = Server(
            store=store,
            data_dir=tmp_path / "data",
            log_path=tmp_path / "server.log",
            env={
                # Slow enough ticks that a new service is seen DEPLOYING before it runs.
                "OPENMAAS_WORKER_INTERVAL_SECONDS": "1",
                "OPENMAAS_DEPLOY_DELAY_SECONDS": "1",
                "OPENMAAS_USAGE_FLUSH_SECONDS": "0.5",
                "OPENMAAS_PASSWORD_HASH_TIME_COST": "1",
                "OPENMAAS_PASSWORD_HASH_MEMORY_KIB": "1024",
            },
        )
        try:
            server.start()
            print(f"\nconsole screenshots: {artifacts}")
            yield Console(server, server.admin_password(), model_url, artifacts)
        finally:
            server.kill()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Per test: Playwright's sync API runs an event loop on this thread while it is open, and
    asyncio.run() in any later test would refuse to start beside it."""
    # Fails, never skips: a console nobody has seen in a browser is not tested.
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make system-tools does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()
