"""IAM rules: password login with lockout (D-6), token bodies (4.1), projects (4.3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, Row

from openmaas.auth.passwords import hash_password, needs_rehash, verify_password
from openmaas.auth.principal import AuthState
from openmaas.auth.tokens import TokenClaims
from openmaas.clock import hex_id, iam_time, now_ms
from openmaas.config import Settings
from openmaas.db.session import transaction
from openmaas.iam import repository
from openmaas.iam.errors import ScopeNotAccessible, UserLocked, WrongCredentials
from openmaas.iam.schemas import TokenRequest


def login(engine: Engine, auth: AuthState, request: TokenRequest) -> tuple[str, TokenClaims]:
    """Check the password and issue a token scoped as asked.

    The slow hash check runs outside any transaction: on SQLite a write transaction would hold the
    store's one write lock for the whole check. The lockout counter (D-6) is written in short
    transactions of their own, before and after it.
    """
    identity = request.auth.identity.password.user
    with transaction(engine, write=False) as connection:
        domain = repository.find_domain(connection, domain_id=identity.domain.id, name=identity.domain.name)
        user = repository.find_user(connection, domain.id, identity.name) if domain else None
    _check_password(engine, auth.settings, user, identity.password)
    assert domain is not None
    assert user is not None
    with transaction(engine, write=False) as connection:
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
        expires_at=now + auth.settings.token_lifetime_seconds * 1000,
    )
    return auth.signer.issue(claims), claims


def _check_password(engine: Engine, settings: Settings, user: Row[Any] | None, password: str) -> None:
    """D-6. The attempt is counted before the slow hash check, under the user's row lock: guesses
    sent at the same moment each take a place, and those past the limit are refused unchecked. A
    right password then takes the count back to zero."""
    if user is None:
        verify_password(None, password, settings.password_cost)  # as slow as a real user's check
        raise WrongCredentials()
    with transaction(engine, write=True) as connection:
        _count_attempt(connection, settings, user.id, now_ms())
    if not verify_password(user.password_hash, password, settings.password_cost):
        raise WrongCredentials()
    # A hash made at another cost is made again, so every check soon takes the configured time.
    fresh_hash = (
        hash_password(password, settings.password_cost)
        if needs_rehash(user.password_hash, settings.password_cost)
        else None
    )
    with transaction(engine, write=True) as connection:
        repository.save_login_failures(connection, user.id, failed=0, window_start=None, locked_until=None)
        if fresh_hash is not None:
            repository.save_password_hash(connection, user.id, fresh_hash)


def _count_attempt(connection: Connection, settings: Settings, user_id: str, now: int) -> None:
    """Count one more attempt as failed, locking the user when it is the limit-th in the window."""
    user = repository.lock_user(connection, user_id)
    if user is None:
        raise WrongCredentials()  # deleted since it was read
    if user.locked_until and user.locked_until > now:
        raise UserLocked()
    window_ms = settings.lockout_seconds * 1000
    in_window = user.failed_window_start is not None and now - user.failed_window_start < window_ms
    failed = user.failed_logins + 1 if in_window else 1
    repository.save_login_failures(
        connection,
        user.id,
        failed=failed,
        window_start=user.failed_window_start if in_window else now,
        locked_until=now + window_ms if failed >= settings.lockout_attempts else None,
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


def projects_body(rows: list[Row[Any]], settings: Settings, self_link: str) -> dict[str, Any]:
    return {
        "projects": [project_item(row, settings) for row in rows],
        "links": {"self": self_link, "next": None, "previous": None},
    }


def domain_item(domain: Row[Any], settings: Settings) -> dict[str, Any]:
    return {
        "id": domain.id,
        "name": domain.name,
        "enabled": True,
        "description": "",
        "links": {"self": f"{settings.public_url.rstrip('/')}/v3/domains/{domain.id}"},
    }
