"""Does a token's user and project still exist? Remembered for a few seconds, so that a valid token
costs no store read; the routes and the fast lane share this one rule."""

from __future__ import annotations

import threading
import time

from openmaas.auth.tokens import TokenClaims
from openmaas.db.store import Store
from openmaas.iam import service as iam


class ExistenceCache:
    TTL_SECONDS = 5.0
    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str | None], float] = {}
        self._lock = threading.Lock()

    def forget(self) -> None:
        with self._lock:
            self._seen = {}

    def is_fresh(self, claims: TokenClaims) -> bool:
        return self._seen.get((claims.user_id, claims.project_id), 0.0) > time.monotonic()

    def exists(self, store: Store, claims: TokenClaims) -> bool:
        """Whether ``claims``' user and project exist, read in a transaction of its own when not
        seen moments ago (for code already off the event loop)."""
        if self.is_fresh(claims):
            return True
        with store.transaction(write=False) as connection:
            rows = iam.subject_read(claims.user_id, claims.project_id).rows(connection)
        return self._confirm(claims, iam.subject_found(rows, claims.project_id))

    async def confirmed(self, claims: TokenClaims, store: Store) -> bool:
        """The same check on the event loop: the read, when needed, is the store's hot read."""
        if self.is_fresh(claims):
            return True
        rows = await store.rows(iam.subject_read(claims.user_id, claims.project_id))
        return self._confirm(claims, iam.subject_found(rows, claims.project_id))

    def _confirm(self, claims: TokenClaims, found: bool) -> bool:
        if found:
            self._remember(claims)
        return found

    def _remember(self, claims: TokenClaims) -> None:
        """Record that the store has just confirmed ``claims``' user and project."""
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > self.MAX_ENTRIES:
                self._seen = {seen: until for seen, until in self._seen.items() if until > now}
            self._seen[(claims.user_id, claims.project_id)] = now + self.TTL_SECONDS
