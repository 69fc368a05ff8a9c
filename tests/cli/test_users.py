"""`openmaas users` (D-50 to D-57): against a live server, and the exact requests it sends against a
stub on the loopback. Passwords never come from a flag's value."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from openmaas_cli import display
from tests.cli.conftest import Cli, invoke
from tests.cli.test_offline import access_key_profile, assert_failed
from tests.client.stub import stub_server

PASSWORD = "Cli-User-Passw0rd"
NEW_PASSWORD = "Cli-Newer-Passw0rd"
NO_HEADERS: dict[str, str] = {}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def run_json(cli: Cli, *args: str, env: dict[str, str | None] | None = None) -> Any:
    result = cli(*args, "-o", "json", env=env)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


# ---- live ------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_user_commands_in_json(cli: Cli, tmp_path: Path) -> None:
    name = unique("cli")
    env: dict[str, str | None] = {"OPENMAAS_NEW_PASSWORD": PASSWORD}
    created = run_json(cli, "users", "create", name, "--password", "--email", f"{name}@example.com", env=env)
    user = created["user"]
    assert (user["name"], user["email"], user["is_domain_owner"]) == (name, f"{name}@example.com", False)
    listed = run_json(cli, "users", "list", "--name", name)
    assert [item["id"] for item in listed["users"]] == [user["id"]]
    shown = run_json(cli, "users", "show", name)
    assert shown["user"]["id"] == user["id"]
    updated = run_json(cli, "users", "update", user["id"], "--description", "from the cli", "--admin")
    assert (updated["user"]["description"], updated["user"]["is_domain_owner"]) == ("from the cli", True)
    # The new user logs in with its own profile and changes its own password.
    own = Cli(cli.server, tmp_path)
    login_args = ("login", "--endpoint", cli.server.url, "--domain", "openmaas", "--user", name)
    login = own(*login_args, env={"OPENMAAS_PASSWORD": PASSWORD})
    assert login.exit_code == 0, login.output
    changed = own("users", "passwd", "--password-stdin", input=f"{PASSWORD}\n{NEW_PASSWORD}\n")
    assert (changed.exit_code, changed.stdout) == (0, "password changed\n"), changed.output
    wrong = own("users", "passwd", "--password-stdin", input=f"{PASSWORD}\n{NEW_PASSWORD}x\n")
    assert wrong.exit_code == display.API_FAILURE
    assert wrong.stderr.startswith("error: 403: The original password is wrong. (HTTP 403, request id ")
    deleted = cli("users", "delete", name)
    assert (deleted.exit_code, deleted.stdout) == (0, f"user {name} deleted\n")
    assert run_json(cli, "users", "list", "--name", name)["users"] == []


@pytest.mark.e2e
def test_user_table_and_errors(cli: Cli) -> None:
    name = unique("tbl")
    created = cli("users", "create", name, "--password-stdin", "--disabled", input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    assert name in created.stdout
    assert "is_domain_owner" in created.stdout
    listed = cli("users", "list", "--disabled")
    assert name in listed.stdout
    taken = cli("users", "create", name)
    assert taken.exit_code == display.API_FAILURE
    assert taken.stderr.startswith(
        f"error: 409: The user name {name} already exists in the domain. (HTTP 409, request id "
    )
    missing = cli("users", "show", "nobody-" + name)
    assert_failed(missing, display.API_FAILURE, f"error: no user named 'nobody-{name}' in your domain\n")
    assert cli("users", "delete", name).exit_code == 0


# ---- exact requests --------------------------------------------------------------------------------

USER_ID = "a" * 32
USER_BODY = {"id": USER_ID, "name": "alice", "domain_id": "d" * 32, "enabled": True, "description": ""}


def test_update_sends_only_the_options_given(tmp_path: Path) -> None:
    path = f"/v3.0/OS-USER/users/{USER_ID}"
    with stub_server({f"PUT {path}": (200, {"user": USER_BODY}, NO_HEADERS)}) as stub:
        access_key_profile(tmp_path, stub.url)
        result = invoke(
            tmp_path,
            "users",
            "update",
            USER_ID,
            "--no-admin",
            "--disable",
            "--email",
            "",
            "-o",
            "json",
        )
        with_password = invoke(
            tmp_path, "users", "update", USER_ID, "--password", env={"OPENMAAS_NEW_PASSWORD": PASSWORD}
        )
    assert result.exit_code == 0, result.output
    assert with_password.exit_code == 0, with_password.output
    assert PASSWORD not in with_password.stdout
    assert stub.bodies("PUT") == [
        {"user": {"email": "", "is_admin": False, "enabled": False}},
        {"user": {"password": PASSWORD}},
    ]


def test_update_with_nothing_to_change_is_a_usage_failure(tmp_path: Path) -> None:
    access_key_profile(tmp_path, "http://127.0.0.1:9")
    result = invoke(tmp_path, "users", "update", USER_ID)
    assert_failed(result, display.USAGE_FAILURE, "error: nothing to change: give at least one option\n")
