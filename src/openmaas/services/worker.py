"""The lifecycle worker: settles due transitions (CONTRACT 5.3, D-8).

Progress lives in the store (``status``, ``transition_due_at``), so a restarted process picks up
where the last one stopped. Every settle is a compare-and-set on ``row_version``: when several
processes share one store, exactly one of them applies each transition.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from sqlalchemy import Engine, Row

from openmaas.clock import now_ms
from openmaas.db.scope import Scope
from openmaas.db.session import transaction
from openmaas.services import repository
from openmaas.services.states import DEPLOYS, SETTLES, Status
from openmaas.workspaces import repository as workspace_repository

log = logging.getLogger("openmaas.worker")

BATCH = 100
# How long to wait before asking an upstream that did not answer again.
RECHECK_MS = 1000


class LifecycleWorker:
    def __init__(self, engine: Engine, health_timeout: float = 2.0):
        self._engine = engine
        self._health_timeout = health_timeout

    def tick(self) -> int:
        """Settle every due transition once; returns how many this process applied (rechecks of a
        silent upstream are not transitions and are not counted)."""
        with transaction(self._engine, write=False) as connection:
            due = repository.due_transitions(connection, now_ms(), BATCH)
        return sum(self._settle(row) for row in due)

    def _settle(self, row: Row[Any]) -> bool:
        status = Status(row.status)
        values = self._outcome(row, status)
        if values is None:
            return False
        scope = Scope(project_id=row.project_id, region_id="")
        with transaction(self._engine, write=True) as connection:
            if not values:
                applied = repository.remove(connection, scope, row.id, row.row_version)
                if applied:
                    workspace_repository.change_service_count(connection, scope, row.workspace_id, -1)
            else:
                applied = repository.compare_and_set(connection, scope, row.id, row.row_version, values)
        transitioned = applied and (not values or "status" in values)
        if transitioned:
            log.info("service %s: %s -> %s", row.id, status, values.get("status", "gone"))
        return transitioned

    def _outcome(self, row: Row[Any], status: Status) -> dict[str, Any] | None:
        """The columns to write, ``{}`` to remove the service, None to leave it for later."""
        if status not in SETTLES:
            return None
        target = SETTLES[status]
        if target is None:
            return {}
        now = now_ms()
        settled: dict[str, Any] = {
            "status": target,
            "update_at": now,
            "transition_due_at": None,
            "transition_started_at": None,
        }
        if status not in DEPLOYS or not row.upstream_url or self._healthy(row.upstream_url):
            return settled
        deadline = (row.transition_started_at or now) + row.deploy_timeout_minutes * 60_000
        if now >= deadline:
            return {
                **settled,
                "status": Status.FAILED,
                "failure_reason": f"Upstream {row.upstream_url} did not become healthy in time.",
            }
        return {"transition_due_at": now + RECHECK_MS}

    def _healthy(self, url: str) -> bool:
        try:
            return httpx.get(url, timeout=self._health_timeout).status_code < 400
        except httpx.HTTPError:
            return False
