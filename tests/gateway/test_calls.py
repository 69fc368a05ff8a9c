"""The data plane through the in-process app (CONTRACT 7, D-13 to D-19): a custom endpoint called as an
OpenAI-compatible model, forwarded to its model server, counted in its usage."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.gateway.conftest import CHAT, HELLO, DataPlane, Ready, bearer, endpoints_url


def sse_data(text: str) -> list[Any]:
    """The data of each event of a server-sent event stream, parsed (``[DONE]`` kept as text)."""
    events = [event for event in text.split("\n\n") if event.strip()]
    datas = [event.removeprefix("data: ") for event in events]
    return [data if data == "[DONE]" else orjson.loads(data) for data in datas]


def test_chat_answer_is_the_model_servers_and_counts_its_usage_d13_d17(ready: Ready) -> None:
    response = ready.chat(max_tokens=5)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert answer["object"] == "chat.completion"
    # D-14: the service's name is the upstream's model when it names no upstream_model.
    assert answer["model"] == "llm"
    assert answer["choices"][0]["finish_reason"] == "length"
    usage = answer["usage"]
    assert usage["completion_tokens"] == 5
    totals = ready.plane.usage(ready.endpoint_id)
    assert totals == {
        "calls": 1,
        "errors": 0,
        "prompt_tokens": usage["prompt_tokens"],
        "completion_tokens": 5,
        "total_tokens": usage["prompt_tokens"] + 5,
    }


@pytest.mark.parametrize("base", ["/v1", "/v2", "/openai/v1"])
def test_every_public_base_path_calls_the_endpoint_d13(ready: Ready, base: str) -> None:
    response = ready.plane.client.post(
        f"{base}/chat/completions", json={"model": "chat-ep", "messages": HELLO}, headers=bearer(ready.key)
    )
    assert response.status_code == 200
    assert response.json()["object"] == "chat.completion"


def test_upstream_model_names_what_the_server_is_sent_d14(plane: DataPlane, mock_url: str) -> None:
    service_id = plane.service(mock_url, name="named", upstream_model="qwen3-32b-awq")
    plane.endpoint("named-ep", service_id)
    key = plane.key()
    response = plane.client.post(CHAT, json={"model": "named-ep", "messages": HELLO}, headers=bearer(key))
    assert response.status_code == 200
    assert response.json()["model"] == "qwen3-32b-awq"


def test_stream_is_relayed_with_a_usage_chunk_by_default_d17(ready: Ready) -> None:
    response = ready.chat(stream=True, max_tokens=4)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_data(response.text)
    assert events[-1] == "[DONE]"
    usage_chunks = [event for event in events[:-1] if event["choices"] == []]
    assert len(usage_chunks) == 1
    assert usage_chunks[0]["usage"]["completion_tokens"] == 4
    text = "".join(e["choices"][0]["delta"].get("content", "") for e in events[:-1] if e["choices"])
    assert text
    totals = ready.plane.usage(ready.endpoint_id)
    assert totals["completion_tokens"] == 4
    assert totals["prompt_tokens"] == usage_chunks[0]["usage"]["prompt_tokens"]


def test_stream_without_usage_when_the_client_says_so_d17(ready: Ready) -> None:
    response = ready.chat(stream=True, max_tokens=3, stream_options={"include_usage": False})
    events = sse_data(response.text)
    assert all(event == "[DONE]" or event["choices"] for event in events)
    # Usage is still counted: openmaas asked the model server for it all the same.
    assert ready.plane.usage(ready.endpoint_id)["completion_tokens"] == 3


def test_a_server_without_usage_is_counted_by_its_text_d17(plane: DataPlane, silent_mock_url: str) -> None:
    service_id = plane.service(silent_mock_url, name="silent")
    endpoint_id = plane.endpoint("silent-ep", service_id)
    key = plane.key()
    body = {"model": "silent-ep", "messages": HELLO, "stream": True, "max_tokens": 6}
    events = sse_data(plane.client.post(CHAT, json=body, headers=bearer(key)).text)
    text = "".join(e["choices"][0]["delta"].get("content", "") for e in events[:-1] if e["choices"])
    completion = -(-len(text.encode()) // 4)
    # One usage chunk is added for the client, counted from the text (4 bytes a token).
    added = [event for event in events[:-1] if event["choices"] == []]
    assert [chunk["usage"]["completion_tokens"] for chunk in added] == [completion]
    assert plane.usage(endpoint_id)["completion_tokens"] == completion


def test_embeddings_are_forwarded_d13(ready: Ready) -> None:
    response = ready.plane.client.post(
        "/v1/embeddings", json={"model": "chat-ep", "input": ["a b c", "d"]}, headers=bearer(ready.key)
    )
    assert response.status_code == 200
    answer = response.json()
    assert [item["index"] for item in answer["data"]] == [0, 1]
    assert ready.plane.usage(ready.endpoint_id)["prompt_tokens"] == answer["usage"]["prompt_tokens"]


def test_models_lists_the_active_endpoints_the_key_may_call_d13(plane: DataPlane, mock_url: str) -> None:
    service_id = plane.service(mock_url)
    plane.endpoint("first-ep", service_id)
    second = plane.endpoint("second-ep", service_id)
    plane.endpoint("third-ep", service_id)
    plane.control(second, "deactivate")
    key = plane.key(endpoint_whitelist=["first-ep", "second-ep"])
    for base in ("/v1", "/v2", "/openai/v1"):
        answer = plane.client.get(f"{base}/models", headers=bearer(key))
        assert answer.status_code == 200
        body = answer.json()
        assert body["object"] == "list"
        assert [(item["id"], item["object"], item["owned_by"]) for item in body["data"]] == [
            ("first-ep", "model", "openmaas")
        ]


def test_a_renamed_endpoint_answers_to_its_new_name_within_a_second_d15(ready: Ready) -> None:
    url = f"{endpoints_url(ready.plane.account)}/{ready.endpoint_id}"
    renamed = ready.plane.client.put(
        url, json={"endpoint_name": "renamed-ep"}, headers=ready.plane.account.headers()
    )
    assert renamed.status_code == 200
    assert ready.chat(model="renamed-ep").status_code == 200
