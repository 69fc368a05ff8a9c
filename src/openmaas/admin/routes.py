"""The openmaas admin API, ``/openmaas/v1`` (issue 11): the operator's, behind ``OPENMAAS_ADMIN_API_KEY``
(``http.operator``), never a tenant's. Everything it changes is in the store, so every process sharing
it obeys; what a process remembers of the store is forgotten at once in this process, within 5 s in
the others (the bound of every cache, D-15 and CONTRACT 4.2)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from openmaas.admin import service
from openmaas.admin.schemas import (
    DomainCreate,
    DomainCreated,
    DomainInfo,
    DomainList,
    LifecycleBody,
    LifecycleRule,
    LifecycleRules,
    ResetBody,
    ResetDone,
    SettleBody,
    Settled,
    SnapshotCreate,
    SnapshotInfo,
    SnapshotList,
)
from openmaas.faults import service as faults
from openmaas.faults.schemas import FaultCreate, FaultList, FaultRule, FaultsRemoved
from openmaas.http.operator import Operator
from openmaas.http.responses import json_response, no_content
from openmaas.http.state import DbConnection, State, forget_cached
from openmaas.iam import accounts
from openmaas.services.lifecycle import EVERY_SERVICE, Kind

router = APIRouter(prefix="/openmaas/v1", tags=["Admin"])


@router.post("/domains", status_code=201, response_model=DomainCreated)
def create_domain(
    _operator: Operator, connection: DbConnection, state: State, body: DomainCreate
) -> Response:
    """Create an account with its administrator and a project in each region."""
    return json_response(service.create_domain(connection, body, state.admin), 201)


@router.get("/domains", response_model=DomainList)
def list_domains(_operator: Operator, connection: DbConnection) -> Response:
    """Every account."""
    return json_response({"domains": accounts.listing(connection)})


@router.get("/domains/{domain_id}", response_model=DomainInfo)
def show_domain(_operator: Operator, connection: DbConnection, domain_id: str) -> Response:
    """One account with its users and projects."""
    return json_response(accounts.describe(connection, domain_id))


@router.delete("/domains/{domain_id}", status_code=204)
def delete_domain(_operator: Operator, connection: DbConnection, state: State, domain_id: str) -> Response:
    """Delete an account and everything it owns; its tokens stop working within 5 s everywhere."""
    service.delete_domain(connection, domain_id)
    forget_cached(state)
    return no_content()


@router.post("/reset", response_model=ResetDone)
def reset(_operator: Operator, connection: DbConnection, state: State, body: ResetBody) -> Response:
    """Empty the store back to its bootstrap state (snapshots are kept)."""
    answer = service.reset(connection, state.admin, body.seed)
    forget_cached(state)
    return json_response(answer)


@router.post("/snapshots", status_code=201, response_model=SnapshotInfo)
def save_snapshot(_operator: Operator, connection: DbConnection, body: SnapshotCreate) -> Response:
    """Save the whole store under a name (an existing one is replaced)."""
    return json_response(service.save_snapshot(connection, body.name), 201)


@router.get("/snapshots", response_model=SnapshotList)
def list_snapshots(_operator: Operator, connection: DbConnection) -> Response:
    """The saved snapshots."""
    return json_response(service.list_snapshots(connection))


@router.post("/snapshots/{name}/restore", response_model=SnapshotInfo)
def restore_snapshot(_operator: Operator, connection: DbConnection, state: State, name: str) -> Response:
    """Put the store back as it was when the snapshot was saved."""
    answer = service.restore_snapshot(connection, name)
    forget_cached(state)
    return json_response(answer)


@router.delete("/snapshots/{name}", status_code=204)
def delete_snapshot(_operator: Operator, connection: DbConnection, name: str) -> Response:
    """Delete a snapshot."""
    service.delete_snapshot(connection, name)
    return no_content()


@router.get("/lifecycle", response_model=LifecycleRules)
def lifecycle_rules(_operator: Operator, connection: DbConnection) -> Response:
    """How deploys, stops and deletes settle: for every service, and per service."""
    return json_response(service.rules(connection))


@router.put("/lifecycle/{action}", response_model=LifecycleRule)
def put_global_rule(
    _operator: Operator, connection: DbConnection, action: Kind, body: LifecycleBody
) -> Response:
    """How ``action`` settles for every service without a rule of its own."""
    return json_response(service.put_rule(connection, EVERY_SERVICE, action, body))


@router.delete("/lifecycle/{action}", status_code=204)
def delete_global_rule(_operator: Operator, connection: DbConnection, action: Kind) -> Response:
    """Back to the default for ``action`` (D-8's delay)."""
    service.delete_rule(connection, EVERY_SERVICE, action)
    return no_content()


@router.put("/services/{service_id}/lifecycle/{action}", response_model=LifecycleRule)
def put_service_rule(
    _operator: Operator, connection: DbConnection, service_id: str, action: Kind, body: LifecycleBody
) -> Response:
    """How ``action`` settles for one service."""
    return json_response(service.put_rule(connection, service_id, action, body))


@router.delete("/services/{service_id}/lifecycle/{action}", status_code=204)
def delete_service_rule(
    _operator: Operator, connection: DbConnection, service_id: str, action: Kind
) -> Response:
    """The service follows the rule for every service again."""
    service.delete_rule(connection, service_id, action)
    return no_content()


@router.post("/services/{service_id}/settle", response_model=Settled)
def settle_service(
    _operator: Operator, connection: DbConnection, service_id: str, body: SettleBody
) -> Response:
    """End a service's pending transition now: as it would end, or FAILED."""
    return json_response(service.settle(connection, service_id, body))


@router.post("/faults", status_code=201, response_model=FaultRule)
def create_fault(_operator: Operator, connection: DbConnection, state: State, body: FaultCreate) -> Response:
    """Make matching requests slow or fail: every process obeys within a second."""
    rule = faults.create(connection, body)
    state.faults.add(rule)  # this process obeys at once, the others on their next read
    return json_response(rule, 201)


@router.get("/faults", response_model=FaultList)
def list_faults(_operator: Operator, connection: DbConnection) -> Response:
    """Every fault rule, used up and expired ones included until they are removed."""
    return json_response(faults.listing(connection))


@router.delete("/faults/{rule_id}", status_code=204)
def delete_fault(_operator: Operator, connection: DbConnection, state: State, rule_id: str) -> Response:
    """Remove a fault rule."""
    faults.remove(connection, rule_id)
    state.faults.drop(rule_id)
    return no_content()


@router.delete("/faults", response_model=FaultsRemoved)
def clear_faults(_operator: Operator, connection: DbConnection, state: State) -> Response:
    """Remove every fault rule."""
    removed = faults.clear(connection)
    state.faults.drop_all()
    return json_response(removed)
