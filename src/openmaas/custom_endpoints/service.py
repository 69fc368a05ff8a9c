"""Custom endpoint rules (CONTRACT 6.4): names, quota, the linked service or preset model, moderation.

What a ModelArts service must be to be linked (``custom_from_modelarts_v2``):
- listed by CONTRACT 6.3 for the caller's domain in that region and workspace (else ``ModelArts.0102``;
  an unknown region or workspace answers as 6.3 does, ``ModelArts.0104``);
- mounted to the MaaS gateway, which a service expresses by ``auth_type`` NONE (else ``ModelArts.6613``);
- not being deleted (else ``ModelArts.6613``). Its current status is otherwise free: a STOPPED or
  DEPLOYING service can be linked, and the listing shows that status in ``infer_service_status``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row

from openmaas.agreements.catalogue import AgreementBook
from openmaas.clock import now_ms, uuid_id
from openmaas.custom_endpoints import repository
from openmaas.custom_endpoints.errors import (
    EndpointIdMissing,
    EndpointNameInvalid,
    EndpointNameMissing,
    EndpointNotFound,
    EndpointQuotaExceeded,
    LinkedServiceNotFound,
    ServiceNotMountable,
)
from openmaas.custom_endpoints.schemas import EndpointCreate, EndpointUpdate
from openmaas.db.scope import Scope
from openmaas.errors import InvalidParameter
from openmaas.iam import service as iam
from openmaas.iam.directory import ProjectDirectory
from openmaas.iam.errors import InvalidRegion
from openmaas.names import ENDPOINT_NAME, UUID_ID
from openmaas.presets import PresetCatalogue
from openmaas.services import service as services
from openmaas.services.errors import ServiceNotFound
from openmaas.services.states import Status
from openmaas.workspaces import service as workspaces

GATEWAY_AUTH_TYPE = "NONE"
# infer_service_status of an endpoint whose service no longer exists.
SERVICE_DELETED = "DELETED"
ACTIVE, INACTIVE = "ACTIVE", "INACTIVE"
STATUS_AFTER = {"activate": ACTIVE, "deactivate": INACTIVE}


@dataclass(frozen=True, slots=True)
class EndpointRules:
    """What the rules need from the app: settings-derived catalogues and the cross-region directory."""

    directory: ProjectDirectory
    presets: PresetCatalogue
    agreements: AgreementBook
    quota: int


@dataclass(frozen=True, slots=True)
class Link:
    """What an endpoint fronts, fixed at creation."""

    served_model_name: str
    model_name: str | None = None
    resident_model_id: str | None = None
    region: str | None = None
    workspace_id: str | None = None
    infer_service_id: str | None = None
    max_rpm: int | None = None
    max_tpm: int | None = None


def require_id(endpoint_id: str) -> str:
    if not endpoint_id.strip():
        raise EndpointIdMissing()
    return endpoint_id


def require(connection: Connection, scope: Scope, endpoint_id: str) -> Row[Any]:
    # An id of the wrong shape cannot exist; not asking the store keeps odd bytes (NUL) away from it.
    endpoint_id = require_id(endpoint_id)
    row = repository.get_live(connection, scope, endpoint_id) if UUID_ID.match(endpoint_id) else None
    if row is None:
        raise EndpointNotFound()
    return row


@dataclass(frozen=True, slots=True)
class CallableEndpoint:
    """What the data plane needs of an endpoint to route a call through it."""

    id: str
    domain_id: str
    endpoint_name: str
    active: bool
    source: str
    model_name: str | None
    region: str | None
    infer_service_id: str | None
    rpm: int | None
    tpm: int | None
    create_at: int


def callable_endpoint(connection: Connection, scope: Scope, model: str) -> CallableEndpoint | None:
    """The live endpoint a data-plane ``model`` names in the scope's account (D-13): an endpoint
    name first, else the name of a preset model that one of its ``custom_from_maas`` endpoints fronts."""
    row = repository.live_by_name(connection, scope, model) or repository.live_on_preset(
        connection, scope, model
    )
    return _callable(row) if row is not None else None


def callable_endpoints(connection: Connection, scope: Scope) -> list[CallableEndpoint]:
    """Every live endpoint of the scope's account, newest first (the data plane's model list)."""
    return [_callable(row) for row in repository.all_live(connection, scope)]


def _callable(row: Row[Any]) -> CallableEndpoint:
    return CallableEndpoint(
        id=row.id,
        domain_id=row.domain_id,
        endpoint_name=row.endpoint_name,
        active=row.status == ACTIVE,
        source=row.source,
        model_name=row.model_name,
        region=row.region,
        infer_service_id=row.infer_service_id,
        rpm=row.rpm,
        tpm=row.tpm,
        create_at=row.create_at,
    )


def create(
    connection: Connection, scope: Scope, domain_id: str, body: EndpointCreate, rules: EndpointRules
) -> str:
    if not body.endpoint_name:
        raise EndpointNameMissing()
    name = _valid_name(body.endpoint_name)
    link = _link(connection, scope, domain_id, body, rules)
    _check_throttles(link, body.rpm, body.tpm)
    _check_moderation(body.moderation, body.agreement_id, rules.agreements)
    now = now_ms()
    # The lock makes count-then-insert atomic per domain; the name ledger settles same-name races.
    iam.lock_domain(connection, domain_id)
    repository.reserve_name(connection, domain_id, name, now)
    if repository.count_live(connection, scope) >= rules.quota:
        raise EndpointQuotaExceeded()
    endpoint_id = uuid_id()
    repository.insert_endpoint(connection, _row(endpoint_id, scope, domain_id, name, body, link, now))
    return endpoint_id


def update(
    connection: Connection,
    scope: Scope,
    domain_id: str,
    endpoint_id: str,
    body: EndpointUpdate,
    rules: EndpointRules,
) -> None:
    """Name, remark, throttles and moderation; the linked service or model never changes."""
    row = require(connection, scope, endpoint_id)
    changes = _edits(row, body, rules)
    now = now_ms()
    if "endpoint_name" in changes:
        repository.reserve_name(connection, domain_id, changes["endpoint_name"], now)
    if changes:
        repository.update_live(connection, scope, row.id, {**changes, "update_at": now})


def _edits(row: Row[Any], body: EndpointUpdate, rules: EndpointRules) -> dict[str, Any]:
    """The columns an edit changes: absent fields none, null throttles back to unset."""
    changes: dict[str, Any] = {}
    if body.endpoint_name is not None and body.endpoint_name != row.endpoint_name:
        changes["endpoint_name"] = _valid_name(body.endpoint_name)
    if body.remark is not None:
        changes["remark"] = body.remark
    changes.update(
        {field: getattr(body, field) for field in ("rpm", "tpm") if field in body.model_fields_set}
    )
    _check_throttles(_stored_link(row, rules), changes.get("rpm"), changes.get("tpm"))
    if body.moderation is not None:
        _check_moderation(body.moderation, body.agreement_id, rules.agreements)
        changes["moderation"] = body.moderation
        changes["agreement_id"] = None if body.moderation else body.agreement_id
    return changes


def control(connection: Connection, scope: Scope, endpoint_id: str, action: str) -> None:
    """Activate or deactivate; asking for the status the endpoint already has changes nothing."""
    row = require(connection, scope, endpoint_id)
    status = STATUS_AFTER[action]
    if row.status != status:
        repository.update_live(connection, scope, row.id, {"status": status, "update_at": now_ms()})


def delete(connection: Connection, scope: Scope, endpoint_id: str) -> None:
    """The row stays, marked deleted, so that its name stays taken (CONTRACT 2)."""
    row = require(connection, scope, endpoint_id)
    now = now_ms()
    repository.update_live(connection, scope, row.id, {"deleted_at": now, "update_at": now})


def show(connection: Connection, scope: Scope, endpoint_id: str, rules: EndpointRules) -> dict[str, Any]:
    """CustomEndpointInfo of one live endpoint."""
    row = require(connection, scope, endpoint_id)
    return endpoint_info(row, _linked_statuses(connection, [row], rules.directory))


def listing(connection: Connection, scope: Scope, rules: EndpointRules) -> dict[str, Any]:
    rows = repository.all_live(connection, scope)
    statuses = _linked_statuses(connection, rows, rules.directory)
    items = [endpoint_info(row, statuses) for row in rows]
    return {"total": len(items), "count": str(len(items)), "items": items, "quantity_limit": rules.quota}


LinkedStatuses = dict[tuple[str, str], str]


def _linked_statuses(
    connection: Connection, rows: list[Row[Any]], directory: ProjectDirectory
) -> LinkedStatuses:
    """(region, service id) -> the fronted service's status, for the services that still exist: one
    read per region the endpoints front services in, scoped to the domain's project there."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        if row.infer_service_id:
            wanted.setdefault((row.domain_id, row.region), set()).add(row.infer_service_id)
    found: LinkedStatuses = {}
    for (domain_id, region), service_ids in wanted.items():
        try:
            region_scope = directory.scope_in(connection, domain_id, region)
        except InvalidRegion:
            region_scope = None  # a region no longer configured holds no service any more
        if region_scope is not None:
            for service_id, status in services.statuses(connection, region_scope, service_ids).items():
                found[(region, service_id)] = status
    return found


