"""Service rules: validation beyond the schema, the lifecycle actions, and what other packages may
ask of services. Listings are in ``listing``; the wire objects are built in ``wire``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row

from openmaas.clock import now_ms, uuid_id
from openmaas.db.scope import Scope
from openmaas.db.session import after_commit
from openmaas.errors import InvalidParameter
from openmaas.names import UUID_ID, first_unstorable
from openmaas.services import lifecycle, repository, wire
from openmaas.services.errors import (
    DeploymentNotFound,
    IllegalAction,
    NotSettling,
    ServiceNameTaken,
    ServiceNotFound,
    VersionNotFound,
)
from openmaas.services.schemas import VERSION, ServiceCreate, ServiceUpdate
from openmaas.services.states import ACTIONS, SETTLES, Status
from openmaas.telemetry.metrics import GONE, NEW, count_transition
from openmaas.wire import paged_list
from openmaas.workspaces import service as workspaces

DEFAULT_VERSION = "1.0.0"
DEFAULT_DEPLOY_TIMEOUT_MINUTES = 20


@dataclass(frozen=True, slots=True)
class Runtime:
    """What the lifecycle needs from the settings."""

    deploy_delay_ms: int
    public_url: str


def require(connection: Connection, scope: Scope, service_id: str, *, lock: bool = False) -> Row[Any]:
    # An id of the wrong shape cannot exist; not asking the store keeps odd bytes away from it.
    row = repository.get(connection, scope, service_id, lock=lock) if UUID_ID.match(service_id) else None
    if row is None:
        raise ServiceNotFound(service_id)
    return row


def show(connection: Connection, scope: Scope, service_id: str, runtime: Runtime) -> dict[str, Any]:
    """The service object (CONTRACT 5.4) of a service in scope."""
    row = require(connection, scope, service_id)
    current = repository.version(connection, row.id, number=row.version_count)
    return wire.service_object(row, current, runtime.public_url)


@dataclass(frozen=True, slots=True)
class Upstream:
    """Where a service's model server answers (D-8, D-14), and whether it may be called now."""

    service_id: str
    status: str
    url: str | None
    model: str


def upstream_of(connection: Connection, scope: Scope, service_id: str) -> Upstream | None:
    """The model server behind a service in scope, None if the service does not exist (any more)."""
    row = repository.get(connection, scope, service_id) if UUID_ID.match(service_id) else None
    if row is None:
        return None
    return Upstream(row.id, row.status, row.upstream_url, row.upstream_model or row.name)


def statuses(connection: Connection, scope: Scope, service_ids: Iterable[str]) -> dict[str, str]:
    """The status of each of ``service_ids`` that exists in scope (the others are left out)."""
    wanted = [service_id for service_id in set(service_ids) if UUID_ID.match(service_id)]
    return repository.statuses(connection, scope, wanted) if wanted else {}


def create(
    connection: Connection, scope: Scope, user_name: str, body: ServiceCreate, runtime: Runtime
) -> str:
    check_storable(body)
    workspaces.require(connection, scope, body.workspace_id, lock="key_share")
    if repository.name_taken(connection, scope, body.name):
        raise ServiceNameTaken(body.name)
    tags = _tag_pairs(body.tags)
    now = now_ms()
    service_id = uuid_id()
    version = body.version or DEFAULT_VERSION
    settle = lifecycle.plan(connection, service_id, Status.DEPLOYING, now, runtime.deploy_delay_ms)
    repository.insert_service(
        connection,
        {
            "id": service_id,
            "project_id": scope.project_id,
            "workspace_id": body.workspace_id,
            "name": body.name,
            "status": Status.DEPLOYING,
            "description": body.description or "",
            "type": body.type,
            "deploy_type": body.deploy_type,
            "task_type": body.task_type,
            "workload_type": body.workload_type,
            "auth_type": body.runtime_config.service_invoke.auth_type,
            "user_name": user_name,
            "version": version,
            "version_count": 1,
            "deploy_timeout_minutes": _timeout(body.deploy_timeout_minutes),
            "deployment_id": uuid_id(),
            "tags": [{"key": k, "value": v} for k, v in tags],
            "schedule": _schedule(body),
            "upstream_url": body.upstream_url,
            "upstream_model": body.upstream_model,
            "failure_reason": None,
            "create_at": now,
            "update_at": now,
            "transition_due_at": settle.due_at,
            "transition_started_at": now,
            "settle_failure": settle.failure,
            "row_version": 1,
        },
        tags,
    )
    _insert_version(connection, service_id, 1, version, body.description or "", _config(body), now)
    workspaces.count_services(connection, scope, body.workspace_id, +1)
    _count_transition(connection, NEW, Status.DEPLOYING)
    return service_id


