"""The request being served, as the front door's observer sees it: what the layers below learn
about it (its route template, wire error code, tenant) is noted here for its metrics and its log
line. A context variable holds it, so code anywhere below (the error writer, the caller check) can
note a fact without being handed the request."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class Exchange:
    method: str
    path: str
    request_id: str = ""
    # The route template ("/v2/{project_id}/services"), never the raw path: metric labels stay few.
    route: str | None = None
    # The wire error code the answer carries, as its family writes it.
    code: str = ""
    domain_id: str | None = None
    user_id: str | None = None
    project_id: str | None = None
    workspace_id: str | None = None
    endpoint_id: str | None = None


CURRENT: ContextVar[Exchange | None] = ContextVar("openmaas_exchange", default=None)


def current() -> Exchange | None:
    return CURRENT.get()


def note_route(template: str) -> None:
    exchange = CURRENT.get()
    if exchange is not None:
        exchange.route = template


def note_code(code: str) -> None:
    exchange = CURRENT.get()
    if exchange is not None:
        exchange.code = code


def note_caller(domain_id: str, user_id: str | None, project_id: str | None) -> None:
    exchange = CURRENT.get()
    if exchange is not None:
        exchange.domain_id = domain_id
        exchange.user_id = user_id
        if project_id:
            exchange.project_id = project_id


def note_endpoint(domain_id: str, endpoint_id: str) -> None:
    """The data plane's tenant: the API key's account and the endpoint the call reached."""
    exchange = CURRENT.get()
    if exchange is not None:
        exchange.domain_id = domain_id
        exchange.endpoint_id = endpoint_id
