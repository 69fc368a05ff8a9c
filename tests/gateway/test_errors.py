"""Every data-plane error with its exact status and body (CONTRACT 7, D-13 to D-18), and usage that
stays right when calls fail."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from openmaas.config import Settings
from openmaas.gateway.service import Gateway
from openmaas.ratelimit.limits import retry_after, window_of
from tests.conftest import Account
from tests.gateway.conftest import CHAT, HELLO, DataPlane, Ready, api_keys_url, bearer, endpoints_url, error
from tests.gateway.test_calls import sse_data
from tests.gateway.upstreams import failing, not_http, nothing_listens, served


@pytest.fixture(autouse=True)
def no_reuse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each change an error test makes is seen by the next call, not a second later (D-15)."""
    monkeypatch.setattr(Gateway, "RESOLVE_SECONDS", 0.0)


def chat(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(CHAT, json={"model": "chat-ep", "messages": HELLO, **body}, headers=headers)


@pytest.mark.parametrize("header", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Token abc"])
def test_missing_or_non_bearer_authorization_is_81002(ready: Ready, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = chat(ready.plane.client, headers)
    assert response.status_code == 400
    assert response.json() == error("ModelArts.81002", "Failed to get the authorization header.", 400)


@pytest.mark.parametrize("key", ["not-a-key", "x" * 86, "A" * 2000])
def test_unknown_key_is_81003(ready: Ready, key: str) -> None:
    response = chat(ready.plane.client, bearer(key))
    assert response.status_code == 401
    assert response.json() == error("ModelArts.81003", "Invalid authorization header.", 401)


def test_a_deleted_key_is_refused_at_once_81003_d15(ready: Ready) -> None:
    listed = ready.plane.client.get(api_keys_url(ready.plane.account), headers=ready.plane.account.headers())
    key_id = listed.json()["items"][0]["id"]
    url = f"/v1/{ready.plane.account.project()}/maas/api-auth/api-keys/{key_id}"
    assert ready.plane.client.delete(url, headers=ready.plane.account.headers()).status_code == 200
    response = ready.chat()
    assert response.status_code == 401
    assert response.json()["error_code"] == "ModelArts.81003"


def test_a_client_outside_the_ip_allowlist_is_81015(ready: Ready) -> None:
    key = ready.plane.key(allow_all=False, ip_whitelist=["10.0.0.0/8"])
    response = chat(ready.plane.client, bearer(key))
    assert response.status_code == 401
    # The in-process client's address is "testclient", which no entry covers.
    assert response.json() == error(
        "ModelArts.81015", "Invalid client ip testclient, rejected by api key ip allowlist setting.", 401
    )


def test_an_endpoint_outside_the_key_allowlist_is_81015(ready: Ready) -> None:
    key = ready.plane.key(endpoint_whitelist=["other-ep"])
    response = chat(ready.plane.client, bearer(key))
    assert response.status_code == 401
    assert response.json() == error(
        "ModelArts.81015",
        "Invalid custom endpoint chat-ep, rejected by api key custom endpoint allowlist setting.",
        401,
    )


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"", "body is empty"),
        (b"{not json", "body is not valid JSON"),
        (b"[1, 2]", "body is not a JSON object"),
        (b'{"messages": [{"role": "user", "content": "x"}]}', "model is empty"),
        (b'{"model": "", "messages": []}', "model is empty"),
        (b'{"model": "chat-ep"}', "messages is empty"),
        (b'{"model": "chat-ep", "messages": []}', "messages is empty"),
        (b'{"model": "chat-ep", "messages": "hi"}', "messages is empty"),
        (
            b'{"model": "chat-ep", "messages": [{"role": "user", "content": "x"}], "stream": "yes"}',
            "stream is not a boolean",
        ),
    ],
)
def test_a_body_that_is_no_request_is_81001(ready: Ready, raw: bytes, problem: str) -> None:
    headers = {**bearer(ready.key), "Content-Type": "application/json"}
    response = ready.plane.client.post(CHAT, content=raw, headers=headers)
    assert response.status_code == 400
    assert response.json() == error("ModelArts.81001", f"Failed to format request body, {problem}.", 400)


def _in_chunks(payload: bytes, size: int) -> Iterator[bytes]:
    """A generator body: httpx sends it with Transfer-Encoding: chunked and no Content-Length."""
    for start in range(0, len(payload), size):
        yield payload[start : start + size]


def test_a_chunked_call_is_read_whole_and_forwarded(ready: Ready) -> None:
    payload = orjson.dumps({"model": "chat-ep", "messages": HELLO})
    response = ready.plane.client.post(CHAT, content=_in_chunks(payload, 7), headers=bearer(ready.key))
    assert response.status_code == 200
    assert response.json()["object"] == "chat.completion"
    assert response.json()["choices"][0]["message"]["role"] == "assistant"


