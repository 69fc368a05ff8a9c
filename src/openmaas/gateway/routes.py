"""The data plane's paths (CONTRACT 7): the OpenAI-compatible API under ``/v1``, ``/v2`` and
``/openai/v1``, as the public clients call it; ``model`` names a custom endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from openmaas.gateway.schemas import ChatCompletion, Embeddings, ModelList
from openmaas.http.state import State

BASES = ("/v1", "/v2", "/openai/v1")
router = APIRouter(tags=["Data plane"])


async def chat_completions(request: Request, state: State) -> Response:
    """Call a custom endpoint as a chat model (``stream: true`` for server-sent events)."""
    return await state.gateway.call(request, "chat/completions")


async def embeddings(request: Request, state: State) -> Response:
    """Call a custom endpoint as an embedding model."""
    return await state.gateway.call(request, "embeddings")


async def models(request: Request, state: State) -> Response:
    """The custom endpoints the API key may call."""
    return await state.gateway.models(request)


for base in BASES:
    # One operation per path in the OpenAPI document: each base is a route of its own.
    router.add_api_route(
        f"{base}/chat/completions",
        chat_completions,
        methods=["POST"],
        response_model=ChatCompletion,
        operation_id=f"chat{base.replace('/', '_')}",
    )
    router.add_api_route(
        f"{base}/embeddings",
        embeddings,
        methods=["POST"],
        response_model=Embeddings,
        operation_id=f"embeddings{base.replace('/', '_')}",
    )
    router.add_api_route(
        f"{base}/models",
        models,
        methods=["GET"],
        response_model=ModelList,
        operation_id=f"models{base.replace('/', '_')}",
    )
