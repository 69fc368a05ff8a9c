"""IAM subset: tokens (4.1, 4.2) and projects (4.3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from starlette.responses import Response

from openmaas.auth.principal import AuthState, IamPrincipal, verify_token
from openmaas.auth.tokens import InvalidToken, TokenClaims
from openmaas.db.session import DbConnection
from openmaas.errors import json_response
from openmaas.iam import service
from openmaas.iam.errors import TokenNotFound
from openmaas.iam.schemas import TokenRequest
from openmaas.names import NUL_FREE

router = APIRouter(tags=["IAM"])


def _auth(request: Request) -> AuthState:
    state: AuthState = request.app.state.auth
    return state


@router.post("/v3/auth/tokens", status_code=201)
async def create_token(request: Request, body: TokenRequest, nocatalog: bool = False) -> Response:
    """Obtain a token with a user name and password."""
    auth = _auth(request)
    token, claims = await service.login(request.app.state.engine, auth, request.app.state.login_turns, body)
    payload = service.token_body(claims, auth.settings, with_catalog=not nocatalog)
    return json_response(payload, 201, headers={"X-Subject-Token": token})


@router.get("/v3/auth/tokens")
def validate_token(
    request: Request,
    _caller: IamPrincipal,
    subject: Annotated[str, Header(alias="X-Subject-Token", max_length=4096)],
    nocatalog: bool = False,
) -> Response:
    """Validate a token; 404 when it is not (or no longer) valid."""
    claims = _subject_claims(request, subject)
    payload = service.token_body(claims, _auth(request).settings, with_catalog=not nocatalog)
    return json_response(payload, 200, headers={"X-Subject-Token": subject})


def _subject_claims(request: Request, subject: str) -> TokenClaims:
    """The claims of the token a request is about (X-Subject-Token): 404 if it is not valid (4.2)."""
    try:
        return verify_token(request, subject)
    except InvalidToken:
        raise TokenNotFound() from None


@router.delete("/v3/auth/tokens", status_code=204)
def revoke_token(
    request: Request,
    _caller: IamPrincipal,
    connection: DbConnection,
    subject: Annotated[str, Header(alias="X-Subject-Token", max_length=4096)],
) -> Response:
    """Revoke a token; every process sharing the store refuses it within 5 s."""
    claims = _subject_claims(request, subject)
    _auth(request).revocations.revoke(connection, claims.jti, claims.expires_at)
    return Response(status_code=204)


@router.get("/v3/projects")
def list_projects(
    request: Request,
    caller: IamPrincipal,
    connection: DbConnection,
    name: Annotated[str | None, Query(max_length=64), NUL_FREE] = None,
) -> Response:
    """The caller's domain's projects, optionally only the one named after a region."""
    settings = _auth(request).settings
    return json_response(
        service.projects_body(connection, caller.domain_id, settings, str(request.url), name)
    )


@router.get("/v3/auth/projects")
def list_auth_projects(request: Request, caller: IamPrincipal, connection: DbConnection) -> Response:
    """The projects the caller may scope a token to."""
    settings = _auth(request).settings
    return json_response(service.projects_body(connection, caller.domain_id, settings, str(request.url)))


@router.get("/v3/auth/domains")
def list_auth_domains(request: Request, caller: IamPrincipal, connection: DbConnection) -> Response:
    """The caller's domain: how the SDK's GlobalCredentials find their domain id."""
    settings = _auth(request).settings
    return json_response(service.domains_body(connection, caller.domain_id, settings, str(request.url)))
