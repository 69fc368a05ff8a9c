"""A fast lane for the two hottest reads (issue 5): the MaaS listing (CONTRACT 6.3) and the plain
v2 list (5.2), asked with a token.

FastAPI's routing, dependency and validation stack costs more than the read itself, so this plain
ASGI layer answers those two requests itself, with the routes' own parts: their path templates, their
query models (``RegionListingQuery``, ``ListQuery``), the caller check (``token_principal``), the
scope rules (D-3, D-4), the prebuilt reads, the wire builders and the error writer. Only the way the
read runs differs (``Store.answer``, on the event loop). What the lane does not answer itself (no
token, AK/SK, a query its model refuses, filters, a region's project it has not seen lately) goes
on to the full app unchanged. A failure it did not expect is logged, and the full app answers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.datastructures import QueryParams
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from openmaas.asgi import first_header
from openmaas.auth.tokens import TokenClaims
from openmaas.db.reads import PreparedRead, Render
from openmaas.errors import ApiError, check_page
from openmaas.http.caller import known_principal, token_claims, token_principal
from openmaas.http.families import Family, family_of
from openmaas.http.responses import error_response, send_json
from openmaas.http.scopes import maas_scope, modelarts_scope
from openmaas.http.state import AppState, state_of
from openmaas.maas import routes as maas_routes
from openmaas.maas import service as maas
from openmaas.maas.schemas import RegionListingQuery
from openmaas.names import WORKSPACE_ID
from openmaas.services import listing
from openmaas.services import routes as services_routes
from openmaas.services.schemas import ListQuery
from openmaas.telemetry.exchange import note_route

log = logging.getLogger("openmaas.fast_lane")

# Plans remembered by (path, query, token); when full, the memo starts over.
PLANS_KEPT = 4096


@dataclass(frozen=True, slots=True)
class Plan:
    """What the lane has planned for a request: the read to run and how its rows become the body.
    ``kind`` names the render, for answers kept by the store."""

    kind: str
    read: PreparedRead
    render: Render


Planner = Callable[[AppState, TokenClaims, dict[str, str], BaseModel], Plan | None]


@dataclass(frozen=True, slots=True)
class LaneRoute:
    """A route the lane answers: the same path template and query model as its FastAPI route, and
    the API family its paths belong to."""

    template: str
    path: re.Pattern[str]
    query_model: type[BaseModel]
    plan: Planner
    family: Family

    @classmethod
    def of(cls, template: str, query_model: type[BaseModel], plan: Planner) -> LaneRoute:
        regex, _format, convertors = compile_path(template)
        example = template.format(**dict.fromkeys(convertors, "x"))
        return cls(template, regex, query_model, plan, family_of(example))


def _maas_plan(state: AppState, claims: TokenClaims, params: dict[str, str], query: BaseModel) -> Plan | None:
    assert isinstance(query, RegionListingQuery)
    maas_scope(claims, params["project_id"], state.settings.maas_home_region)
    check_page(query.offset, query.limit)
    region_scope = state.directory.known_scope(claims.domain_id, params["region_id"])
    if region_scope is None:
        return None  # the route reads the region's project (and remembers it for next time)
    read = maas.region_listing_read(region_scope, query)
    limit = query.limit
    return Plan("6.3", read, lambda rows: orjson.dumps(listing.workspace_listing_body(rows, limit)))


def _v2_plan(state: AppState, claims: TokenClaims, params: dict[str, str], query: BaseModel) -> Plan | None:
    assert isinstance(query, ListQuery)
    project = modelarts_scope(claims, params["project_id"])
    check_page(query.offset, query.limit)
    if not listing.is_plain(query) or (
        query.workspace_id is not None and not WORKSPACE_ID.match(query.workspace_id)
    ):
        return None
    read = listing.plain_list_read(project, query.workspace_id, query.limit, query.offset)
    limit, offset = query.limit, query.offset
    return Plan("5.2", read, lambda rows: orjson.dumps(listing.plain_list_body(rows, limit, offset)))


LANE_ROUTES = (
    LaneRoute.of(maas_routes.PREFIX + maas_routes.REGION_SERVICES, RegionListingQuery, _maas_plan),
    LaneRoute.of(services_routes.PREFIX, ListQuery, _v2_plan),
)


def _token(scope: Scope) -> str | None:
    value = first_header(scope["headers"], b"x-auth-token")
    return value.decode("latin-1") if value is not None else None


class _HandOver(Exception):
    """The full app answers this request."""


class FastLane:
    """Plain ASGI, in front of FastAPI's whole stack (its routing and middleware included)."""

    def __init__(self, inner: ASGIApp, *, app: Starlette) -> None:
        self.inner = inner
        self.app = app
        self._plans: dict[tuple[str, bytes, str], Plan] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.inner(scope, receive, send)
            return
        try:
            payload = await self._answer(scope)
        except _HandOver:
            await self.inner(scope, receive, send)
        except ApiError as error:
            await error_response(scope["path"], error)(scope, receive, send)
        except Exception:
            log.exception("fast lane failed on %s; the full app answers", scope["path"])
            await self.inner(scope, receive, send)
        else:
            await send_json(send, 200, payload)

    async def _answer(self, scope: Scope) -> bytes:
        """The response body; raises ApiError for an error answer, _HandOver for the full app."""
        path: str = scope["path"]
        route, match = _route_of(path)
        note_route(route.template)
        state = state_of(self.app)
        token = _token(scope)
        if state is None or not token:
            raise _HandOver
        claims = token_claims(state, token, route.family)
        if known_principal(state, claims) is None:
            await token_principal(state, token, route.family)
        key = (path, scope["query_string"], token)
        plan = self._plans.get(key) or self._new_plan(state, route, match.groupdict(), claims, key)
        try:
            return await state.store.answer(plan.kind, plan.read, plan.render)
        except ApiError:
            # A plan whose region's project is gone (or made again) reads no workspace: planned
            # afresh, and answered by the route, which reads the project again.
            self._plans.pop(key, None)
            raise _HandOver from None

    def _new_plan(
        self,
        state: AppState,
        route: LaneRoute,
        params: dict[str, str],
        claims: TokenClaims,
        key: tuple[str, bytes, str],
    ) -> Plan:
        """A plan depends only on the path, the query and the token's claims (the scope rules are
        pure), so a request seen before reuses its plan: pollers repeat the same request."""
        query = _parsed_query(route.query_model, key[1])
        plan = route.plan(state, claims, params, query)
        if plan is None:
            raise _HandOver
        if len(self._plans) >= PLANS_KEPT:
            self._plans.clear()
        self._plans[key] = plan
        return plan


def _route_of(path: str) -> tuple[LaneRoute, re.Match[str]]:
    for route in LANE_ROUTES:
        match = route.path.match(path)
        if match is not None:
            return route, match
    raise _HandOver


def _parsed_query(model: type[BaseModel], query_string: bytes) -> BaseModel:
    """The query as the route reads it: Starlette's parser (the last of repeated keys wins, as in a
    route's query model) and the route's own model. What the model refuses, the route answers."""
    values: dict[str, Any] = dict(QueryParams(query_string))
    try:
        return model.model_validate(values)
    except ValidationError:
        raise _HandOver from None
