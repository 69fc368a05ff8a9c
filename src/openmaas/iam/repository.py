"""SQL for domains, users and projects. Every project and user query is scoped to one domain, except
the reads by id that confirm a token's subject and name a signed request's key owner."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    true,
    update,
)

from openmaas.clock import hex_id, now_ms
from openmaas.db.reads import PreparedRead
from openmaas.iam.tables import domains, projects, users


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


def create_user(
    connection: Connection, domain_id: str, name: str, password_hash: str, *, is_admin: bool = False
) -> str:
    user_id = hex_id()
    connection.execute(
        insert(users).values(
            id=user_id,
            domain_id=domain_id,
            name=name,
            password_hash=password_hash,
            is_admin=is_admin,
            failed_logins=0,
            created_at=now_ms(),
        )
    )
    return user_id


def create_project(connection: Connection, domain_id: str, region_id: str) -> str:
    project_id = hex_id()
    connection.execute(
        insert(projects).values(
            id=project_id, domain_id=domain_id, name=region_id, description="", created_at=now_ms()
        )
    )
    return project_id


def lock_domain(connection: Connection, domain_id: str) -> None:
    """Hold the domain's row (PostgreSQL FOR UPDATE; SQLite writers already queue) until the
    request commits: decisions that count what a domain owns are then taken one at a time."""
    statement = select(literal(1)).select_from(domains).where(domains.c.id == domain_id).with_for_update()
    connection.execute(statement)


def lock_domain_user(connection: Connection, domain_id: str, user_id: str) -> bool:
    """Whether the user is the domain's, holding its row (FOR UPDATE) until the request commits."""
    statement = (
        select(users.c.id).where(users.c.domain_id == domain_id, users.c.id == user_id).with_for_update()
    )
    return connection.execute(statement).first() is not None


def domain_user_exists(connection: Connection, domain_id: str, user_id: str) -> bool:
    statement = select(users.c.id).where(users.c.domain_id == domain_id, users.c.id == user_id)
    return connection.execute(statement).first() is not None


def user_identity(connection: Connection, user_id: str) -> Row[Any] | None:
    """A user with its domain's id and name: who a signed request's key belongs to."""
    statement: Select[Any] = (
        select(
            users.c.id.label("user_id"),
            users.c.name.label("user_name"),
            domains.c.id.label("domain_id"),
            domains.c.name.label("domain_name"),
            users.c.enabled,
        )
        .join(domains, domains.c.id == users.c.domain_id)
        .where(users.c.id == user_id)
    )
    return connection.execute(statement).first()


# One row: does the user exist (and is it enabled), does the project exist (false for a
# domain-scoped token). A disabled user's tokens are refused as a deleted user's are (D-54).
_SUBJECT_EXISTS = select(
    exists().where(users.c.id == bindparam("user_id"), users.c.enabled == true()),
    exists().where(projects.c.id == bindparam("project_id")),
)


def subject_read(user_id: str, project_id: str | None) -> PreparedRead:
    """The prebuilt read behind a token check: whether its user and project still exist."""
    return PreparedRead(_SUBJECT_EXISTS, {"user_id": user_id, "project_id": project_id})


# ---- accounts as a whole (the admin API) -----------------------------------------------------------


def all_domains(connection: Connection) -> list[Row[Any]]:
    return list(connection.execute(select(domains).order_by(domains.c.created_at, domains.c.id)).all())


def domain_user_counts(connection: Connection) -> dict[str, int]:
    statement = select(users.c.domain_id, func.count()).group_by(users.c.domain_id)
    return {domain_id: int(count) for domain_id, count in connection.execute(statement)}


def users_by_creation(connection: Connection, domain_id: str) -> list[Row[Any]]:
    statement = select(users).where(users.c.domain_id == domain_id).order_by(users.c.created_at, users.c.id)
    return list(connection.execute(statement).all())


def forget_domain(connection: Connection, domain_id: str) -> None:
    """The domain's users and projects, then the domain (what hangs off them is gone already)."""
    connection.execute(delete(users).where(users.c.domain_id == domain_id))
    connection.execute(delete(projects).where(projects.c.domain_id == domain_id))
    connection.execute(delete(domains).where(domains.c.id == domain_id))


# ---- users (D-50) ----------------------------------------------------------------------------------


def domain_user(connection: Connection, domain_id: str, user_id: str) -> Row[Any] | None:
    statement = select(users).where(users.c.domain_id == domain_id, users.c.id == user_id)
    return connection.execute(statement).first()


def domain_users(
    connection: Connection, domain_id: str, *, name: str | None, enabled: bool | None
) -> list[Row[Any]]:
    statement = select(users).where(users.c.domain_id == domain_id)
    if name is not None:
        statement = statement.where(users.c.name == name)
    if enabled is not None:
        statement = statement.where(users.c.enabled == enabled)
    return list(connection.execute(statement.order_by(users.c.name, users.c.id)).all())


def insert_user(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(insert(users).values(**values, failed_logins=0))


def update_user(connection: Connection, domain_id: str, user_id: str, values: dict[str, Any]) -> None:
    statement = update(users).where(users.c.domain_id == domain_id, users.c.id == user_id)
    connection.execute(statement.values(**values))


def replace_password_hash(connection: Connection, user_id: str, old_hash: str, new_hash: str) -> bool:
    """Compare-and-set: False when the hash changed since it was read (another change came first)."""
    statement = (
        update(users)
        .where(users.c.id == user_id, users.c.password_hash == old_hash)
        .values(password_hash=new_hash, updated_at=now_ms())
    )
    return connection.execute(statement).rowcount > 0


def delete_user(connection: Connection, domain_id: str, user_id: str) -> None:
    connection.execute(delete(users).where(users.c.domain_id == domain_id, users.c.id == user_id))


def count_enabled_admins(connection: Connection, domain_id: str) -> int:
    statement = (
        select(func.count())
        .select_from(users)
        .where(users.c.domain_id == domain_id, users.c.is_admin == true(), users.c.enabled == true())
    )
    return int(connection.execute(statement).scalar_one())
