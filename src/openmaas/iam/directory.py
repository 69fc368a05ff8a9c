"""(domain, region) -> the domain's project there: how the MaaS APIs reach a region's services and
workspaces on behalf of the caller's domain (CONTRACT 6.2-6.4)."""

from __future__ import annotations

import threading
import time
from collections.abc import Collection

from sqlalchemy import Connection

from openmaas.db.scope import Scope
from openmaas.iam import repository
from openmaas.iam.errors import InvalidRegion


class ProjectDirectory:
    """Remembered for KEEP_SECONDS: a project deleted or made again (by another process too) is seen
    within that bound, the same as a deleted token subject."""

    KEEP_SECONDS = 5.0

    def __init__(self, region_ids: Collection[str]) -> None:
        self._region_ids = frozenset(region_ids)
        # (domain, region) -> (project id, monotonic time it was read)
        self._known: dict[tuple[str, str], tuple[str, float]] = {}
        self._lock = threading.Lock()

    def forget(self) -> None:
        with self._lock:
            self._known = {}

    def known_scope(self, domain_id: str, region_id: str) -> Scope | None:
        """The domain's project in ``region_id`` if it was read lately (no store read), else None.
        An unknown region is D-11's error."""
        if region_id not in self._region_ids:
            raise InvalidRegion(region_id)
        known = self._known.get((domain_id, region_id))
        if known is None or time.monotonic() - known[1] >= self.KEEP_SECONDS:
            return None
        return Scope(project_id=known[0], region_id=region_id)

    def scope_in(self, connection: Connection, domain_id: str, region_id: str) -> Scope | None:
        """The domain's project in ``region_id`` as a Scope, None if the domain has none there."""
        known = self.known_scope(domain_id, region_id)
        if known is not None:
            return known
        row = repository.domain_project(connection, domain_id, name=region_id)
        if row is None:
            return None
        with self._lock:
            self._known[(domain_id, region_id)] = (row.id, time.monotonic())
        return Scope(project_id=row.id, region_id=region_id)
