"""IAM subset: tokens (4.1, 4.2), projects (4.3) and users (D-50)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from sqlalchemy import Row
from starlette.responses import Response

from openmaas.auth.tokens import InvalidToken, TokenClaims
from openmaas.http.caller import Caller, verify_token
from openmaas.http.responses import json_response, no_content
from openmaas.http.state import AppState, DbConnection, State
from openmaas.iam import service, users
from openmaas.iam.errors import TokenNotFound
from openmaas.iam.schemas import (
    CreatedUser,
    CreatedUserAnswer,
    DomainList,
    KeystoneUser,
    KeystoneUserAnswer,
    KeystoneUserCreate,
    KeystoneUserList,
    KeystoneUserUpdate,
    PasswordUpdate,
    ProjectList,
    TokenAnswer,
    TokenRequest,
    UpdatedUser,
    UpdatedUserAnswer,
    UserCreate,
    UserDetail,
    UserDetailAnswer,
    UserUpdate,
)
from openmaas.iam.users import KEYSTONE_USERS, OS_USERS
from openmaas.names import NUL_FREE

router = APIRouter(tags=["IAM"])
SubjectToken = Annotated[str, Header(alias="X-Subject-Token", max_length=4096)]
UserId = Annotated[str, Path(min_length=1, max_length=64)]


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


# ---- users (D-50 to D-57) ---------------------------------------------------------------------------


def _keystone_user(state: AppState, user: Row[Any], status_code: int = 200) -> Response:
    body = users.user_body(KeystoneUser, user, state.settings.public_url, KEYSTONE_USERS)
    return json_response({"user": body}, status_code)


@router.post(OS_USERS, status_code=201, response_model=CreatedUserAnswer)
def create_user(caller: Caller, state: State, body: UserCreate) -> Response:
    """Create a user of the caller's domain (its administrator only)."""
    user = users.create_user(state.users, caller.actor, body.user)
    answer = users.user_body(CreatedUser, user, state.settings.public_url, OS_USERS)
    return json_response({"user": answer}, 201)


@router.post(KEYSTONE_USERS, status_code=201, response_model=KeystoneUserAnswer)
def keystone_create_user(caller: Caller, state: State, body: KeystoneUserCreate) -> Response:
    """Create a user of the caller's domain, in the Keystone shape (its administrator only)."""
    return _keystone_user(state, users.create_user(state.users, caller.actor, body.user), 201)


@router.get(KEYSTONE_USERS, response_model=KeystoneUserList)
def list_users(
    request: Request,
    caller: Caller,
    connection: DbConnection,
    state: State,
    domain_id: Annotated[str | None, Query(max_length=64), NUL_FREE] = None,
    name: Annotated[str | None, Query(max_length=64), NUL_FREE] = None,
    enabled: bool | None = None,
) -> Response:
    """The users of the caller's domain, optionally by name or by state (its administrator only)."""
    rows = users.list_users(connection, caller.actor, domain_id=domain_id, name=name, enabled=enabled)
    base_url = state.settings.public_url
    items = [users.user_body(KeystoneUser, row, base_url, KEYSTONE_USERS) for row in rows]
    return json_response(
        {"users": items, "links": {"self": str(request.url), "next": None, "previous": None}}
    )


@router.get(f"{KEYSTONE_USERS}/{{user_id}}", response_model=KeystoneUserAnswer)
def keystone_show_user(caller: Caller, connection: DbConnection, state: State, user_id: UserId) -> Response:
    """A user of the caller's domain: the caller itself, or any for its administrator."""
    return _keystone_user(state, users.show_user(connection, caller.actor, user_id))


@router.get(f"{OS_USERS}/{{user_id}}", response_model=UserDetailAnswer)
def show_user(caller: Caller, connection: DbConnection, state: State, user_id: UserId) -> Response:
    """A user's details: the caller itself, or any user of its domain for its administrator."""
    user = users.show_user(connection, caller.actor, user_id)
    return json_response({"user": users.user_body(UserDetail, user, state.settings.public_url, OS_USERS)})


@router.put(f"{OS_USERS}/{{user_id}}", response_model=UpdatedUserAnswer)
def update_user(caller: Caller, state: State, user_id: UserId, body: UserUpdate) -> Response:
    """Change a user of the caller's domain (its administrator only); absent fields stay."""
    user = users.update_user(state.users, caller.actor, user_id, body.user)
    return json_response({"user": users.user_body(UpdatedUser, user, state.settings.public_url, OS_USERS)})


@router.patch(f"{KEYSTONE_USERS}/{{user_id}}", response_model=KeystoneUserAnswer)
def keystone_update_user(caller: Caller, state: State, user_id: UserId, body: KeystoneUserUpdate) -> Response:
    """Change a user of the caller's domain, in the Keystone shape (its administrator only)."""
    return _keystone_user(state, users.update_user(state.users, caller.actor, user_id, body.user))


@router.delete(f"{KEYSTONE_USERS}/{{user_id}}", status_code=204)
def delete_user(caller: Caller, connection: DbConnection, state: State, user_id: UserId) -> Response:
    """Delete a user and its access keys; its tokens are refused within 5 s."""
    users.delete_user(connection, caller.actor, user_id, state.users.release)
    return no_content()


@router.post(f"{KEYSTONE_USERS}/{{user_id}}/password", status_code=204)
def change_password(caller: Caller, state: State, user_id: UserId, body: PasswordUpdate) -> Response:
    """Change the caller's own password, given the original one."""
    users.change_password(state.users, caller.actor, user_id, body.user)
    return no_content()
