"""The operator's client (`openmaas_client.AdminClient`) and commands (`openmaas admin ...`) against a live
server (issue 11), including the pytest fixture the README shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from openmaas_cli.main import app
from openmaas_client import AdminClient, ApiError, Client, PasswordAuth
from tests.conftest import ADMIN_PASSWORD, service_body
from tests.live import Server, backend_store

pytestmark = pytest.mark.e2e

ADMIN_KEY = "cli-operator-key-0123456789abcdef"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp(f"admin-{request.param}")
    env = {
        "OPENMAAS_ADMIN_API_KEY": ADMIN_KEY,
        "OPENMAAS_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "OPENMAAS_DEPLOY_DELAY_SECONDS": "0",
    }
    with backend_store(request.param, workdir / "data") as store:
        live = Server(
            store=store, data_dir=workdir / "data", log_path=workdir / "server.log", env=env
        ).start()
        try:
            yield live
        finally:
            live.kill()


# ---- the README's fixture, as a user's suite would write it -------------------------------------


@pytest.fixture
def openmaas(server: Server) -> Iterator[AdminClient]:
    with AdminClient(server.url, ADMIN_KEY) as admin:
        admin.reset(seed=1)
        admin.save_snapshot("baseline")
        yield admin


@pytest.fixture
def clean_store(openmaas: AdminClient) -> AdminClient:
    openmaas.restore_snapshot("baseline")
    openmaas.clear_faults()
    return openmaas


def _client(server: Server) -> Client:
    return Client(server.url, PasswordAuth("openmaas", "admin", ADMIN_PASSWORD))


def test_each_test_starts_from_the_baseline(server: Server, clean_store: AdminClient) -> None:
    with _client(server) as client:
        client.create_service(service_body("left-behind"))
    clean_store.restore_snapshot("baseline")
    with _client(server) as client:
        assert client.list_services().total == 0


def test_the_client_drives_every_admin_feature(server: Server, clean_store: AdminClient) -> None:
    created = clean_store.create_domain("team-ci")
    assert created.password
    assert [d.name for d in clean_store.list_domains()] == ["openmaas", "team-ci"]
    rule = clean_store.set_lifecycle("deploy", "manual")
    assert (rule.target, rule.mode) == ("*", "manual")
    with _client(server) as client:
        service = client.create_service(service_body("manual-one"))
    assert clean_store.settle(service.id) == "RUNNING"
    fault = clean_store.add_fault(path="/v2/*/services", method="GET", status=503, count=1)
    with _client(server) as client, pytest.raises(ApiError) as failed:
        client.list_services()
    assert (failed.value.status_code, failed.value.error_code) == (503, "OpenMaaS.0999")
    assert [f.id for f in clean_store.list_faults()] == [fault.id]
    assert clean_store.clear_faults() == 1
    clean_store.clear_lifecycle("deploy")
    clean_store.delete_domain(created.domain.id)
    with pytest.raises(ApiError) as gone:
        clean_store.show_domain(created.domain.id)
    assert gone.value.error_code == "OpenMaaS.0404"


def test_a_wrong_key_is_an_api_error(server: Server) -> None:
    with AdminClient(server.url, ADMIN_KEY + "x") as admin, pytest.raises(ApiError) as refused:
        admin.list_domains()
    assert (refused.value.status_code, refused.value.error_code) == (401, "OpenMaaS.0401")


def _cli(server: Server, *args: str, key: str | None = ADMIN_KEY) -> object:
    env = {"OPENMAAS_ENDPOINT": server.url, "OPENMAAS_ADMIN_API_KEY": key}
    return CliRunner().invoke(app, ["admin", *args], env=env)


def test_the_commands(server: Server, clean_store: AdminClient, tmp_path: Path) -> None:
    made = _cli(server, "domains", "create", "team-cli", "-o", "json")
    assert made.exit_code == 0, made.output  # type: ignore[attr-defined]
    body = json.loads(made.stdout)  # type: ignore[attr-defined]
    assert body["domain"]["name"] == "team-cli"
    listed = _cli(server, "domains", "list", "-o", "json")
    assert [d["name"] for d in json.loads(listed.stdout)["domains"]] == ["openmaas", "team-cli"]  # type: ignore[attr-defined]
    assert _cli(server, "snapshots", "save", "with-team").exit_code == 0  # type: ignore[attr-defined]
    fault = _cli(server, "faults", "add", "--path", "/v3/*", "--status", "500", "-o", "json")
    assert json.loads(fault.stdout)["status"] == 500  # type: ignore[attr-defined]
    assert _cli(server, "faults", "clear").stdout == "1 fault rules removed\n"  # type: ignore[attr-defined]
    rule = _cli(server, "lifecycle", "set", "stop", "fail", "--reason", "stuck", "-o", "json")
    assert json.loads(rule.stdout)["reason"] == "stuck"  # type: ignore[attr-defined]
    reset = _cli(server, "reset", "--seed", "3")
    assert reset.stdout == "store reset to its bootstrap state (domain openmaas)\n"  # type: ignore[attr-defined]
    restored = _cli(server, "snapshots", "restore", "with-team", "-o", "json")
    assert json.loads(restored.stdout)["name"] == "with-team"  # type: ignore[attr-defined]
    assert (
        httpx.get(
            f"{server.url}/openmaas/v1/domains", headers={"Authorization": f"Bearer {ADMIN_KEY}"}
        ).json()["domains"][1]["name"]
        == "team-cli"
    )


def test_without_the_key_the_commands_say_so(server: Server) -> None:
    result = _cli(server, "domains", "list", key=None)
    assert result.exit_code == 3  # type: ignore[attr-defined]
    assert "set OPENMAAS_ADMIN_API_KEY" in result.stderr  # type: ignore[attr-defined]
