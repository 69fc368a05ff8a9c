"""MaaS API keys (data-plane facts §3, D-20 to D-28): the management rules, and what the data plane
asks of a key on every call.

A key is 64 random bytes in unpadded base64url (86 characters), shown once in the create answer.
The store keeps only its HMAC-SHA256 under a key of the server's own (``ApiKeyHasher``), derived as
the token key is: from the server's secret key, which never enters the store, and a random value
the store keeps. A copy of the store alone cannot test guesses, and a key cannot be read back.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row

from openmaas.api_keys import repository
from openmaas.api_keys.allowlist import IpAllowlist
from openmaas.api_keys.errors import ApiKeyLabelTaken, ApiKeyNotFound, ApiKeyQuotaExceeded
from openmaas.api_keys.schemas import ApiKeyCreate, ApiKeyUpdate
from openmaas.clock import now_ms, uuid_id
from openmaas.crypto import SecretBox
from openmaas.db.reads import PreparedRead, Rows
from openmaas.db.scope import Scope
from openmaas.db.server_values import stored_once
from openmaas.errors import InvalidParameter
from openmaas.iam import service as iam
from openmaas.names import UUID_ID, first_unstorable

KEY_BYTES = 64
# What every key looks like (``secrets.token_urlsafe(64)``); anything else names no key.
KEY_SHAPE = re.compile(r"^[A-Za-z0-9_-]{86}\Z")
HASH_SALT_NAME = "api_key_hashing"
HASH_PURPOSE = "openmaas api key hashing"
# Listings show the key's first and last four characters around these, as the console does.
MASK_FILL = "*" * 8
DEFAULT_LABEL_PREFIX = "ak-"
DELETED = {"result": "success"}


class ApiKeyHasher:
    """Turns a key into what the store keeps of it."""

    __slots__ = ("_secret",)

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def hash(self, key: str) -> str:
        """HMAC-SHA256 (hex) of ``key``."""
        # A header may carry any text: hashing it never fails, it just finds no key.
        return hmac.new(self._secret, key.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def api_key_hasher(connection: Connection, box: SecretBox) -> ApiKeyHasher:
    """The hasher every process sharing the store and its secret key agrees on (safe when they race)."""
    store_salt = bytes.fromhex(stored_once(connection, HASH_SALT_NAME, lambda: secrets.token_hex(32)))
    return ApiKeyHasher(box.derive_key(store_salt, purpose=HASH_PURPOSE))


@dataclass(frozen=True, slots=True)
class ApiKeyRules:
    """What the rules need from the app: the quota and the hasher."""

    quota: int
    hasher: ApiKeyHasher


# ---- the data plane's questions --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallerKey:
    """The key a data-plane call presents: whose it is and what it may call."""

    id: str
    domain_id: str
    project_id: str
    label: str
    allow_all: bool
    ip_whitelist: tuple[str, ...]
    endpoint_whitelist: tuple[str, ...]
    model_whitelist: tuple[str, ...]
    # Parsed once, when the key is read; every call then only matches.
    _ips: IpAllowlist = field(init=False, repr=False, compare=False)
    _endpoints: frozenset[str] = field(init=False, repr=False, compare=False)
    _models: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ips", IpAllowlist(self.ip_whitelist))
        object.__setattr__(self, "_endpoints", frozenset(self.endpoint_whitelist))
        object.__setattr__(self, "_models", frozenset(self.model_whitelist))

    def allows_ip(self, ip: str) -> bool:
        """``allow_all``, or the client address is in an entry (IPv4; see ``IpAllowlist.allows``)."""
        return self.allow_all or self._ips.allows(ip)

    def allows_endpoint(self, name: str) -> bool:
        """An empty endpoint allowlist allows every endpoint; names match exactly."""
        return not self._endpoints or name in self._endpoints

    def allows_model(self, name: str) -> bool:
        """An empty model allowlist allows every model; names match exactly."""
        return not self._models or name in self._models


def key_read(key_hash: str) -> PreparedRead:
    """The prebuilt read of the key whose hash is ``key_hash`` (for ``Store.rows``, on the loop)."""
    return repository.key_read(key_hash)


def caller_key(rows: Rows) -> CallerKey | None:
    """What ``key_read``'s rows say: the key, or None when no key has that hash."""
    if not rows:
        return None
    key_id, domain_id, project_id, label, allow_all, ips, endpoints, models = rows[0]
    return CallerKey(
        id=key_id,
        domain_id=domain_id,
        project_id=project_id,
        label=label,
        allow_all=bool(allow_all),
        ip_whitelist=tuple(ips),
        endpoint_whitelist=tuple(endpoints),
        model_whitelist=tuple(models),
    )


def find_key(connection: Connection, hasher: ApiKeyHasher, key: str) -> CallerKey | None:
    """The key presented as ``key``, None if it is unknown, deleted or not of a key's shape (for
    code off the event loop)."""
    if not KEY_SHAPE.match(key):
        return None
    return caller_key(key_read(hasher.hash(key)).rows(connection))


# ---- management ------------------------------------------------------------------------------------


