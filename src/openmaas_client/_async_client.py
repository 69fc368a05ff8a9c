"""The asynchronous client: the same methods as :class:`Client`, awaited."""

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
from openmaas_client._paging import AsyncPager
from openmaas_client._wire import Call, Flow

T = TypeVar("T")


class AsyncClient(BaseClient):
    """openmaas (and ModelArts MaaS) over HTTP, for asyncio. Use ``async with`` or await ``aclose()``."""

    def __init__(
        self,
        endpoint: str,
        auth: Credentials | None = None,
        *,
        region: str = DEFAULT_REGION,
        project_id: str | None = None,
        token: Token | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(endpoint, auth, region=region, project_id=project_id, token=token)
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _drive(self, flow: Flow[T]) -> T:
        try:
            request = next(flow)
            while True:
                request = flow.send(await self._send(request))
        except StopIteration as done:
            result: T = done.value
            return result

    async def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._http.send(request)
        except httpx.TransportError as error:
            raise TransportError(f"{request.method} {request.url}: {error}") from error

    async def _run(self, call: Call[T]) -> T:
        return await self._drive(self._flow(call))

    async def project_id(self) -> str:
        """The id of the project calls are scoped to (logging in or asking IAM if needed)."""
        return await self._drive(self._project_flow())

    # IAM (§4)

    async def create_token(self, credentials: PasswordAuth, *, region: str | None = None) -> Token:
        """A new token for ``credentials``, scoped to ``region``'s project, or to the domain if None."""
        return await self._run(ops.create_token(credentials, Target(region) if region else None))

    async def validate_token(self, subject_token: str) -> Token:
        return await self._run(ops.validate_token(subject_token))

    async def revoke_token(self, subject_token: str) -> None:
        await self._run(ops.revoke_token(subject_token))

    async def list_projects(self, name: str | None = None) -> Page[Project]:
        return await self._run(ops.list_projects(name))

    async def list_auth_projects(self) -> Page[Project]:
        return await self._run(ops.list_auth_projects())

    async def create_access_key(self, user_id: str | None = None, description: str = "") -> AccessKey:
        """A new AK/SK for ``user_id`` (default: the token's user); the secret is only in this answer."""
        owner = await self._drive(self._user_flow(user_id))
        return await self._run(ops.create_access_key(owner, description))

    async def list_access_keys(self, user_id: str | None = None) -> Page[AccessKey]:
        return await self._run(ops.list_access_keys(user_id))

    async def delete_access_key(self, access_key: str) -> None:
        await self._run(ops.delete_access_key(access_key))

    # IAM users (D-50)

    async def create_user(self, name: str, **fields: Unpack[UserFields]) -> User:
        """A new user of the caller's domain (administrators only)."""
        domain_id = await self._drive(self._domain_flow())
        return await self._run(ops.create_user(name, domain_id, fields))

    async def list_users(self, *, name: str | None = None, enabled: bool | None = None) -> Page[User]:
        """The users of the caller's domain (administrators only)."""
        return await self._run(ops.list_users(name, enabled))

    async def show_user(self, user_id: str) -> User:
        return await self._run(ops.show_user(user_id))

    async def update_user(self, user_id: str, **changes: Unpack[UserChanges]) -> User:
        """Change what is given; the rest stays (administrators only)."""
        return await self._run(ops.update_user(user_id, changes))

    async def delete_user(self, user_id: str) -> None:
        """Delete a user and its access keys (administrators only)."""
        await self._run(ops.delete_user(user_id))

    async def change_password(
        self, password: str, original_password: str, *, user_id: str | None = None
    ) -> None:
        """Change the caller's own password (``user_id`` is needed with access key authentication)."""
        owner = await self._drive(self._user_flow(user_id))
        await self._run(ops.change_password(owner, password, original_password))

    # Workspaces (§5.1)

    async def list_workspaces(
        self,
        *,
        name: str | None = None,
        sort_by: str | None = None,
        order: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> Page[Workspace]:
        listing = ops.list_workspaces(name, sort_by, order, limit, offset)
        return await self._run(listing.call(listing.first()))

    def iter_workspaces(
        self,
        *,
        name: str | None = None,
        sort_by: str | None = None,
        order: str | None = None,
        page_size: int = 100,
    ) -> AsyncPager[Workspace]:
        return AsyncPager(ops.list_workspaces(name, sort_by, order, page_size), self._run)

    async def create_workspace(
        self, name: str, *, description: str | None = None, auth_type: str | None = None
    ) -> Workspace:
        return await self._run(ops.create_workspace(name, description, auth_type))

    async def show_workspace(self, workspace_id: str) -> Workspace:
        return await self._run(ops.show_workspace(workspace_id))

    async def update_workspace(
        self,
        workspace_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        auth_type: str | None = None,
    ) -> ops.WorkspaceRef:
        return await self._run(ops.update_workspace(workspace_id, name, description, auth_type))

    async def delete_workspace(self, workspace_id: str) -> ops.WorkspaceRef:
        return await self._run(ops.delete_workspace(workspace_id))

    # Services (§5.2)

    async def create_service(self, body: Mapping[str, Any]) -> Service:
        """Create a service from a ServiceCreateRequest body; it starts DEPLOYING."""
        return await self._run(ops.create_service(body))

    async def list_services(
        self, *, limit: int = 10, offset: int = 0, **filters: Unpack[ServiceFilters]
    ) -> Page[ServiceSummary]:
        listing = ops.list_services(filter_query(filters), limit, offset)
        return await self._run(listing.call(listing.first()))

    def iter_services(
        self, *, page_size: int = SERVICE_PAGE, **filters: Unpack[ServiceFilters]
    ) -> AsyncPager[ServiceSummary]:
        return AsyncPager(ops.list_services(filter_query(filters), page_size), self._run)

    async def show_service(self, service_id: str) -> Service:
        return await self._run(ops.show_service(service_id))

    async def update_service(self, service_id: str, body: Mapping[str, Any]) -> Service:
        return await self._run(ops.update_service(service_id, body))

    async def start_service(self, service_id: str) -> Service:
        return await self._run(ops.service_action(service_id, "start"))

    async def stop_service(self, service_id: str) -> Service:
        return await self._run(ops.service_action(service_id, "stop"))

    async def delete_services(self, service_ids: Sequence[str]) -> ops.DeletedServices:
        return await self._run(ops.delete_services(service_ids))

    async def list_deployments(self, service_id: str) -> Page[Deployment]:
        return await self._run(ops.list_deployments(service_id))

    async def show_deployment(self, service_id: str, deployment_id: str) -> Deployment:
        return await self._run(ops.show_deployment(service_id, deployment_id))

    async def list_versions(
        self, service_id: str, deployment_id: str, *, limit: int = 10, offset: int = 0
    ) -> Page[ServiceVersion]:
        listing = ops.list_versions(service_id, deployment_id, limit, offset)
        return await self._run(listing.call(listing.first()))

    def iter_versions(
        self, service_id: str, deployment_id: str, *, page_size: int = SERVICE_PAGE
    ) -> AsyncPager[ServiceVersion]:
        return AsyncPager(ops.list_versions(service_id, deployment_id, page_size), self._run)

    async def show_version(self, service_id: str, deployment_id: str, version: str) -> ServiceVersion:
        return await self._run(ops.show_version(service_id, deployment_id, version))

    # MaaS (§6)

    async def list_regions(self) -> Page[Region]:
        return await self._run(ops.list_regions())

    async def list_region_workspaces(self, region_id: str) -> Page[Workspace]:
        return await self._run(ops.list_region_workspaces(region_id))

    async def list_infer_services(
        self, region_id: str, *, workspace_id: str = "0", limit: int = 10, offset: int = 0
    ) -> Page[InferService]:
        """Obtaining Inference Service Information (§6.3): one page."""
        listing = ops.list_infer_services(region_id, workspace_id, limit, offset)
        return await self._run(listing.call(listing.first()))

    def iter_infer_services(
        self, region_id: str, *, workspace_id: str = "0", page_size: int = SERVICE_PAGE
    ) -> AsyncPager[InferService]:
        return AsyncPager(ops.list_infer_services(region_id, workspace_id, page_size), self._run)

    async def create_endpoint(self, endpoint_name: str, **fields: Unpack[EndpointFields]) -> CustomEndpoint:
        """Create a custom endpoint (§6.4)."""
        return await self._run(ops.create_endpoint({"endpoint_name": endpoint_name, **fields}))

    async def list_endpoints(self, *, limit: int = 100, offset: int = 0) -> Page[CustomEndpoint]:
        listing = ops.list_endpoints(limit, offset)
        return await self._run(listing.call(listing.first()))

    def iter_endpoints(self, *, page_size: int = 100) -> AsyncPager[CustomEndpoint]:
        return AsyncPager(ops.list_endpoints(page_size), self._run)

    async def edit_endpoint(self, endpoint_id: str, **changes: Unpack[EndpointChanges]) -> CustomEndpoint:
        return await self._run(ops.edit_endpoint(endpoint_id, changes))

    async def endpoint_usage(
        self, endpoint_id: str, *, start_time: int | None = None, end_time: int | None = None
    ) -> EndpointUsage:
        """An endpoint's calls, errors and tokens per minute, in a range of ms (default: the last hour)."""
        return await self._run(ops.endpoint_usage(endpoint_id, start_time, end_time))

    async def delete_endpoint(self, endpoint_id: str) -> None:
        await self._run(ops.delete_endpoint(endpoint_id))

    async def activate_endpoint(self, endpoint_id: str) -> None:
        await self._run(ops.control_endpoint(endpoint_id, "activate"))

    async def deactivate_endpoint(self, endpoint_id: str) -> None:
        await self._run(ops.control_endpoint(endpoint_id, "deactivate"))

    async def show_agreement(self, lang: str = "en") -> Agreement:
        """The latest disclaimer (§6.5) in ``lang`` (``en`` or ``zh``)."""
        return await self._run(ops.show_agreement(lang))

    # MaaS API keys: what applications call the data plane with

    async def create_api_key(self, **fields: Unpack[ApiKeyFields]) -> ApiKey:
        """Create a MaaS API key; the key is in ``api_key`` of this answer only."""
        return await self._run(ops.create_api_key(fields))

    async def list_api_keys(self, *, limit: int = 100, offset: int = 0) -> Page[ApiKey]:
        """One page of the account's keys, newest first, masked."""
        listing = ops.list_api_keys(limit, offset)
        return await self._run(listing.call(listing.first()))

    def iter_api_keys(self, *, page_size: int = 100) -> AsyncPager[ApiKey]:
        return AsyncPager(ops.list_api_keys(page_size), self._run)

    async def update_api_key(self, key_id: str, **changes: Unpack[ApiKeyChanges]) -> ApiKey:
        """Change a key's description or allowlists; absent fields stay as they are."""
        return await self._run(ops.update_api_key(key_id, changes))

    async def delete_api_key(self, key_id: str) -> None:
        """Delete a key: calls with it are refused at once."""
        await self._run(ops.delete_api_key(key_id))
