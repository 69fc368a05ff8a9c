"""Every 2xx answer of the in-process app is checked against the answer model its route declares
(``response_model``, openmaas.wire): the one definition of each wire shape. The in-process test
clients install ``check_answers``, so every API test also proves its answers' shapes."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from starlette.routing import Match

from openmaas.app import ROUTERS


def route_of(method: str, path: str) -> APIRoute | None:
    """The API route that serves ``method path``, from the app's routers (their paths carry their
    prefixes), in the order the app includes them."""
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and route.matches(scope)[0] is Match.FULL:
                return route
    return None


def answer_model(method: str, path: str) -> Any:
    route = route_of(method, path)
    return route.response_model if route is not None else None


def check_answer(response: httpx.Response) -> None:
    """Raise if a 2xx JSON answer does not validate, strictly, against its route's model."""
    if not 200 <= response.status_code < 300 or response.status_code == 204:
        return
    if not response.headers.get("content-type", "").startswith("application/json"):
        return  # a stream of server-sent events is checked by the tests that read it
    model = answer_model(response.request.method, response.request.url.path)
    if model is None:
        return
    response.read()
    TypeAdapter(model).validate_json(response.content, strict=True)


def check_answers(client: TestClient) -> TestClient:
    client.event_hooks["response"].append(check_answer)
    return client
