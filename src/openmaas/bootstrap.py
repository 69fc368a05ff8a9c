"""First start: the admin domain, its user and one project per configured region (CONTRACT 2)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from openmaas.auth.passwords import hash_password
from openmaas.config import Settings
from openmaas.db.session import transaction
from openmaas.iam import repository


@dataclass(frozen=True)
class BootstrapResult:
    created: bool
    # Set only when the password was generated here: shown once, never stored in clear elsewhere.
    generated_password: str | None = None
    password_file: Path | None = None


def bootstrap(engine: Engine, settings: Settings) -> BootstrapResult:
    """Create the admin account on an empty store; on any other store only add missing regions."""
    password = settings.admin_password or secrets.token_urlsafe(18)
    try:
        with transaction(engine, write=True) as connection:
            created = repository.count_domains(connection) == 0
            if created:
                _create_admin(connection, settings, password)
            _add_missing_projects(connection, settings)
    except IntegrityError:
        # Another process bootstrapped the same store at the same moment: its account stands.
        return BootstrapResult(created=False)
    if not created or settings.admin_password:
        return BootstrapResult(created=created)
    # Written only once the account is committed, so the file never holds a password that lost a race.
    return BootstrapResult(
        created=True,
        generated_password=password,
        password_file=_write_password_file(settings.data_dir, password),
    )


def _create_admin(connection: Connection, settings: Settings, password: str) -> None:
    domain_id = repository.create_domain(connection, settings.admin_domain)
    repository.create_user(
        connection, domain_id, settings.admin_user, hash_password(password, settings.password_cost)
    )


def _add_missing_projects(connection: Connection, settings: Settings) -> None:
    domain = repository.find_domain(connection, domain_id=None, name=settings.admin_domain)
    if domain is None:
        return
    existing = {row.name for row in repository.domain_projects(connection, domain.id)}
    for region in settings.regions:
        if region.id not in existing:
            repository.create_project(connection, domain.id, region.id, owner=settings.admin_user)


def _write_password_file(data_dir: Path, password: str) -> Path:
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = data_dir / "admin-password"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(password + "\n")
    path.chmod(0o600)
    return path
