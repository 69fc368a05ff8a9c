"""The data plane's paths (CONTRACT 7): the OpenAI-compatible API under ``/v1``, ``/v2`` and
``/openai/v1``, as the public clients call it; ``model`` names a custom endpoint.

``OPERATIONS`` is the one table of them: the FastAPI routes below are built from it (they are what
OpenAPI shows), and so is the front door's lane (``openmaas.data_plane_lane``) that serves them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from openmaas.gateway.schemas import ChatCompletion, Embeddings, ModelList
from openmaas.gateway.service import Gateway
from openmaas.http.state import State

BASES = ("/v1", "/v2", "/openai/v1")
Handler = Callable[[Gateway, Request], Awaitable[Response]]


async def chat_completions(gateway: Gateway, request: Request) -> Response:
    """Call a custom endpoint as a chat model (``stream: true`` for server-sent events)."""
    return await gateway.call(request, "chat/completions")


async def embeddings(gateway: Gateway, request: Request) -> Response:
    """Call a custom endpoint as an embedding model."""
    return await gateway.call(request, "embeddings")


async def models(gateway: Gateway, request: Request) -> Response:
    """The custom endpoints the API key may call."""
    return await gateway.models(request)


# (method, path) -> handler, answer model
OPERATIONS: dict[tuple[str, str], tuple[Handler, type]] = {}
for base in BASES:
    OPERATIONS[("POST", f"{base}/chat/completions")] = (chat_completions, ChatCompletion)
    OPERATIONS[("POST", f"{base}/embeddings")] = (embeddings, Embeddings)
    OPERATIONS[("GET", f"{base}/models")] = (models, ModelList)

router = APIRouter(tags=["Data plane"])


def _route(handler: Handler) -> Callable[[Request, State], Awaitable[Response]]:
    async def route(request: Request, state: State) -> Response:
        return await handler(state.gateway, request)

    route.__doc__ = handler.__doc__
    return route


for (method, path), (handler, answer) in OPERATIONS.items():
    # One OpenAPI operation per path: /v1/models is models_v1, /openai/v1/models models_openai_v1.
    base = path.removesuffix("/chat/completions").removesuffix("/embeddings").removesuffix("/models")
    operation_id = handler.__name__ + base.replace("/", "_")
    router.add_api_route(
        path, _route(handler), methods=[method], response_model=answer, operation_id=operation_id
    )
