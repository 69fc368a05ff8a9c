"""Accounts (domains) as a whole, for the operator's admin API (issue 11): made with their first user,
their administrator, and a project in each region; listed; and forgotten (the other packages forget
what the domain owns first, see ``admin.service.delete_domain``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from openmaas.clock import iam_time
from openmaas.db.scope import Scope
from openmaas.iam import repository
from openmaas.iam import service as iam
from openmaas.iam.errors import DomainNameTaken, DomainNotFound
from openmaas.names import HEX_ID


def create(connection: Connection, name: str, user: str, password_hash: str, regions: list[str]) -> str:
    """A domain, its administrator and a project per region; returns the domain id."""
    if repository.find_domain(connection, domain_id=None, name=name) is not None:
        raise DomainNameTaken(name)
    domain_id = iam.create_account(connection, name, user, password_hash)
    iam.add_region_projects(connection, domain_id, regions, owner=user)
    return domain_id


def describe(connection: Connection, domain_id: str) -> dict[str, Any]:
    """A domain with its users and its projects (by region)."""
    domain = require(connection, domain_id)
    users = repository.users_by_creation(connection, domain_id)
    return {
        **_domain(domain),
        "users": [{"id": u.id, "name": u.name, "is_admin": bool(u.is_admin)} for u in users],
        "projects": [{"id": p.id, "name": p.name} for p in repository.domain_projects(connection, domain_id)],
    }


def listing(connection: Connection) -> list[dict[str, Any]]:
    counts = repository.domain_user_counts(connection)
    return [
        {**_domain(row), "user_count": counts.get(row.id, 0)} for row in repository.all_domains(connection)
    ]


def require(connection: Connection, domain_id: str) -> Any:
    domain = (
        repository.find_domain(connection, domain_id=domain_id, name=None)
        if HEX_ID.match(domain_id)
        else None
    )
    if domain is None:
        raise DomainNotFound(domain_id)
    return domain


def project_scopes(connection: Connection, domain_id: str) -> list[Scope]:
    return [Scope(p.id, p.name) for p in repository.domain_projects(connection, domain_id)]


def forget(connection: Connection, domain_id: str) -> None:
    repository.forget_domain(connection, domain_id)


def _domain(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "created_at": iam_time(row.created_at)}
