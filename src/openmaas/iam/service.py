"""IAM rules: password login with lockout (D-6), token bodies (4.1), projects (4.3); users are
``iam.users``."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row
from starlette.concurrency import run_in_threadpool

from openmaas.auth.passwords import HashCost, hash_password, needs_rehash, verify_password
from openmaas.auth.tokens import TokenClaims, TokenSigner
from openmaas.clock import hex_id, iam_time, now_ms
from openmaas.config import Settings
from openmaas.db.reads import PreparedRead, Rows
from openmaas.db.scope import Scope
from openmaas.db.store import Store
from openmaas.iam import repository
from openmaas.iam.errors import ScopeNotAccessible, UserLocked, WrongCredentials
from openmaas.iam.schemas import PasswordUser, TokenRequest
from openmaas.iam.users import can_log_in
from openmaas.workspaces import service as workspaces


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """What a password login needs from the settings (D-6, CONTRACT 4.1)."""

    password_cost: HashCost
    lockout_attempts: int
    lockout_seconds: int
    token_lifetime_seconds: int

    @classmethod
    def of(cls, settings: Settings) -> LoginPolicy:
        return cls(
            password_cost=HashCost.of(settings),
            lockout_attempts=settings.lockout_attempts,
            lockout_seconds=settings.lockout_seconds,
            token_lifetime_seconds=settings.token_lifetime_seconds,
        )


class LoginTurns:
    """One password check at a time per user in this process (D-6).

    The lockout counts wrong passwords after each slow hash check. Checks of one user that overlap
    would each be judged against a count none of them has added to yet, so a burst of guesses would
    get as many checks as there are worker threads. Taking turns makes the count exact within a
    process (and bounds a burst to the limit plus one check per other process sharing the store),
    without ever refusing a right password for what other attempts are doing. The turn is waited
    for on the event loop, so queued attempts hold no worker thread.
    """

    def __init__(self) -> None:
        # By user id, however the request names the domain (by id or by name).
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def turn(self, user_id: str) -> AsyncIterator[None]:
        lock = self._locks.get(user_id)
        if lock is None:
            lock = self._locks[user_id] = asyncio.Lock()
        async with lock:
            yield


@dataclass(frozen=True, slots=True)
class Login:
    """What a login needs besides the request: the store, the token key, the policy, the turns."""

    store: Store
    signer: TokenSigner
    policy: LoginPolicy
    turns: LoginTurns


async def login(context: Login, request: TokenRequest) -> tuple[str, TokenClaims]:
    """Check the password (taking this user's turn) and issue a token scoped as asked."""
    identity = request.auth.identity.password.user
    domain, user = await context.store.run(_find_user, identity)
    if domain is None or user is None:
        # No count to keep for a user that does not exist, but the same slow check and answer.
        await run_in_threadpool(verify_password, None, identity.password, context.policy.password_cost)
        raise WrongCredentials()
    async with context.turns.turn(user.id):
        return await run_in_threadpool(_checked_login, context, request, domain)


def _find_user(connection: Connection, identity: PasswordUser) -> tuple[Row[Any] | None, Row[Any] | None]:
    domain = repository.find_domain(connection, domain_id=identity.domain.id, name=identity.domain.name)
    return domain, repository.find_user(connection, domain.id, identity.name) if domain else None


def _checked_login(context: Login, request: TokenRequest, domain: Row[Any]) -> tuple[str, TokenClaims]:
    """Within the user's turn, so the user is read again: the previous turn may have counted a
    failure. The slow hash check runs outside any transaction: on SQLite a write transaction would
    hold the store's one write lock for the whole check. The lockout counter (D-6) is written in a
    short transaction of its own after it."""
    identity = request.auth.identity.password.user
    store, policy = context.store, context.policy
    with store.transaction(write=False) as connection:
        user = repository.find_user(connection, domain.id, identity.name)
    if user is not None and not can_log_in(user):
        # As an unknown user: the same slow check and answer, and no failure to count (D-54).
        user = None
    _check_password(store, policy, user, identity.password)
    assert user is not None
    with store.transaction(write=False) as connection:
        project = _scoped_project(connection, domain, request)
    now = now_ms()
    claims = TokenClaims(
        jti=hex_id(),
        user_id=user.id,
        user_name=user.name,
        domain_id=domain.id,
        domain_name=domain.name,
        project_id=project.id if project else None,
        project_name=project.name if project else None,
        issued_at=now,
        expires_at=now + policy.token_lifetime_seconds * 1000,
    )
    return context.signer.issue(claims), claims


def _check_password(store: Store, policy: LoginPolicy, user: Row[Any] | None, password: str) -> None:
    if user is not None and user.locked_until and user.locked_until > now_ms():
        raise UserLocked()
    if not verify_password(user.password_hash if user else None, password, policy.password_cost):
        if user is not None:
            with store.transaction(write=True) as connection:
                _count_failure(connection, policy, user.id, now_ms())
        raise WrongCredentials()
    assert user is not None
    # A hash made at other work factors is made again, so every check soon takes the configured time.
    fresh_hash = (
        hash_password(password, policy.password_cost)
        if needs_rehash(user.password_hash, policy.password_cost)
        else None
    )
    if user.failed_logins or fresh_hash is not None:
        with store.transaction(write=True) as connection:
            repository.save_login_failures(
                connection, user.id, failed=0, window_start=None, locked_until=None
            )
            if fresh_hash is not None:
                repository.save_password_hash(connection, user.id, fresh_hash)


def _count_failure(connection: Connection, policy: LoginPolicy, user_id: str, now: int) -> None:
    # Re-read under the row lock: another process may have counted a failure meanwhile.
    user = repository.lock_user(connection, user_id)
    if user is None or (user.locked_until and user.locked_until > now):
        return
    window_ms = policy.lockout_seconds * 1000
    in_window = user.failed_window_start is not None and now - user.failed_window_start < window_ms
    failed = user.failed_logins + 1 if in_window else 1
    window_start = user.failed_window_start if in_window else now
    locked_until = now + window_ms if failed >= policy.lockout_attempts else None
    repository.save_login_failures(
        connection,
        user.id,
        failed=0 if locked_until else failed,
        window_start=None if locked_until else window_start,
        locked_until=locked_until,
    )


def _scoped_project(connection: Connection, domain: Row[Any], request: TokenRequest) -> Row[Any] | None:
    """The project the token is scoped to, or None for a domain-scoped (or unscoped) token."""
    scope = request.auth.scope
    if scope is not None and scope.domain is not None:
        wanted = scope.domain
        if (wanted.id and wanted.id != domain.id) or (wanted.name and wanted.name != domain.name):
            raise ScopeNotAccessible("domain")
    if scope is None or scope.project is None:
        return None
    project = repository.domain_project(
        connection, domain.id, project_id=scope.project.id, name=scope.project.name
    )
    if project is None:
        raise ScopeNotAccessible("project")
    return project


def token_body(claims: TokenClaims, settings: Settings, *, with_catalog: bool) -> dict[str, Any]:
    domain = {"id": claims.domain_id, "name": claims.domain_name}
    token: dict[str, Any] = {
        "expires_at": iam_time(claims.expires_at),
        "issued_at": iam_time(claims.issued_at),
        "methods": ["password"],
        "user": {"id": claims.user_id, "name": claims.user_name, "domain": domain, "password_expires_at": ""},
        "roles": [{"id": "0", "name": "te_admin"}, {"id": "1", "name": "op_service"}],
    }
    if claims.project_id is not None:
        token["project"] = {"id": claims.project_id, "name": claims.project_name, "domain": domain}
    else:
        token["domain"] = domain
    if with_catalog:
        token["catalog"] = _catalog(settings)
    return {"token": token}


def _catalog(settings: Settings) -> list[dict[str, Any]]:
    base = settings.public_url.rstrip("/")
    services = [("iam", "identity", base + "/v3"), ("modelarts", "modelarts", base)]
    return [
        {
            "id": name,
            "name": name,
            "type": kind,
            "endpoints": [
                {
                    "id": f"{name}-{region.id}",
                    "interface": "public",
                    "region": region.id,
                    "region_id": region.id,
                    "url": url,
                }
                for region in settings.regions
            ],
        }
        for name, kind, url in services
    ]


def project_item(project: Row[Any], settings: Settings) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "domain_id": project.domain_id,
        "enabled": True,
        "is_domain": False,
        "parent_id": project.domain_id,
        "description": project.description,
        "links": {"self": f"{settings.public_url.rstrip('/')}/v3/projects/{project.id}"},
    }


