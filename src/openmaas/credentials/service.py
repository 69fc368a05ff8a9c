"""Access keys (CONTRACT 4.3) and the identity a signed request proves (CONTRACT 3)."""

from __future__ import annotations

import logging
import re
import secrets
import string
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row

from openmaas.auth import signature
from openmaas.auth.signature import SignatureRejected, SignedRequest
from openmaas.auth.tokens import TokenClaims
from openmaas.clock import iam_time, now_ms
from openmaas.credentials import repository
from openmaas.credentials.errors import (
    MAX_KEYS_PER_USER,
    AccessKeyNotFound,
    KeyQuotaExceeded,
    ProjectOutsideDomain,
    UserNotManageable,
)
from openmaas.credentials.schemas import CredentialCreate
from openmaas.crypto import SealedSecretError, SecretBox
from openmaas.iam import service as iam
from openmaas.iam import users
from openmaas.iam.users import Actor
from openmaas.names import HEX_ID

log = logging.getLogger("openmaas.credentials")

ACCESS_ALPHABET = string.ascii_uppercase + string.digits
SECRET_ALPHABET = string.ascii_letters + string.digits
ACCESS_LENGTH = 20
SECRET_LENGTH = 40
# What every access key looks like; anything else names no key and is not looked up.
ACCESS_SHAPE = re.compile(rf"^[A-Z0-9]{{{ACCESS_LENGTH}}}\Z")
ACTIVE = "active"


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _may_manage(connection: Connection, actor: Actor, user_id: str) -> bool:
    """A user manages its own keys; the domain's administrator manages everyone's (D-58)."""
    return user_id == actor.user_id or users.is_admin(connection, actor)


def create_key(
    connection: Connection, box: SecretBox, actor: Actor, body: CredentialCreate
) -> dict[str, Any]:
    """A new key for a user of the caller's domain; the only answer that ever shows the secret."""
    user_id, domain_id = body.credential.user_id, actor.domain_id
    if not _may_manage(connection, actor, user_id) or not iam.lock_domain_user(
        connection, domain_id, user_id
    ):
        raise UserNotManageable(user_id)
    if repository.count_user_keys(connection, domain_id, user_id) >= MAX_KEYS_PER_USER:
        raise KeyQuotaExceeded(user_id)
    access, secret = _random(ACCESS_ALPHABET, ACCESS_LENGTH), _random(SECRET_ALPHABET, SECRET_LENGTH)
    values = {
        "access": access,
        "user_id": user_id,
        "domain_id": domain_id,
        "secret_encrypted": box.seal(secret, context=access),
        "description": body.credential.description,
        "status": ACTIVE,
        "create_time": now_ms(),
    }
    repository.insert_key(connection, values)
    return {"credential": {**_public(values), "secret": secret}}


def list_keys(connection: Connection, actor: Actor, user_id: str | None) -> dict[str, Any]:
    """The keys of one user of the caller's domain, or of the whole domain (the caller's own, for a
    user that is not the administrator); never a secret."""
    admin = users.is_admin(connection, actor)
    wanted = actor.user_id if user_id is None and not admin else user_id
    if wanted is not None:
        allowed = admin or wanted == actor.user_id
        if not allowed or not iam.domain_user_exists(connection, actor.domain_id, wanted):
            raise UserNotManageable(wanted)
    rows = repository.domain_keys(connection, actor.domain_id, wanted)
    return {"credentials": [_public(row._mapping) for row in rows]}


def _managed_key(connection: Connection, actor: Actor, access: str) -> Row[Any]:
    # Another user's key is, to a user that may not manage it, as absent as another domain's.
    row = repository.domain_key(connection, actor.domain_id, access) if ACCESS_SHAPE.match(access) else None
    if row is None or not _may_manage(connection, actor, row.user_id):
        raise AccessKeyNotFound(access)
    return row


def show_key(connection: Connection, actor: Actor, access: str) -> dict[str, Any]:
    return {"credential": _public(_managed_key(connection, actor, access)._mapping)}


def delete_key(connection: Connection, actor: Actor, access: str) -> None:
    _managed_key(connection, actor, access)
    repository.delete_domain_key(connection, actor.domain_id, access)


def delete_user_keys(connection: Connection, domain_id: str, user_id: str) -> None:
    """Every key of a user being deleted, in its delete's transaction."""
    repository.delete_user_keys(connection, domain_id, user_id)


def _public(values: Any) -> dict[str, Any]:
    return {
        "user_id": values["user_id"],
        "access": values["access"],
        "status": values["status"],
        "create_time": iam_time(values["create_time"]),
        "description": values["description"],
    }


def signed_claims(
    connection: Connection,
    box: SecretBox,
    request: SignedRequest,
    authorization: str,
    project_id: str | None,
    now: datetime | None = None,
) -> TokenClaims:
    """Who a signed request comes from, scoped to ``project_id`` (which must be of the key's domain).

    The signature is checked before the project, so an unsigned caller learns nothing about projects.
    """
    parsed = signature.parse_authorization(authorization)
    key = repository.signing_key(connection, parsed.access)
    owner = iam.user_identity(connection, key.user_id) if key is not None else None
    # A disabled owner's keys are refused as a deleted owner's would be (D-54).
    if key is None or owner is None or not owner.enabled or key.status != ACTIVE:
        raise SignatureRejected("the access key does not exist")
    signed_at = signature.verify(request, parsed, _secret(box, key), now or datetime.now(UTC))
    project = _project(connection, owner.domain_id, project_id)
    issued_at = int(signed_at.timestamp() * 1000)
    return TokenClaims(
        jti=f"aksk-{key.access}",
        user_id=owner.user_id,
        user_name=owner.user_name,
        domain_id=owner.domain_id,
        domain_name=owner.domain_name,
        project_id=project.id if project is not None else None,
        project_name=project.name if project is not None else None,
        issued_at=issued_at,
        expires_at=issued_at + int(signature.MAX_CLOCK_SKEW / timedelta(milliseconds=1)),
    )


def _secret(box: SecretBox, key: Row[Any]) -> str:
    try:
        return box.open(key.secret_encrypted, context=key.access)
    except SealedSecretError:
        # Only a tampered row or a wrong key gets here; the start-up fingerprint check makes the latter rare.
        log.error("the secret of access key %s does not decrypt with this server's secret key", key.access)
        raise SignatureRejected("the access key cannot be used") from None


def _project(connection: Connection, domain_id: str, project_id: str | None) -> Row[Any] | None:
    if project_id is None:
        return None
    # A path segment that cannot be a project id is outside every domain (and never reaches SQL).
    valid = HEX_ID.match(project_id)
    project = iam.domain_project(connection, domain_id, project_id=project_id) if valid else None
    if project is None:
        raise ProjectOutsideDomain(project_id)
    return project


def forget_domain(connection: Connection, domain_id: str) -> None:
    """Every access key of the domain's users (its deletion)."""
    repository.forget_domain(connection, domain_id)
