"""Lifecycle control (D-40): how a deploy, a stop or a delete settles, as data an operator sets for every
service or for one (the admin API), shared by every process through the store.

``delay`` settles after a delay (D-8's ``OPENMAAS_DEPLOY_DELAY_SECONDS`` is the default rule), ``immediate``
on the worker's next tick, ``manual`` only when the operator says so (``settle``), ``fail`` into FAILED with
the rule's reason (after its delay, if it has one). A deployment with an ``upstream_url`` still waits for
its upstream to answer (D-8) under ``delay`` and ``immediate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from openmaas.services import repository
from openmaas.services.states import SETTLES, Status

EVERY_SERVICE = "*"


class Mode(StrEnum):
    DELAY = "delay"
    IMMEDIATE = "immediate"
    MANUAL = "manual"
    FAIL = "fail"


class Kind(StrEnum):
    DEPLOY = "deploy"
    STOP = "stop"
    DELETE = "delete"


# The transitional status a user action leads to -> the kind of transition it is.
KIND_OF: dict[Status, Kind] = {
    Status.DEPLOYING: Kind.DEPLOY,
    Status.UPGRADING: Kind.DEPLOY,
    Status.STOPPING: Kind.STOP,
    Status.DELETING: Kind.DELETE,
}


@dataclass(frozen=True, slots=True)
class Rule:
    mode: Mode
    delay_ms: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """When a transition is due (None: when the operator settles it) and, if it is to fail, why."""

    due_at: int | None
    failure: str | None


def plan(connection: Connection, service_id: str, status: Status, now: int, default_delay_ms: int) -> Plan:
    """The settle plan of a transition into ``status`` that starts ``now``."""
    rule = _rule(connection, service_id, KIND_OF[status])
    if rule is None:
        return Plan(now + default_delay_ms, None)
    delay = rule.delay_ms if rule.delay_ms is not None else default_delay_ms
    if rule.mode == Mode.IMMEDIATE:
        return Plan(now, None)
    if rule.mode == Mode.MANUAL:
        return Plan(None, None)
    if rule.mode == Mode.FAIL:
        return Plan(
            now + (rule.delay_ms or 0), rule.reason or f"The {KIND_OF[status]} failed (lifecycle rule)."
        )
    return Plan(now + delay, None)


def _rule(connection: Connection, service_id: str, kind: Kind) -> Rule | None:
    row = repository.lifecycle_rule(connection, service_id, kind)
    return Rule(Mode(row.mode), row.delay_ms, row.reason) if row is not None else None


def settled(status: Status, now: int, failure: str | None) -> dict[str, object] | None:
    """The columns that end a transition out of ``status`` (None: the service is removed): into its
    settled status, or FAILED with ``failure``."""
    target = SETTLES[status]
    end = {"update_at": now, "transition_due_at": None, "transition_started_at": None, "settle_failure": None}
    if failure is not None:
        return {**end, "status": Status.FAILED, "failure_reason": failure}
    return None if target is None else {**end, "status": target}


def put_rule(connection: Connection, values: dict[str, Any]) -> None:
    repository.put_lifecycle_rule(connection, values)


def all_rules(connection: Connection) -> list[Any]:
    return repository.all_lifecycle_rules(connection)


def delete_rule(connection: Connection, target: str, action: str) -> bool:
    return repository.delete_lifecycle_rule(connection, target, action)
