"""The CLI without a live server: against a stub on the loopback (exact requests and answers), or
against none (bad profiles). Every expected failure is `error: ...` and an exit code, never a
traceback."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from openmaas_cli import display
from tests.cli.conftest import invoke
from tests.client.stub import Answer, stub_server

PROJECT = "0" * 32
HOME = "ap-southeast-1"
NO_HEADERS: dict[str, str] = {}


def configure(config_home: Path, config: str, secrets: str) -> Path:
    folder = config_home / "openmaas"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(config)
    (folder / "secrets.toml").write_text(secrets)
    (folder / "secrets.toml").chmod(0o600)
    return folder


def access_key_profile(config_home: Path, endpoint: str) -> None:
    """An AK/SK profile with its project id: commands sign requests and need no login call."""
    config = (
        f'[default]\nendpoint = "{endpoint}"\nregion = "{HOME}"\n'
        f'project_id = "{PROJECT}"\naccess_key = "AK"\n'
    )
    configure(config_home, config, '[default]\nsecret_key = "SK"\n')


def assert_failed(result: Result, code: int, stderr: str) -> None:
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr)
    assert isinstance(result.exception, SystemExit)


# --output json on listings: one document, streamed, in the API's key names


def item(number: int) -> dict[str, Any]:
    """One object that every listing's model accepts (they keep fields they do not name)."""
    return {
        "id": f"id-{number}",
        "name": f"name-{number}",
        "endpoint_name": f"endpoint-{number}",
        "source": "custom_from_maas",
        "status": "RUNNING",
        "version": f"1.0.{number}",
        "version_count": 1,
        "type": "REAL_TIME",
        "deploy_type": "SINGLE",
        "workspace_id": "0",
        "create_at": 1_700_000_000_000,
        "update_at": 1_700_000_000_000 + number,
        "create_time": 1_700_000_000_000,
        "update_time": 1_700_000_000_000 + number,
        "description": "ünïcode",
    }


MAAS = f"/v1/{PROJECT}/maas/services/custom-endpoint"
SERVICE = f"/v2/{PROJECT}/services/svc"
# command, path of the listing, its items and total keys
LISTINGS = [
    (("services", "list"), f"/v2/{PROJECT}/services", "data", "total"),
    (("maas", "services", "--region", HOME), f"{MAAS}/services/{HOME}", "data", "total"),
    (("workspaces", "list"), f"/v1/{PROJECT}/workspaces", "workspaces", "total_count"),
    (("endpoints", "list"), f"{MAAS}/endpoint", "items", "total"),
    (("services", "versions", "svc"), f"{SERVICE}/deployments/dep/versions", "data", "total"),
]
DEPLOYMENTS: Answer = (200, {"data": [{"id": "dep"}], "total": 1}, NO_HEADERS)


def paged(path: str, items_key: str, total_key: str, items: list[dict[str, Any]]) -> dict[str, Answer]:
    """The listing in pages of 4, each body with the envelope keys the v2 APIs add (current, pages)."""
    answers: dict[str, Answer] = {}
    for offset in range(0, max(len(items), 1), 4):
        body = {
            items_key: items[offset : offset + 4],
            total_key: len(items),
            "current": offset // 4,
            "pages": 2,
        }
        query = f"limit=4&offset={offset}" + ("&workspace_id=0" if "custom-endpoint/services" in path else "")
        answers[f"GET {path}?{query}"] = (200, body, NO_HEADERS)
    return answers


@pytest.mark.parametrize(("command", "path", "items_key", "total_key"), LISTINGS)
def test_json_listing_is_one_document_across_pages(
    tmp_path: Path, command: tuple[str, ...], path: str, items_key: str, total_key: str
) -> None:
    """5 items in pages of 4: one JSON document of every item and the API's total, not one per page."""
    items = [item(n) for n in range(5)]
    answers = {**paged(path, items_key, total_key, items), f"GET {SERVICE}/deployments": DEPLOYMENTS}
    with stub_server(answers) as stub:
        access_key_profile(tmp_path, stub.url)
        result = invoke(tmp_path, *command, "--page-size", "4", "--output", "json")
    assert result.exit_code == 0, result.output
    expected = json.dumps({items_key: items, total_key: 5}, ensure_ascii=False, separators=(",", ":"))
    assert result.stdout == expected + "\n"
    assert result.stderr == ""
    listed = [request.path for request in stub.requests if request.path.startswith(path)]
    assert len(listed) == 2