def create(
    connection: Connection, scope: Scope, domain_id: str, body: ApiKeyCreate, rules: ApiKeyRules
) -> dict[str, Any]:
    """A new key of the account; the only answer that ever shows it."""
    _check_storable(body)
    _check_ip_rule(body.allow_all, body.ip_whitelist)
    # The lock makes count-then-insert and the label check atomic per account, on both stores.
    iam.lock_domain(connection, domain_id)
    if repository.count_keys(connection, domain_id) >= rules.quota:
        raise ApiKeyQuotaExceeded(rules.quota)
    key = secrets.token_urlsafe(KEY_BYTES)
    now = now_ms()
    values = {
        "id": uuid_id(),
        "domain_id": domain_id,
        "project_id": scope.project_id,
        "label": _new_label(connection, domain_id, body.label),
        "description": body.description or "",
        "key_hash": rules.hasher.hash(key),
        "key_mask": mask(key),
        "allow_all": body.allow_all,
        "ip_whitelist": body.ip_whitelist,
        "endpoint_whitelist": body.endpoint_whitelist,
        "model_whitelist": body.resident_model_version_whitelist,
        "create_at": now,
        "update_at": now,
    }
    repository.insert_key(connection, values)
    return {**api_key_info(values), "api_key": key}


def listing(
    connection: Connection, domain_id: str, offset: int, limit: int, rules: ApiKeyRules
) -> dict[str, Any]:
    """One page of the account's keys, newest first, with their total and the quota."""
    rows = repository.page(connection, domain_id, offset, limit)
    return {
        "total": repository.count_keys(connection, domain_id),
        "items": [api_key_info(row._mapping) for row in rows],
        "quantity_limit": rules.quota,
    }


def update(connection: Connection, domain_id: str, key_id: str, body: ApiKeyUpdate) -> dict[str, Any]:
    """Description and allowlists; the label and the key never change (D-26)."""
    _check_storable(body)
    row = _require(connection, domain_id, key_id)
    changes = _columns(body)
    if "allow_all" in changes and changes["allow_all"] and "ip_whitelist" not in changes:
        # Allowing every address makes the address list meaningless: it goes (D-26).
        changes["ip_whitelist"] = []
    stored = dict(row._mapping)
    _check_ip_rule(changes.get("allow_all", row.allow_all), changes.get("ip_whitelist", row.ip_whitelist))
    changed = {column: value for column, value in changes.items() if stored[column] != value}
    if changed:
        changed["update_at"] = now_ms()
        repository.update_key(connection, domain_id, row.id, changed)
    return api_key_info({**stored, **changed})


def delete(connection: Connection, domain_id: str, key_id: str) -> dict[str, str]:
    """Delete the key: calls with it fail from the next lookup on, and its label is free again."""
    if not UUID_ID.match(key_id) or not repository.delete_key(connection, domain_id, key_id):
        raise ApiKeyNotFound(key_id)
    return DELETED


def mask(key: str) -> str:
    """What a listing shows instead of the key."""
    return f"{key[:4]}{MASK_FILL}{key[-4:]}"


def api_key_info(values: Mapping[Any, Any]) -> dict[str, Any]:
    """ApiKeyInfo (D-20) of a stored key."""
    return {
        "id": values["id"],
        "label": values["label"],
        "description": values["description"],
        "key_mask": values["key_mask"],
        "allow_all": bool(values["allow_all"]),
        "ip_whitelist": list(values["ip_whitelist"]),
        "endpoint_whitelist": list(values["endpoint_whitelist"]),
        "resident_model_version_whitelist": list(values["model_whitelist"]),
        "create_at": values["create_at"],
        "update_at": values["update_at"],
    }


def _require(connection: Connection, domain_id: str, key_id: str) -> Row[Any]:
    # An id of the wrong shape cannot exist; not asking the store keeps odd bytes (NUL) away from it.
    row = repository.get_key(connection, domain_id, key_id) if UUID_ID.match(key_id) else None
    if row is None:
        raise ApiKeyNotFound(key_id)
    return row


def _columns(body: ApiKeyUpdate) -> dict[str, Any]:
    """The columns an update names; the model allowlist has a wire name of its own."""
    changes = body.changes()
    if "resident_model_version_whitelist" in changes:
        changes["model_whitelist"] = changes.pop("resident_model_version_whitelist")
    return changes


def _new_label(connection: Connection, domain_id: str, label: str | None) -> str:
    """The label asked for, if free in the account; none asked: ``ak-`` and six random digits that
    are free (an account holds at most ``api_key_quota`` of the million, so this ends at once)."""
    if label:
        if repository.label_taken(connection, domain_id, label):
            raise ApiKeyLabelTaken(label)
        return label
    while True:
        candidate = f"{DEFAULT_LABEL_PREFIX}{secrets.randbelow(10**6):06d}"
        if not repository.label_taken(connection, domain_id, candidate):
            return candidate


def _check_ip_rule(allow_all: bool, ip_whitelist: list[str]) -> None:
    """``allow_all`` and the address list say one thing: every address, or exactly these."""
    if allow_all and ip_whitelist:
        raise InvalidParameter("ip_whitelist", "must be empty when allow_all is true")
    if not allow_all and not ip_whitelist:
        raise InvalidParameter("ip_whitelist", "must list at least one entry when allow_all is false")


def _check_storable(body: ApiKeyCreate | ApiKeyUpdate) -> None:
    """Text no store or JSON writer could keep (a lone surrogate) is refused, naming its field."""
    found = first_unstorable(body)
    if found is not None:
        raise InvalidParameter(*found)


def forget_domain(connection: Connection, domain_id: str) -> None:
    """Every key of the account (its deletion by the operator)."""
    repository.forget_domain(connection, domain_id)
