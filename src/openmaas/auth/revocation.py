"""Revoked tokens: written to the store, read back by every process within the poll interval."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from openmaas.auth.tables import revoked_tokens
from openmaas.clock import now_ms
from openmaas.db.store import Store

log = logging.getLogger("openmaas.revocation")


class RevocationList:
    """An in-memory copy of ``revoked_tokens``, so checking a token never reads the store."""

    def __init__(self) -> None:
        # token id -> its expiry: once expired the signature check refuses it, so it can be forgotten.
        self._revoked: dict[str, int] = {}
        self._seen_until = 0
        self._lock = threading.Lock()

    def is_revoked(self, token_id: str) -> bool:
        return token_id in self._revoked

    def revoke(self, connection: Connection, token_id: str, expires_at: int) -> None:
        try:
            with connection.begin_nested():
                connection.execute(
                    insert(revoked_tokens).values(
                        token_id=token_id, expires_at=expires_at, revoked_at=now_ms()
                    )
                )
        except IntegrityError:
            pass  # already revoked
        with self._lock:
            self._revoked[token_id] = expires_at

    def refresh(self, store: Store) -> None:
        """Pull revocations newer than the last poll (with a margin for clock skew between writers)."""
        since = max(0, self._seen_until - 10_000)
        with store.transaction(write=False) as connection:
            rows = connection.execute(
                select(
                    revoked_tokens.c.token_id, revoked_tokens.c.expires_at, revoked_tokens.c.revoked_at
                ).where(revoked_tokens.c.revoked_at >= since)
            ).all()
        now = now_ms()
        with self._lock:
            for row in rows:
                self._revoked[row.token_id] = row.expires_at
                self._seen_until = max(self._seen_until, row.revoked_at)
            self._revoked = {key: expiry for key, expiry in self._revoked.items() if expiry > now}

    def purge_expired(self, store: Store) -> None:
        with store.transaction(write=True) as connection:
            connection.execute(delete(revoked_tokens).where(revoked_tokens.c.expires_at < now_ms()))
