"""IAM users (D-50 to D-57): who may manage whom, the password policy, and the users' wire shapes.

A password is hashed (slow) outside any transaction: on SQLite a write transaction would hold the
store's one write lock for the whole hash. So the routes that take a password call these functions
with the store, and every decision is taken again inside the short write transaction that follows.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Row

from openmaas.auth.passwords import HashCost, hash_password, verify_password
from openmaas.clock import hex_id, iam_time, now_ms
from openmaas.db.store import Store
from openmaas.iam import repository
from openmaas.iam.errors import (
    LastAdministrator,
    NotAuthorized,
    UserNameTaken,
    UserNotFound,
    WeakPassword,
    WrongOriginalPassword,
)
from openmaas.iam.schemas import (
    KeystoneNewUser,
    KeystoneUserChanges,
    NewUser,
    PasswordChange,
    UserChanges,
)
from openmaas.names import HEX_ID
from openmaas.wire import fields_of

# Stored for a user created without a password: no argon2 hash, so no password ever verifies (D-50).
NO_PASSWORD = "!"  # noqa: S105 (a marker, not a password)
PASSWORD_LENGTH = (8, 32)
# The four kinds of characters of the public password policy; special means printable ASCII punctuation
# or a space.
CHARACTER_KINDS = (string.ascii_uppercase, string.ascii_lowercase, string.digits, string.punctuation + " ")
ALLOWED_CHARACTERS = frozenset("".join(CHARACTER_KINDS))
# What deleting a user also deletes, in the same transaction (its access keys): packages above IAM
# own those rows, so the request layer passes their function in.
Release = Callable[[Connection, str, str], None]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks: the caller's user and its domain."""

    user_id: str
    domain_id: str


@dataclass(frozen=True, slots=True)
class UserManagement:
    """What managing users needs besides the request: the store and the work factors of new hashes
    (for the routes that take a password), and what a user's delete also removes."""

    store: Store
    password_cost: HashCost
    release: Release


def can_log_in(user: Row[Any]) -> bool:
    """A disabled user, or one created without a password, logs in with no password (D-54)."""
    return bool(user.enabled) and user.password_hash != NO_PASSWORD


# ---- who may do what -------------------------------------------------------------------------------


def is_admin(connection: Connection, actor: Actor) -> bool:
    """Whether the caller is an enabled administrator of its domain (what other packages ask)."""
    caller = repository.domain_user(connection, actor.domain_id, actor.user_id)
    return caller is not None and bool(caller.enabled and caller.is_admin)


def _require_admin(connection: Connection, actor: Actor) -> None:
    # Read on every request: an administrator demoted or disabled loses its rights at once.
    if not is_admin(connection, actor):
        raise NotAuthorized()


def _same_domain(actor: Actor, domain_id: str | None) -> None:
    if domain_id is not None and domain_id != actor.domain_id:
        raise NotAuthorized()


def _target(connection: Connection, actor: Actor, user_id: str) -> Row[Any]:
    # A path segment that cannot be a user id names no user (and never reaches SQL).
    user = repository.domain_user(connection, actor.domain_id, user_id) if HEX_ID.match(user_id) else None
    if user is None:
        raise UserNotFound(user_id)
    return user


def _managed(connection: Connection, actor: Actor, user_id: str) -> Row[Any]:
    """The domain's user ``user_id``, for its administrator only."""
    _require_admin(connection, actor)
    return _target(connection, actor, user_id)


def _keeps_an_admin(connection: Connection, user: Row[Any], *, admin: bool, enabled: bool) -> None:
    """Refuse a change that would leave the domain without an enabled administrator (D-54)."""
    stops_counting = bool(user.is_admin and user.enabled) and not (admin and enabled)
    if stops_counting and repository.count_enabled_admins(connection, user.domain_id) <= 1:
        raise LastAdministrator()


def _free_name(connection: Connection, domain_id: str, name: str) -> None:
    if repository.find_user(connection, domain_id, name) is not None:
        raise UserNameTaken(name)


