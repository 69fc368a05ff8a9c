"""Who is calling: the token or the AK/SK-signed request turned into a Principal and a Scope.

Each API family answers an authentication failure in its own documented shape (D-5), so the
dependencies here are built per family.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine, bindparam, exists, select
from starlette.concurrency import run_in_threadpool

from openmaas.auth.revocation import RevocationList
from openmaas.auth.signature import SignatureRejected, SignedRequest, is_signed
from openmaas.auth.tokens import InvalidToken, TokenClaims, TokenSigner
from openmaas.clock import now_ms
from openmaas.config import Settings
from openmaas.credentials.errors import ProjectOutsideDomain
from openmaas.credentials.service import signed_claims
from openmaas.db.reads import HotReader, PreparedRead, Rows
from openmaas.db.scope import Scope
from openmaas.db.session import transaction
from openmaas.errors import ApiError, ApiNotFound, IamError
from openmaas.iam.tables import projects, users


class Family(Enum):
    IAM = "iam"
    MODELARTS = "modelarts"
    MAAS = "maas"


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


class ExistenceCache:
    """Remembers for a few seconds that a user and project exist, so a valid token costs no read."""

    TTL_SECONDS = 5.0
    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str | None], float] = {}
        self._lock = threading.Lock()

    def is_fresh(self, claims: TokenClaims) -> bool:
        return self._seen.get((claims.user_id, claims.project_id), 0.0) > time.monotonic()

    def exists(self, engine: Engine, claims: TokenClaims) -> bool:
        """Whether ``claims``' user and project exist, read in a transaction of its own when not
        seen moments ago (for code already off the event loop)."""
        if self.is_fresh(claims):
            return True
        with transaction(engine, write=False) as connection:
            return self._confirm(claims, _existence_read(claims).rows(connection))

    async def confirmed(self, claims: TokenClaims, reader: HotReader) -> bool:
        """The same check on the event loop: the read, when needed, is the hot reader's."""
        if self.is_fresh(claims):
            return True
        return self._confirm(claims, await reader.rows(_existence_read(claims)))

    def _confirm(self, claims: TokenClaims, rows: Rows) -> bool:
        # One row: does the user exist, does the project exist (false for a domain-scoped token).
        user_found, project_found = rows[0]
        found = bool(user_found) and (claims.project_id is None or bool(project_found))
        if found:
            self._remember(claims)
        return found

    def _remember(self, claims: TokenClaims) -> None:
        """Record that the store has just confirmed ``claims``' user and project."""
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > self.MAX_ENTRIES:
                self._seen = {seen: until for seen, until in self._seen.items() if until > now}
            self._seen[(claims.user_id, claims.project_id)] = now + self.TTL_SECONDS


_BOTH_EXIST = select(
    exists().where(users.c.id == bindparam("user_id")),
    exists().where(projects.c.id == bindparam("project_id")),
)


def _existence_read(claims: TokenClaims) -> PreparedRead:
    return PreparedRead(_BOTH_EXIST, {"user_id": claims.user_id, "project_id": claims.project_id})


@dataclass
class AuthState:
    settings: Settings
    signer: TokenSigner
    revocations: RevocationList = field(default_factory=RevocationList)
    existence: ExistenceCache = field(default_factory=ExistenceCache)


def token_failure(family: Family) -> ApiError:
    """D-5: the body each family answers for a missing, invalid, expired or revoked token."""
    if family is Family.MAAS:
        return ApiError("Invalid token.", status_code=400, error_code="ModelArts.0104")
    if family is Family.MODELARTS:
        return ApiError("Invalid token.", status_code=401, error_code="ModelArts.0203")
    return IamError("The request you have made requires authentication.", status_code=401)


AKSK_FAILURE = "Incorrect IAM authentication information: verify aksk signature fail"


def signature_failure(family: Family, reason: str) -> ApiError:
    """D-5: a bad AK/SK signature, unknown AK or clock skew, with the reason appended."""
    message = f"{AKSK_FAILURE} ({reason})"
    if family is Family.IAM:
        return IamError(message, status_code=401)
    return ApiError(message, status_code=401, error_code="APIG.0301")


