"""`openmaas api-keys` (D-20 to D-26): against a live server, and the exact requests it sends against
a stub on the loopback. The key is printed once, whole, on a line of its own."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from openmaas_cli import display
from openmaas_cli.commands.api_keys import SHOWN_ONCE
from tests.cli.conftest import Cli, invoke
from tests.cli.test_offline import PROJECT, access_key_profile, assert_failed
from tests.client.stub import stub_server

KEY_LINE = re.compile(r"^api_key: ([A-Za-z0-9_-]{86})$", re.MULTILINE)
KEYS = f"/v2/{PROJECT}/maas/api-auth/api-keys"
NO_HEADERS: dict[str, str] = {}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def run_json(cli: Cli, *args: str) -> Any:
    result = cli(*args, "-o", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return json.loads(result.stdout)


# ---- live ------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_create_prints_the_key_once_and_says_so(cli: Cli) -> None:
    label = unique("cli")
    result = cli("api-keys", "create", "--label", label, "--description", "from the cli")
    assert result.exit_code == 0, result.output
    (key,) = KEY_LINE.findall(result.stdout)
    assert label in result.stdout
    assert result.stderr == SHOWN_ONCE + "\n"
    listed = run_json(cli, "api-keys", "list")
    (item,) = [item for item in listed["items"] if item["label"] == label]
    assert item["key_mask"] == f"{key[:4]}********{key[-4:]}"
    listed_text = cli("api-keys", "list")
    assert key not in json.dumps(listed) + listed_text.stdout
    assert cli("api-keys", "delete", item["id"]).stdout == f"api key {item['id']} deleted\n"


@pytest.mark.e2e
def test_api_key_commands_in_json(cli: Cli) -> None:
    created = run_json(
        cli, "api-keys", "create", "--ip", "10.0.0.0/8", "--ip", "192.168.1.1", "--endpoint", "ep-a"
    )
    assert re.match(r"^[A-Za-z0-9_-]{86}\Z", created["api_key"])
    assert (created["allow_all"], created["ip_whitelist"]) == (False, ["10.0.0.0/8", "192.168.1.1"])
    assert re.match(r"^ak-[0-9]{6}\Z", created["label"])
    key_id = created["id"]
    listed = run_json(cli, "api-keys", "list", "--page-size", "1")
    assert set(listed) == {"items", "total"}
    assert listed["total"] == len(listed["items"])
    assert key_id in {item["id"] for item in listed["items"]}
    assert "api_key" not in json.dumps(listed)
    opened = run_json(
        cli, "api-keys", "update", key_id, "--allow-all", "--any-endpoint", "--model", "DeepSeek-V3"
    )
    assert (opened["allow_all"], opened["ip_whitelist"], opened["endpoint_whitelist"]) == (True, [], [])
    assert opened["resident_model_version_whitelist"] == ["DeepSeek-V3"]
    closed = run_json(cli, "api-keys", "update", key_id, "--ip", "172.16.0.1-172.16.0.9")
    assert (closed["allow_all"], closed["ip_whitelist"]) == (False, ["172.16.0.1-172.16.0.9"])
    deleted = cli("api-keys", "delete", key_id)
    assert deleted.stdout == f"api key {key_id} deleted\n"
    again = cli("api-keys", "delete", key_id)
    assert again.exit_code == display.API_FAILURE
    assert again.stdout == ""
    assert again.stderr.startswith(
        f"error: ModelArts.0102: API key {key_id} does not exist. (HTTP 400, request id "
    )


@pytest.mark.e2e
def test_a_bad_entry_is_the_servers_message(cli: Cli) -> None:
    result = cli("api-keys", "create", "--ip", "10.0.0.1/24")
    assert result.exit_code == display.API_FAILURE
    assert result.stderr.startswith(
        "error: ModelArts.0101: Invalid parameter: ip_whitelist[0] has host bits set: "
        "the block is 10.0.0.0/24. (HTTP 400, request id "
    )


# ---- exact requests --------------------------------------------------------------------------------

KEY_BODY = {
    "id": "11111111-1111-4111-8111-111111111111",
    "label": "lbl",
    "description": "",
    "key_mask": "abcd********wxyz",
    "allow_all": False,
    "ip_whitelist": ["10.0.0.1"],
    "endpoint_whitelist": [],
    "resident_model_version_whitelist": [],
    "create_at": 1_700_000_000_000,
    "update_at": 1_700_000_000_000,
}
KEY_PATH = f"{KEYS}/{KEY_BODY['id']}"


@pytest.mark.parametrize(
    ("args", "sent"),
    [
        ((), {"allow_all": True}),
        (
            ("--label", "lbl", "--ip", "10.0.0.1", "--endpoint", "ep", "--model", "m1", "--model", "m2"),
            {
                "label": "lbl",
                "ip_whitelist": ["10.0.0.1"],
                "endpoint_whitelist": ["ep"],
                "resident_model_version_whitelist": ["m1", "m2"],
                "allow_all": False,
            },
        ),
    ],
)
def test_create_sends_what_the_options_say(
    tmp_path: Path, args: tuple[str, ...], sent: dict[str, Any]
) -> None:
    answer = {**KEY_BODY, "api_key": "k" * 86}
    with stub_server({f"POST {KEYS}": (200, answer, NO_HEADERS)}) as stub:
        access_key_profile(tmp_path, stub.url)
        result = invoke(tmp_path, "api-keys", "create", *args)
        as_json = invoke(tmp_path, "api-keys", "create", *args, "-o", "json")
    assert result.exit_code == 0, result.output
    assert KEY_LINE.findall(result.stdout) == ["k" * 86]
    assert result.stderr == SHOWN_ONCE + "\n"
    assert (as_json.stdout, as_json.stderr) == (json.dumps(answer, separators=(",", ":")) + "\n", "")
    assert stub.bodies("POST") == [sent, sent]


@pytest.mark.parametrize(
    ("args", "sent"),
    [
        (("--description", "d"), {"description": "d"}),
        (("--ip", "10.0.0.1"), {"allow_all": False, "ip_whitelist": ["10.0.0.1"]}),
        (("--allow-all",), {"allow_all": True}),
        (("--no-allow-all",), {"allow_all": False}),
        (
            ("--any-endpoint", "--any-model"),
            {"endpoint_whitelist": [], "resident_model_version_whitelist": []},
        ),
        (("--endpoint", "a", "--endpoint", "b"), {"endpoint_whitelist": ["a", "b"]}),
    ],
)
def test_update_sends_only_what_the_options_say(
    tmp_path: Path, args: tuple[str, ...], sent: dict[str, Any]
) -> None:
    with stub_server({f"PUT {KEY_PATH}": (200, KEY_BODY, NO_HEADERS)}) as stub:
        access_key_profile(tmp_path, stub.url)
        result = invoke(tmp_path, "api-keys", "update", str(KEY_BODY["id"]), *args, "-o", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == KEY_BODY
    assert stub.bodies("PUT") == [sent]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "error: nothing to change: give at least one option\n"),
        (("--endpoint", "a", "--any-endpoint"), "error: give --endpoint or --any-endpoint, not both\n"),
        (("--model", "m", "--any-model"), "error: give --model or --any-model, not both\n"),
    ],
)
def test_update_usage_failures_send_nothing(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    with stub_server({}) as stub:
        access_key_profile(tmp_path, stub.url)
        result = invoke(tmp_path, "api-keys", "update", "some-id", *args)
    assert_failed(result, display.USAGE_FAILURE, message)
    assert stub.requests == []


def test_delete_uses_the_v1_path(tmp_path: Path) -> None:
    path = f"/v1/{PROJECT}/maas/api-auth/api-keys/{KEY_BODY['id']}"
    with stub_server({f"DELETE {path}": (200, {"result": "success"}, NO_HEADERS)}) as stub:
        access_key_profile(tmp_path, stub.url)
        result = invoke(tmp_path, "api-keys", "delete", str(KEY_BODY["id"]))
    assert (result.exit_code, result.stdout) == (0, f"api key {KEY_BODY['id']} deleted\n")
    assert [(request.method, request.path) for request in stub.requests] == [("DELETE", path)]
