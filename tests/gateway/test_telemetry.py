"""The data plane in /metrics and the log (issue 12): calls, tokens and 429s per endpoint, and the
access line of a call, with its endpoint and tenant and never its API key."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from openmaas.gateway.service import Gateway
from openmaas.telemetry.metrics import RequestMeter
from tests.gateway.conftest import CHAT, HELLO, DataPlane, Ready, bearer
from tests.gateway.upstreams import failing, served
from tests.telemetry.capture import CapturedLog, json_log

__all__ = ["json_log"]
from tests.telemetry.scrape import scrape

CALLS = "openmaas_data_plane_calls_total"
TOKENS = "openmaas_data_plane_tokens_total"
LIMITED = "openmaas_data_plane_rate_limited_total"
REQUESTS = "openmaas_http_requests_total"


@pytest.fixture(autouse=True)
def no_reuse(monkeypatch: pytest.MonkeyPatch) -> None:
    """An endpoint made by a test is seen by its next call (D-15)."""
    monkeypatch.setattr(Gateway, "RESOLVE_SECONDS", 0.0)


def chat(client: TestClient, key: str, **body: Any) -> Any:
    return client.post(CHAT, json={"model": "chat-ep", "messages": HELLO, **body}, headers=bearer(key))


def test_answered_calls_and_their_tokens_are_counted_per_endpoint(ready: Ready) -> None:
    client = ready.plane.client
    before = scrape(client)
    answers = [chat(client, ready.key, max_tokens=5).json()["usage"] for _ in range(3)]
    after = scrape(client)
    endpoint = ready.endpoint_id
    assert after.delta(before, CALLS, endpoint_id=endpoint, outcome="answered") == 3
    prompt = sum(usage["prompt_tokens"] for usage in answers)
    completion = sum(usage["completion_tokens"] for usage in answers)
    assert completion == 15
    assert after.delta(before, TOKENS, endpoint_id=endpoint, kind="prompt") == prompt
    assert after.delta(before, TOKENS, endpoint_id=endpoint, kind="completion") == completion
    labels = {"method": "POST", "route": CHAT, "status": "200", "code": ""}
    assert after.delta(before, REQUESTS, **labels) == 3


def test_429s_are_counted_per_endpoint_and_limit(plane: DataPlane, mock_url: str) -> None:
    endpoint = plane.endpoint("chat-ep", plane.service(mock_url), rpm=2)
    key = plane.key()
    before = scrape(plane.client)
    statuses = [chat(plane.client, key).status_code for _ in range(5)]
    after = scrape(plane.client)
    assert statuses == [200, 200, 429, 429, 429]
    assert after.delta(before, LIMITED, endpoint_id=endpoint, limit="rpm") == 3
    assert after.delta(before, LIMITED, endpoint_id=endpoint, limit="tpm") == 0
    assert after.delta(before, CALLS, endpoint_id=endpoint, outcome="answered") == 2
    assert after.delta(before, CALLS, endpoint_id=endpoint, outcome="refused") == 3
    labels = {"method": "POST", "route": CHAT, "status": "429", "code": "ModelArts.81101"}
    assert after.delta(before, REQUESTS, **labels) == 3


def test_a_failing_model_server_is_counted_as_failed(plane: DataPlane) -> None:
    with served(failing("500")) as upstream:
        endpoint = plane.endpoint("chat-ep", plane.service(upstream))
        key = plane.key()
        before = scrape(plane.client)
        failed = chat(plane.client, key)
        after = scrape(plane.client)
    assert (failed.status_code, failed.json()["error_code"]) == (502, "ModelArts.81010")
    assert after.delta(before, CALLS, endpoint_id=endpoint, outcome="failed") == 1
    assert after.delta(before, CALLS, endpoint_id=endpoint, outcome="answered") == 0


def test_a_calls_log_line_names_its_endpoint_and_account_and_never_its_key(
    ready: Ready, json_log: CapturedLog
) -> None:
    answer = chat(ready.plane.client, ready.key)
    assert answer.status_code == 200
    line = json_log.line_of(answer)
    assert {key: line[key] for key in ("method", "route", "status", "endpoint_id")} == {
        "method": "POST",
        "route": CHAT,
        "status": 200,
        "endpoint_id": ready.endpoint_id,
    }
    assert line["domain_id"]
    assert ready.key not in json_log.text


def test_a_call_is_published_within_a_second_without_a_scrape(ready: Ready) -> None:
    """The data-plane counters are tallied and published with the request meter (D-62): another
    process's scrape reads them from the shared values, so they get there on the meter's timer too."""
    labels = {"endpoint_id": ready.endpoint_id, "outcome": "answered"}

    def published() -> float:
        # The values as the library holds them, read without a scrape (which would publish first).
        return REGISTRY.get_sample_value(CALLS, labels) or 0.0

    before = published()
    assert chat(ready.plane.client, ready.key).status_code == 200
    deadline = time.monotonic() + RequestMeter.PUBLISH_SECONDS * 5
    while published() == before:
        assert time.monotonic() < deadline, "the call was not published"
        time.sleep(0.02)
    assert published() == before + 1
