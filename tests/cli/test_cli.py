"""The `openmaas` command line against a live server: profiles and secrets, tables at a fixed width,
`--output json` equal to the API's own body, and expected failures as a message and an exit code."""

from __future__ import annotations

import json
import re
import stat
import time
import tomllib
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from openmaas_cli import display
from openmaas_client import Client, PasswordAuth
from tests.cli.conftest import WIDTH, Cli
from tests.conftest import ADMIN_PASSWORD, HOME, OTHER

pytestmark = pytest.mark.e2e

REQUEST_ID = r"[0-9a-f]{32}"


def api_get(cli: Cli, path: str, **params: Any) -> Any:
    """The raw body the API answers, with the token the CLI cached."""
    secrets = tomllib.loads((cli.config_dir / "secrets.toml").read_text())
    token = secrets["default"]["tokens"][HOME]["value"]
    response = httpx.get(f"{cli.server.url}{path}", params=params, headers={"X-Auth-Token": token})
    assert response.status_code == 200, response.text
    return response.json()


def project_id(cli: Cli) -> str:
    secrets = tomllib.loads((cli.config_dir / "secrets.toml").read_text())
    body = json.loads(secrets["default"]["tokens"][HOME]["body"])
    project: str = body["token"]["project"]["id"]
    return project


def listing(body: dict[str, Any], items: str = "data", total: str = "total") -> dict[str, Any]:
    """What `--output json` prints for a listing the API answered in one page (``body``)."""
    return {items: body[items], total: body[total]}


