"""Bootstrap (issue 2, item 3; CONTRACT 2): ``openmaas bootstrap`` on an empty store and again."""

from __future__ import annotations

import base64
import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from openmaas.app import create_app
from openmaas.config import Settings
from openmaas.db.session import transaction
from openmaas.iam.tables import domains, projects, users
from openmaas.schema import metadata
from openmaas.workspaces.tables import workspaces
from openmaas_cli.main import app as cli
from tests.conftest import HOME, OTHER, password_body

THIRD = "la-south-2"
REGIONS = [
    {"id": HOME, "en_us": "CN-Hong Kong", "zh_cn": "中国-香港"},
    {"id": OTHER, "en_us": "CN Southwest-Guiyang1", "zh_cn": "西南-贵阳一"},
]
OPENMAAS = Path(sys.executable).parent / "openmaas"


@pytest.fixture
def empty_store(migrated_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The session's migrated store with every row removed, and no OPENMAAS_ variable inherited."""
    for name in list(os.environ):
        if name.startswith("OPENMAAS_"):
            monkeypatch.delenv(name)
    with transaction(migrated_engine, write=True) as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
    return migrated_engine


def _env(database_url: str, **extra: str) -> dict[str, str]:
    return {"OPENMAAS_DATABASE_URL": database_url, **extra}


def _bootstrap(data_dir: Path, env: dict[str, str]) -> Any:
    result = CliRunner().invoke(cli, ["bootstrap", "--data-dir", str(data_dir)], env=env)
    assert result.exit_code == 0, result.output
    return result


def _snapshot(engine: Engine) -> dict[str, Any]:
    """Every account row the bootstrap owns, to compare two runs."""
    with transaction(engine, write=False) as connection:
        return {
            "domains": [tuple(row) for row in connection.execute(select(domains).order_by(domains.c.id))],
            "users": [tuple(row) for row in connection.execute(select(users).order_by(users.c.id))],
            "projects": [
                tuple(row) for row in connection.execute(select(projects).order_by(projects.c.name))
            ],
            "workspaces": [
                tuple(row) for row in connection.execute(select(workspaces).order_by(workspaces.c.project_id))
            ],
        }


def _login(engine: Engine, data_dir: Path, password: str, region: str = HOME) -> int:
    """A login through an app on the same store and data folder (whose key file the bootstrap used)."""
    settings = Settings(
        database_url=str(engine.url.render_as_string(hide_password=False)),
        data_dir=data_dir,
        run_worker=False,
    )
    with TestClient(create_app(settings, engine)) as client:
        response = client.post(
            "/v3/auth/tokens", json=password_body(password=password, scope={"project": {"name": region}})
        )
    return response.status_code


def test_empty_store_gets_domain_user_and_a_project_per_region(
    empty_store: Engine, database_url: str, tmp_path: Path
) -> None:
    _bootstrap(tmp_path, _env(database_url, OPENMAAS_ADMIN_PASSWORD="Chosen-Passw0rd"))
    rows = _snapshot(empty_store)
    assert [row[1] for row in rows["domains"]] == ["openmaas"]
    domain_id = rows["domains"][0][0]
    assert [(row[1], row[2]) for row in rows["users"]] == [(domain_id, "admin")]
    assert [(row[1], row[2]) for row in rows["projects"]] == [(domain_id, HOME), (domain_id, OTHER)]
    with transaction(empty_store, write=False) as connection:
        defaults = connection.execute(select(workspaces)).all()
    assert sorted((row.project_id, row.id, row.name) for row in defaults) == sorted(
        (row[0], "0", "default") for row in rows["projects"]
    )
    # A chosen password is not written anywhere on disk.
    assert not (tmp_path / "admin-password").exists()
    assert _login(empty_store, tmp_path, "Chosen-Passw0rd") == 201


def test_names_come_from_the_settings(empty_store: Engine, database_url: str, tmp_path: Path) -> None:
    env = _env(
        database_url,
        OPENMAAS_ADMIN_PASSWORD="Chosen-Passw0rd",
        OPENMAAS_ADMIN_DOMAIN="acme",
        OPENMAAS_ADMIN_USER="root",
    )
    result = _bootstrap(tmp_path, env)
    assert " ".join(result.output.split()) == "created user root in domain acme"
    rows = _snapshot(empty_store)
    assert [row[1] for row in rows["domains"]] == ["acme"]
    assert [row[2] for row in rows["users"]] == ["root"]


def test_generated_password_is_printed_once_and_kept_0600(
    empty_store: Engine, database_url: str, tmp_path: Path
) -> None:
    first = _bootstrap(tmp_path, _env(database_url))
    password_file = tmp_path / "admin-password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    password = password_file.read_text().strip()
    assert len(password) >= 16
    assert password in first.output
    assert _login(empty_store, tmp_path, password) == 201
    assert _login(empty_store, tmp_path, password, OTHER) == 201
    # Never stored in clear.
    with transaction(empty_store, write=False) as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert password not in stored

    again = _bootstrap(tmp_path, _env(database_url))
    assert password not in again.output
    assert again.output == ""
    assert password_file.read_text().strip() == password


def test_a_second_run_changes_nothing(empty_store: Engine, database_url: str, tmp_path: Path) -> None:
    _bootstrap(tmp_path, _env(database_url))
    before = _snapshot(empty_store)
    password_file = (tmp_path / "admin-password").read_text()
    # Even a different password setting never touches an existing account (issue 2, item 3).
    _bootstrap(tmp_path, _env(database_url, OPENMAAS_ADMIN_PASSWORD="Another-Passw0rd"))
    _bootstrap(tmp_path, _env(database_url))
    assert _snapshot(empty_store) == before
    assert (tmp_path / "admin-password").read_text() == password_file
    assert _login(empty_store, tmp_path, "Another-Passw0rd") == 401


def test_a_region_added_later_gets_its_project(
    empty_store: Engine, database_url: str, tmp_path: Path
) -> None:
    _bootstrap(tmp_path, _env(database_url, OPENMAAS_ADMIN_PASSWORD="Chosen-Passw0rd"))
    before = _snapshot(empty_store)
    regions = [*REGIONS, {"id": THIRD, "en_us": "LA-Sao Paulo1", "zh_cn": "拉美-圣保罗一"}]
    _bootstrap(tmp_path, _env(database_url, OPENMAAS_REGIONS=json.dumps(regions)))
    after = _snapshot(empty_store)
    assert after["domains"] == before["domains"]
    assert after["users"] == before["users"]
    assert set(before["projects"]) < set(after["projects"])
    added = [row for row in after["projects"] if row not in before["projects"]]
    assert [row[2] for row in added] == [THIRD]
    with transaction(empty_store, write=False) as connection:
        workspace = connection.execute(select(workspaces).where(workspaces.c.project_id == added[0][0])).one()
    assert (workspace.id, workspace.name, workspace.owner) == ("0", "default", "admin")


def test_the_installed_command_bootstraps_too(empty_store: Engine, database_url: str, tmp_path: Path) -> None:
    """The console script itself, as a user runs it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPENMAAS_")}
    env.update(_env(database_url), NO_COLOR="1", COLUMNS="200")
    completed = subprocess.run(
        [str(OPENMAAS), "bootstrap", "--data-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    password = (tmp_path / "admin-password").read_text().strip()
    assert completed.stdout.strip() == (
        f"created user admin in domain openmaas with password {password} "
        f"(also in {tmp_path / 'admin-password'}, mode 0600)"
    )
    assert stat.S_IMODE((tmp_path / "admin-password").stat().st_mode) == 0o600
    assert _login(empty_store, tmp_path, password) == 201


def test_a_home_region_that_is_not_configured_fails_clearly(
    empty_store: Engine, database_url: str, tmp_path: Path
) -> None:
    env = _env(database_url, OPENMAAS_MAAS_HOME_REGION="eu-west-0")
    result = CliRunner().invoke(cli, ["bootstrap", "--data-dir", str(tmp_path)], env=env)
    assert result.exit_code == 3  # configuration
    assert " ".join(result.output.split()) == (
        "error: invalid settings: OPENMAAS_MAAS_HOME_REGION 'eu-west-0' is not in OPENMAAS_REGIONS "
        f"({HOME}, {OTHER})"
    )
    assert "Traceback" not in result.output
    assert _snapshot(empty_store)["domains"] == []


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "OPENMAAS_REGIONS",
            "ap-southeast-1",
            'error: invalid setting OPENMAAS_REGIONS: must be a JSON list like [{"id": "ap-southeast-1", '
            '"en_us": "CN-Hong Kong", "zh_cn": "中国-香港"}]',
        ),
        (
            "OPENMAAS_REGIONS",
            '[{"id": "x"}]',
            "error: invalid setting OPENMAAS_REGIONS[0].en_us: Field required; "
            "invalid setting OPENMAAS_REGIONS[0].zh_cn: Field required",
        ),
        (
            "OPENMAAS_REGIONS",
            "[]",
            "error: invalid setting OPENMAAS_REGIONS: List should have at least 1 item "
            "after validation, not 0",
        ),
        (
            "OPENMAAS_TOKEN_LIFETIME_SECONDS",
            "a day",
            "error: invalid setting OPENMAAS_TOKEN_LIFETIME_SECONDS: Input should be a valid integer, "
            "unable to parse string as an integer",
        ),
    ],
    ids=["regions-not-json", "region-incomplete", "no-region", "lifetime-not-int"],
)
def test_bad_settings_fail_with_a_message_not_a_traceback(
    empty_store: Engine, database_url: str, tmp_path: Path, variable: str, value: str, message: str
) -> None:
    result = CliRunner().invoke(
        cli, ["bootstrap", "--data-dir", str(tmp_path)], env=_env(database_url, **{variable: value})
    )
    assert result.exit_code == 3  # configuration
    assert " ".join(result.output.split()) == message
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_a_store_that_cannot_be_opened_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://openmaas:hidden-pw@127.0.0.1:{port}/openmaas"
    result = CliRunner().invoke(cli, ["bootstrap", "--data-dir", str(tmp_path)], env=_env(url))
    assert result.exit_code == 4  # the store cannot be reached
    output = " ".join(result.output.split())
    assert output.startswith(
        f"error: cannot use the store at postgresql+psycopg://openmaas:***@127.0.0.1:{port}/openmaas: "
        "connection failed:"
    )
    assert "hidden-pw" not in result.output
    assert "Traceback" not in result.output


def test_another_secret_key_stops_bootstrap_with_a_message(
    empty_store: Engine, database_url: str, tmp_path: Path
) -> None:
    _bootstrap(tmp_path, _env(database_url))
    other_key = base64.b64encode(b"k" * 32).decode()
    result = CliRunner().invoke(
        cli, ["bootstrap", "--data-dir", str(tmp_path)], env=_env(database_url, OPENMAAS_SECRET_KEY=other_key)
    )
    assert result.exit_code == 3  # configuration
    assert " ".join(result.output.split()) == (
        "error: the secret key differs from the one that sealed this store's access keys: give every "
        "process that shares the store the same OPENMAAS_SECRET_KEY"
    )


def test_a_store_folder_that_cannot_be_made_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    url = f"sqlite:///{in_the_way}/store/openmaas.db"
    result = CliRunner().invoke(cli, ["bootstrap", "--data-dir", str(tmp_path / "data")], env=_env(url))
    assert result.exit_code == 4  # the store cannot be opened
    assert " ".join(result.output.split()) == (
        f"error: cannot use the store at {url}: [Errno 20] Not a directory: '{in_the_way}/store'"
    )