# ---- the password policy (D-53) ---------------------------------------------------------------------


def check_password(password: str, name: str, contacts: tuple[str | None, ...] = ()) -> None:
    """The public pages' policy; the 400 names the first rule the password breaks."""
    low, high = PASSWORD_LENGTH
    if not low <= len(password) <= high:
        raise WeakPassword(f"must be {low} to {high} characters long")
    if not ALLOWED_CHARACTERS.issuperset(password):
        raise WeakPassword("must contain only letters, digits, spaces and printable ASCII punctuation")
    if sum(any(ch in kind for ch in password) for kind in CHARACTER_KINDS) < 2:
        raise WeakPassword(
            "must contain at least two of: uppercase letters, lowercase letters, digits, special characters"
        )
    if password in (name, name[::-1]):
        raise WeakPassword("must not be the user name or the user name spelled backwards")
    if any(contact and contact in password for contact in contacts):
        raise WeakPassword("must not contain the user's email address or mobile number")


def _new_hash(password: str | None, cost: HashCost) -> str | None:
    return hash_password(password, cost) if password is not None else None


# ---- create, read, update, delete -------------------------------------------------------------------


def create_user(context: UserManagement, actor: Actor, option: NewUser | KeystoneNewUser) -> Row[Any]:
    """A new user of the caller's domain, made by its administrator."""
    _same_domain(actor, option.domain_id)
    contacts = (option.email, option.phone) if isinstance(option, NewUser) else ()
    if option.password is not None:
        check_password(option.password, option.name, contacts)
    password_hash = _new_hash(option.password, context.password_cost) or NO_PASSWORD
    with context.store.transaction(write=True) as connection:
        _require_admin(connection, actor)
        # Names are unique per domain: creates and renames of one domain take turns.
        repository.lock_domain(connection, actor.domain_id)
        _free_name(connection, actor.domain_id, option.name)
        user_id = hex_id()
        repository.insert_user(connection, _new_values(option, actor, user_id, password_hash))
        return _target(connection, actor, user_id)


def _new_values(
    option: NewUser | KeystoneNewUser, actor: Actor, user_id: str, password_hash: str
) -> dict[str, Any]:
    values = {
        "id": user_id,
        "domain_id": actor.domain_id,
        "name": option.name,
        "password_hash": password_hash,
        "enabled": option.enabled,
        "description": option.description,
        "created_at": now_ms(),
        "is_admin": False,
    }
    if isinstance(option, NewUser):
        values.update(_contact_values(option), is_admin=option.is_admin)
    return values


def _contact_values(fields: NewUser | UserChanges) -> dict[str, Any]:
    """The email, area code and phone sent; "" clears one (D-56)."""
    sent = {"email": fields.email, "areacode": fields.areacode, "phone": fields.phone}
    return {key: value or None for key, value in sent.items() if value is not None}


def list_users(
    connection: Connection, actor: Actor, *, domain_id: str | None, name: str | None, enabled: bool | None
) -> list[Row[Any]]:
    """The users of the caller's domain, for its administrator."""
    _same_domain(actor, domain_id)
    _require_admin(connection, actor)
    return repository.domain_users(connection, actor.domain_id, name=name, enabled=enabled)


def show_user(connection: Connection, actor: Actor, user_id: str) -> Row[Any]:
    """A user of the caller's domain: itself, or any for the administrator."""
    if user_id != actor.user_id:
        _require_admin(connection, actor)
    return _target(connection, actor, user_id)


def update_user(
    context: UserManagement, actor: Actor, user_id: str, changes: UserChanges | KeystoneUserChanges
) -> Row[Any]:
    """Change a user of the caller's domain (its administrator only); absent fields stay."""
    _same_domain(actor, getattr(changes, "domain_id", None))
    with context.store.transaction(write=False) as connection:
        before = _managed(connection, actor, user_id)
    if changes.password is not None:
        contacts = (_sent_or(changes, "email", before), _sent_or(changes, "phone", before))
        check_password(changes.password, changes.name or before.name, contacts)
    password_hash = _new_hash(changes.password, context.password_cost)
    with context.store.transaction(write=True) as connection:
        repository.lock_domain(connection, actor.domain_id)
        user = _managed(connection, actor, user_id)
        values = _changed_values(connection, user, changes, password_hash)
        if values:
            repository.update_user(connection, actor.domain_id, user_id, {**values, "updated_at": now_ms()})
        return _target(connection, actor, user_id)