def test_a_chunked_call_past_the_data_plane_cap_is_400_0101(ready: Ready, settings: Settings) -> None:
    cap = settings.data_plane_max_body_bytes
    prompt = [{"role": "user", "content": "x" * (cap + 1)}]
    payload = orjson.dumps({"model": "chat-ep", "messages": prompt})
    response = ready.plane.client.post(
        CHAT, content=_in_chunks(payload, 1024 * 1024), headers=bearer(ready.key)
    )
    assert response.status_code == 400
    assert response.json() == error("ModelArts.0101", f"Invalid parameter: body exceeds {cap} bytes.", 400)


def test_embeddings_without_input_is_81001(ready: Ready) -> None:
    response = ready.plane.client.post("/v1/embeddings", json={"model": "chat-ep"}, headers=bearer(ready.key))
    assert response.status_code == 400
    assert response.json() == error("ModelArts.81001", "Failed to format request body, input is empty.", 400)


def test_an_unknown_or_deleted_endpoint_is_81009_d13(ready: Ready) -> None:
    assert chat(ready.plane.client, bearer(ready.key), model="nope").json() == error(
        "ModelArts.81009", "Invalid model.", 404
    )
    url = f"{endpoints_url(ready.plane.account)}/{ready.endpoint_id}"
    assert ready.plane.client.delete(url, headers=ready.plane.account.headers()).status_code == 204
    response = ready.chat()
    assert response.status_code == 404
    assert response.json() == error("ModelArts.81009", "Invalid model.", 404)


def test_another_accounts_endpoint_is_81009(
    ready: Ready, make_account: Callable[[str], Account], settle: Callable[[], int]
) -> None:
    other = DataPlane(ready.plane.client, make_account("tenant-b"), settle)
    response = chat(ready.plane.client, bearer(other.key()))
    assert response.status_code == 404
    assert response.json()["error_code"] == "ModelArts.81009"


def test_a_deactivated_endpoint_is_81004_d15(ready: Ready) -> None:
    ready.plane.control(ready.endpoint_id, "deactivate")
    response = ready.chat()
    assert response.status_code == 403
    assert response.json() == error(
        "ModelArts.81004", "Invalid request because you do not have access to it.", 403
    )
    ready.plane.control(ready.endpoint_id, "activate")
    assert ready.chat().status_code == 200


def test_a_stopped_service_is_81010_d16(ready: Ready) -> None:
    url = f"/v2/{ready.plane.account.project()}/services/{ready.service_id}/stop"
    assert ready.plane.client.post(url, headers=ready.plane.account.headers()).status_code == 200
    response = ready.chat()
    assert response.status_code == 503
    assert response.json() == error(
        "ModelArts.81010",
        f"No available inference service instance: the inference service {ready.service_id} is STOPPING, "
        "not RUNNING.",
        503,
    )
    ready.plane.settle()
    assert ready.chat().json()["error_msg"].endswith(f"{ready.service_id} is STOPPED, not RUNNING.")
    assert ready.plane.usage(ready.endpoint_id)["errors"] == 2