def update(
    connection: Connection, scope: Scope, service_id: str, body: ServiceUpdate, runtime: Runtime
) -> None:
    check_storable(body)
    row = require(connection, scope, service_id, lock=True)
    if not body.changes_deployment():
        # An empty body changes nothing: a description is only replaced when one is sent.
        described = {} if body.description is None else {"description": body.description}
        _transition(connection, scope, row, "describe", runtime, described)
        return
    number = row.version_count + 1
    version = body.version or _next_version(row.version)
    if repository.version(connection, service_id, name=version) is not None:
        raise InvalidParameter("version", f"{version} already exists")
    current = repository.version(connection, service_id, number=row.version_count)
    config = {**(current.config if current else {}), **_config(body)}
    description = row.description if body.description is None else body.description
    changes: dict[str, Any] = {"version": version, "version_count": number, "description": description}
    changes.update(_optional_changes(body))
    _transition(connection, scope, row, "upgrade", runtime, changes)
    _insert_version(connection, service_id, number, version, description, config, now_ms())
    if body.tags is not None:
        repository.replace_tags(connection, service_id, _tag_pairs(body.tags))


def act(connection: Connection, scope: Scope, service_id: str, action: str, runtime: Runtime) -> None:
    _transition(connection, scope, require(connection, scope, service_id, lock=True), action, runtime, {})


def delete_many(connection: Connection, scope: Scope, service_ids: list[str], runtime: Runtime) -> list[str]:
    unique_ids = list(dict.fromkeys(service_ids))
    # Locked in sorted order, so two batches over the same services cannot deadlock each other.
    rows = {i: require(connection, scope, i, lock=True) for i in sorted(unique_ids)}
    for service_id in unique_ids:
        _transition(connection, scope, rows[service_id], "delete", runtime, {})
    return unique_ids


def _transition(
    connection: Connection,
    scope: Scope,
    row: Row[Any],
    action: str,
    runtime: Runtime,
    changes: dict[str, Any],
) -> None:
    target = ACTIONS[action].target(Status(row.status))
    if target is None:
        raise IllegalAction(ACTIONS[action].name, row.id, row.status)
    now = now_ms()
    values = {**changes, "status": target, "update_at": now}
    if target != row.status and target in SETTLES:
        settle = lifecycle.plan(connection, row.id, target, now, runtime.deploy_delay_ms)
        values.update(
            transition_due_at=settle.due_at,
            transition_started_at=now,
            settle_failure=settle.failure,
            failure_reason=None,
        )
    if not repository.compare_and_set(connection, scope, row.id, row.row_version, values):
        # Someone (the worker, another request) moved it first: judge the action on the fresh row.
        _transition(
            connection, scope, require(connection, scope, row.id, lock=True), action, runtime, changes
        )
    elif target != row.status:
        _count_transition(connection, row.status, target)


def _count_transition(connection: Connection, before: str, after: str) -> None:
    """Counted for the metrics once the store has it (a request that fails later counts nothing)."""
    after_commit(connection, lambda: count_transition(before, after))


def _insert_version(
    connection: Connection,
    service_id: str,
    number: int,
    version: str,
    description: str,
    config: dict[str, Any],
    now: int,
) -> None:
    repository.insert_version(
        connection,
        {
            "service_id": service_id,
            "number": number,
            "id": uuid_id(),
            "version": version,
            "description": description,
            "config": config,
            "create_at": now,
            "update_at": now,
        },
    )


def _config(body: ServiceCreate | ServiceUpdate) -> dict[str, Any]:
    dumped = body.model_dump(mode="json", exclude_unset=True, include={"group_configs", "upgrade_config"})
    if body.runtime_config is not None:
        dumped["runtime_config"] = body.runtime_config.model_dump(mode="json", exclude_none=True)
    return dumped


def _optional_changes(body: ServiceUpdate) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if body.runtime_config is not None:
        changes["auth_type"] = body.runtime_config.service_invoke.auth_type
    if body.deploy_timeout_minutes is not None:
        changes["deploy_timeout_minutes"] = body.deploy_timeout_minutes
    if body.task_type is not None:
        changes["task_type"] = body.task_type
    if body.schedule is not None:
        changes["schedule"] = _schedule(body)
    for extension in ("upstream_url", "upstream_model"):
        if extension in body.model_fields_set:
            changes[extension] = getattr(body, extension)
    if body.tags is not None:
        changes["tags"] = [{"key": k, "value": v} for k, v in _tag_pairs(body.tags)]
    return changes


