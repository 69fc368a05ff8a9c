"""Fixtures: every API test runs against SQLite and against PostgreSQL (127.0.0.1:5432).

Test databases are built by the Alembic migrations, never by ``create_all``. PostgreSQL being
unreachable is an error, not a skip: the suite must prove both stores.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from openmaas.app import create_app
from openmaas.auth.passwords import HashCost, hash_password
from openmaas.bootstrap import bootstrap
from openmaas.config import Settings
from openmaas.db.engine import make_engine
from openmaas.db.session import transaction
from openmaas.db.store import Store
from openmaas.iam import service as iam
from openmaas.schema import metadata
from openmaas.schema.migrate import upgrade
from openmaas.services.worker import LifecycleWorker
from tests.answers import check_answers

pytest_plugins = ["tests.redis_server", "tests.model_servers"]

PG_ADMIN_DSN = os.environ.get("OPENMAAS_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
ADMIN_PASSWORD = "Admin-Passw0rd!"
OTHER_PASSWORD = "Other-Passw0rd!"
HOME = "ap-southeast-1"
OTHER = "cn-southwest-2"
BACKENDS = ["sqlite", "postgresql"]


def _pg_url(database: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{database}"


def _create_pg_database(name: str) -> None:
    try:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL at {PG_ADMIN_DSN} is required by the suite and is unreachable: {error}")


def _drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated store per backend for the whole session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'openmaas.db'}"
        yield url
        return
    name = f"openmaas_test_{uuid.uuid4().hex[:12]}"
    _create_pg_database(name)
    try:
        yield _pg_url(name)
    finally:
        _drop_pg_database(name)


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _empty_store(engine: Engine) -> None:
    with transaction(engine, write=True) as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        admin_password=ADMIN_PASSWORD,
        deploy_delay_seconds=0,
        run_worker=False,
        # Cheap hashes keep logins fast in tests; the hash format and checks are the same.
        password_hash_time_cost=1,
        password_hash_memory_kib=1024,
    )


@pytest.fixture
def engine(migrated_engine: Engine, settings: Settings) -> Engine:
    """The session's store, emptied and bootstrapped again for this test."""
    _empty_store(migrated_engine)
    bootstrap(Store(migrated_engine), settings)
    return migrated_engine


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """The ASGI app in-process; the lifecycle worker is driven by ``settle``."""
    with TestClient(create_app(settings, engine), raise_server_exceptions=False) as test_client:
        yield check_answers(test_client)


@pytest.fixture
def settle(engine: Engine) -> Callable[[], int]:
    """Run the lifecycle worker once, as a server process would on its next tick."""
    worker = LifecycleWorker(Store(engine))
    return worker.tick


def password_body(
    user: str = "admin",
    password: str = ADMIN_PASSWORD,
    domain: str = "openmaas",
    scope: dict[str, Any] | None = None,
) -> dict[str, Any]:
    auth: dict[str, Any] = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": user, "password": password, "domain": {"name": domain}}},
        }
    }
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


class Account:
    """A logged-in user: token and project ids per region."""

    def __init__(self, client: TestClient, user: str, password: str, domain: str) -> None:
        self.client = client
        self.user, self.password, self.domain = user, password, domain
        self.tokens: dict[str, str] = {}
        self.projects: dict[str, str] = {}

    def login(self, region: str = HOME) -> str:
        response = self.client.post(
            "/v3/auth/tokens",
            json=password_body(self.user, self.password, self.domain, {"project": {"name": region}}),
        )
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


@pytest.fixture
def admin(client: TestClient) -> Account:
    return Account(client, "admin", ADMIN_PASSWORD, "openmaas")


@pytest.fixture
def make_account(client: TestClient, engine: Engine, settings: Settings) -> Callable[[str, str], Account]:
    """Another domain with its own user and one project per region (tenant isolation tests)."""

    def make(domain: str, user: str = "user1", password: str = OTHER_PASSWORD) -> Account:
        with transaction(engine, write=True) as connection:
            password_hash = hash_password(password, HashCost.of(settings))
            domain_id = iam.create_account(connection, domain, user, password_hash)
            iam.add_region_projects(connection, domain_id, [region.id for region in settings.regions], user)
        return Account(client, user, password, domain)

    return make


def service_body(name: str = "svc-1", **overrides: Any) -> dict[str, Any]:
    """A minimal valid create body (CONTRACT 5.2)."""
    body: dict[str, Any] = {
        "name": name,
        "type": "REAL_TIME",
        "deploy_type": "SINGLE",
        "group_configs": [{"count": 1}],
        "runtime_config": {"service_invoke": {"port": 8080, "protocol": "HTTP", "auth_type": "NONE"}},
    }
    body.update(overrides)
    return body


def count_rows(engine: Engine, sql: str, **params: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())


@pytest.fixture
def make_home_only_account(client: TestClient, engine: Engine) -> Callable[[str], Account]:
    """A domain whose only project is in the MaaS home region (made in the store, as an operator would)."""

    def make(domain: str) -> Account:
        with transaction(engine, write=True) as connection:
            domain_id = iam.create_account(connection, domain, "user1", hash_password(OTHER_PASSWORD))
            iam.add_region_projects(connection, domain_id, [HOME], "user1")
        return Account(client, "user1", OTHER_PASSWORD, domain)

    return make
