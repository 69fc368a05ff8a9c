"""openmaas_client: a Python client for openmaas and the ModelArts MaaS APIs it implements.

It imports nothing from the server (``openmaas``); it speaks only HTTP::

    from openmaas_client import Client, PasswordAuth

    with Client("http://127.0.0.1:8080", PasswordAuth("openmaas", "admin", "...")) as client:
        for service in client.iter_infer_services("ap-southeast-1"):
            print(service.name, service.status)
"""

from openmaas_client._admin import AdminClient
from openmaas_client._async_client import AsyncClient
from openmaas_client._auth import AccessKeyAuth, Credentials, PasswordAuth, TokenAuth
from openmaas_client._base import (
    ApiKeyChanges,
    ApiKeyFields,
    EndpointChanges,
    EndpointFields,
    ServiceFilters,
    UserChanges,
    UserFields,
)
from openmaas_client._client import Client
from openmaas_client._errors import ApiError, InvalidEndpoint, OpenMaasError, TransportError, problem_text
from openmaas_client._models import (
    AccessKey,
    AdminDomain,
    Agreement,
    ApiKey,
    CreatedDomain,
    CustomEndpoint,
    Deployment,
    DomainSummary,
    EndpointUsage,
    FaultRule,
    InferService,
    LifecycleRule,
    Page,
    Project,
    Region,
    Service,
    ServiceSummary,
    ServiceVersion,
    Snapshot,
    Token,
    UsageCounts,
    UsageMinute,
    User,
    WireModel,
    Workspace,
)
from openmaas_client._operations import DeletedServices, WorkspaceRef
from openmaas_client._paging import AsyncPager, Pager

__all__ = [
    "AccessKey",
    "AccessKeyAuth",
    "AdminClient",
    "AdminDomain",
    "Agreement",
    "ApiError",
    "ApiKey",
    "ApiKeyChanges",
    "ApiKeyFields",
    "AsyncClient",
    "AsyncPager",
    "Client",
    "CreatedDomain",
    "Credentials",
    "CustomEndpoint",
    "DeletedServices",
    "Deployment",
    "DomainSummary",
    "EndpointChanges",
    "EndpointFields",
    "EndpointUsage",
    "FaultRule",
    "InferService",
    "InvalidEndpoint",
    "LifecycleRule",
    "OpenMaasError",
    "Page",
    "Pager",
    "PasswordAuth",
    "Project",
    "Region",
    "Service",
    "ServiceFilters",
    "ServiceSummary",
    "ServiceVersion",
    "Snapshot",
    "Token",
    "TokenAuth",
    "TransportError",
    "UsageCounts",
    "UsageMinute",
    "User",
    "UserChanges",
    "UserFields",
    "WireModel",
    "Workspace",
    "WorkspaceRef",
    "problem_text",
]
