"""Who is calling: the token or the AK/SK-signed request turned into a Principal. A failure is
answered in the request's API family (D-5, ``http.families``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from openmaas.auth.signature import SignatureRejected, SignedRequest, is_signed
from openmaas.auth.tokens import InvalidToken, TokenClaims
from openmaas.clock import now_ms
from openmaas.credentials import service as credentials
from openmaas.credentials.errors import ProjectOutsideDomain
from openmaas.errors import NotScoped
from openmaas.http.families import Family, family_of
from openmaas.http.state import AppState, AuthState, State
from openmaas.iam.users import Actor
from openmaas.telemetry.exchange import note_caller


@dataclass(frozen=True, slots=True)
class Principal:
    claims: TokenClaims

    @property
    def project_id(self) -> str | None:
        return self.claims.project_id

    @property
    def domain_id(self) -> str:
        return self.claims.domain_id

    @property
    def user_name(self) -> str:
        return self.claims.user_name

    @property
    def actor(self) -> Actor:
        """The caller as IAM's user rules name it."""
        return Actor(self.claims.user_id, self.claims.domain_id)


def _principal(claims: TokenClaims) -> Principal:
    """The caller, noted on the request being served (its log line names the tenant)."""
    note_caller(claims.domain_id, claims.user_id, claims.project_id)
    return Principal(claims)


def signed_claims_or_none(auth: AuthState, token: str) -> TokenClaims | None:
    """A token's claims if it passes the checks that need no store (signature, expiry, revocation)."""
    try:
        return _verify_signed_claims(auth, token)
    except InvalidToken:
        return None


def _verify_signed_claims(auth: AuthState, token: str) -> TokenClaims:
    claims = auth.signer.verify(token, now_ms())
    if auth.revocations.is_revoked(claims.jti):
        raise InvalidToken("revoked")
    return claims


def verify_token(state: AppState, token: str) -> TokenClaims:
    """Signature, expiry, revocation, and that the user and project still exist (off the loop)."""
    claims = _verify_signed_claims(state.auth, token)
    if not state.auth.existence.exists(state.store, claims):
        raise InvalidToken("user or project gone")
    return claims


async def token_principal(state: AppState, token: str | None, family: Family) -> Principal:
    """A token's caller. It costs no store read when its user and project were seen moments ago,
    and otherwise one read on the event loop. The routes and the fast lane both take this way."""
    claims = token_claims(state, token, family)
    if not state.auth.existence.is_fresh(claims) and not await state.auth.existence.confirmed(
        claims, state.store
    ):
        raise family.token_failure
    return _principal(claims)


def token_claims(state: AppState, token: str | None, family: Family) -> TokenClaims:
    """The first half of ``token_principal``, the checks that need no store: signature, expiry,
    revocation. The fast lane calls it and then ``known_principal``, so that a token seen moments ago
    costs it no coroutine at all."""
    claims = signed_claims_or_none(state.auth, token) if token else None
    if claims is None:
        raise family.token_failure
    return claims


def known_principal(state: AppState, claims: TokenClaims) -> Principal | None:
    """The caller of ``claims`` if its user and project were confirmed moments ago, else None (then
    ``token_principal`` confirms them)."""
    return _principal(claims) if state.auth.existence.is_fresh(claims) else None


def _signed_principal(request: Request, state: AppState, family: Family, body: bytes) -> Principal:
    # CONTRACT 3: the project is X-Project-Id if sent, else the path's (IAM paths have none).
    project_id = request.headers.get("x-project-id") or request.path_params.get("project_id")
    parts = SignedRequest(
        method=request.method,
        path=request.scope["path"],
        query_string=request.scope["query_string"],
        headers=request.scope["headers"],
        body=body,
    )
    try:
        with state.store.transaction(write=False) as connection:
            claims = credentials.signed_claims(
                connection, state.secret_box, parts, request.headers["authorization"], project_id
            )
    except SignatureRejected as rejected:
        raise family.signature_failure(rejected.reason) from None
    except ProjectOutsideDomain as outside:
        raise NotScoped(outside.project_id) from None
    return _principal(claims)


async def _caller(request: Request, state: State) -> Principal:
    """A token if one is sent, else an AK/SK signature."""
    family = family_of(request.url.path)
    token = request.headers.get("x-auth-token")
    if not token and is_signed(request.headers.get("authorization")):
        # Starlette caches the body, so the route (sync or async) still reads it after this.
        body = await request.body()
        return await run_in_threadpool(_signed_principal, request, state, family, body)
    return await token_principal(state, token, family)


Caller = Annotated[Principal, Depends(_caller)]
