"""IAM subset: tokens (4.1, 4.2) and projects (4.3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from starlette.responses import Response

from openmaas.auth.tokens import InvalidToken, TokenClaims
from openmaas.http.caller import Caller, verify_token
from openmaas.http.responses import json_response, no_content
from openmaas.http.state import AppState, DbConnection, State
from openmaas.iam import service
from openmaas.iam.errors import TokenNotFound
from openmaas.iam.schemas import DomainList, ProjectList, TokenAnswer, TokenRequest
from openmaas.names import NUL_FREE

router = APIRouter(tags=["IAM"])
SubjectToken = Annotated[str, Header(alias="X-Subject-Token", max_length=4096)]


@router.post("/v3/auth/tokens", status_code=201, response_model=TokenAnswer)
async def create_token(state: State, body: TokenRequest, nocatalog: bool = False) -> Response:
    """Obtain a token with a user name and password."""
    login = service.Login(state.store, state.auth.signer, state.login_policy, state.login_turns)
    token, claims = await service.login(login, body)
    payload = service.token_body(claims, state.settings, with_catalog=not nocatalog)
    return json_response(payload, 201, headers={"X-Subject-Token": token})


@router.get("/v3/auth/tokens", response_model=TokenAnswer)
def validate_token(_caller: Caller, state: State, subject: SubjectToken, nocatalog: bool = False) -> Response:
    """Validate a token; 404 when it is not (or no longer) valid."""
    claims = _subject_claims(state, subject)
    payload = service.token_body(claims, state.settings, with_catalog=not nocatalog)
    return json_response(payload, 200, headers={"X-Subject-Token": subject})


def _subject_claims(state: AppState, subject: str) -> TokenClaims:
    """The claims of the token a request is about (X-Subject-Token): 404 if it is not valid (4.2)."""
    try:
        return verify_token(state, subject)
    except InvalidToken:
        raise TokenNotFound() from None


@router.delete("/v3/auth/tokens", status_code=204)
def revoke_token(_caller: Caller, state: State, connection: DbConnection, subject: SubjectToken) -> Response:
    """Revoke a token; every process sharing the store refuses it within 5 s."""
    claims = _subject_claims(state, subject)
    state.auth.revocations.revoke(connection, claims.jti, claims.expires_at)
    return no_content()


@router.get("/v3/projects", response_model=ProjectList)
def list_projects(
    request: Request,
    caller: Caller,
    connection: DbConnection,
    state: State,
    name: Annotated[str | None, Query(max_length=64), NUL_FREE] = None,
) -> Response:
    """The caller's domain's projects, optionally only the one named after a region."""
    body = service.projects_body(connection, caller.domain_id, state.settings, str(request.url), name)
    return json_response(body)


@router.get("/v3/auth/projects", response_model=ProjectList)
def list_auth_projects(request: Request, caller: Caller, connection: DbConnection, state: State) -> Response:
    """The projects the caller may scope a token to."""
    return json_response(
        service.projects_body(connection, caller.domain_id, state.settings, str(request.url))
    )


@router.get("/v3/auth/domains", response_model=DomainList)
def list_auth_domains(request: Request, caller: Caller, connection: DbConnection, state: State) -> Response:
    """The caller's domain: how the SDK's GlobalCredentials find their domain id."""
    return json_response(service.domains_body(connection, caller.domain_id, state.settings, str(request.url)))
