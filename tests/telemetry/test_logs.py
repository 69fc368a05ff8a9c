"""The log (issue 12): one JSON line per request with its id, route template, status, wire code,
duration and tenant; never a password, token or secret key; an error's stack in the log only."""

from __future__ import annotations

import asyncio
import re
import time

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.app import create_app
from openmaas.config import Settings
from openmaas.telemetry.batches import Answers
from openmaas.telemetry.logs import AccessLines
from tests.conftest import ADMIN_PASSWORD, HOME, Account, password_body, service_body
from tests.credentials.conftest import create_key
from tests.credentials.signing import send_signed
from tests.telemetry.capture import CapturedLog

FOUNDING = "/v1/{project_id}/maas/services/custom-endpoint/services/{region_id}"
UUID_HEX = re.compile(r"^[0-9a-f]{32}$")


def test_each_request_writes_one_line_with_its_id_route_status_and_tenant(
    client: TestClient, admin: Account, json_log: CapturedLog
) -> None:
    project, headers = admin.project(), admin.headers()
    login = json_log.access()[-1]
    listed = client.get(
        f"/v1/{project}/maas/services/custom-endpoint/services/{HOME}?workspace_id=0", headers=headers
    )
    assert listed.status_code == 200
    lines = json_log.access()
    assert len(lines) == 2
    line = lines[-1]
    assert UUID_HEX.match(line["request_id"])
    assert line["request_id"] == listed.headers["X-Request-Id"]
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert (login["route"], login["status"], login["method"]) == ("/v3/auth/tokens", 201, "POST")
    assert {key: line[key] for key in ("method", "route", "status", "project_id", "workspace_id")} == {
        "method": "GET",
        "route": FOUNDING,
        "status": 200,
        "project_id": project,
        "workspace_id": "0",
    }
    assert line["domain_id"]
    assert line["user_id"]
    assert (line["level"], line["logger"], "code" in line) == ("info", "openmaas.access", False)


def test_an_error_answer_logs_its_wire_code_and_a_client_request_id_is_kept(
    client: TestClient, admin: Account, json_log: CapturedLog
) -> None:
    missing = client.get(
        f"/v2/{admin.project()}/services/{'0' * 8}-0000-0000-0000-{'0' * 12}",
        headers={**admin.headers(), "X-Request-Id": "ci-job-42"},
    )
    assert (missing.status_code, missing.json()["error_code"]) == (400, "ModelArts.0102")
    assert missing.headers["X-Request-Id"] == "ci-job-42"
    line = json_log.line_of(missing)
    assert (line["request_id"], line["route"], line["status"], line["code"]) == (
        "ci-job-42",
        "/v2/{project_id}/services/{service_id}",
        400,
        "ModelArts.0102",
    )


def test_no_password_token_or_secret_key_reaches_the_log(
    client: TestClient, admin: Account, json_log: CapturedLog
) -> None:
    token = admin.login()
    key = create_key(client, admin, "for the log")
    signed = send_signed(client, "GET", f"/v2/{admin.project()}/services", key.pair)
    assert signed.status_code == 200
    made = client.post(f"/v2/{admin.project()}/services", json=service_body(), headers=admin.headers())
    assert made.status_code == 200
    refused = client.post("/v3/auth/tokens", json=password_body(password="Wrong-Passw0rd!"))
    assert refused.status_code == 401
    json_log.line_of(refused)
    text = json_log.text
    assert len(json_log.access()) >= 5
    for secret in (ADMIN_PASSWORD, "Wrong-Passw0rd!", token, token.split(".")[-1], key.secret):
        assert secret not in text
    # AK/SK calls are still attributed: the access key's user and domain are the line's tenant.
    signed_line = json_log.line_of(signed)
    assert signed_line["user_id"] == key.user_id