def _sent_or(changes: UserChanges | KeystoneUserChanges, field: str, user: Row[Any]) -> str | None:
    sent = getattr(changes, field, None)
    return (sent or None) if sent is not None else getattr(user, field)


def _changed_values(
    connection: Connection,
    user: Row[Any],
    changes: UserChanges | KeystoneUserChanges,
    password_hash: str | None,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if changes.name is not None and changes.name != user.name:
        _free_name(connection, user.domain_id, changes.name)
        values["name"] = changes.name
    if password_hash is not None:
        values["password_hash"] = password_hash
    for field in ("enabled", "description"):
        if getattr(changes, field) is not None:
            values[field] = getattr(changes, field)
    if isinstance(changes, UserChanges):
        values.update(_contact_values(changes))
        if changes.is_admin is not None:
            values["is_admin"] = changes.is_admin
    admin, enabled = values.get("is_admin", user.is_admin), values.get("enabled", user.enabled)
    _keeps_an_admin(connection, user, admin=admin, enabled=enabled)
    return values


def delete_user(connection: Connection, actor: Actor, user_id: str, release: Release) -> None:
    """Delete a user of the caller's domain (its administrator only) and, in the same transaction,
    what ``release`` removes (its access keys)."""
    repository.lock_domain(connection, actor.domain_id)
    user = _managed(connection, actor, user_id)
    _keeps_an_admin(connection, user, admin=False, enabled=False)
    release(connection, actor.domain_id, user_id)
    repository.delete_user(connection, actor.domain_id, user_id)


def change_password(context: UserManagement, actor: Actor, user_id: str, change: PasswordChange) -> None:
    """A user changes its own password, proving the original one (D-55)."""
    if user_id != actor.user_id:
        raise NotAuthorized()
    with context.store.transaction(write=False) as connection:
        user = _target(connection, actor, user_id)
    stored = user.password_hash if user.password_hash != NO_PASSWORD else None
    if not verify_password(stored, change.original_password, context.password_cost):
        raise WrongOriginalPassword()
    if change.password == change.original_password:
        raise WeakPassword("must differ from the original password")
    check_password(change.password, user.name, (user.email, user.phone))
    new_hash = hash_password(change.password, context.password_cost)
    with context.store.transaction(write=True) as connection:
        # The hash read before the slow check: a change that came first makes the original stale.
        if not repository.replace_password_hash(connection, user_id, user.password_hash, new_hash):
            raise WrongOriginalPassword()


# ---- wire shapes (D-57) -----------------------------------------------------------------------------


KEYSTONE_USERS = "/v3/users"
OS_USERS = "/v3.0/OS-USER/users"


def user_body(model: type[BaseModel], user: Row[Any], base_url: str, path: str) -> dict[str, Any]:
    """``user`` as ``model`` (one of the SDK's result shapes) names its fields; its link is under
    ``path`` (the API it was asked through)."""
    every = _every_field(user, f"{base_url.rstrip('/')}{path}/{user.id}")
    return {field: every[field] for field in fields_of(model)}


def _every_field(user: Row[Any], link: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "domain_id": user.domain_id,
        "enabled": bool(user.enabled),
        "description": user.description,
        "email": user.email,
        "areacode": user.areacode,
        "phone": user.phone,
        # openmaas never asks for a password reset at the next login (D-57).
        "pwd_status": False,
        "is_domain_owner": bool(user.is_admin),
        "create_time": iam_time(user.created_at),
        "update_time": iam_time(user.updated_at or user.created_at),
        "password_expires_at": None,
        "links": {"self": link},
    }