def test_json_listing_of_nothing_is_an_empty_document(tmp_path: Path) -> None:
    with stub_server(paged(f"/v2/{PROJECT}/services", "data", "total", [])) as stub:
        access_key_profile(tmp_path, stub.url)
        result = invoke(tmp_path, "services", "list", "--page-size", "4", "-o", "json")
    assert (result.exit_code, result.stdout) == (0, '{"data":[],"total":0}\n')


def test_json_listing_that_fails_mid_way_is_left_unclosed(tmp_path: Path) -> None:
    """A partial listing must not parse as a whole one: the document stays open, the exit code says
    the API failed."""
    items = [item(n) for n in range(5)]
    first_page = {
        key: answer
        for key, answer in paged(f"/v2/{PROJECT}/services", "data", "total", items).items()
        if "offset=0" in key
    }
    with stub_server(first_page) as stub:
        access_key_profile(tmp_path, stub.url)
        result = invoke(tmp_path, "services", "list", "--page-size", "4", "-o", "json")
    written = ",".join(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) for entry in items[:4])
    assert (result.exit_code, result.stdout) == (display.API_FAILURE, '{"data":[' + written)
    assert result.stderr == "error: Stub.0404: no such stub (HTTP 404)\n"


# `services update --count` keeps the other fields of the group config, as create does

SERVICE_BODY = {
    "id": "svc",
    "name": "svc",
    "workspace_id": "0",
    "type": "REAL_TIME",
    "deploy_type": "SINGLE",
    "status": "UPGRADING",
    "create_at": 1,
    "update_at": 2,
}
GROUP = {"count": 1, "specification": "custom", "weight": 100, "custom_spec": {"cpu": 2}}


