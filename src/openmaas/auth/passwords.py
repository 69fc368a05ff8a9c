"""Slow, salted password hashes (argon2id)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from openmaas.config import Settings


@dataclass(frozen=True, slots=True)
class HashCost:
    """argon2id work factors; the defaults are argon2-cffi's recommended ones (RFC 9106 low-memory)."""

    time_cost: int = 3
    memory_kib: int = 65536

    @classmethod
    def of(cls, settings: Settings) -> HashCost:
        """The work factors new hashes are made with on this deployment."""
        return cls(time_cost=settings.password_hash_time_cost, memory_kib=settings.password_hash_memory_kib)


DEFAULT_COST = HashCost()


@cache
def _hasher(cost: HashCost) -> PasswordHasher:
    return PasswordHasher(time_cost=cost.time_cost, memory_cost=cost.memory_kib)


@cache
def _dummy_hash(cost: HashCost) -> str:
    # Verifying against this keeps a wrong user name as slow as a wrong password: at the cost new
    # passwords are hashed with, or the two would take measurably different times.
    return _hasher(cost).hash("openmaas-timing-equaliser")


def hash_password(password: str, cost: HashCost = DEFAULT_COST) -> str:
    return _hasher(cost).hash(password)


def needs_rehash(password_hash: str, cost: HashCost = DEFAULT_COST) -> bool:
    """Whether the hash was made with other work factors than ``cost`` (or another algorithm)."""
    try:
        return _hasher(cost).check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def verify_password(password_hash: str | None, password: str, cost: HashCost = DEFAULT_COST) -> bool:
    """The work factors are read from the hash itself, so any cost verifies; ``cost`` is the one
    new hashes use, which an unknown user's check must take as long as."""
    try:
        return (
            _hasher(cost).verify(password_hash or _dummy_hash(cost), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False
