"""SQL for domains, users and projects. Every project query is scoped to one domain."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from openmaas.clock import hex_id, now_ms
from openmaas.iam.tables import domains, projects, users
from openmaas.workspaces.tables import workspaces


def find_domain(connection: Connection, *, domain_id: str | None, name: str | None) -> Row[Any] | None:
    statement = select(domains)
    statement = (
        statement.where(domains.c.id == domain_id) if domain_id else statement.where(domains.c.name == name)
    )
    return connection.execute(statement).first()


def count_domains(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(domains)).scalar_one())


def find_user(connection: Connection, domain_id: str, name: str) -> Row[Any] | None:
    statement = select(users).where(users.c.domain_id == domain_id, users.c.name == name)
    return connection.execute(statement).first()


def lock_user(connection: Connection, user_id: str) -> Row[Any] | None:
    # FOR UPDATE (PostgreSQL; SQLite writers are already serialized): the lockout count is read-modify-write.
    return connection.execute(select(users).where(users.c.id == user_id).with_for_update()).first()


def save_login_failures(
    connection: Connection, user_id: str, *, failed: int, window_start: int | None, locked_until: int | None
) -> None:
    connection.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(failed_logins=failed, failed_window_start=window_start, locked_until=locked_until)
    )


def save_password_hash(connection: Connection, user_id: str, password_hash: str) -> None:
    connection.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))


def domain_projects(connection: Connection, domain_id: str, name: str | None = None) -> list[Row[Any]]:
    statement = select(projects).where(projects.c.domain_id == domain_id)
    if name is not None:
        statement = statement.where(projects.c.name == name)
    return list(connection.execute(statement.order_by(projects.c.name)).all())


def domain_project(
    connection: Connection, domain_id: str, *, project_id: str | None = None, name: str | None = None
) -> Row[Any] | None:
    statement = select(projects).where(projects.c.domain_id == domain_id)
    if project_id is not None:
        statement = statement.where(projects.c.id == project_id)
    if name is not None:
        statement = statement.where(projects.c.name == name)
    return connection.execute(statement).first()


def create_domain(connection: Connection, name: str) -> str:
    domain_id = hex_id()
    connection.execute(insert(domains).values(id=domain_id, name=name, created_at=now_ms()))
    return domain_id


def create_user(connection: Connection, domain_id: str, name: str, password_hash: str) -> str:
    user_id = hex_id()
    connection.execute(
        insert(users).values(
            id=user_id,
            domain_id=domain_id,
            name=name,
            password_hash=password_hash,
            failed_logins=0,
            created_at=now_ms(),
        )
    )
    return user_id


def create_project(connection: Connection, domain_id: str, region_id: str, owner: str) -> str:
    """A project and its default workspace "0" (CONTRACT 2), created together."""
    project_id = hex_id()
    now = now_ms()
    connection.execute(
        insert(projects).values(
            id=project_id, domain_id=domain_id, name=region_id, description="", created_at=now
        )
    )
    connection.execute(
        insert(workspaces).values(
            project_id=project_id,
            id="0",
            name="default",
            description="",
            owner=owner,
            auth_type="PUBLIC",
            create_time=now,
            update_time=now,
            service_count=0,
        )
    )
    return project_id
