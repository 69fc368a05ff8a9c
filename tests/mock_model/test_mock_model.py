"""The mock model (``openmaas mock-model``): an OpenAI-compatible server the official ``openai`` SDK
talks to unchanged, deterministic, with exact usage by its own token rule."""

from __future__ import annotations

import asyncio
import base64
import math
import signal
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from openmaas.mock_model import MockOptions, create_mock_app
from tests.gateway.upstreams import served
from tests.live import free_port, openmaas_command, wait_for

HELLO = [{"role": "user", "content": "tell me three things"}]


@pytest.fixture(scope="module")
def mock() -> Iterator[str]:
    with served(create_mock_app(MockOptions(default_max_tokens=6))) as url:
        yield url


@pytest.fixture(scope="module")
def sdk(mock: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{mock}/v1", api_key="unused", max_retries=0) as client:
        yield client


def test_chat_answer_and_usage_by_the_word_rule(sdk: openai.OpenAI) -> None:
    answer = sdk.chat.completions.create(model="any-name", messages=HELLO)  # type: ignore[arg-type]
    assert answer.object == "chat.completion"
    assert answer.model == "any-name"
    words = answer.choices[0].message.content
    assert words is not None
    assert len(words.split()) == 6
    assert answer.choices[0].finish_reason == "stop"
    assert answer.usage is not None
    # 4 words of text plus 3 for the message; 6 words answered.
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens, answer.usage.total_tokens) == (
        7,
        6,
        13,
    )


def test_the_same_messages_get_the_same_answer(sdk: openai.OpenAI) -> None:
    first = sdk.chat.completions.create(model="m", messages=HELLO)  # type: ignore[arg-type]
    second = sdk.chat.completions.create(model="m", messages=HELLO)  # type: ignore[arg-type]
    other = sdk.chat.completions.create(model="m", messages=[{"role": "user", "content": "else"}])
    assert first.choices[0].message.content == second.choices[0].message.content
    assert first.choices[0].message.content != other.choices[0].message.content


def test_max_tokens_cuts_the_answer(sdk: openai.OpenAI) -> None:
    answer = sdk.chat.completions.create(model="m", messages=HELLO, max_tokens=2)  # type: ignore[arg-type]
    assert answer.choices[0].finish_reason == "length"
    assert answer.usage is not None
    assert answer.usage.completion_tokens == 2


def test_a_stream_comes_chunk_by_chunk_with_usage_only_when_asked(sdk: openai.OpenAI) -> None:
    plain = list(sdk.chat.completions.create(model="m", messages=HELLO, stream=True))  # type: ignore[arg-type]
    assert all(chunk.usage is None for chunk in plain)
    assert plain[0].choices[0].delta.role == "assistant"
    assert plain[-1].choices[0].finish_reason == "stop"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in plain)
    answer = sdk.chat.completions.create(model="m", messages=HELLO)  # type: ignore[arg-type]
    assert text == answer.choices[0].message.content
    counted = list(
        sdk.chat.completions.create(
            model="m",
            messages=HELLO,
            stream=True,
            stream_options={"include_usage": True},  # type: ignore[arg-type]
        )
    )
    assert counted[-1].choices == []
    assert counted[-1].usage is not None
    assert counted[-1].usage.completion_tokens == 6


def test_a_paced_stream_sends_the_first_chunk_before_the_last_is_made() -> None:
    """With 5 tokens a second the answer takes a second: the first event is read while the server
    still has words to send (the order of events, not a timing, is asserted)."""
    with served(create_mock_app(MockOptions(tokens_per_second=5, default_max_tokens=5))) as url:
        body = {"model": "m", "messages": HELLO, "stream": True}
        with httpx.stream("POST", f"{url}/v1/chat/completions", json=body, timeout=30) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            events = response.iter_lines()
            first = next(line for line in events if line)
            rest = [line for line in events if line]
    assert first.startswith('data: {"id"')
    assert rest[-1] == "data: [DONE]"
    assert len(rest) == 6  # four more words, the finish chunk, the end marker


def test_a_server_without_usage_never_reports_it() -> None:
    with served(create_mock_app(MockOptions(usage=False))) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
        answer = client.chat.completions.create(model="m", messages=HELLO)  # type: ignore[arg-type]
        chunks = list(
            client.chat.completions.create(
                model="m",
                messages=HELLO,
                stream=True,
                stream_options={"include_usage": True},  # type: ignore[arg-type]
            )
        )
        client.close()
    assert answer.usage is None
    assert all(chunk.usage is None for chunk in chunks)