def projects_body(
    connection: Connection, domain_id: str, settings: Settings, self_link: str, name: str | None = None
) -> dict[str, Any]:
    """The domain's projects (4.3), or only the one named ``name`` (a region id)."""
    rows = repository.domain_projects(connection, domain_id, name)
    return {
        "projects": [project_item(row, settings) for row in rows],
        "links": _links(self_link),
    }


def domains_body(
    connection: Connection, domain_id: str, settings: Settings, self_link: str
) -> dict[str, Any]:
    """The caller's own domain, the one item of /v3/auth/domains."""
    domain = repository.find_domain(connection, domain_id=domain_id, name=None)
    return {"domains": [domain_item(domain, settings)] if domain else [], "links": _links(self_link)}


def _links(self_link: str) -> dict[str, Any]:
    return {"self": self_link, "next": None, "previous": None}


def domain_item(domain: Row[Any], settings: Settings) -> dict[str, Any]:
    return {
        "id": domain.id,
        "name": domain.name,
        "enabled": True,
        "description": "",
        "links": {"self": f"{settings.public_url.rstrip('/')}/v3/domains/{domain.id}"},
    }


# ---- what other packages ask of IAM ---------------------------------------------------------------


def subject_read(user_id: str, project_id: str | None) -> PreparedRead:
    """The prebuilt read that confirms a token's user and project still exist."""
    return repository.subject_read(user_id, project_id)


