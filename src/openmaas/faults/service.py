"""Fault injection (D-41): rules the operator sets through the admin API; each process keeps the live
ones in memory (``FaultBook``), read again from the store every ``fault_poll_seconds``, so every process
sharing the store obeys the same rules within that. A counted rule's firings are taken from the store
one by one, so ``count`` holds across processes too."""

from __future__ import annotations

import fnmatch
import random
import re
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool
from starlette.routing import compile_path

from openmaas.clock import now_ms, uuid_id
from openmaas.db.store import Store
from openmaas.faults import repository
from openmaas.faults.errors import BadOperation, FaultNotFound, InjectedFault, NothingToDo
from openmaas.faults.schemas import METHODS, FaultCreate

DEFAULT_CODE = "OpenMaaS.0999"
DEFAULT_MESSAGE = "Injected fault."
FIELDS = (
    "id", "method", "path", "operation", "domain_id", "probability", "remaining",
    "latency_ms", "status", "error_code", "error_msg", "created_at", "expires_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Fault:
    """A live rule, ready to match requests."""

    id: str
    method: str | None
    path: re.Pattern[str] | None
    domain_id: str | None
    probability: float
    counted: bool
    latency_ms: int
    error: InjectedFault | None
    expires_at: int | None

    def matches(self, method: str, path: str, domain_id: str | None, now: int) -> bool:
        if self.expires_at is not None and self.expires_at <= now:
            return False
        if self.method is not None and self.method != method:
            return False
        if self.path is not None and self.path.match(path) is None:
            return False
        return self.domain_id is None or self.domain_id == domain_id


class FaultBook:
    def __init__(self) -> None:
        self.faults: tuple[Fault, ...] = ()
        self.by_domain = False
        self._random = random.Random()

    def refresh(self, store: Store) -> None:
        with store.transaction(write=False) as connection:
            faults = tuple(_compiled(row) for row in repository.live_rules(connection, now_ms()))
        self._keep(faults)

    def add(self, values: dict[str, Any]) -> None:
        self._keep((*self.faults, _compiled(SimpleNamespace(**values))))

    def drop(self, fault_id: str) -> None:
        self._keep(tuple(fault for fault in self.faults if fault.id != fault_id))

    def drop_all(self) -> None:
        self._keep(())

    def _keep(self, faults: tuple[Fault, ...]) -> None:
        self.faults, self.by_domain = faults, any(fault.domain_id for fault in faults)

    def matching(self, method: str, path: str, domain_id: str | None) -> Fault | None:
        """The first live rule that catches this request, after its dice."""
        now = now_ms()
        for fault in self.faults:
            if fault.matches(method, path, domain_id, now) and self._random.random() < fault.probability:
                return fault
        return None

    async def take(self, store: Store, fault: Fault) -> bool:
        """Whether a counted rule may fire once more (it is used up for every process at once)."""
        if not fault.counted:
            return True
        return await run_in_threadpool(_take_in_store, store, fault.id)


def _take_in_store(store: Store, fault_id: str) -> bool:
    with store.transaction(write=True) as connection:
        return repository.take_one(connection, fault_id)


def _compiled(row: Any) -> Fault:
    method, path = row.method, re.compile(fnmatch.translate(row.path)) if row.path else None
    if row.operation:
        method, path = _operation(row.operation)
    error = None
    if row.status is not None:
        error = InjectedFault(row.status, row.error_code or DEFAULT_CODE, row.error_msg or DEFAULT_MESSAGE)
    return Fault(
        row.id,
        method,
        path,
        row.domain_id,
        row.probability,
        row.remaining is not None,
        row.latency_ms,
        error,
        row.expires_at,
    )


def _operation(operation: str) -> tuple[str, re.Pattern[str]]:
    """``METHOD /route/{template}``: the method and the template as the router compiles it."""
    method, _, template = operation.partition(" ")
    if method.upper() not in METHODS or not template.startswith("/"):
        raise BadOperation("must be a method and a route template, like 'POST /v2/{project_id}/services'")
    regex, _format, _convertors = compile_path(template)
    return method.upper(), regex


# ---- the admin API's rules -----------------------------------------------------------------------


def create(connection: Connection, body: FaultCreate) -> dict[str, Any]:
    if body.status is None and not body.latency_ms:
        raise NothingToDo()
    if body.operation is not None:
        _operation(body.operation)
    now = now_ms()
    values = {
        "id": uuid_id(),
        **body.model_dump(include={"method", "path", "operation", "domain_id", "probability", "latency_ms"}),
        "status": body.status,
        "error_code": body.error_code,
        "error_msg": body.error_msg,
        "remaining": body.count,
        "created_at": now,
        "expires_at": now + body.expires_in_seconds * 1000 if body.expires_in_seconds else None,
    }
    repository.insert_rule(connection, values)
    return values


def listing(connection: Connection) -> dict[str, Any]:
    return {
        "faults": [{name: getattr(row, name) for name in FIELDS} for row in repository.all_rules(connection)]
    }


def remove(connection: Connection, rule_id: str) -> None:
    if not repository.delete_rule(connection, rule_id):
        raise FaultNotFound(rule_id)


def clear(connection: Connection) -> dict[str, int]:
    return {"removed": repository.delete_all(connection)}


def forget_expired(store: Store) -> None:
    with store.transaction(write=True) as connection:
        repository.forget_expired(connection, now_ms())