def verify_token(request: Request, token: str) -> TokenClaims:
    """Check signature, expiry, revocation and that the user and project still exist."""
    state: AuthState = request.app.state.auth
    claims = _verify_signed_claims(state, token)
    if not state.existence.exists(request.app.state.engine, claims):
        raise InvalidToken("user or project gone")
    return claims


def _verify_signed_claims(state: AuthState, token: str) -> TokenClaims:
    """The checks that need no store: signature, expiry, revocation."""
    claims = state.signer.verify(token, now_ms())
    if state.revocations.is_revoked(claims.jti):
        raise InvalidToken("revoked")
    return claims


def _authenticate_signed(request: Request, family: Family, body: bytes) -> Principal:
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
        with transaction(request.app.state.engine, write=False) as connection:
            claims = signed_claims(
                connection,
                request.app.state.secret_box,
                parts,
                request.headers["authorization"],
                project_id,
            )
    except SignatureRejected as rejected:
        raise signature_failure(family, rejected.reason) from None
    except ProjectOutsideDomain as outside:
        raise not_scoped(outside.project_id) from None
    return Principal(claims)


async def _authenticate(request: Request, family: Family) -> Principal:
    """A token if one is sent, else an AK/SK signature. A token costs no store read when its user
    and project were seen moments ago, and otherwise one read on the event loop (``HotReader``)."""
    token = request.headers.get("x-auth-token")
    if not token and is_signed(request.headers.get("authorization")):
        # Starlette caches the body, so the route (sync or async) still reads it after this.
        body = await request.body()
        return await run_in_threadpool(_authenticate_signed, request, family, body)
    state: AuthState = request.app.state.auth
    claims = signed_claims_or_none(state, token) if token else None
    if claims is None or not await state.existence.confirmed(claims, request.app.state.hot_reader):
        raise token_failure(family)
    return Principal(claims)


def signed_claims_or_none(state: AuthState, token: str) -> TokenClaims | None:
    """A token's claims if it passes the checks that need no store (signature, expiry, revocation)."""
    try:
        return _verify_signed_claims(state, token)
    except InvalidToken:
        return None


async def _iam_principal(request: Request) -> Principal:
    return await _authenticate(request, Family.IAM)


async def _modelarts_principal(request: Request) -> Principal:
    return await _authenticate(request, Family.MODELARTS)


async def _maas_principal(request: Request) -> Principal:
    return await _authenticate(request, Family.MAAS)


IamPrincipal = Annotated[Principal, Depends(_iam_principal)]
ModelArtsPrincipal = Annotated[Principal, Depends(_modelarts_principal)]
MaasPrincipal = Annotated[Principal, Depends(_maas_principal)]


def not_scoped(project_id: str) -> ApiError:
    """D-4."""
    return ApiError(
        f"Operation not allowed: the credential is not scoped to project {project_id}.",
        status_code=403,
        error_code="ModelArts.0105",
    )


def modelarts_scope(claims: TokenClaims, project_id: str) -> Scope:
    """D-4: the path's project must be the credential's."""
    if claims.project_id != project_id or claims.project_name is None:
        raise not_scoped(project_id)
    return Scope(project_id=project_id, region_id=claims.project_name)


def maas_scope(claims: TokenClaims, project_id: str, home_region: str) -> Scope:
    """D-3 and D-4 for the MaaS API."""
    if claims.project_id is None:
        # A domain-scoped token is in no region: D-4 applies before D-3's region rule.
        raise not_scoped(project_id)
    # D-3: outside the home region the MaaS API behaves as if it were not published.
    if claims.project_name != home_region:
        raise ApiNotFound()
    if claims.project_id != project_id:
        raise not_scoped(project_id)
    return Scope(project_id=project_id, region_id=home_region)


async def _modelarts_scope(project_id: str, principal: ModelArtsPrincipal) -> Scope:
    return modelarts_scope(principal.claims, project_id)


async def _maas_scope(request: Request, project_id: str, principal: MaasPrincipal) -> Scope:
    settings: Settings = request.app.state.settings
    return maas_scope(principal.claims, project_id, settings.maas_home_region)


ProjectScope = Annotated[Scope, Depends(_modelarts_scope)]
MaasScope = Annotated[Scope, Depends(_maas_scope)]
