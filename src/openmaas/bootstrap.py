"""First start: the admin domain, its user and one project per configured region (CONTRACT 2)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from openmaas.auth.passwords import HashCost, hash_password
from openmaas.config import Settings
from openmaas.db.store import Store
from openmaas.iam import service as iam


@dataclass(frozen=True)
class BootstrapResult:
    created: bool
    # Set only when the password was generated here: shown once, never stored in clear elsewhere.
    generated_password: str | None = None
    password_file: Path | None = None


def bootstrap(store: Store, settings: Settings) -> BootstrapResult:
    """Create the admin account on an empty store; on any other store only add missing regions."""
    password = settings.admin_password or secrets.token_urlsafe(18)
    try:
        with store.transaction(write=True) as connection:
            created = iam.count_domains(connection) == 0
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


def bootstrap_again(connection: Connection, settings: Settings) -> None:
    """The bootstrap account on a store just emptied (an admin reset): with the configured password, or
    the one the first start generated (its file in the data folder), so the admin's login still works."""
    _create_admin(connection, settings, settings.admin_password or _kept_password(settings.data_dir))
    _add_missing_projects(connection, settings)


def _kept_password(data_dir: Path) -> str:
    path = data_dir / "admin-password"
    if not path.exists():
        raise OSError(f"{path} holds no admin password and OPENMAAS_ADMIN_PASSWORD is not set")
    return path.read_text().strip()


def _create_admin(connection: Connection, settings: Settings, password: str) -> None:
    password_hash = hash_password(password, HashCost.of(settings))
    iam.create_account(connection, settings.admin_domain, settings.admin_user, password_hash)


def _add_missing_projects(connection: Connection, settings: Settings) -> None:
    domain = iam.find_domain_by_name(connection, settings.admin_domain)
    if domain is not None:
        regions = [region.id for region in settings.regions]
        iam.add_region_projects(connection, domain.id, regions, owner=settings.admin_user)


def _write_password_file(data_dir: Path, password: str) -> Path:
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = data_dir / "admin-password"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(password + "\n")
    path.chmod(0o600)
    return path
