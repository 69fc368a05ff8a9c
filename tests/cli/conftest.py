"""Fixtures for the CLI tests: one live server and one logged-in config folder per module and backend.

Commands run in-process through typer's CliRunner at a fixed width, so table output is stable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from openmaas_cli import display
from openmaas_cli.main import app
from tests.client.live import LiveServer, live_server
from tests.conftest import ADMIN_PASSWORD, BACKENDS

WIDTH = 100


@dataclass(frozen=True)
class Cli:
    """Runs `openmaas ...` with its own config folder (XDG_CONFIG_HOME) against the live server."""

    server: LiveServer
    config_home: Path

    @property
    def config_dir(self) -> Path:
        return self.config_home / "openmaas"

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str | None] | None = None
    ) -> Result:
        return invoke(self.config_home, *args, input=input, env=env)


def invoke(
    config_home: Path, *args: str, input: str | None = None, env: dict[str, str | None] | None = None
) -> Result:
    """`openmaas ...` in-process with ``config_home`` as XDG_CONFIG_HOME and no secrets from the shell."""
    environment: dict[str, str | None] = {
        "XDG_CONFIG_HOME": str(config_home),
        "COLUMNS": str(WIDTH),
        "OPENMAAS_PROFILE": None,
        "OPENMAAS_PASSWORD": None,
        "OPENMAAS_SECRET_ACCESS_KEY": None,
        **(env or {}),
    }
    return CliRunner().invoke(app, list(args), input=input, env=environment)


@pytest.fixture(scope="module", params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(request.param, tmp_path_factory.mktemp(f"live-{request.param}")) as server:
        yield server


@pytest.fixture(scope="module")
def cli(live: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """Logged in once per module as the bootstrap admin, password kept (0600) so tokens renew."""
    runner = Cli(live, tmp_path_factory.mktemp("config"))
    result = runner(
        "login",
        "--endpoint",
        live.url,
        "--domain",
        "openmaas",
        "--user",
        "admin",
        env={"OPENMAAS_PASSWORD": ADMIN_PASSWORD},
    )
    assert result.exit_code == 0, result.output
    return runner


@pytest.fixture(autouse=True)
def fixed_width() -> Iterator[None]:
    """The rich consoles at a fixed size whatever the terminal running the tests."""
    saved = [(console, console.size) for console in (display.console, display.errors)]
    for console, _ in saved:
        console.size = (WIDTH, 25)
    yield
    for console, (width, height) in saved:
        console.size = (width, height)
