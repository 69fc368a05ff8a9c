"""Every API the server has, as :class:`Call` builders (CONTRACT §4-§6). The clients wrap each in a
one-line typed method; all paths, bodies and parsing live here once."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from openmaas_client._auth import PasswordAuth, Target, login_call, project_scope, token_from_response
from openmaas_client._models import (
    AccessKey,
    Agreement,
    ApiKey,
    CustomEndpoint,
    Deployment,
    EndpointUsage,
    InferService,
    ItemT,
    NamedRef,
    Page,
    Project,
    Region,
    Service,
    ServiceSummary,
    ServiceVersion,
    Token,
    User,
    WireModel,
    Workspace,
)
from openmaas_client._paging import Listing
from openmaas_client._wire import PROJECT, Call, json_list, json_object, query, segment

MaybeStr = str | None


def _model(model: type[ItemT]) -> Callable[[httpx.Response], ItemT]:
    return lambda response: model.from_wire(json_object(response))


def _item(model: type[ItemT], key: str) -> Callable[[httpx.Response], ItemT]:
    """An object wrapped in one key (``{"credential": {...}}``); ``raw`` keeps the whole body."""

    def parse(response: httpx.Response) -> ItemT:
        body = json_object(response)
        parsed = model.from_wire(body[key])
        parsed._raw = body
        return parsed

    return parse


def _page(model: type[ItemT], items: str, total: str | None) -> Callable[[httpx.Response], Page[ItemT]]:
    def parse(response: httpx.Response) -> Page[ItemT]:
        body = json_object(response)
        parsed = [model.from_wire(item) for item in json_list(body, items)]
        return Page(parsed, int(body[total]) if total else len(parsed), body, items, total)

    return parse


def _none(response: httpx.Response) -> None:
    return None


class WorkspaceRef(WireModel):
    """The answer of a workspace update or delete: ``{"workspace_id"}``."""

    workspace_id: str


class DeletedServices(WireModel):
    """The answer of a batch delete: each service as it now is (DELETING)."""

    service_responses: list[Service]


# IAM


def create_token(credentials: PasswordAuth, target: Target | None) -> Call[Token]:
    return login_call(credentials, project_scope(target) if target else None)


def validate_token(subject: str) -> Call[Token]:
    headers = {"X-Subject-Token": subject}
    return Call("GET", "/v3/auth/tokens", token_from_response, query(nocatalog=True), headers=headers)


def revoke_token(subject: str) -> Call[None]:
    return Call("DELETE", "/v3/auth/tokens", _none, headers={"X-Subject-Token": subject})


def list_projects(name: MaybeStr) -> Call[Page[Project]]:
    return Call("GET", "/v3/projects", _page(Project, "projects", None), query(name=name))


def list_auth_projects() -> Call[Page[Project]]:
    return Call("GET", "/v3/auth/projects", _page(Project, "projects", None))


CREDENTIALS = "/v3.0/OS-CREDENTIAL/credentials"


def create_access_key(user_id: str, description: str) -> Call[AccessKey]:
    body = {"credential": {"user_id": user_id, "description": description}}
    return Call("POST", CREDENTIALS, _item(AccessKey, "credential"), body=body)


def list_access_keys(user_id: MaybeStr) -> Call[Page[AccessKey]]:
    return Call("GET", CREDENTIALS, _page(AccessKey, "credentials", None), query(user_id=user_id))


def delete_access_key(access: str) -> Call[None]:
    return Call("DELETE", f"{CREDENTIALS}/{segment(access)}", _none)


def list_auth_domains() -> Call[Page[NamedRef]]:
    return Call("GET", "/v3/auth/domains", _page(NamedRef, "domains", None))


# IAM users (D-50): created, shown and updated in the OS-USER shape (which carries the contacts),
# listed and deleted in the Keystone one.

OS_USERS = "/v3.0/OS-USER/users"
USERS = "/v3/users"


def create_user(name: str, domain_id: str, fields: Mapping[str, Any]) -> Call[User]:
    body = {"user": {"name": name, "domain_id": domain_id, **_present(**fields)}}
    return Call("POST", OS_USERS, _item(User, "user"), body=body)


def list_users(name: MaybeStr, enabled: bool | None) -> Call[Page[User]]:
    return Call("GET", USERS, _page(User, "users", None), query(name=name, enabled=enabled))


def show_user(user_id: str) -> Call[User]:
    return Call("GET", f"{OS_USERS}/{segment(user_id)}", _item(User, "user"))


def update_user(user_id: str, changes: Mapping[str, Any]) -> Call[User]:
    body = {"user": _present(**changes)}
    return Call("PUT", f"{OS_USERS}/{segment(user_id)}", _item(User, "user"), body=body)


def delete_user(user_id: str) -> Call[None]:
    return Call("DELETE", f"{USERS}/{segment(user_id)}", _none)


def change_password(user_id: str, password: str, original_password: str) -> Call[None]:
    body = {"user": {"password": password, "original_password": original_password}}
    return Call("POST", f"{USERS}/{segment(user_id)}/password", _none, body=body)


# Workspaces (§5.1)

WORKSPACES = f"/v1/{PROJECT}/workspaces"


def list_workspaces(
    name: MaybeStr, sort_by: MaybeStr, order: MaybeStr, limit: int, offset: int = 0
) -> Listing[Workspace]:
    def page(at: int, size: int) -> Call[Page[Workspace]]:
        params = query(name=name, sort_by=sort_by, order=order, offset=at, limit=size)
        return Call("GET", WORKSPACES, _page(Workspace, "workspaces", "total_count"), params)

    return Listing(page, limit, offset)


def create_workspace(name: str, description: MaybeStr, auth_type: MaybeStr) -> Call[Workspace]:
    body = _present(name=name, description=description, auth_type=auth_type)
    return Call("POST", WORKSPACES, _model(Workspace), body=body)


def show_workspace(workspace_id: str) -> Call[Workspace]:
    return Call("GET", f"{WORKSPACES}/{segment(workspace_id)}", _model(Workspace))


def update_workspace(
    workspace_id: str, name: MaybeStr, description: MaybeStr, auth_type: MaybeStr
) -> Call[WorkspaceRef]:
    body = _present(name=name, description=description, auth_type=auth_type)
    return Call("PUT", f"{WORKSPACES}/{segment(workspace_id)}", _model(WorkspaceRef), body=body)


def delete_workspace(workspace_id: str) -> Call[WorkspaceRef]:
    return Call("DELETE", f"{WORKSPACES}/{segment(workspace_id)}", _model(WorkspaceRef))


# Services (§5.2)

SERVICES = f"/v2/{PROJECT}/services"


def _service(service_id: str, *rest: str) -> str:
    return "/".join([SERVICES, segment(service_id), *(segment(part) for part in rest)])


def create_service(body: Mapping[str, Any]) -> Call[Service]:
    return Call("POST", SERVICES, _model(Service), body=dict(body))


def list_services(filters: Mapping[str, Any], limit: int, offset: int = 0) -> Listing[ServiceSummary]:
    def page(at: int, size: int) -> Call[Page[ServiceSummary]]:
        params = query(**filters, limit=size, offset=at)
        return Call("GET", SERVICES, _page(ServiceSummary, "data", "total"), params)

    return Listing(page, limit, offset)


def show_service(service_id: str) -> Call[Service]:
    return Call("GET", _service(service_id), _model(Service))


def update_service(service_id: str, body: Mapping[str, Any]) -> Call[Service]:
    return Call("PUT", _service(service_id), _model(Service), body=dict(body))


def service_action(service_id: str, action: str) -> Call[Service]:
    return Call("POST", _service(service_id, action), _model(Service))


def delete_services(service_ids: Sequence[str]) -> Call[DeletedServices]:
    body = {"service_ids": list(service_ids)}
    return Call("POST", f"{SERVICES}/delete", _model(DeletedServices), body=body)


def list_deployments(service_id: str) -> Call[Page[Deployment]]:
    return Call("GET", _service(service_id, "deployments"), _page(Deployment, "data", "total"))


def show_deployment(service_id: str, deployment_id: str) -> Call[Deployment]:
    return Call("GET", _service(service_id, "deployments", deployment_id), _model(Deployment))


def list_versions(
    service_id: str, deployment_id: str, limit: int, offset: int = 0
) -> Listing[ServiceVersion]:
    path = _service(service_id, "deployments", deployment_id, "versions")

    def page(at: int, size: int) -> Call[Page[ServiceVersion]]:
        return Call("GET", path, _page(ServiceVersion, "data", "total"), query(limit=size, offset=at))

    return Listing(page, limit, offset)


def show_version(service_id: str, deployment_id: str, version: str) -> Call[ServiceVersion]:
    path = _service(service_id, "deployments", deployment_id, "versions", version)
    return Call("GET", path, _model(ServiceVersion))


# MaaS (§6)

MAAS = f"/v1/{PROJECT}/maas"
ENDPOINTS = f"{MAAS}/services/custom-endpoint/endpoint"


def list_regions() -> Call[Page[Region]]:
    path = f"{MAAS}/services/custom-endpoint/regions"
    return Call("GET", path, _page(Region, "region_items", None))


def list_region_workspaces(region_id: str) -> Call[Page[Workspace]]:
    path = f"{MAAS}/services/workspace/{segment(region_id)}"
    return Call("GET", path, _page(Workspace, "workspaces", "total_count"))


def list_infer_services(
    region_id: str, workspace_id: str, limit: int, offset: int = 0
) -> Listing[InferService]:
    path = f"{MAAS}/services/custom-endpoint/services/{segment(region_id)}"

    def page(at: int, size: int) -> Call[Page[InferService]]:
        params = query(workspace_id=workspace_id, limit=size, offset=at)
        return Call("GET", path, _page(InferService, "data", "total"), params)

    return Listing(page, limit, offset)


def create_endpoint(fields: Mapping[str, Any]) -> Call[CustomEndpoint]:
    return Call("POST", ENDPOINTS, _model(CustomEndpoint), body=_present(**fields))


def list_endpoints(limit: int, offset: int = 0) -> Listing[CustomEndpoint]:
    def page(at: int, size: int) -> Call[Page[CustomEndpoint]]:
        params = query(offset=at, limit=size)
        return Call("GET", ENDPOINTS, _page(CustomEndpoint, "items", "total"), params)

    return Listing(page, limit, offset)


def edit_endpoint(endpoint_id: str, fields: Mapping[str, Any]) -> Call[CustomEndpoint]:
    path = f"{ENDPOINTS}/{segment(endpoint_id)}"
    return Call("PUT", path, _model(CustomEndpoint), body=_present(**fields))


def delete_endpoint(endpoint_id: str) -> Call[None]:
    return Call("DELETE", f"{ENDPOINTS}/{segment(endpoint_id)}", _none)


def control_endpoint(endpoint_id: str, action: str) -> Call[None]:
    path = f"{MAAS}/services/custom-endpoint/control/{segment(endpoint_id)}"
    return Call("PUT", path, _none, body={"action": action})


def endpoint_usage(endpoint_id: str, start_time: int | None, end_time: int | None) -> Call[EndpointUsage]:
    path = f"{ENDPOINTS}/{segment(endpoint_id)}/usage"
    return Call("GET", path, _model(EndpointUsage), query(start_time=start_time, end_time=end_time))


def show_agreement(lang: str) -> Call[Agreement]:
    return Call("GET", f"{MAAS}/compliance/agreements", _model(Agreement), query(lang=lang))


# MaaS API keys: the keys of the data plane. The reference documents the delete under /v1 only.

API_KEYS = f"/v2/{PROJECT}/maas/api-auth/api-keys"


def create_api_key(fields: Mapping[str, Any]) -> Call[ApiKey]:
    body = _present(**fields)
    # The server requires allow_all; a key given addresses is meant for those addresses only.
    body.setdefault("allow_all", not body.get("ip_whitelist"))
    return Call("POST", API_KEYS, _model(ApiKey), body=body)


def list_api_keys(limit: int, offset: int = 0) -> Listing[ApiKey]:
    def page(at: int, size: int) -> Call[Page[ApiKey]]:
        return Call("GET", API_KEYS, _page(ApiKey, "items", "total"), query(offset=at, limit=size))

    return Listing(page, limit, offset)


def update_api_key(key_id: str, fields: Mapping[str, Any]) -> Call[ApiKey]:
    path = f"{API_KEYS}/{segment(key_id)}"
    return Call("PUT", path, _model(ApiKey), body=_present(**fields))


def delete_api_key(key_id: str) -> Call[None]:
    return Call("DELETE", f"/v1/{PROJECT}/maas/api-auth/api-keys/{segment(key_id)}", _none)


def _present(**fields: Any) -> dict[str, Any]:
    """A body of the fields the caller gave: ``None`` means "not sent"."""
    return {key: value for key, value in fields.items() if value is not None}
