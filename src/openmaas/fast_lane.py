"""A fast lane for the two hottest reads (issue 5): the MaaS listing (CONTRACT 6.3) and the plain
v2 list (5.2), asked with a token and at most workspace_id, limit and offset.

FastAPI's routing, dependency and validation stack costs more than the read itself, so this plain
ASGI layer answers the happy path directly, through the same token checks, scope rules (D-3, D-4),
store reads and wire builders as the routes. Anything else (no token, AK/SK, a token the store must
confirm, another query parameter, a value the lane does not accept, any ApiError) goes on to the
full app unchanged, which then answers exactly as it always does, error bodies included.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

from openmaas.auth.principal import AuthState, maas_scope, modelarts_scope, recently_verified_claims
from openmaas.auth.tokens import TokenClaims
from openmaas.db.engine import is_sqlite
from openmaas.db.session import transaction
from openmaas.errors import ApiError
from openmaas.maas.service import region_listing
from openmaas.names import MAX_LIMIT, MAX_OFFSET, WORKSPACE_ID
from openmaas.services.service import plain_list_page
from openmaas.workspaces.service import DEFAULT_WORKSPACE_ID

MAAS_LISTING = re.compile(r"^/v1/([^/]+)/maas/services/custom-endpoint/services/([^/]+)$")
V2_LIST = re.compile(r"^/v2/([^/]+)/services$")
PAGE_KEYS = frozenset({"workspace_id", "limit", "offset"})
# Plain decimal only: anything pydantic would also accept ("+5", " 5", "05") goes the long way.
DECIMAL = re.compile(r"^(?:0|[1-9][0-9]{0,9})$")
JSON_HEADERS = (b"content-type", b"application/json")

Read = Callable[[Connection], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class PageQuery:
    workspace_id: str | None
    limit: int
    offset: int


def page_query(query_string: bytes) -> PageQuery | None:
    """The paging query if it is one the lane takes, else None (the full stack judges it)."""
    values: dict[str, str] = {}
    for pair in query_string.split(b"&") if query_string else ():
        key, _, value = pair.partition(b"=")
        name = key.decode("latin-1")
        # Escapes, repeats and unknown keys are rare: the routes decide what they mean.
        if name not in PAGE_KEYS or name in values or b"%" in pair or b"+" in pair:
            return None
        values[name] = value.decode("latin-1")
    limit = _bounded(values.get("limit", "10"), 1, MAX_LIMIT)
    offset = _bounded(values.get("offset", "0"), 0, MAX_OFFSET)
    if limit is None or offset is None or offset % limit:
        return None
    return PageQuery(values.get("workspace_id"), limit, offset)


def _bounded(text: str, low: int, high: int) -> int | None:
    number = int(text) if DECIMAL.match(text) else None
    return number if number is not None and low <= number <= high else None


def _token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-auth-token":
            return str(value.decode("latin-1"))
    return None


class FastLane:
    def __init__(self, app: ASGIApp, *, state: State, engine: Engine) -> None:
        self.app = app
        self.state = state
        self.engine = engine
        # SQLite reads run on the event loop: a WAL read of one page is well under a millisecond
        # and never waits for a writer, while a hop to a worker thread costs more than the read
        # itself in GIL hand-offs (up to the 5 ms switch interval under load). The pool holds more
        # connections than there are worker threads, so the loop never waits for one either.
        # PostgreSQL reads cross the network and can block: they keep their worker thread.
        self.read_on_loop = is_sqlite(str(engine.url))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await self._answer(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if body is None:
            await self.app(scope, receive, send)
            return
        payload = orjson.dumps(body)
        headers = [(b"content-length", str(len(payload)).encode()), JSON_HEADERS]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def _answer(self, scope: Scope) -> dict[str, Any] | None:
        """The response body, or None to leave the request to the full app."""
        path: str = scope["path"]
        maas, v2 = MAAS_LISTING.match(path), V2_LIST.match(path)
        if maas is None and v2 is None:
            return None
        auth: AuthState | None = getattr(self.state, "auth", None)
        token = _token(scope)
        query = page_query(scope["query_string"])
        if auth is None or not token or query is None:
            return None
        claims = recently_verified_claims(auth, token)
        if claims is None:
            return None
        try:
            read = self._maas_read(claims, maas.group(1), maas.group(2), query) if maas else None
            read = read or (self._v2_read(claims, v2.group(1), query) if v2 else None)
            return await self._run(read) if read else None
        except ApiError:
            return None
        except Exception:
            # An unexpected failure is the full app's to log and answer (one error handler).
            return None

    def _maas_read(self, claims: TokenClaims, project_id: str, region_id: str, query: PageQuery) -> Read:
        maas_scope(claims, project_id, self.state.settings.maas_home_region)
        # "If no value is specified, the default workspace is queried": `?workspace_id=` specifies none.
        workspace_id = query.workspace_id or DEFAULT_WORKSPACE_ID
        directory = self.state.projects
        return lambda connection: region_listing(
            connection, directory, claims.domain_id, region_id, workspace_id, query.limit, query.offset
        )

    def _v2_read(self, claims: TokenClaims, project_id: str, query: PageQuery) -> Read | None:
        project = modelarts_scope(claims, project_id)
        if query.workspace_id is not None and not WORKSPACE_ID.match(query.workspace_id):
            return None
        return lambda connection: plain_list_page(
            connection, project, query.workspace_id, query.limit, query.offset
        )

    async def _run(self, read: Read) -> dict[str, Any]:
        if self.read_on_loop:
            return self._read(read)
        return await run_in_threadpool(self._read, read)

    def _read(self, read: Read) -> dict[str, Any]:
        with transaction(self.engine, write=False) as connection:
            return read(connection)
