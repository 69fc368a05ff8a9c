"""What the sync and async clients share: configuration, authentication, the request/response
conversation (retry on a refused token, error mapping). Only sending a request differs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict, TypeVar

import httpx

from openmaas_client import _operations as ops
from openmaas_client._auth import (
    AccessKeySession,
    Credentials,
    Target,
    TokenSession,
    make_session,
)
from openmaas_client._errors import OpenMaasError, error_from
from openmaas_client._models import Token
from openmaas_client._wire import Call, Flow, Wire

T = TypeVar("T")

DEFAULT_REGION = "ap-southeast-1"
DEFAULT_TIMEOUT = 30.0
# CONTRACT §5.2: the v2 service list answers at most 500 items a page.
SERVICE_PAGE = 100


class BaseClient:
    def __init__(
        self,
        endpoint: str,
        auth: Credentials | None = None,
        *,
        region: str = DEFAULT_REGION,
        project_id: str | None = None,
        token: Token | None = None,
    ) -> None:
        self._wire = Wire(endpoint)
        self.region = region
        self._target = Target(region, project_id)
        self._session: TokenSession | AccessKeySession | None = (
            make_session(self._wire, auth, self._target, token) if auth is not None else None
        )

    @property
    def endpoint(self) -> str:
        return self._wire.origin + self._wire.prefix

    @property
    def token(self) -> Token | None:
        """The token in use (password or token authentication), for a caller that caches it."""
        return self._session.token if isinstance(self._session, TokenSession) else None

    def _authenticated(self) -> TokenSession | AccessKeySession:
        if self._session is None:
            raise OpenMaasError("this client has no credentials; pass auth=... to call this API")
        return self._session

    def _flow(self, call: Call[T]) -> Flow[T]:
        """Send ``call``; if the credential is refused and can be renewed, renew it and send it again."""
        request = yield from self._prepare(call)
        response = yield request
        if response.is_error and call.authenticated and self._authenticated().refused(response):
            request = yield from self._prepare(call)
            response = yield request
        if response.is_error:
            raise error_from(response)
        return call.read(response)

    def _prepare(self, call: Call[Any]) -> Flow[httpx.Request]:
        if not call.authenticated:
            return self._wire.build(self._wire.outgoing(call, None))
        session = self._authenticated()
        project_id = (yield from session.project_id()) if call.needs_project else None
        outgoing = self._wire.outgoing(call, project_id)
        yield from session.authorize(outgoing)
        return self._wire.build(outgoing)

    def _project_flow(self) -> Flow[str]:
        return (yield from self._authenticated().project_id())

    def _domain_flow(self) -> Flow[str]:
        """The caller's domain id, as IAM names it (token or AK/SK alike)."""
        domains = yield from self._flow(ops.list_auth_domains())
        if not domains.items:
            raise OpenMaasError("the server names no domain for these credentials")
        return domains.items[0].id

    def _user_flow(self, user_id: str | None) -> Flow[str]:
        if user_id:
            return user_id
        found = yield from self._authenticated().user_id()
        if not found:
            raise OpenMaasError("user_id is required with access key authentication")
        return found


class UserFields(TypedDict, total=False):
    """A new IAM user's fields besides its name (D-50); ``is_admin`` makes it an administrator."""

    password: str
    email: str
    areacode: str
    phone: str
    description: str
    enabled: bool
    is_admin: bool


class UserChanges(UserFields, total=False):
    """What an update may change; "" clears ``email``, or ``areacode`` and ``phone`` together."""

    name: str


class ServiceFilters(TypedDict, total=False):
    """The v2 list filters (CONTRACT §5.2)."""

    id: str
    name: str
    status: str
    workspace_id: str
    type: str
    auth_type: str
    description: str
    user_name: str
    tags: Mapping[str, str]
    sort_key: str
    sort_dir: str


def filter_query(filters: ServiceFilters) -> dict[str, Any]:
    """The filters as query parameters; ``tags`` are sent as ``k|v,k|v``."""
    params: dict[str, Any] = {key: value for key, value in filters.items() if key != "tags"}
    tags = filters.get("tags")
    if tags:
        params["tags"] = ",".join(f"{key}|{value}" for key, value in tags.items())
    return params


class EndpointFields(TypedDict, total=False):
    """The create body of a custom endpoint besides its name (CONTRACT §6.4, D-12)."""

    source: str
    model_name: str
    region: str
    workspace_id: str
    infer_service_id: str
    rpm: int
    tpm: int
    remark: str
    moderation: bool
    agreement_id: str


class EndpointChanges(TypedDict, total=False):
    """What an edit may change; the linked service cannot be (CONTRACT §6.4)."""

    endpoint_name: str
    rpm: int
    tpm: int
    remark: str
    moderation: bool
    agreement_id: str


class ApiKeyChanges(TypedDict, total=False):
    """What an update of a MaaS API key may change; its label never changes. An empty list empties
    that allowlist (for the endpoint and model ones: every endpoint, every model)."""

    description: str
    allow_all: bool
    ip_whitelist: Sequence[str]
    endpoint_whitelist: Sequence[str]
    resident_model_version_whitelist: Sequence[str]


class ApiKeyFields(ApiKeyChanges, total=False):
    """The create body of a MaaS API key. Without ``allow_all``, the client sends true when no
    ``ip_whitelist`` is given and false when one is; without ``label``, the server picks one."""

    label: str
