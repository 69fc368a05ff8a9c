"""The mock model's HTTP API: the OpenAI chat, embeddings and models paths, and a health check."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from openmaas.mock_model import text

JSON = "application/json"


@dataclass(frozen=True, slots=True)
class MockOptions:
    model: str = "mock-llm"
    # Wait before the answer (or the first chunk of a stream).
    latency_ms: float = 0.0
    # Pace of a stream; 0 sends every chunk at once.
    tokens_per_second: float = 0.0
    # How many tokens an answer has; a smaller max_tokens cuts it (finish_reason "length").
    default_max_tokens: int = 16
    embedding_dimensions: int = 16
    # False: never report usage, as some model servers do not.
    usage: bool = True


class BadRequest(Exception):
    """A request the mock cannot answer: 400 with an OpenAI error body naming the field."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


def create_mock_app(options: MockOptions) -> Starlette:
    chat = _Chat(options)

    async def chat_completions(request: Request) -> Response:
        return await chat.answer(await _body(request))

    async def embeddings(request: Request) -> Response:
        return _json(_embeddings(await _body(request), options))

    async def models(_request: Request) -> Response:
        item = {"id": options.model, "object": "model", "created": 0, "owned_by": "openmaas-mock"}
        return _json({"object": "list", "data": [item]})

    async def health(_request: Request) -> Response:
        return _json({"status": "ok"})

    routes = [
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/v1/embeddings", embeddings, methods=["POST"]),
        Route("/v1/models", models),
        Route("/health", health),
    ]
    handlers = {BadRequest: _bad_request, HTTPException: _http_error}
    return Starlette(routes=routes, exception_handlers=handlers)


class _Chat:
    def __init__(self, options: MockOptions) -> None:
        self._options = options

    async def answer(self, body: dict[str, Any]) -> Response:
        model, messages = _string(body, "model"), _messages(body)
        natural = self._options.default_max_tokens
        limit = _max_tokens(body, natural)
        words = list(text.answer_words(messages, min(limit, natural)))
        finish = "length" if limit < natural else "stop"
        usage = self._usage(text.prompt_tokens(messages), len(words))
        if self._options.latency_ms:
            await asyncio.sleep(self._options.latency_ms / 1000)
        if body.get("stream") is True:
            wants_usage = _include_usage(body) and usage is not None
            chunks = self._chunks(model, words, finish, usage if wants_usage else None)
            return StreamingResponse(chunks, media_type="text/event-stream")
        return _json(_completion(model, words, finish, usage))

    def _usage(self, prompt: int, completion: int) -> dict[str, int] | None:
        if not self._options.usage:
            return None
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    async def _chunks(
        self, model: str, words: list[str], finish: str, usage: dict[str, int] | None
    ) -> AsyncIterator[bytes]:
        head = _chunk_head(model)
        pause = 1 / self._options.tokens_per_second if self._options.tokens_per_second else 0.0
        for index, word in enumerate(words):
            delta = {"role": "assistant", "content": word} if index == 0 else {"content": " " + word}
            yield _event({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
            if pause:
                await asyncio.sleep(pause)
        yield _event({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        if usage is not None:
            yield _event({**head, "choices": [], "usage": usage})
        yield b"data: [DONE]\n\n"


def _completion(model: str, words: list[str], finish: str, usage: dict[str, int] | None) -> dict[str, Any]:
    message = {"role": "assistant", "content": " ".join(words)}
    answer: dict[str, Any] = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
    }
    if usage is not None:
        answer["usage"] = usage
    return answer


def _chunk_head(model: str) -> dict[str, Any]:
    created = int(time.time())
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
    }


def _embeddings(body: dict[str, Any], options: MockOptions) -> dict[str, Any]:
    model, inputs = _string(body, "model"), _inputs(body)
    encoding = body.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        raise BadRequest("encoding_format must be 'float' or 'base64'.", "encoding_format")
    vectors = [text.embedding(item, options.embedding_dimensions) for item in inputs]
    data = [
        {"object": "embedding", "index": index, "embedding": text.as_base64(v) if encoding == "base64" else v}
        for index, v in enumerate(vectors)
    ]
    answer: dict[str, Any] = {"object": "list", "data": data, "model": model}
    if options.usage:
        tokens = sum(text.words_of(item) for item in inputs)
        answer["usage"] = {"prompt_tokens": tokens, "total_tokens": tokens}
    return answer


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise BadRequest("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    return body


def _string(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"'{name}' is required and must be a non-empty string.", name)
    return value


def _messages(body: dict[str, Any]) -> list[Any]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        raise BadRequest("'messages' is required and must be a non-empty list of objects.", "messages")
    if body.get("n", 1) != 1:
        raise BadRequest("Only n=1 is supported.", "n")
    return messages


def _max_tokens(body: dict[str, Any], default: int) -> int:
    for name in ("max_completion_tokens", "max_tokens"):
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise BadRequest(f"'{name}' must be a positive integer.", name)
        return value
    return default


def _include_usage(body: dict[str, Any]) -> bool:
    options = body.get("stream_options")
    return isinstance(options, dict) and options.get("include_usage") is True


def _inputs(body: dict[str, Any]) -> list[str]:
    value = body.get("input")
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return value
    raise BadRequest("'input' is required: a non-empty string or list of strings.", "input")


def _event(chunk: dict[str, Any]) -> bytes:
    return b"data: " + orjson.dumps(chunk) + b"\n\n"


def _json(body: dict[str, Any], status_code: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, media_type=JSON)


def _error(message: str, kind: str, param: str | None, status_code: int) -> Response:
    return _json(
        {"error": {"message": message, "type": kind, "param": param, "code": status_code}}, status_code
    )


async def _bad_request(_request: Request, failure: Exception) -> Response:
    assert isinstance(failure, BadRequest)
    return _error(failure.message, "invalid_request_error", failure.param, 400)


async def _http_error(_request: Request, failure: Exception) -> Response:
    assert isinstance(failure, HTTPException)
    kind = "not_found_error" if failure.status_code == 404 else "error"
    return _error(str(failure.detail), kind, None, failure.status_code)
