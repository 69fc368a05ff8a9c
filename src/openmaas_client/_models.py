"""Typed results. Each keeps the JSON it was parsed from in ``raw``, and fields it does not name."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr


class WireModel(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Self:
        parsed = cls.model_validate(data)
        parsed._raw = data
        return parsed

    @property
    def raw(self) -> dict[str, Any]:
        """The object exactly as the server sent it."""
        return self._raw


ItemT = TypeVar("ItemT", bound=WireModel)


class Page(Generic[ItemT]):
    """One page of a listing: its items, the listing's total, and the body as sent, where the API
    names them ``items_key`` and ``total_key`` (None if it sends no total: then it is the count)."""

    def __init__(
        self,
        items: list[ItemT],
        total: int,
        raw: dict[str, Any],
        items_key: str = "data",
        total_key: str | None = "total",
    ) -> None:
        self.items = items
        self.total = total
        self.raw = raw
        self.items_key = items_key
        self.total_key = total_key


# IAM (CONTRACT §4)


class NamedRef(WireModel):
    id: str
    name: str


class TokenUser(NamedRef):
    domain: NamedRef


class TokenProject(NamedRef):
    domain: NamedRef


class Token(WireModel):
    """The body of ``POST /v3/auth/tokens`` (its ``token`` object) with the token itself in ``value``."""

    value: str = ""
    expires_at: datetime
    issued_at: datetime
    methods: list[str] = Field(default_factory=list)
    user: TokenUser
    project: TokenProject | None = None
    roles: list[dict[str, Any]] = Field(default_factory=list)
    catalog: list[dict[str, Any]] = Field(default_factory=list)


class Project(WireModel):
    id: str
    name: str
    domain_id: str
    enabled: bool = True
    description: str | None = ""


class User(WireModel):
    """An IAM user of the caller's domain; ``is_domain_owner`` is true for its administrators.
    Listings (the Keystone shape) carry no contacts nor ``is_domain_owner``."""

    id: str
    name: str
    domain_id: str
    enabled: bool = True
    description: str = ""
    email: str | None = None
    areacode: str | None = None
    phone: str | None = None
    is_domain_owner: bool = False
    create_time: str = ""


class AccessKey(WireModel):
    """An access key; ``secret`` is only ever filled in the answer that created it."""

    access: str
    secret: str | None = None
    status: str = "active"
    user_id: str = ""
    create_time: str = ""
    description: str = ""


# ModelArts (CONTRACT §5)


class Workspace(WireModel):
    id: str
    name: str
    description: str = ""
    owner: str = ""
    auth_type: str = "PUBLIC"
    create_time: int
    update_time: int
    status: str = "NORMAL"


class Tag(WireModel):
    key: str
    value: str = ""


class ServiceSummary(WireModel):
    """An item of the v2 service list (ServiceItem)."""

    id: str
    name: str
    status: str
    version: str
    version_count: int
    description: str = ""
    type: str
    deploy_type: str
    user_name: str = ""
    workspace_id: str
    create_at: int
    update_at: int
    auth_type: str | None = None
    task_type: str | None = None
    tags: list[Tag] = Field(default_factory=list)


class Service(WireModel):
    """The service object of create, show, update, start and stop; times are ms (sent as strings)."""

    id: str
    name: str
    workspace_id: str
    type: str
    deploy_type: str
    status: str
    failure_reason: str | None = ""
    version: dict[str, Any] = Field(default_factory=dict)
    predict_url: list[dict[str, Any]] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)
    deploy_timeout_minutes: int | None = None
    create_at: int
    update_at: int
    task_type: str | None = None


class Deployment(WireModel):
    id: str
    name: str = ""
    status: str = ""
    version: str = ""
    deploy_type: str = ""


class ServiceVersion(WireModel):
    version: str
    version_status: str = ""
    description: str = ""


# MaaS (CONTRACT §6)


class RegionLocales(WireModel):
    en_us: str
    zh_cn: str


class Region(WireModel):
    region_id: str
    locales: RegionLocales


class InferService(WireModel):
    """InferServerInfo, an item of Obtaining Inference Service Information (§6.3)."""

    id: str
    name: str
    status: str
    version: str
    version_count: int
    description: str = ""
    type: str
    deploy_type: str
    user_name: str = ""
    workspace_id: str
    create_at: int
    update_at: int
    auth_type: str | None = None


class CustomEndpoint(WireModel):
    """CustomEndpointInfo (§6.4)."""

    id: str
    source: str
    status: str
    endpoint_name: str
    cbc_status: str | None = None
    remark: str | None = None
    rpm: int | None = None
    tpm: int | None = None
    served_model_name: str | None = None
    model_version_id: str | None = None
    resident_model_id: str | None = None
    region: str | None = None
    workspace_id: str | None = None
    infer_service_id: str | None = None
    moderation: bool | None = None
    create_at: int | None = None
    update_at: int | None = None


class ApiKey(WireModel):
    """A MaaS API key, what applications call the data plane with; ``api_key``, the key itself, is
    only ever filled in the answer that created it (listings show ``key_mask``)."""

    id: str
    label: str
    description: str = ""
    key_mask: str
    allow_all: bool
    ip_whitelist: list[str] = Field(default_factory=list)
    endpoint_whitelist: list[str] = Field(default_factory=list)
    resident_model_version_whitelist: list[str] = Field(default_factory=list)
    create_at: int
    update_at: int
    api_key: str | None = None


class UsageCounts(WireModel):
    calls: int
    errors: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class UsageMinute(UsageCounts):
    """One minute of an endpoint's usage; ``minute`` is its start in ms since the epoch."""

    minute: int


class EndpointUsage(WireModel):
    """Calls, errors and tokens of a custom endpoint per minute, in a time range (ms)."""

    endpoint_id: str
    endpoint_name: str
    start_time: int
    end_time: int
    totals: UsageCounts
    items: list[UsageMinute] = Field(default_factory=list)


class Agreement(WireModel):
    """The latest disclaimer (§6.5)."""

    id: str
    agreement_id: str
    agreement_data: str
    open_notice: str = ""
    close_notice: str = ""


# The openmaas admin API (issue 11)


class DomainUser(WireModel):
    id: str
    name: str
    is_admin: bool


class AdminDomain(WireModel):
    """An account as the operator sees it: its users and projects."""

    id: str
    name: str
    created_at: str
    users: list[DomainUser] = Field(default_factory=list)
    projects: list[NamedRef] = Field(default_factory=list)


class CreatedDomain(WireModel):
    domain: AdminDomain
    # The administrator's password when the server generated it (shown this once).
    password: str | None = None


class DomainSummary(WireModel):
    id: str
    name: str
    created_at: str
    user_count: int


class Snapshot(WireModel):
    name: str
    created_at: int
    rows: int


class LifecycleRule(WireModel):
    target: str
    action: str
    mode: str
    delay_seconds: float | None = None
    reason: str | None = None


class FaultRule(WireModel):
    id: str
    method: str | None = None
    path: str | None = None
    operation: str | None = None
    domain_id: str | None = None
    probability: float = 1.0
    remaining: int | None = None
    latency_ms: int = 0
    status: int | None = None
    error_code: str | None = None
    error_msg: str | None = None
    created_at: int
    expires_at: int | None = None