# ---- what an endpoint fronts -------------------------------------------------------------------


def _valid_name(name: str) -> str:
    if not ENDPOINT_NAME.match(name):
        raise EndpointNameInvalid()
    return name


def _link(
    connection: Connection, scope: Scope, domain_id: str, body: EndpointCreate, rules: EndpointRules
) -> Link:
    if body.source == "custom_from_maas":
        return _preset_link(scope, body, rules.presets)
    return _service_link(connection, domain_id, body, rules.directory)


def _preset_link(scope: Scope, body: EndpointCreate, presets: PresetCatalogue) -> Link:
    if not body.model_name:
        raise InvalidParameter("model_name", "is required when source is custom_from_maas")
    model = presets.find(body.model_name)
    if model is None:
        raise InvalidParameter(
            "model_name", f"{body.model_name} is not a preset model (one of: {', '.join(presets.names())})"
        )
    return Link(
        served_model_name=model.model_name,
        model_name=model.model_name,
        resident_model_id=model.resident_model_id,
        region=scope.region_id,
        max_rpm=model.max_rpm,
        max_tpm=model.max_tpm,
    )


def _service_link(
    connection: Connection, domain_id: str, body: EndpointCreate, directory: ProjectDirectory
) -> Link:
    if not body.region:
        raise InvalidParameter("region", "is required when source is custom_from_modelarts_v2")
    if not body.infer_service_id:
        raise InvalidParameter("infer_service_id", "is required when source is custom_from_modelarts_v2")
    service = _listed_service(
        connection, directory, domain_id, body.region, body.workspace_id, body.infer_service_id
    )
    if service.status == Status.DELETING:
        raise ServiceNotMountable(service.id, "it is being deleted")
    if service.auth_type != GATEWAY_AUTH_TYPE:
        raise ServiceNotMountable(
            service.id,
            "turn on its 'Mount to MAAS Gateway' switch, that is set its authentication method to "
            f"'No Authentication' (auth_type NONE; it is {service.auth_type})",
        )
    return Link(
        served_model_name=service.name,
        region=body.region,
        workspace_id=body.workspace_id,
        infer_service_id=service.id,
    )


