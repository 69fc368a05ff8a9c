"""The operator's rules (issue 11): accounts made and forgotten whole, the store reset to its bootstrap
state or to a named snapshot, and how lifecycles settle. Fault rules are ``faults.service``'s.

A snapshot (D-43) is every table's rows but the store's own keys and the snapshots themselves, kept in
the store: every process sharing it can restore one. A reset and a restore replace every row in one
transaction, so another process sees the old store or the new one, never a mix.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select

from openmaas.admin.errors import SnapshotNotFound
from openmaas.admin.schemas import DomainCreate, LifecycleBody, SettleBody, rows_of
from openmaas.api_keys import service as api_keys
from openmaas.auth.passwords import HashCost, hash_password
from openmaas.clock import now_ms, seed_ids
from openmaas.credentials import service as credentials
from openmaas.custom_endpoints import service as endpoints
from openmaas.db.metadata import server_keys, snapshots
from openmaas.errors import InvalidParameter
from openmaas.iam import accounts
from openmaas.schema import metadata
from openmaas.services import lifecycle
from openmaas.services import service as services
from openmaas.usage import service as usage
from openmaas.workspaces import service as workspaces

# The store's own: the token key's salt and the secret key's fingerprint survive a reset, or every
# process would need restarting; snapshots survive so that one can be restored after a reset.
KEPT = frozenset({server_keys.name, snapshots.name})


@dataclass(frozen=True, slots=True)
class AdminTools:
    """What the admin rules need from the app."""

    password_cost: HashCost
    region_ids: tuple[str, ...]
    # Makes the bootstrap account again on an emptied store (``bootstrap.bootstrap_again``).
    bootstrap_again: Callable[[Connection], None]
    admin_domain: str


# ---- accounts --------------------------------------------------------------------------------------


def create_domain(connection: Connection, body: DomainCreate, tools: AdminTools) -> dict[str, Any]:
    """A new account: its administrator and a project in each region; a generated password is shown once."""
    password = body.password or secrets.token_urlsafe(18)
    regions = body.regions or list(tools.region_ids)
    unknown = sorted(set(regions) - set(tools.region_ids))
    if unknown:
        raise InvalidParameter("regions", f"names regions that are not configured: {', '.join(unknown)}")
    password_hash = hash_password(password, tools.password_cost)
    domain_id = accounts.create(connection, body.name, body.admin_user, password_hash, regions)
    return {
        "domain": accounts.describe(connection, domain_id),
        "password": None if body.password else password,
    }


def delete_domain(connection: Connection, domain_id: str) -> None:
    """The account and everything it owns, in the order their references need (D-42)."""
    accounts.require(connection, domain_id)
    api_keys.forget_domain(connection, domain_id)
    usage.forget_endpoints(connection, endpoints.forget_domain(connection, domain_id))
    for scope in accounts.project_scopes(connection, domain_id):
        services.forget_project(connection, scope)
        workspaces.forget_project(connection, scope)
    credentials.forget_domain(connection, domain_id)
    accounts.forget(connection, domain_id)


# ---- reset and snapshots ----------------------------------------------------------------------------


def reset(connection: Connection, tools: AdminTools, seed: int | None) -> dict[str, Any]:
    """Back to the bootstrap state (D-44); ``seed`` makes this process's ids deterministic from now on."""
    seed_ids(seed)
    _empty(connection)
    tools.bootstrap_again(connection)
    admin = next(d for d in accounts.listing(connection) if d["name"] == tools.admin_domain)
    return {"seed": seed, "domain": accounts.describe(connection, admin["id"])}


def save_snapshot(connection: Connection, name: str) -> dict[str, Any]:
    tables = {table.name: _rows(connection, table) for table in _tables()}
    connection.execute(delete(snapshots).where(snapshots.c.name == name))
    now = now_ms()
    connection.execute(insert(snapshots).values(name=name, created_at=now, tables=tables))
    return {"name": name, "created_at": now, "rows": rows_of(tables)}


def restore_snapshot(connection: Connection, name: str) -> dict[str, Any]:
    row = connection.execute(select(snapshots).where(snapshots.c.name == name)).first()
    if row is None:
        raise SnapshotNotFound(name)
    _empty(connection)
    for table in _tables():
        rows = row.tables.get(table.name, [])
        if rows:
            connection.execute(insert(table), rows)
    return {"name": name, "created_at": row.created_at, "rows": rows_of(row.tables)}


def list_snapshots(connection: Connection) -> dict[str, Any]:
    rows = connection.execute(select(snapshots).order_by(snapshots.c.created_at, snapshots.c.name)).all()
    return {
        "snapshots": [{"name": r.name, "created_at": r.created_at, "rows": rows_of(r.tables)} for r in rows]
    }


def delete_snapshot(connection: Connection, name: str) -> None:
    if connection.execute(delete(snapshots).where(snapshots.c.name == name)).rowcount == 0:
        raise SnapshotNotFound(name)


def _tables() -> list[Table]:
    """Every table but the kept ones, in the order their foreign keys need for inserts."""
    return [table for table in metadata.sorted_tables if table.name not in KEPT]


def _empty(connection: Connection) -> None:
    for table in reversed(_tables()):
        connection.execute(delete(table))


def _rows(connection: Connection, table: Table) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in connection.execute(select(table))]


# ---- lifecycle control (D-40) -------------------------------------------------------------------


def put_rule(connection: Connection, target: str, action: str, body: LifecycleBody) -> dict[str, Any]:
    """The rule of ``action`` for one service (its id), or for every service (``*``)."""
    if target != lifecycle.EVERY_SERVICE:
        services.require_any(connection, target)
    delay_ms = None if body.delay_seconds is None else round(body.delay_seconds * 1000)
    values = {
        "target": target,
        "action": action,
        "mode": body.mode,
        "delay_ms": delay_ms,
        "reason": body.reason,
    }
    lifecycle.put_rule(connection, values)
    return _rule(values)


def rules(connection: Connection) -> dict[str, Any]:
    return {"rules": [_rule(row._mapping) for row in lifecycle.all_rules(connection)]}


def delete_rule(connection: Connection, target: str, action: str) -> None:
    lifecycle.delete_rule(connection, target, action)


def settle(connection: Connection, service_id: str, body: SettleBody) -> dict[str, Any]:
    failure = (body.reason or "Failed by the operator.") if body.outcome == "fail" else None
    return {"service_id": service_id, "status": services.settle_now(connection, service_id, failure)}


def _rule(values: Any) -> dict[str, Any]:
    delay_ms = values["delay_ms"]
    return {
        "target": values["target"],
        "action": values["action"],
        "mode": values["mode"],
        "delay_seconds": None if delay_ms is None else delay_ms / 1000,
        "reason": values["reason"],
    }
