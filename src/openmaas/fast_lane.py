"""A fast lane for the two hottest reads (issue 5): the MaaS listing (CONTRACT 6.3) and the plain
v2 list (5.2), asked with a token and at most workspace_id, limit and offset.

FastAPI's routing, dependency and validation stack costs more than the read itself, so this plain
ASGI layer answers the happy path directly, through the same token checks, scope rules (D-3, D-4),
prebuilt statements and wire builders as the routes; only the way the statement runs differs (see
``HotReader``). It confirms a token's user and project through the same ``ExistenceCache`` as the
routes. Anything else (no token, AK/SK, a token whose user or project is gone, another query
parameter, a value the lane does not accept, any ApiError) goes on to the full app unchanged, which
then answers exactly as it always does, error bodies included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import orjson
from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

from openmaas.auth.principal import AuthState, maas_scope, modelarts_scope, signed_claims_or_none
from openmaas.auth.tokens import TokenClaims
from openmaas.db.reads import HotReader, PreparedRead, Render
from openmaas.errors import ApiError
from openmaas.maas.service import region_listing_body, region_listing_read
from openmaas.names import MAX_LIMIT, MAX_OFFSET, WORKSPACE_ID
from openmaas.services.service import plain_list_body, plain_list_read

MAAS_LISTING = re.compile(r"^/v1/([^/]+)/maas/services/custom-endpoint/services/([^/]+)\Z")
V2_LIST = re.compile(r"^/v2/([^/]+)/services\Z")
PAGE_KEYS = frozenset({"workspace_id", "limit", "offset"})
# Plain decimal only: anything pydantic would also accept ("+5", " 5", "05") goes the long way.
DECIMAL = re.compile(r"^(?:0|[1-9][0-9]{0,9})\Z")
JSON_HEADERS = (b"content-type", b"application/json")
# Plans remembered by (path, query, token); when full, the memo starts over.
PLANS_KEPT = 4096


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


# What the lane has planned for a request: what the answer is, the read to run, and how its rows
# become the response body.
Plan = tuple[str, PreparedRead, Render]


class FastLane:
    """Plain ASGI, in front of FastAPI's whole stack (its routing and middleware included)."""

    def __init__(self, app: ASGIApp, *, state: State) -> None:
        self.app = app
        self.state = state
        self._plans: dict[tuple[str, bytes, str], Plan] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        payload = await self._answer(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if payload is None:
            await self.app(scope, receive, send)
            return
        headers = [(b"content-length", str(len(payload)).encode()), JSON_HEADERS]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def _answer(self, scope: Scope) -> bytes | None:
        """The response body, or None to leave the request to the full app."""
        path: str = scope["path"]
        if MAAS_LISTING.match(path) is None and V2_LIST.match(path) is None:
            return None  # not one of the two listings: no token work here, the full app does it
        auth: AuthState | None = getattr(self.state, "auth", None)
        reader: HotReader | None = getattr(self.state, "hot_reader", None)
        token = _token(scope)
        if auth is None or reader is None or not token:
            return None
        # Expiry and revocation are checked on every request, whatever is remembered below.
        claims = signed_claims_or_none(auth, token)
        if claims is None:
            return None
        try:
            plan = self._plan(path, scope["query_string"], token, claims)
            if plan is None:
                return None
            if not await auth.existence.confirmed(claims, reader):
                return None
            return await reader.answer(*plan)
        except ApiError:
            # A plan whose project is gone (or made again) reads no workspace: planned afresh next
            # time, from the directory's bounded memory, rather than failing the same way for ever.
            self._plans.pop((path, scope["query_string"], token), None)
            return None
        except Exception:
            # An unexpected failure is the full app's to log and answer (one error handler).
            return None

    def _plan(self, path: str, query_string: bytes, token: str, claims: TokenClaims) -> Plan | None:
        """The plan for this request. It depends only on the path, the query and the token's claims
        (the scope rules are pure), so a request seen before reuses its plan: pollers repeat the
        same request. A request the lane leaves to the full app is not remembered."""
        key = (path, query_string, token)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._new_plan(path, query_string, claims)
            if plan is None:
                return None
            if len(self._plans) >= PLANS_KEPT:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    def _new_plan(self, path: str, query_string: bytes, claims: TokenClaims) -> Plan | None:
        maas, v2 = MAAS_LISTING.match(path), V2_LIST.match(path)
        query = page_query(query_string) if maas or v2 else None
        if query is None:
            return None
        if maas:
            return self._maas_plan(claims, maas.group(1), maas.group(2), query)
        assert v2 is not None
        return self._v2_plan(claims, v2.group(1), query)

    def _maas_plan(
        self, claims: TokenClaims, project_id: str, region_id: str, query: PageQuery
    ) -> Plan | None:
        maas_scope(claims, project_id, self.state.settings.maas_home_region)
        region_scope = self.state.projects.known_scope(claims.domain_id, region_id)
        if region_scope is None:
            return None
        read = region_listing_read(region_scope, query.workspace_id or "", query.limit, query.offset)
        return "6.3", read, lambda rows: orjson.dumps(region_listing_body(rows, query.limit))

    def _v2_plan(self, claims: TokenClaims, project_id: str, query: PageQuery) -> Plan | None:
        project = modelarts_scope(claims, project_id)
        if query.workspace_id is not None and not WORKSPACE_ID.match(query.workspace_id):
            return None
        read = plain_list_read(project, query.workspace_id, query.limit, query.offset)
        return "5.2", read, lambda rows: orjson.dumps(plain_list_body(rows, query.limit, query.offset))
