"""The lifecycle worker: settles due transitions (CONTRACT 5.3, D-8).

Progress lives in the store (``status``, ``transition_due_at``), so a restarted process picks up
where the last one stopped. Every settle is a compare-and-set on ``row_version``: when several
processes share one store, exactly one of them applies each transition.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from sqlalchemy import Row

from openmaas.clock import now_ms
from openmaas.db.scope import Scope
from openmaas.db.store import Store
from openmaas.services import lifecycle, repository
from openmaas.services.states import DEPLOYS, SETTLES, Status
from openmaas.services.tables import services
from openmaas.telemetry.metrics import GONE, count_transition
from openmaas.workspaces import service as workspaces

log = logging.getLogger("openmaas.worker")

BATCH = 100
# How long to wait before asking an upstream that did not answer again.
RECHECK_MS = 1000
FAILURE_REASON_MAX: int = services.c.failure_reason.type.length  # type: ignore[attr-defined]


class LifecycleWorker:
    def __init__(self, store: Store, health_timeout: float = 2.0):
        self._store = store
        self._health_timeout = health_timeout

    def tick(self) -> int:
        """Settle every due transition once; returns how many this process applied (rechecks of a
        silent upstream are not transitions and are not counted).

        Transitions that need no upstream answer settle first, so a silent upstream never holds up
        a stop or a delete; the upstreams of the rest are asked side by side, so one tick waits
        for the slowest of them at most once, not for each in turn."""
        with self._store.transaction(write=False) as connection:
            due = repository.due_transitions(connection, now_ms(), BATCH)
        waiting = [row for row in due if _asks_upstream(row)]
        applied = sum(self._settle(row, healthy=True) for row in due if not _asks_upstream(row))
        health = self._health({row.upstream_url for row in waiting})
        return applied + sum(self._settle(row, health[row.upstream_url]) for row in waiting)

    def _settle(self, row: Row[Any], healthy: bool) -> bool:
        """One row's transition; a row that fails is logged and left for the next tick, so that one
        service (of any project) never holds up the others."""
        try:
            return self._apply(row, healthy)
        except Exception:
            log.exception("service %s: settling %s failed; retried on the next tick", row.id, row.status)
            return False

    def _apply(self, row: Row[Any], healthy: bool) -> bool:
        status = Status(row.status)
        values = self._outcome(row, status, healthy)
        if values is None:
            return False
        scope = Scope(project_id=row.project_id, region_id="")
        with self._store.transaction(write=True) as connection:
            if not values:
                applied = repository.remove(connection, scope, row.id, row.row_version)
                if applied:
                    workspaces.count_services(connection, scope, row.workspace_id, -1)
            else:
                applied = repository.compare_and_set(connection, scope, row.id, row.row_version, values)
        transitioned = applied and (not values or "status" in values)
        if transitioned:
            settled_status = values.get("status", GONE)
            count_transition(status, settled_status)
            log.info("service %s: %s -> %s", row.id, status, settled_status)
        return transitioned

    def _outcome(self, row: Row[Any], status: Status, healthy: bool) -> dict[str, Any] | None:
        """The columns to write, ``{}`` to remove the service, None to leave it for later;
        ``healthy`` is what the row's upstream answered, if it has one to ask."""
        if status not in SETTLES:
            return None
        now = now_ms()
        settled = lifecycle.settled(status, now, row.settle_failure)
        if settled is None:
            return {}
        if healthy:  # True for a row with no upstream to ask, and for one a rule fails (D-40)
            return settled
        deadline = (row.transition_started_at or now) + row.deploy_timeout_minutes * 60_000
        if now >= deadline:
            return {
                **settled,
                "status": Status.FAILED,
                "failure_reason": _never_healthy(row.upstream_url),
            }
        return {"transition_due_at": now + RECHECK_MS}

    def _health(self, urls: set[str]) -> dict[str, bool]:
        """Whether each upstream answers below 400 within the health timeout, all asked at once."""
        if not urls:
            return {}
        # Not asyncio.run: it waits, without limit, for the loop's resolver threads, so a host
        # name whose DNS never answers would hold every tick past the health timeout. close()
        # lets such a thread finish on its own.
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(self._ask_all(sorted(urls)))
        finally:
            loop.close()

    async def _ask_all(self, urls: list[str]) -> dict[str, bool]:
        # No pool wait: every URL of the batch gets its own connection, so the timeout is the
        # upstream's alone.
        limits = httpx.Limits(max_connections=len(urls), max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=self._health_timeout, limits=limits) as client:
            answers = await asyncio.gather(*(self._answers(client, url) for url in urls))
        return dict(zip(urls, answers, strict=True))

    async def _answers(self, client: httpx.AsyncClient, url: str) -> bool:
        """Whether ``url`` answers a GET below 400 within the health timeout, all of it: httpx's
        timeout bounds each read, so an upstream sending its answer a byte at a time would
        otherwise hold the tick for ever. Only the status is read, never the body."""
        try:
            async with asyncio.timeout(self._health_timeout), client.stream("GET", url) as response:
                return response.status_code < 400
        except Exception:
            # Whatever the failure (a timeout, a refused connection, a URL stored before create
            # refused unusable ones), this upstream did not answer; the others are still asked.
            return False


def _asks_upstream(row: Row[Any]) -> bool:
    """A deployment with an upstream URL is RUNNING only once that URL answers (D-8), unless a
    lifecycle rule fails it anyway (D-40)."""
    return Status(row.status) in DEPLOYS and bool(row.upstream_url) and row.settle_failure is None


def _never_healthy(url: str) -> str:
    """The failure reason, within its column however long the URL (up to 2048 characters)."""
    reason = f"Upstream {url} did not become healthy in time."
    if len(reason) <= FAILURE_REASON_MAX:
        return reason
    room = FAILURE_REASON_MAX - len("Upstream ... did not become healthy in time.")
    return f"Upstream {url[:room]}... did not become healthy in time."
