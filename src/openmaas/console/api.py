"""How the console calls openmaas: through the server's own public API, in-process (the ASGI app
behind an httpx transport, no socket), with ``openmaas_client``. Every rule, error and fast path of
the API applies to the console as to any other client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.types import ASGIApp

from openmaas.console.session import Grant, Session
from openmaas_client import ApiError, AsyncClient, PasswordAuth, TokenAuth

# Requests never leave the process; the host only names the origin for the client.
ORIGIN = "http://openmaas.console"


class NoProject(Exception):
    """The session holds no token for the region asked for."""


@asynccontextmanager
async def connect(
    app: ASGIApp, session: Session | None = None, region: str = ""
) -> AsyncIterator[AsyncClient]:
    """A client of ``app`` for ``region``'s project of the session (none: unauthenticated calls)."""
    grant = session.grants.get(region) if session is not None else None
    if session is not None and grant is None:
        raise NoProject(region)
    transport = httpx.ASGITransport(app=app)
    auth = TokenAuth(grant.token) if grant is not None else None
    project_id = grant.project_id if grant is not None else None
    async with AsyncClient(
        ORIGIN, auth, region=region or "-", project_id=project_id, transport=transport
    ) as client:
        yield client


async def log_in(app: ASGIApp, domain: str, user: str, password: str, regions: list[str]) -> Session:
    """IAM's password flow for each region, the first (the MaaS home region) must succeed: its
    refusal (wrong password, locked user) is the login's answer. A region without a project of the
    user's is left out."""
    credentials = PasswordAuth(domain, user, password)
    grants: dict[str, Grant] = {}
    async with connect(app) as client:
        for index, region in enumerate(regions):
            try:
                token = await client.create_token(credentials, region=region)
            except ApiError:
                if index == 0:
                    raise
                continue
            assert token.project is not None
            grants[region] = Grant(token.project.id, token.value)
    return Session(user, domain, grants)


async def log_out(app: ASGIApp, session: Session) -> None:
    """Revoke every token of the session, each with itself (one already gone stops nothing)."""
    for region, grant in session.grants.items():
        async with connect(app, session, region) as client:
            try:
                await client.revoke_token(grant.token)
            except ApiError:
                continue
