"""Fixtures for the client tests: one live server per backend, shared by the client test modules
(starting one costs seconds; each test isolates itself with fresh names and workspaces)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openmaas_client import Client, PasswordAuth, Token
from tests.client.live import DOMAIN, USER, LiveServer, live_server
from tests.conftest import ADMIN_PASSWORD, BACKENDS, HOME


@pytest.fixture(scope="session", params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(request.param, tmp_path_factory.mktemp(f"live-{request.param}")) as server:
        yield server


ADMIN_AUTH = PasswordAuth(DOMAIN, USER, ADMIN_PASSWORD)


@pytest.fixture
def admin_auth() -> PasswordAuth:
    return ADMIN_AUTH


@pytest.fixture(scope="module")
def home_token(live: LiveServer) -> Token:
    """One login per module: password hashing is deliberately slow, so tests share this token."""
    with Client(live.url) as client:
        return client.create_token(ADMIN_AUTH, region=HOME)


@pytest.fixture
def api(live: LiveServer, home_token: Token) -> Iterator[Client]:
    """A sync client of the admin user, scoped to the MaaS home region's project."""
    with Client(live.url, ADMIN_AUTH, token=home_token) as client:
        yield client