def test_embeddings_are_deterministic_unit_vectors(sdk: openai.OpenAI) -> None:
    answer = sdk.embeddings.create(model="m", input=["one two", "three"])
    assert [item.index for item in answer.data] == [0, 1]
    first = answer.data[0].embedding
    assert len(first) == 16
    # The SDK asks for base64 (float32): unit length to float32's precision.
    assert math.isclose(math.sqrt(sum(value * value for value in first)), 1.0, rel_tol=1e-6)
    assert sdk.embeddings.create(model="m", input="one two").data[0].embedding == first
    assert answer.usage.prompt_tokens == 3


def test_base64_embeddings_are_little_endian_float32(mock: str) -> None:
    body = {"model": "m", "input": "one two", "encoding_format": "base64"}
    encoded = httpx.post(f"{mock}/v1/embeddings", json=body).json()["data"][0]["embedding"]
    floats = struct.unpack("<16f", base64.b64decode(encoded))
    plain = httpx.post(f"{mock}/v1/embeddings", json={"model": "m", "input": "one two"}).json()
    assert [round(value, 5) for value in floats] == [
        round(value, 5) for value in plain["data"][0]["embedding"]
    ]


def test_models_and_health(sdk: openai.OpenAI, mock: str) -> None:
    assert [model.id for model in sdk.models.list()] == ["mock-llm"]
    assert httpx.get(f"{mock}/health").json() == {"status": "ok"}


async def _async_answer(url: str) -> str:
    async with openai.AsyncOpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0) as client:
        answer = await client.chat.completions.create(model="m", messages=HELLO)  # type: ignore[arg-type]
        return answer.choices[0].message.content or ""


def test_the_async_sdk_too(mock: str, sdk: openai.OpenAI) -> None:
    expected = sdk.chat.completions.create(model="m", messages=HELLO).choices[0].message.content  # type: ignore[arg-type]
    assert asyncio.run(_async_answer(mock)) == expected


@pytest.mark.parametrize(
    ("path", "body", "param", "message"),
    [
        ("chat/completions", b"{nope", None, "The request body is not valid JSON."),
        ("chat/completions", b"[]", None, "The request body must be a JSON object."),
        (
            "chat/completions",
            b'{"messages": [{"role": "user", "content": "x"}]}',
            "model",
            "'model' is required and must be a non-empty string.",
        ),
        (
            "chat/completions",
            b'{"model": "m", "messages": []}',
            "messages",
            "'messages' is required and must be a non-empty list of objects.",
        ),
        (
            "chat/completions",
            b'{"model": "m", "messages": [{"role": "user"}], "max_tokens": 0}',
            "max_tokens",
            "'max_tokens' must be a positive integer.",
        ),
        (
            "chat/completions",
            b'{"model": "m", "messages": [{"role": "user"}], "n": 2}',
            "n",
            "Only n=1 is supported.",
        ),
        (
            "embeddings",
            b'{"model": "m", "input": 5}',
            "input",
            "'input' is required: a non-empty string or list of strings.",
        ),
    ],
)
def test_bad_requests_are_400_naming_the_field(
    mock: str, path: str, body: bytes, param: str | None, message: str
) -> None:
    response = httpx.post(f"{mock}/v1/{path}", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": 400}
    }


def test_unknown_paths_are_404(mock: str) -> None:
    response = httpx.get(f"{mock}/v1/nothing")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"


def test_the_command_serves_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    command = openmaas_command(
        "mock-model", "--port", str(port), "--model", "house-llm", "--default-max-tokens", "3"
    )
    log = tmp_path / "mock.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(url), 60, "openmaas mock-model")
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
        answer = client.chat.completions.create(model="house-llm", messages=HELLO)  # type: ignore[arg-type]
        client.close()
        assert answer.usage is not None
        assert answer.usage.completion_tokens == 3
        assert httpx.get(f"{url}/v1/models").json()["data"][0]["id"] == "house-llm"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert f"listening on http://127.0.0.1:{port}/v1" in log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def _answers(url: str) -> bool | None:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200 or None
    except httpx.TransportError:
        return None