def test_an_unexpected_error_has_its_stack_in_the_log_only(
    client: TestClient, admin: Account, engine: Engine, json_log: CapturedLog, workspaces_away: None
) -> None:
    failed = client.get(f"/v1/{admin.project()}/workspaces", headers=admin.headers())
    assert failed.status_code == 500
    assert failed.json() == {"error_code": "ModelArts.0001", "error_msg": "Internal server error."}
    assert "Traceback" not in failed.text
    assert "workspaces" not in failed.text
    request_id = failed.headers["X-Request-Id"]
    errors = [line for line in json_log.lines() if line["level"] == "error"]
    assert [line["request_id"] for line in errors] == [request_id]
    assert errors[0]["stack"].startswith("Traceback (most recent call last)")
    assert "workspaces" in errors[0]["stack"]
    access = json_log.line_of(failed)
    assert (access["request_id"], access["status"], access["code"]) == (request_id, 500, "ModelArts.0001")


def test_the_plain_text_format_names_the_same_fields(
    settings: Settings, engine: Engine, text_log: CapturedLog
) -> None:
    plain = settings.model_copy(update={"log_format": "text"})
    with TestClient(create_app(plain, engine)) as client:
        account = Account(client, "admin", ADMIN_PASSWORD, "openmaas")
        answer = client.get(f"/v2/{account.project()}/services", headers=account.headers())
    assert answer.status_code == 200
    line = text_log.text.splitlines()[-1]
    assert f" INFO openmaas.access: GET /v2/{account.project()}/services 200 " in line
    assert f"request_id={answer.headers['X-Request-Id']} " in line
    assert " route=/v2/{project_id}/services " in line
    assert f" project_id={account.project()}" in line


def test_the_access_log_can_be_switched_off_and_errors_are_still_logged(
    settings: Settings, engine: Engine, json_log: CapturedLog
) -> None:
    quiet = settings.model_copy(update={"access_log": False})
    with TestClient(create_app(quiet, engine)) as client:
        account = Account(client, "admin", ADMIN_PASSWORD, "openmaas")
        assert client.get(f"/v2/{account.project()}/services", headers=account.headers()).status_code == 200
    assert json_log.access() == []


def test_access_lines_are_made_and_written_within_their_flush_period_or_at_a_full_batch() -> None:
    """A request leaves a record; its line is made and written with its batch: ``FLUSH_SECONDS``
    after the first record of the batch, or at once when ``BATCH`` records wait."""
    written: list[bytes] = []

    def line_of(now: str, record: int) -> dict[str, object]:
        return {"time": now, "level": "info", "logger": "openmaas.access", "message": "m", "n": record}

    class Lines(AccessLines[int]):
        sink = staticmethod(written.append)

    class Batches(Answers[int]):
        BATCH = 3
        FLUSH_SECONDS = 0.2

    async def scenario() -> tuple[list[int], list[int], list[int]]:
        batches = Batches([Lines("json", line_of).write])
        batches.add(1)
        batches.add(2)
        waiting = [len(written)]
        batches.add(3)  # a full batch: written now
        full = [orjson.loads(line)["n"] for line in written[0].splitlines()]
        batches.add(4)
        await asyncio.sleep(0.05)
        early = len(written)
        await asyncio.sleep(0.3)
        return [*waiting, early], full, [orjson.loads(line)["n"] for line in written[1].splitlines()]

    counts, full, later = asyncio.run(scenario())
    assert counts == [0, 1]
    assert (full, later, len(written)) == ([1, 2, 3], [4], 2)


def test_a_line_made_later_keeps_the_time_of_its_request() -> None:
    written: list[bytes] = []

    class Lines(AccessLines[int]):
        sink = staticmethod(written.append)

    class Batches(Answers[int]):
        FLUSH_SECONDS = 60

    def line_of(now: str, record: int) -> dict[str, object]:
        return {"time": now, "level": "info", "logger": "openmaas.access", "message": "m", "n": record}

    async def scenario() -> tuple[float, float]:
        batches = Batches([Lines("text", line_of).write])
        added = time.time()
        batches.add(7)
        await asyncio.sleep(1.2)
        flushed = time.time()
        batches.flush()
        return added, flushed

    added, flushed = asyncio.run(scenario())
    (line,) = b"".join(written).decode().splitlines()
    assert line.endswith(" INFO openmaas.access: m n=7")
    stamp = time.mktime(time.strptime(line[:19], "%Y-%m-%d %H:%M:%S")) + int(line[20:23]) / 1000
    assert added - 0.001 <= stamp <= added + 0.5 < flushed
