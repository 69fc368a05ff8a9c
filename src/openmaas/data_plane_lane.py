"""The data plane's lane: plain ASGI in front of FastAPI, which serves the data plane's paths
(``gateway.routes.OPERATIONS``) straight from the gateway.

FastAPI's route matching walks every route of the app and its dependency stack runs per request:
on a forwarded call that cost more than the forward itself. The lane does an exact lookup of
(method, path) and calls the same handlers as the routes, writing errors with the one error writer
in the data plane's body. Other paths, and other methods on these paths, go on to FastAPI.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from openmaas.errors import INTERNAL_ERROR, ApiError
from openmaas.gateway.routes import OPERATIONS
from openmaas.http.responses import error_response
from openmaas.http.state import state_of
from openmaas.telemetry.exchange import note_route

log = logging.getLogger("openmaas.data_plane")


class DataPlaneLane:
    def __init__(self, inner: ASGIApp, *, app: Starlette) -> None:
        self.inner = inner
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        operation = OPERATIONS.get((scope["method"], scope["path"])) if scope["type"] == "http" else None
        state = state_of(self.app) if operation is not None else None
        if operation is None or state is None:
            await self.inner(scope, receive, send)
            return
        handler, _answer = operation
        note_route(scope["path"])  # the operations' paths are their own templates
        try:
            response = await handler(state.gateway, Request(scope, receive))
        except ApiError as error:
            response = error_response(scope["path"], error)
        except Exception:
            # As the one error handler does: the stack in the log, a generic body on the wire.
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            response = error_response(scope["path"], INTERNAL_ERROR)
        await response(scope, receive, send)