def _listed_service(
    connection: Connection,
    directory: ProjectDirectory,
    domain_id: str,
    region: str,
    workspace_id: str,
    service_id: str,
) -> Row[Any]:
    """The service exactly as CONTRACT 6.3 would list it for this domain, region and workspace."""
    region_scope = directory.scope_in(connection, domain_id, region)
    if region_scope is None:
        raise LinkedServiceNotFound(service_id, region, workspace_id)
    workspaces.require(connection, region_scope, workspace_id)
    try:
        return services.require(connection, region_scope.in_workspace(workspace_id), service_id)
    except ServiceNotFound:
        raise LinkedServiceNotFound(service_id, region, workspace_id) from None


def _stored_link(row: Row[Any], rules: EndpointRules) -> Link:
    """The throttle caps of an existing endpoint: its preset model's, if it still is in the catalogue."""
    model = rules.presets.find(row.model_name) if row.model_name else None
    if model is None:
        return Link(served_model_name=row.served_model_name)
    return Link(served_model_name=row.served_model_name, max_rpm=model.max_rpm, max_tpm=model.max_tpm)


def _check_throttles(link: Link, rpm: int | None, tpm: int | None) -> None:
    """A preset model caps the throttles an endpoint on it may set."""
    for field, value, cap in (("rpm", rpm, link.max_rpm), ("tpm", tpm, link.max_tpm)):
        if value is not None and cap is not None and value > cap:
            raise InvalidParameter(field, f"must be at most {cap} for model {link.served_model_name}")