def check_storable(body: ServiceCreate | ServiceUpdate) -> None:
    """Text, and the unknown fields that group_configs and runtime_config keep, are stored as sent:
    refuse what no store or JSON writer can keep."""
    found = first_unstorable(body)
    if found is not None:
        raise InvalidParameter(*found)


def _schedule(body: ServiceCreate | ServiceUpdate) -> list[dict[str, Any]]:
    return [item.model_dump() for item in body.schedule or []]


def _tag_pairs(tags: Any) -> list[tuple[str, str]]:
    pairs = [(tag.key, tag.value) for tag in tags or []]
    if len({key for key, _ in pairs}) != len(pairs):
        raise InvalidParameter("tags", "must not repeat a key")
    return pairs


def _timeout(minutes: int | None) -> int:
    return DEFAULT_DEPLOY_TIMEOUT_MINUTES if minutes is None else minutes


def _next_version(current: str) -> str:
    """Bump the patch part; parts stay within 0-99, so a full part carries into the next one."""
    match = VERSION.match(current)
    major, minor, patch = (int(part) for part in match.groups()) if match else (1, 0, 0)
    patch += 1
    if patch > 99:
        patch, minor = 0, minor + 1
    if minor > 99:
        minor, major = 0, major + 1
    if major > 99:
        raise InvalidParameter("version", "cannot be increased past 99.99.99; give one explicitly")
    return f"{major}.{minor}.{patch}"


def deployments_body(connection: Connection, scope: Scope, service_id: str) -> dict[str, Any]:
    """A service's deployments: openmaas runs one per service."""
    row = require(connection, scope, service_id)
    return paged_list([wire.deployment_item(row)], 1, 1, 0)


def deployment_body(
    connection: Connection, scope: Scope, service_id: str, deployment_id: str
) -> dict[str, Any]:
    row = _deployment(connection, scope, service_id, deployment_id)
    return wire.deployment_detail(row, repository.version(connection, row.id, number=row.version_count))


def versions_body(
    connection: Connection, scope: Scope, service_id: str, deployment_id: str, limit: int, offset: int
) -> dict[str, Any]:
    """A deployment's versions, newest first; ``total`` is the service's maintained version count."""
    row = _deployment(connection, scope, service_id, deployment_id)
    versions = repository.versions_page(connection, row.id, offset, limit)
    items = [wire.version_item(row, version) for version in versions]
    return paged_list(items, row.version_count, limit, offset)


def version_body(
    connection: Connection, scope: Scope, service_id: str, deployment_id: str, version: str
) -> dict[str, Any]:
    row = _deployment(connection, scope, service_id, deployment_id)
    # A name of the wrong shape cannot exist; not asking the store keeps odd bytes away from it.
    found = repository.version(connection, row.id, name=version) if VERSION.match(version) else None
    if found is None:
        raise VersionNotFound(version)
    return wire.deployment_detail(row, found) | {"version": found.version}


def _deployment(connection: Connection, scope: Scope, service_id: str, deployment_id: str) -> Row[Any]:
    row = require(connection, scope, service_id)
    if row.deployment_id != deployment_id:
        raise DeploymentNotFound(deployment_id)
    return row


# ---- what the operator asks (the admin API) -------------------------------------------------------


def require_any(connection: Connection, service_id: str) -> Row[Any]:
    """A service of any project (the operator's view)."""
    row = repository.get_any(connection, service_id) if UUID_ID.match(service_id) else None
    if row is None:
        raise ServiceNotFound(service_id)
    return row


def settle_now(connection: Connection, service_id: str, failure: str | None) -> str:
    """End the service's pending transition now (D-40: a ``manual`` rule waits for this), into its
    settled status or FAILED with ``failure``; returns the status it is in afterwards (``DELETED``
    once a delete removed it)."""
    row = require_any(connection, service_id)
    if Status(row.status) not in SETTLES:
        raise NotSettling(service_id, row.status)
    scope = Scope(project_id=row.project_id, region_id="")
    values = lifecycle.settled(Status(row.status), now_ms(), failure)
    if values is None:
        repository.remove(connection, scope, row.id, row.row_version)
        workspaces.count_services(connection, scope, row.workspace_id, -1)
        _count_transition(connection, row.status, GONE)
        return "DELETED"
    repository.compare_and_set(connection, scope, row.id, row.row_version, values)
    _count_transition(connection, row.status, str(values["status"]))
    return str(values["status"])


def forget_project(connection: Connection, scope: Scope) -> None:
    """Every service of a project, with its tags, versions and lifecycle rules (a domain's deletion)."""
    repository.delete_rules_of(connection, repository.ids_in_project(connection, scope))
    repository.forget_project(connection, scope)