def one_line(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create_service(cli: Cli, *args: str) -> dict[str, Any]:
    result = cli("services", "create", *args, "--output", "json")
    assert result.exit_code == 0, result.output
    body: dict[str, Any] = json.loads(result.stdout)
    return body


def wait_running(cli: Cli, service_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20.0
    while True:
        body: dict[str, Any] = json.loads(cli("services", "show", service_id, "-o", "json").stdout)
        if body["status"] == "RUNNING" or time.monotonic() > deadline:
            assert body["status"] == "RUNNING"
            return body
        time.sleep(0.05)


# Profiles and secrets


def test_login_saves_the_profile_and_keeps_secrets_0600(cli: Cli) -> None:
    config = tomllib.loads((cli.config_dir / "config.toml").read_text())
    assert config == {
        "default": {
            "endpoint": cli.server.url,
            "domain": "openmaas",
            "user": "admin",
            "region": HOME,
        }
    }
    secrets_path = cli.config_dir / "secrets.toml"
    assert stat.S_IMODE(secrets_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cli.config_dir.stat().st_mode) == 0o700
    secrets = tomllib.loads(secrets_path.read_text())["default"]
    assert secrets["password"] == ADMIN_PASSWORD
    assert set(secrets["tokens"]) == {HOME}
    assert ADMIN_PASSWORD not in (cli.config_dir / "config.toml").read_text()


def test_login_without_saving_the_password(cli: Cli, tmp_path: Path) -> None:
    """--no-save-password keeps only the token; commands then use it until it expires."""
    other = Cli(cli.server, tmp_path)
    result = other(
        "login",
        "--endpoint",
        cli.server.url,
        "--domain",
        "openmaas",
        "--user",
        "admin",
        "--no-save-password",
        "--password-stdin",
        input=f"{ADMIN_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"logged in to {cli.server.url} as admin in domain openmaas, project ")
    secrets = tomllib.loads((other.config_dir / "secrets.toml").read_text())["default"]
    assert "password" not in secrets
    assert stat.S_IMODE((other.config_dir / "secrets.toml").stat().st_mode) == 0o600
    listed = other("regions", "list", "-o", "json")
    assert listed.exit_code == 0, listed.output


def test_wrong_password_login_fails_with_the_iam_message(cli: Cli, tmp_path: Path) -> None:
    other = Cli(cli.server, tmp_path)
    result = other(
        "login",
        "--endpoint",
        cli.server.url,
        "--domain",
        "openmaas",
        "--user",
        "admin",
        env={"OPENMAAS_PASSWORD": "wrong-password"},
    )
    assert result.exit_code == display.API_FAILURE
    assert re.fullmatch(
        rf"error: 401: The username or password is wrong\. \(HTTP 401, request id {REQUEST_ID}\)\n",
        result.stderr,
    )
    assert "Traceback" not in result.output
    assert not (other.config_dir / "secrets.toml").exists()


def test_access_key_login_signs_commands(cli: Cli, tmp_path: Path) -> None:
    """§3: a profile with an access key signs every call; the SK is kept 0600, never in config.toml."""
    with Client(cli.server.url, PasswordAuth("openmaas", "admin", ADMIN_PASSWORD)) as client:
        key = client.create_access_key(description="cli test")
    assert key.secret is not None
    try:
        other = Cli(cli.server, tmp_path)
        login = other(
            "login",
            "--endpoint",
            cli.server.url,
            "--access-key",
            key.access,
            "-o",
            "json",
            env={"OPENMAAS_SECRET_ACCESS_KEY": key.secret},
        )
        assert login.exit_code == 0, login.output
        assert [project["name"] for project in json.loads(login.stdout)["projects"]] == [HOME]
        secrets = tomllib.loads((other.config_dir / "secrets.toml").read_text())["default"]
        assert secrets == {"secret_key": key.secret}
        assert key.secret not in (other.config_dir / "config.toml").read_text()
        regions = other("regions", "list", "-o", "json")
        assert regions.exit_code == 0, regions.output
        assert json.loads(regions.stdout) == api_get(
            cli, f"/v1/{project_id(cli)}/maas/services/custom-endpoint/regions"
        )
    finally:
        with Client(cli.server.url, PasswordAuth("openmaas", "admin", ADMIN_PASSWORD)) as client:
            client.delete_access_key(key.access)


# Tables at a fixed width


def test_regions_table(cli: Cli) -> None:
    """§6.1 as a table for people."""
    result = cli("regions", "list")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "┏━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┓\n"
        "┃ REGION_ID      ┃ EN_US                 ┃ ZH_CN       ┃\n"
        "┡━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━┩\n"
        "│ ap-southeast-1 │ CN-Hong Kong          │ 中国-香港   │\n"
        "│ cn-southwest-2 │ CN Southwest-Guiyang1 │ 西南-贵阳一 │\n"
        "└────────────────┴───────────────────────┴─────────────┘\n"
    )


def test_tables_fit_the_fixed_width(cli: Cli) -> None:
    service = create_service(cli, "--name", unique("wide"), "--description", "x" * 300)
    for args in (("services", "list"), ("services", "show", service["id"])):
        result = cli(*args)
        assert result.exit_code == 0, result.output
        assert max(len(line) for line in result.stdout.splitlines()) <= WIDTH


# --output json is the API's own body


def test_json_output_equals_the_raw_api_body(cli: Cli) -> None:
    project = project_id(cli)
    workspace = json.loads(cli("workspaces", "create", unique("jsonws"), "-o", "json").stdout)
    service = create_service(
        cli, "--name", unique("json"), "--workspace", workspace["id"], "--auth-type", "NONE"
    )
    wait_running(cli, service["id"])
    checks = {
        ("regions", "list"): f"/v1/{project}/maas/services/custom-endpoint/regions",
        ("services", "show", service["id"]): f"/v2/{project}/services/{service['id']}",
        ("workspaces", "show", workspace["id"]): f"/v1/{project}/workspaces/{workspace['id']}",
        ("maas", "workspaces", "--region", HOME): f"/v1/{project}/maas/services/workspace/{HOME}",
    }
    for args, path in checks.items():
        result = cli(*args, "--output", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == api_get(cli, path), args
    agreement = cli("endpoints", "agreement", "--lang", "zh", "--output", "json")
    assert json.loads(agreement.stdout) == api_get(
        cli, f"/v1/{project}/maas/compliance/agreements", lang="zh"
    )
    infer = cli("maas", "services", "--region", HOME, "--workspace", workspace["id"], "-o", "json")
    assert infer.stdout == one_line(
        listing(
            api_get(
                cli,
                f"/v1/{project}/maas/services/custom-endpoint/services/{HOME}",
                workspace_id=workspace["id"],
                limit=100,
                offset=0,
            )
        )
    )
    services = cli("services", "list", "--workspace", workspace["id"], "-o", "json")
    assert services.stdout == one_line(
        listing(api_get(cli, f"/v2/{project}/services", workspace_id=workspace["id"], limit=100, offset=0))
    )


def test_json_listing_is_one_document_across_pages(cli: Cli) -> None:
    """5 items in pages of 4 (D-10 paging): one JSON document of every item, under the API's key
    names, with the API's total; a table of the same listing shows every item."""
    project = project_id(cli)
    workspace = json.loads(cli("workspaces", "create", unique("pages"), "-o", "json").stdout)["id"]
    ids = {create_service(cli, "--name", unique("page"), "--workspace", workspace)["id"] for _ in range(5)}
    for service_id in ids:
        wait_running(cli, service_id)
    result = cli("maas", "services", "-r", HOME, "-w", workspace, "--page-size", "4", "-o", "json")
    assert result.exit_code == 0, result.output
    path = f"/v1/{project}/maas/services/custom-endpoint/services/{HOME}"
    pages = [api_get(cli, path, workspace_id=workspace, limit=4, offset=offset) for offset in (0, 4)]
    assert [(len(page["data"]), page["total"]) for page in pages] == [(4, 5), (1, 5)]
    assert result.stdout == one_line({"data": pages[0]["data"] + pages[1]["data"], "total": 5})
    assert {item["id"] for item in json.loads(result.stdout)["data"]} == ids
    table = cli("maas", "services", "-r", HOME, "-w", workspace, "--page-size", "4")
    assert table.exit_code == 0, table.output
    assert all(service_id[:20] in table.stdout for service_id in ids)


def test_json_workspace_listing_keeps_the_api_key_names(cli: Cli) -> None:
    prefix = unique("wsjson")
    for number in range(5):
        assert cli("workspaces", "create", f"{prefix}-{number}").exit_code == 0
    result = cli("workspaces", "list", "--name", prefix, "--page-size", "4", "-o", "json")
    assert result.exit_code == 0, result.output
    path = f"/v1/{project_id(cli)}/workspaces"
    pages = [api_get(cli, path, name=prefix, limit=4, offset=offset) for offset in (0, 4)]
    workspaces = pages[0]["workspaces"] + pages[1]["workspaces"]
    assert sorted(item["name"] for item in workspaces) == [f"{prefix}-{number}" for number in range(5)]
    assert result.stdout == one_line({"workspaces": workspaces, "total_count": 5})


def test_long_listing_shows_progress_on_stderr(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress is drawn on stderr when it is a terminal; stdout keeps only the data."""
    terminal = Console(stderr=True, force_terminal=True, force_interactive=True, width=WIDTH)
    monkeypatch.setattr(display, "errors", terminal)
    workspace = json.loads(cli("workspaces", "create", unique("progress"), "-o", "json").stdout)["id"]
    for _ in range(2):
        create_service(cli, "--name", unique("prog"), "--workspace", workspace)
    result = cli("services", "list", "--workspace", workspace, "--page-size", "1", "-o", "json")
    assert result.exit_code == 0, result.output
    assert "services" in result.stderr
    assert "2/2" in result.stderr
    document = json.loads(result.stdout)
    assert (len(document["data"]), document["total"], result.stdout.count("\n")) == (2, 2, 1)


# Services


def test_service_commands(cli: Cli, tmp_path: Path) -> None:
    """§5.2-§5.3 through the CLI: create from a file, update, stop, start, versions, delete."""
    name = unique("fromfile")
    body_file = tmp_path / "service.json"
    body_file.write_text(
        json.dumps(
            {
                "name": name,
                "type": "REAL_TIME",
                "deploy_type": "SINGLE",
                "group_configs": [{"count": 1}],
                "runtime_config": {"service_invoke": {"port": 9000, "protocol": "HTTP", "auth_type": "NONE"}},
            }
        )
    )
    created = create_service(cli, "--file", str(body_file), "--description", "from a file")
    assert (created["name"], created["status"]) == (name, "DEPLOYING")
    assert created["version"]["runtime_config"]["service_invoke"]["port"] == 9000
    wait_running(cli, created["id"])
    updated = cli("services", "update", created["id"], "--count", "2", "-o", "json")
    assert json.loads(updated.stdout)["status"] == "UPGRADING"
    wait_running(cli, created["id"])
    stopped = cli("services", "stop", created["id"])
    assert stopped.exit_code == 0, stopped.output
    assert re.search(r"│ status\s+│ STOPPING\s+│", stopped.stdout)
    versions = cli("services", "versions", created["id"], "-o", "json")
    assert [item["version"] for item in json.loads(versions.stdout)["data"]] == ["1.0.1", "1.0.0"]
    filtered = cli("services", "list", "--name", name, "-o", "json")
    assert json.loads(filtered.stdout)["total"] == 1
    assert [item["id"] for item in json.loads(filtered.stdout)["data"]] == [created["id"]]
    deleted = cli("services", "delete", created["id"], "-o", "json")
    assert [(item["id"], item["status"]) for item in json.loads(deleted.stdout)["service_responses"]] == [
        (created["id"], "DELETING")
    ]


def test_create_from_flags_needs_a_name(cli: Cli) -> None:
    result = cli("services", "create")
    assert result.exit_code == 2
    assert result.stderr == 'error: a name is required: --name, or "name" in --file\n'


# Expected failures


def test_api_error_prints_code_and_message_without_traceback(cli: Cli) -> None:
    """D-9 through the CLI: stderr has the code and message, stdout nothing, exit code 1."""
    missing = str(uuid.uuid4())
    result = cli("services", "show", missing)
    assert result.exit_code == display.API_FAILURE
    assert result.stdout == ""
    assert re.fullmatch(
        rf"error: ModelArts\.0102: Service {missing} does not exist\. "
        rf"\(HTTP 400, request id {REQUEST_ID}\)\n",
        result.stderr,
    )
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_maas_unknown_region_error(cli: Cli) -> None:
    """D-11 through `openmaas maas services`."""
    result = cli("maas", "services", "--region", "xx-nowhere-9", "-o", "json")
    assert result.exit_code == display.API_FAILURE
    assert result.stdout == ""
    assert re.fullmatch(
        rf"error: ModelArts\.0104: Invalid region ID: xx-nowhere-9\. \(HTTP 400, request id {REQUEST_ID}\)\n",
        result.stderr,
    )


def test_unknown_profile_is_a_configuration_failure(cli: Cli) -> None:
    result = cli("regions", "list", "--profile", "nobody")
    assert result.exit_code == display.CONFIGURATION_FAILURE
    config = cli.config_dir / "config.toml"
    assert result.stderr == f"error: no profile 'nobody' in {config}; run `openmaas login` first\n"


def test_unreachable_server_is_reported(cli: Cli, tmp_path: Path) -> None:
    config_dir = tmp_path / "openmaas"
    config_dir.mkdir()
    (config_dir / "config.toml").write_text('[default]\nendpoint = "http://127.0.0.1:9"\n')
    (config_dir / "secrets.toml").write_text('[default]\npassword = "x"\n')
    result = Cli(cli.server, tmp_path)("regions", "list")
    assert result.exit_code == display.UNREACHABLE
    assert result.stderr.startswith("error: cannot reach the server: POST http://127.0.0.1:9/v3/auth/tokens")
    assert "Traceback" not in result.output


# Custom endpoints (§6.4, §6.5)


def test_endpoint_commands(cli: Cli) -> None:
    """Issue 4's flow through the CLI: create on a RUNNING service, list, edit, deactivate, activate,
    delete, and fail to create another with the same name."""
    workspace = json.loads(cli("workspaces", "create", unique("epws"), "-o", "json").stdout)["id"]
    service = create_service(cli, "--name", unique("front"), "--workspace", workspace, "--auth-type", "NONE")
    wait_running(cli, service["id"])
    name = unique("ep")
    target = ("--service", service["id"], "--region", HOME, "--workspace", workspace)
    created = cli("endpoints", "create", name, *target, "--rpm", "10", "-o", "json")
    assert created.exit_code == 0, created.output
    endpoint = json.loads(created.stdout)
    assert (endpoint["endpoint_name"], endpoint["rpm"], endpoint["status"]) == (name, 10, "ACTIVE")
    listed = json.loads(cli("endpoints", "list", "-o", "json").stdout)
    assert endpoint["id"] in {item["id"] for item in listed["items"]}
    assert listed["total"] == len(listed["items"])
    edited = cli(
        "endpoints",
        "edit",
        endpoint["id"],
        "--rpm",
        "20",
        "--no-moderation",
        "--accept-agreement",
        "-o",
        "json",
    )
    assert edited.exit_code == 0, edited.output
    assert (json.loads(edited.stdout)["rpm"], json.loads(edited.stdout)["moderation"]) == (20, False)
    for action, status in (("deactivate", "INACTIVE"), ("activate", "ACTIVE")):
        result = cli("endpoints", action, endpoint["id"])
        assert result.stdout == f"endpoint {endpoint['id']} {action}d\n"
        listed = json.loads(cli("endpoints", "list", "-o", "json").stdout)
        assert {item["id"]: item["status"] for item in listed["items"]}[endpoint["id"]] == status
    deleted = cli("endpoints", "delete", endpoint["id"])
    assert deleted.stdout == f"endpoint {endpoint['id']} deleted\n"
    again = cli("endpoints", "create", name, *target)
    assert again.exit_code == display.API_FAILURE
    assert again.stderr.startswith(
        f"error: ModelArts.6271: Custom endpoint name {name} has already been used"
    )


def test_other_region_workspaces_via_maas(cli: Cli) -> None:
    result = cli("maas", "workspaces", "--region", OTHER)
    assert result.exit_code == 0, result.output
    assert re.search(r"│ 0\s+│ default\s+│", result.stdout)
