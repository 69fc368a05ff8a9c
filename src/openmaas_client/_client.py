"""The synchronous client."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar, Unpack

import httpx

from openmaas_client import _operations as ops
from openmaas_client._auth import Credentials, PasswordAuth, Target
from openmaas_client._base import (
    DEFAULT_REGION,
    DEFAULT_TIMEOUT,
    SERVICE_PAGE,
    ApiKeyChanges,
    ApiKeyFields,
    BaseClient,
    EndpointChanges,
    EndpointFields,
    ServiceFilters,
    UserChanges,
    UserFields,
    filter_query,
)
from openmaas_client._errors import TransportError
from openmaas_client._models import (
    AccessKey,
    Agreement,
    ApiKey,
    CustomEndpoint,
    Deployment,
    EndpointUsage,
    InferService,
    Page,
    Project,
    Region,
    Service,
    ServiceSummary,
    ServiceVersion,
    Token,
    User,
    Workspace,
)
from openmaas_client._paging import Pager
from openmaas_client._wire import Call, Flow

T = TypeVar("T")


class Client(BaseClient):
    """openmaas (and ModelArts MaaS) over HTTP, blocking. Use as a context manager or call ``close()``."""

    def __init__(
        self,
        endpoint: str,
        auth: Credentials | None = None,
        *,
        region: str = DEFAULT_REGION,
        project_id: str | None = None,
        token: Token | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(endpoint, auth, region=region, project_id=project_id, token=token)
        self._http = httpx.Client(transport=transport, timeout=timeout)

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _drive(self, flow: Flow[T]) -> T:
        try:
            request = next(flow)
            while True:
                request = flow.send(self._send(request))
        except StopIteration as done:
            result: T = done.value
            return result

    def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._http.send(request)
        except httpx.TransportError as error:
            raise TransportError(f"{request.method} {request.url}: {error}") from error

    def _run(self, call: Call[T]) -> T:
        return self._drive(self._flow(call))

    def project_id(self) -> str:
        """The id of the project calls are scoped to (logging in or asking IAM if needed)."""
        return self._drive(self._project_flow())

    # IAM (§4)

    def create_token(self, credentials: PasswordAuth, *, region: str | None = None) -> Token:
        """A new token for ``credentials``, scoped to ``region``'s project, or to the domain if None."""
        return self._run(ops.create_token(credentials, Target(region) if region else None))

    def validate_token(self, subject_token: str) -> Token:
        return self._run(ops.validate_token(subject_token))

    def revoke_token(self, subject_token: str) -> None:
        self._run(ops.revoke_token(subject_token))

    def list_projects(self, name: str | None = None) -> Page[Project]:
        return self._run(ops.list_projects(name))

    def list_auth_projects(self) -> Page[Project]:
        return self._run(ops.list_auth_projects())

    def create_access_key(self, user_id: str | None = None, description: str = "") -> AccessKey:
        """A new AK/SK for ``user_id`` (default: the token's user); the secret is only in this answer."""
        owner = self._drive(self._user_flow(user_id))
        return self._run(ops.create_access_key(owner, description))

    def list_access_keys(self, user_id: str | None = None) -> Page[AccessKey]:
        return self._run(ops.list_access_keys(user_id))

    def delete_access_key(self, access_key: str) -> None:
        self._run(ops.delete_access_key(access_key))

    # IAM users (D-50)

    def create_user(self, name: str, **fields: Unpack[UserFields]) -> User:
        """A new user of the caller's domain (administrators only)."""
        domain_id = self._drive(self._domain_flow())
        return self._run(ops.create_user(name, domain_id, fields))

    def list_users(self, *, name: str | None = None, enabled: bool | None = None) -> Page[User]:
        """The users of the caller's domain (administrators only)."""
        return self._run(ops.list_users(name, enabled))

    def show_user(self, user_id: str) -> User:
        return self._run(ops.show_user(user_id))

    def update_user(self, user_id: str, **changes: Unpack[UserChanges]) -> User:
        """Change what is given; the rest stays (administrators only)."""
        return self._run(ops.update_user(user_id, changes))

    def delete_user(self, user_id: str) -> None:
        """Delete a user and its access keys (administrators only)."""
        self._run(ops.delete_user(user_id))

    def change_password(self, password: str, original_password: str, *, user_id: str | None = None) -> None:
        """Change the caller's own password (``user_id`` is needed with access key authentication)."""
        owner = self._drive(self._user_flow(user_id))
        self._run(ops.change_password(owner, password, original_password))

    # Workspaces (§5.1)

    def list_workspaces(
        self,
        *,
        name: str | None = None,
        sort_by: str | None = None,
        order: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> Page[Workspace]:
        listing = ops.list_workspaces(name, sort_by, order, limit, offset)
        return self._run(listing.call(listing.first()))

    def iter_workspaces(
        self,
        *,
        name: str | None = None,
        sort_by: str | None = None,
        order: str | None = None,
        page_size: int = 100,
    ) -> Pager[Workspace]:
        return Pager(ops.list_workspaces(name, sort_by, order, page_size), self._run)

    def create_workspace(
        self, name: str, *, description: str | None = None, auth_type: str | None = None
    ) -> Workspace:
        return self._run(ops.create_workspace(name, description, auth_type))

    def show_workspace(self, workspace_id: str) -> Workspace:
        return self._run(ops.show_workspace(workspace_id))

    def update_workspace(
        self,
        workspace_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        auth_type: str | None = None,
    ) -> ops.WorkspaceRef:
        return self._run(ops.update_workspace(workspace_id, name, description, auth_type))

    def delete_workspace(self, workspace_id: str) -> ops.WorkspaceRef:
        return self._run(ops.delete_workspace(workspace_id))

    # Services (§5.2)

    def create_service(self, body: Mapping[str, Any]) -> Service:
        """Create a service from a ServiceCreateRequest body; it starts DEPLOYING."""
        return self._run(ops.create_service(body))

    def list_services(
        self, *, limit: int = 10, offset: int = 0, **filters: Unpack[ServiceFilters]
    ) -> Page[ServiceSummary]:
        listing = ops.list_services(filter_query(filters), limit, offset)
        return self._run(listing.call(listing.first()))

    def iter_services(
        self, *, page_size: int = SERVICE_PAGE, **filters: Unpack[ServiceFilters]
    ) -> Pager[ServiceSummary]:
        return Pager(ops.list_services(filter_query(filters), page_size), self._run)

    def show_service(self, service_id: str) -> Service:
        return self._run(ops.show_service(service_id))

    def update_service(self, service_id: str, body: Mapping[str, Any]) -> Service:
        return self._run(ops.update_service(service_id, body))

    def start_service(self, service_id: str) -> Service:
        return self._run(ops.service_action(service_id, "start"))

    def stop_service(self, service_id: str) -> Service:
        return self._run(ops.service_action(service_id, "stop"))

    def delete_services(self, service_ids: Sequence[str]) -> ops.DeletedServices:
        return self._run(ops.delete_services(service_ids))

    def list_deployments(self, service_id: str) -> Page[Deployment]:
        return self._run(ops.list_deployments(service_id))

    def show_deployment(self, service_id: str, deployment_id: str) -> Deployment:
        return self._run(ops.show_deployment(service_id, deployment_id))

    def list_versions(
        self, service_id: str, deployment_id: str, *, limit: int = 10, offset: int = 0
    ) -> Page[ServiceVersion]:
        listing = ops.list_versions(service_id, deployment_id, limit, offset)
        return self._run(listing.call(listing.first()))

    def iter_versions(
        self, service_id: str, deployment_id: str, *, page_size: int = SERVICE_PAGE
    ) -> Pager[ServiceVersion]:
        return Pager(ops.list_versions(service_id, deployment_id, page_size), self._run)

    def show_version(self, service_id: str, deployment_id: str, version: str) -> ServiceVersion:
        return self._run(ops.show_version(service_id, deployment_id, version))

    # MaaS (§6)

    def list_regions(self) -> Page[Region]:
        return self._run(ops.list_regions())

    def list_region_workspaces(self, region_id: str) -> Page[Workspace]:
        return self._run(ops.list_region_workspaces(region_id))

    def list_infer_services(
        self, region_id: str, *, workspace_id: str = "0", limit: int = 10, offset: int = 0
    ) -> Page[InferService]:
        """Obtaining Inference Service Information (§6.3): one page."""
        listing = ops.list_infer_services(region_id, workspace_id, limit, offset)
        return self._run(listing.call(listing.first()))

    def iter_infer_services(
        self, region_id: str, *, workspace_id: str = "0", page_size: int = SERVICE_PAGE
    ) -> Pager[InferService]:
        return Pager(ops.list_infer_services(region_id, workspace_id, page_size), self._run)

    def create_endpoint(self, endpoint_name: str, **fields: Unpack[EndpointFields]) -> CustomEndpoint:
        """Create a custom endpoint (§6.4)."""
        return self._run(ops.create_endpoint({"endpoint_name": endpoint_name, **fields}))

    def list_endpoints(self, *, limit: int = 100, offset: int = 0) -> Page[CustomEndpoint]:
        listing = ops.list_endpoints(limit, offset)
        return self._run(listing.call(listing.first()))

    def iter_endpoints(self, *, page_size: int = 100) -> Pager[CustomEndpoint]:
        return Pager(ops.list_endpoints(page_size), self._run)

    def edit_endpoint(self, endpoint_id: str, **changes: Unpack[EndpointChanges]) -> CustomEndpoint:
        return self._run(ops.edit_endpoint(endpoint_id, changes))

    def endpoint_usage(
        self, endpoint_id: str, *, start_time: int | None = None, end_time: int | None = None
    ) -> EndpointUsage:
        """An endpoint's calls, errors and tokens per minute, in a range of ms (default: the last hour)."""
        return self._run(ops.endpoint_usage(endpoint_id, start_time, end_time))

    def delete_endpoint(self, endpoint_id: str) -> None:
        self._run(ops.delete_endpoint(endpoint_id))

    def activate_endpoint(self, endpoint_id: str) -> None:
        self._run(ops.control_endpoint(endpoint_id, "activate"))

    def deactivate_endpoint(self, endpoint_id: str) -> None:
        self._run(ops.control_endpoint(endpoint_id, "deactivate"))

    def show_agreement(self, lang: str = "en") -> Agreement:
        """The latest disclaimer (§6.5) in ``lang`` (``en`` or ``zh``)."""
        return self._run(ops.show_agreement(lang))

    # MaaS API keys: what applications call the data plane with

    def create_api_key(self, **fields: Unpack[ApiKeyFields]) -> ApiKey:
        """Create a MaaS API key; the key is in ``api_key`` of this answer only."""
        return self._run(ops.create_api_key(fields))

    def list_api_keys(self, *, limit: int = 100, offset: int = 0) -> Page[ApiKey]:
        """One page of the account's keys, newest first, masked."""
        listing = ops.list_api_keys(limit, offset)
        return self._run(listing.call(listing.first()))

    def iter_api_keys(self, *, page_size: int = 100) -> Pager[ApiKey]:
        return Pager(ops.list_api_keys(page_size), self._run)

    def update_api_key(self, key_id: str, **changes: Unpack[ApiKeyChanges]) -> ApiKey:
        """Change a key's description or allowlists; absent fields stay as they are."""
        return self._run(ops.update_api_key(key_id, changes))

    def delete_api_key(self, key_id: str) -> None:
        """Delete a key: calls with it are refused at once."""
        self._run(ops.delete_api_key(key_id))