def subject_found(rows: Rows, project_id: str | None) -> bool:
    """What ``subject_read``'s rows say: the user exists and is enabled, and the project exists too if
    the token has one."""
    user_found, project_found = rows[0]
    return bool(user_found) and (project_id is None or bool(project_found))


def domain_project(
    connection: Connection, domain_id: str, *, project_id: str | None = None, name: str | None = None
) -> Row[Any] | None:
    """The domain's project with that id (or named after that region), None if it has none."""
    return repository.domain_project(connection, domain_id, project_id=project_id, name=name)


def lock_domain(connection: Connection, domain_id: str) -> None:
    """Serialize, until the request commits, decisions that count what a domain owns (a quota)."""
    repository.lock_domain(connection, domain_id)


def lock_domain_user(connection: Connection, domain_id: str, user_id: str) -> bool:
    """Whether ``user_id`` is a user of the domain, holding it until the request commits."""
    return repository.lock_domain_user(connection, domain_id, user_id)


def domain_user_exists(connection: Connection, domain_id: str, user_id: str) -> bool:
    return repository.domain_user_exists(connection, domain_id, user_id)


def user_identity(connection: Connection, user_id: str) -> Row[Any] | None:
    """(user_id, user_name, domain_id, domain_name, enabled) of a user, None if it does not exist."""
    return repository.user_identity(connection, user_id)


# ---- accounts ------------------------------------------------------------------------------------


def create_account(connection: Connection, domain_name: str, user_name: str, password_hash: str) -> str:
    """A domain and its first user, its administrator; returns the domain id."""
    domain_id = repository.create_domain(connection, domain_name)
    repository.create_user(connection, domain_id, user_name, password_hash, is_admin=True)
    return domain_id


def add_region_projects(
    connection: Connection, domain_id: str, region_ids: list[str], owner: str
) -> list[str]:
    """A project, with its default workspace "0" (CONTRACT 2), in each region the domain lacks."""
    existing = {row.name for row in repository.domain_projects(connection, domain_id)}
    created = []
    for region_id in region_ids:
        if region_id not in existing:
            project_id = repository.create_project(connection, domain_id, region_id)
            workspaces.create_default(connection, Scope(project_id, region_id), owner)
            created.append(project_id)
    return created


def find_domain_by_name(connection: Connection, name: str) -> Row[Any] | None:
    return repository.find_domain(connection, domain_id=None, name=name)


def count_domains(connection: Connection) -> int:
    return repository.count_domains(connection)