@pytest.mark.parametrize(
    ("command", "method", "path"),
    [
        (("services", "update", "svc"), "PUT", SERVICE),
        (("services", "create"), "POST", f"/v2/{PROJECT}/services"),
    ],
)
def test_count_merges_into_the_group_config_of_the_file(
    tmp_path: Path, command: tuple[str, ...], method: str, path: str
) -> None:
    body_file = tmp_path / "body.json"
    body_file.write_text(json.dumps({"name": "svc", "description": "d", "group_configs": [GROUP]}))
    with stub_server({f"{method} {path}": (200, SERVICE_BODY, NO_HEADERS)}) as stub:
        access_key_profile(tmp_path, stub.url)
        result = invoke(tmp_path, *command, "--file", str(body_file), "--count", "3", "-o", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == SERVICE_BODY
    assert stub.bodies(method) == [
        {"name": "svc", "description": "d", "group_configs": [{**GROUP, "count": 3}]}
    ]


def test_update_count_without_a_file_sends_only_the_count(tmp_path: Path) -> None:
    with stub_server({f"PUT {SERVICE}": (200, SERVICE_BODY, NO_HEADERS)}) as stub:
        access_key_profile(tmp_path, stub.url)
        result = invoke(tmp_path, "services", "update", "svc", "--count", "2")
    assert result.exit_code == 0, result.output
    assert stub.bodies("PUT") == [{"group_configs": [{"count": 2}]}]


def test_count_with_several_group_configs_is_a_usage_failure(tmp_path: Path) -> None:
    """--count cannot say which group it means: refused rather than dropping the others."""
    body_file = tmp_path / "body.json"
    body_file.write_text(json.dumps({"group_configs": [GROUP, GROUP]}))
    access_key_profile(tmp_path, "http://127.0.0.1:9")
    result = invoke(tmp_path, "services", "update", "svc", "--file", str(body_file), "--count", "3")
    assert_failed(
        result,
        display.USAGE_FAILURE,
        'error: --count needs "group_configs" in --file to hold exactly one object\n',
    )


# Expected failures: a bad endpoint, a server answering the wrong shape, a corrupt profile


def test_an_endpoint_that_is_no_url_is_a_configuration_failure(tmp_path: Path) -> None:
    configure(tmp_path, '[default]\nendpoint = "http://127.0.0.1:abc"\n', '[default]\npassword = "x"\n')
    expected = "error: endpoint 'http://127.0.0.1:abc' is not a valid URL: Invalid port: 'abc'\n"
    assert_failed(invoke(tmp_path, "regions", "list"), display.CONFIGURATION_FAILURE, expected)


def test_login_to_an_endpoint_that_is_no_url_is_a_configuration_failure(tmp_path: Path) -> None:
    login = ("login", "--endpoint", "http://127.0.0.1:abc", "--domain", "d", "--user", "u")
    result = invoke(tmp_path, *login, env={"OPENMAAS_PASSWORD": "x"})
    expected = "error: endpoint 'http://127.0.0.1:abc' is not a valid URL: Invalid port: 'abc'\n"
    assert_failed(result, display.CONFIGURATION_FAILURE, expected)
    assert not (tmp_path / "openmaas" / "config.toml").exists()


def test_a_login_answer_of_the_wrong_shape_is_reported(tmp_path: Path) -> None:
    with stub_server({"POST /v3/auth/tokens": (201, {"ok": True}, NO_HEADERS)}) as stub:
        configure(tmp_path, f'[default]\nendpoint = "{stub.url}"\n', '[default]\npassword = "x"\n')
        result = invoke(tmp_path, "regions", "list")
    expected = (
        f"error: unexpected answer from {stub.url}/v3/auth/tokens?nocatalog=true: missing key 'token'\n"
    )
    assert_failed(result, display.API_FAILURE, expected)


def test_a_listing_without_its_total_is_reported(tmp_path: Path) -> None:
    path = f"/v2/{PROJECT}/services"
    with stub_server({f"GET {path}": (200, {"data": []}, NO_HEADERS)}) as stub:
        access_key_profile(tmp_path, stub.url)
        result = invoke(tmp_path, "services", "list", "-o", "json")
    expected = f"error: unexpected answer from {stub.url}{path}?limit=100&offset=0: missing key 'total'\n"
    assert_failed(result, display.API_FAILURE, expected)


BAD_CONFIG = "[default\nendpoint = 1\n"
BAD_CONFIG_ERROR = "Expected ']' at the end of a table declaration (at line 1, column 9)"
BAD_SECRETS = "[default]\npassword = x\n"
BAD_SECRETS_ERROR = "Invalid value (at line 2, column 12)"
LOGIN = ("login", "--endpoint", "http://127.0.0.1:9", "--domain", "d", "--user", "u")


@pytest.mark.parametrize("command", [("regions", "list"), LOGIN])
def test_config_that_is_not_toml_is_a_configuration_failure(tmp_path: Path, command: tuple[str, ...]) -> None:
    folder = configure(tmp_path, BAD_CONFIG, '[default]\npassword = "x"\n')
    result = invoke(tmp_path, *command, env={"OPENMAAS_PASSWORD": "x"})
    expected = f"error: {folder / 'config.toml'} is not valid TOML: {BAD_CONFIG_ERROR}\n"
    assert_failed(result, display.CONFIGURATION_FAILURE, expected)
    assert (folder / "config.toml").read_text() == BAD_CONFIG


@pytest.mark.parametrize("command", [("regions", "list"), LOGIN, ("logout",)])
def test_secrets_that_are_not_toml_are_a_configuration_failure(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    folder = configure(tmp_path, '[default]\nendpoint = "http://127.0.0.1:9"\n', BAD_SECRETS)
    result = invoke(tmp_path, *command, env={"OPENMAAS_PASSWORD": "x"})
    expected = f"error: {folder / 'secrets.toml'} is not valid TOML: {BAD_SECRETS_ERROR}\n"
    assert_failed(result, display.CONFIGURATION_FAILURE, expected)
    assert (folder / "secrets.toml").read_text() == BAD_SECRETS


@pytest.mark.parametrize(
    ("entry", "detail"),
    [
        ('value = "t"\nbody = "not json"', "the body is not JSON"),
        ('body = "{}"', "missing key 'value'"),
        ('value = "t"\nbody = "{}"', "missing key 'token'"),
        ('value = "t"\nbody = "{\\"token\\": {}}"', "Token: expires_at: Field required (and 2 more)"),
        ('value = "t"\nbody = "[]"', "the body is not a JSON object"),
    ],
)
def test_a_corrupt_cached_token_is_a_configuration_failure(tmp_path: Path, entry: str, detail: str) -> None:
    secrets = f'[default]\npassword = "x"\n\n[default.tokens.{HOME}]\n{entry}\n'
    folder = configure(tmp_path, '[default]\nendpoint = "http://127.0.0.1:9"\n', secrets)
    expected = (
        f"error: {folder / 'secrets.toml'} holds a corrupt cached token at default.tokens.{HOME}: "
        f"{detail}; run `openmaas login` again\n"
    )
    assert_failed(invoke(tmp_path, "regions", "list"), display.CONFIGURATION_FAILURE, expected)


def test_tokens_that_are_not_a_table_are_a_configuration_failure(tmp_path: Path) -> None:
    folder = configure(tmp_path, '[default]\nendpoint = "http://127.0.0.1:9"\n', "[default]\ntokens = 1\n")
    expected = (
        f"error: {folder / 'secrets.toml'} holds a corrupt cached token at default.tokens: "
        "not a table; run `openmaas login` again\n"
    )
    assert_failed(invoke(tmp_path, "regions", "list"), display.CONFIGURATION_FAILURE, expected)


TOKEN_BODY = {
    "token": {
        "expires_at": "2099-01-01T00:00:00.000000Z",
        "issued_at": "2024-01-01T00:00:00.000000Z",
        "methods": ["password"],
        "user": {"id": "u1", "name": "u", "domain": {"id": "d1", "name": "d"}},
        "project": {"id": PROJECT, "name": HOME, "domain": {"id": "d1", "name": "d"}},
    }
}


def test_login_replaces_a_corrupt_cached_token(tmp_path: Path) -> None:
    """Login sets every secret of the profile, so a corrupt entry does not stop it."""
    answers: dict[str, Answer] = {
        "POST /v3/auth/tokens": (201, TOKEN_BODY, {"X-Subject-Token": "fresh"}),
        "GET /v3/projects": (
            200,
            {"projects": [{"id": PROJECT, "name": HOME, "domain_id": "d1"}]},
            NO_HEADERS,
        ),
    }
    secrets = f'[default]\npassword = "old"\n\n[default.tokens.{HOME}]\nbody = "{{}}"\n'
    with stub_server(answers) as stub:
        folder = configure(tmp_path, f'[default]\nendpoint = "{stub.url}"\n', secrets)
        login = ("login", "--domain", "d", "--user", "u")
        result = invoke(tmp_path, *login, env={"OPENMAAS_PASSWORD": "new"})
    assert result.exit_code == 0, result.output
    # A sentence for people, wrapped at the terminal's width.
    sentence = " ".join(result.stdout.split())
    assert sentence == f"logged in to {stub.url} as u in domain d, project {PROJECT} ({HOME})"
    saved = tomllib.loads((folder / "secrets.toml").read_text())["default"]
    assert (saved["password"], saved["tokens"][HOME]["value"]) == ("new", "fresh")
    assert json.loads(saved["tokens"][HOME]["body"]) == TOKEN_BODY