def _check_moderation(moderation: bool, agreement_id: str | None, agreements: AgreementBook) -> None:
    """Turning moderation off takes the latest disclaimer's id (CONTRACT 6.4, 6.5)."""
    latest = agreements.latest.agreement_id
    if not moderation and agreement_id != latest:
        raise InvalidParameter(
            "agreement_id", f"must be the latest agreement id {latest} when moderation is false"
        )


def _row(
    endpoint_id: str,
    scope: Scope,
    domain_id: str,
    name: str,
    body: EndpointCreate,
    link: Link,
    now: int,
) -> dict[str, Any]:
    return {
        "id": endpoint_id,
        "domain_id": domain_id,
        "project_id": scope.project_id,
        "endpoint_name": name,
        "source": body.source,
        "status": ACTIVE,
        "model_name": link.model_name,
        "resident_model_id": link.resident_model_id,
        "served_model_name": link.served_model_name,
        "region": link.region,
        "workspace_id": link.workspace_id,
        "infer_service_id": link.infer_service_id,
        "rpm": body.rpm,
        "tpm": body.tpm,
        "remark": body.remark or "",
        "moderation": body.moderation,
        "agreement_id": None if body.moderation else body.agreement_id,
        "create_at": now,
        "update_at": now,
        "deleted_at": None,
    }


# ---- wire object ---------------------------------------------------------------------------------


def endpoint_info(row: Row[Any], linked: LinkedStatuses) -> dict[str, Any]:
    """CustomEndpointInfo (CONTRACT 6.4), plus the openmaas field ``infer_service_status``."""
    return {
        "id": row.id,
        "source": row.source,
        "status": row.status,
        "cbc_status": "NORMAL",
        "endpoint_name": row.endpoint_name,
        "remark": row.remark,
        "rpm": row.rpm,
        "tpm": row.tpm,
        "served_model_name": row.served_model_name,
        "model_version_id": "",
        "resident_model_id": row.resident_model_id or "",
        "region": row.region or "",
        "workspace_id": row.workspace_id or "",
        "infer_service_id": row.infer_service_id or "",
        "moderation": row.moderation,
        "create_at": row.create_at,
        "update_at": row.update_at,
        "infer_service_status": _service_status(row, linked),
    }


def _service_status(row: Row[Any], linked: LinkedStatuses) -> str | None:
    """The fronted service's status, DELETED once it is gone; null for a preset model."""
    if not row.infer_service_id:
        return None
    return linked.get((row.region, row.infer_service_id), SERVICE_DELETED)


def forget_domain(connection: Connection, domain_id: str) -> list[str]:
    """Every endpoint the account ever had, and its names (its deletion); returns their ids."""
    return repository.forget_domain(connection, domain_id)