def test_rpm_admits_exactly_rpm_then_429_81101_d18(plane: DataPlane, mock_url: str) -> None:
    service_id = plane.service(mock_url)
    endpoint_id = plane.endpoint("chat-ep", service_id, rpm=3)
    key = plane.key()
    statuses = [chat(plane.client, bearer(key)).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    before = time.time()
    refused = chat(plane.client, bearer(key))
    after = time.time()
    assert refused.json() == error(
        "ModelArts.81101", "Too many requests, exceeded rate limit is 3 times per minute.", 429
    )
    # The seconds left of the refusing minute, rounded up (D-18), as the clock read around the call.
    window = window_of(before, 60)
    assert (
        retry_after(after, window, 60)
        <= int(refused.headers["Retry-After"])
        <= retry_after(before, window, 60)
    )
    totals = plane.usage(endpoint_id)
    assert (totals["calls"], totals["errors"]) == (6, 3)


def test_tpm_refuses_once_the_window_used_its_tokens_429_81103_d18(plane: DataPlane, mock_url: str) -> None:
    service_id = plane.service(mock_url)
    endpoint_id = plane.endpoint("chat-ep", service_id, tpm=30)
    key = plane.key()
    used = 0
    while used < 30:
        answer = chat(plane.client, bearer(key), max_tokens=8)
        assert answer.status_code == 200
        used += answer.json()["usage"]["total_tokens"]
    refused = chat(plane.client, bearer(key), max_tokens=8)
    assert refused.status_code == 429
    assert refused.json() == error(
        "ModelArts.81103", "Too many requests. exceeded rate limit is 30 tokens per minute.", 429
    )
    assert "Retry-After" in refused.headers
    # Never more than one call's tokens past the limit.
    assert plane.usage(endpoint_id)["total_tokens"] == used < 30 + answer.json()["usage"]["total_tokens"]


def _service_on(plane: DataPlane, upstream: str, name: str = "chat-ep") -> tuple[str, str]:
    service_id = plane.service(upstream, name=f"svc-{name}")
    return service_id, plane.endpoint(name, service_id)


def test_a_refused_connection_is_81010_and_counted_d16(plane: DataPlane) -> None:
    with served(failing("ok")) as upstream:
        _, endpoint_id = _service_on(plane, upstream)
    key = plane.key()  # the server has gone: its port refuses connections
    response = chat(plane.client, bearer(key))
    assert response.status_code == 503
    body = response.json()
    assert body["error_code"] == "ModelArts.81010"
    assert body["error_msg"].startswith(
        "No available inference service instance: the model server at 127.0.0.1:"
    )
    assert plane.usage(endpoint_id) == {
        "calls": 1,
        "errors": 1,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "total_tokens": 0,
    }
    assert nothing_listens().startswith("http://127.0.0.1:")


@pytest.mark.parametrize(
    ("kind", "status", "code", "message"),
    [
        ("500", 502, "ModelArts.81010", "The model server answered 500: CUDA out of memory"),
        ("not-json", 502, "ModelArts.81010", "The model server's answer is not valid JSON."),
        (
            "400",
            400,
            "ModelArts.81001",
            "Inference failed: The prompt is too long. Request failed with status: 400.",
        ),
        ("slow", 504, "APIG.0203", "Backend timeout."),
    ],
)
def test_a_failing_model_server_is_a_defined_error_d16(
    plane: DataPlane, kind: str, status: int, code: str, message: str
) -> None:
    with served(failing(kind, delay=3)) as upstream:
        _, endpoint_id = _service_on(plane, upstream)
        response = chat(plane.client, bearer(plane.key()))
    assert response.status_code == status
    assert response.json() == error(code, message, status)
    totals = plane.usage(endpoint_id)
    assert (totals["calls"], totals["errors"], totals["completion_tokens"]) == (1, 1, 0)


def test_a_model_server_that_answers_no_http_is_502_81010_d16(plane: DataPlane) -> None:
    with not_http() as upstream:
        _, endpoint_id = _service_on(plane, upstream)
        response = chat(plane.client, bearer(plane.key()))
        port = upstream.rsplit(":", 1)[1]
    assert response.status_code == 502
    message = f"The model server at 127.0.0.1:{port} answered something that is not HTTP."
    assert response.json() == error("ModelArts.81010", message, 502)
    totals = plane.usage(endpoint_id)
    assert (totals["calls"], totals["errors"], totals["completion_tokens"]) == (1, 1, 0)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("cut", "The model server at 127.0.0.1:{port} closed the connection in the middle of the answer."),
        ("ends-early", "The model server ended the stream before its end marker."),
    ],
)
def test_a_stream_cut_in_the_middle_ends_with_an_error_event_d16(
    plane: DataPlane, kind: str, message: str
) -> None:
    with served(failing(kind)) as upstream:
        _, endpoint_id = _service_on(plane, upstream)
        response = chat(plane.client, bearer(plane.key()), stream=True)
        port = upstream.rsplit(":", 1)[1]
    assert response.status_code == 200
    events = sse_data(response.text)
    assert [event["choices"][0]["delta"]["content"] for event in events[:2]] == ["Hell", " wor"]
    assert events[2:] == [error("ModelArts.81010", message.format(port=port), 502)]
    # The text that did arrive is counted (8 bytes: 2 tokens), and the call is an error.
    totals = plane.usage(endpoint_id)
    assert (totals["calls"], totals["errors"], totals["completion_tokens"]) == (1, 1, 2)


def test_usage_api_takes_a_range_and_checks_it_d19(ready: Ready) -> None:
    assert ready.chat().status_code == 200
    assert ready.plane.usage(ready.endpoint_id)["calls"] == 1  # written to the store
    url = f"{endpoints_url(ready.plane.account)}/{ready.endpoint_id}/usage"
    headers = ready.plane.account.headers()
    now = int(time.time() * 1000)
    future = ready.plane.client.get(url, params={"start_time": now + 120_000}, headers=headers)
    assert future.status_code == 400
    assert future.json() == {
        "error_code": "ModelArts.0101",
        "error_msg": "Invalid parameter: start_time must not be after end_time.",
    }
    window = ready.plane.client.get(
        url, params={"start_time": now - 120_000, "end_time": now + 60_000}, headers=headers
    )
    body = window.json()
    assert [item["calls"] for item in body["items"]] == [1]
    assert body["endpoint_name"] == "chat-ep"
    assert body["start_time"] == now - 120_000
