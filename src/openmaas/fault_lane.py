"""The fault lane: plain ASGI, outermost but for the request checks, that makes the requests a live
fault rule catches slow or fail (D-41), whichever API family or lane would answer them.

With no live rule it costs one attribute read. The admin API and the probes are never caught, so a rule
can always be removed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from openmaas.asgi import first_header
from openmaas.auth.tokens import InvalidToken
from openmaas.clock import now_ms
from openmaas.http.responses import error_response
from openmaas.http.state import AppState, state_of
from openmaas.telemetry.exchange import note_route
from openmaas.telemetry.metrics import UNMATCHED

# The console's own pages are spared too; the API calls they make in-process are not (a fault shows
# on the page as the API's error).
SPARED = ("/openmaas/", "/health", "/ready", "/metrics", "/console")


class FaultLane:
    def __init__(self, inner: ASGIApp, *, app: Starlette, routes: Sequence[BaseRoute]) -> None:
        self.inner = inner
        self.app = app
        # The routes themselves, not the app's (FastAPI wraps an included router in one opaque route).
        self.routes = tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = state_of(self.app) if scope["type"] == "http" else None
        if state is None or not state.faults.faults or scope["path"].startswith(SPARED):
            await self.inner(scope, receive, send)
            return
        fault = state.faults.matching(scope["method"], scope["path"], _domain_of(state, scope))
        if fault is None or not await state.faults.take(state.store, fault):
            await self.inner(scope, receive, send)
            return
        if fault.latency_ms:
            await asyncio.sleep(fault.latency_ms / 1000)
        if fault.error is not None:
            note_route(_template(self.routes, scope))
            await error_response(scope["path"], fault.error)(scope, receive, send)
            return
        await self.inner(scope, receive, send)


def _domain_of(state: AppState, scope: Scope) -> str | None:
    """The domain of the request's IAM token, when some rule asks (a token that does not verify has none)."""
    if not state.faults.by_domain:
        return None
    token = first_header(scope["headers"], b"x-auth-token")
    if token is None:
        return None
    try:
        return state.auth.signer.verify(token.decode("latin-1"), now_ms()).domain_id
    except InvalidToken:
        return None


def _template(routes: Sequence[BaseRoute], scope: Scope) -> str:
    """The route template the request would have reached, for its metrics: the fault answered first."""
    for route in routes:
        match, _child = route.matches(scope)
        if match is Match.FULL:
            return getattr(route, "path", UNMATCHED)
    return UNMATCHED
