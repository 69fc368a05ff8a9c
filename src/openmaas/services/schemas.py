"""Service request bodies and list query (CONTRACT 5.2), validated strictly (D-7)."""

from __future__ import annotations

import re
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from openmaas.names import MAX_LIMIT, MAX_OFFSET, RESOURCE_NAME, OptionalText
from openmaas.services.states import Status

VERSION = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{1,2})\Z")
ServiceType = Literal["REAL_TIME", "ASYNC_REAL_TIME"]
DeployType = Literal["SINGLE", "MULTI"]
TaskType = Literal[
    "TEXT_GENERATION",
    "IMAGE_UNDERSTANDING",
    "VIDEO_GENERATION",
    "IMAGE_GENERATION",
    "RERANK",
    "VECTOR_MODEL",
    "EMBEDDING",
]
WorkloadType = Literal["DEPLOYMENT", "LWS"]
InvokeAuthType = Literal["TOKEN", "API_KEY", "NONE"]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class _Open(BaseModel):
    """Objects the service stores and echoes back: fields openmaas does not interpret are kept."""

    model_config = ConfigDict(strict=True, extra="allow")


def _check_version(value: str | None) -> str | None:
    if value is not None and not VERSION.match(value):
        raise ValueError("must look like N.N.N with each part from 0 to 99")
    return value


def _check_description(value: str | None) -> str | None:
    if value is not None and ("<" in value or ">" in value):
        raise ValueError("must not contain < or >")
    return value


def _check_upstream_url(value: str | None) -> str | None:
    """The lifecycle worker asks this URL (D-8): it must be one an HTTP client can ask at all."""
    if value is None:
        return value
    try:
        host = httpx.URL(value).host
    except httpx.InvalidURL:
        raise ValueError("must be a URL without control characters") from None
    if not host:
        raise ValueError("must name a host")
    return value


class GroupConfig(_Open):
    count: int = Field(default=1, ge=1, le=128)
    weight: int = Field(default=100, ge=0, le=100)
    priority: int = Field(default=1, ge=1, le=3)
    framework: Literal["COMMON", "VLLM", "MINDIE"] = "COMMON"


class RateLimit(_Strict):
    num: int = Field(ge=1, le=10000)
    unit: Literal["SECONDS", "MINUTES"]


class ServiceLimit(_Open):
    rate_limit: RateLimit | None = None
    request_size_limit: int | None = Field(default=None, ge=1, le=50)
    request_timeout: int | None = Field(default=None, ge=1, le=7200)


class ServiceInvoke(_Open):
    port: int = Field(default=8080, ge=1, le=65535)
    protocol: Literal["HTTP", "HTTPS", "WS", "WSS"] = "HTTP"
    auth_type: InvokeAuthType = "TOKEN"


class RuntimeConfig(_Open):
    service_invoke: ServiceInvoke = Field(default_factory=ServiceInvoke)
    service_limit: ServiceLimit | None = None


class Tag(_Strict):
    key: str = Field(min_length=1, max_length=128)
    value: str = Field(default="", max_length=256)


class _ServiceFields(_Strict):
    """Fields that create and update share."""

    version: str | None = Field(default=None, max_length=8)
    description: str | None = Field(default=None, max_length=512)
    task_type: TaskType | None = None
    schedule: list[dict[str, Any]] | None = Field(default=None, max_length=10)
    upgrade_config: dict[str, Any] | None = None
    deploy_timeout_minutes: int | None = Field(default=None, ge=0, le=300)
    # openmaas extension (D-8): RUNNING only once this URL answers a GET with 2xx/3xx.
    upstream_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://")

    _version = field_validator("version")(_check_version)
    _description = field_validator("description")(_check_description)
    _upstream_url = field_validator("upstream_url")(_check_upstream_url)


class ServiceCreate(_ServiceFields):
    name: str = Field(min_length=1, max_length=64)
    type: ServiceType
    deploy_type: DeployType
    group_configs: list[GroupConfig] = Field(max_length=1)
    runtime_config: RuntimeConfig
    workload_type: WorkloadType | None = None
    # Any string that names no workspace of the project is ModelArts.0104, whatever its shape.
    workspace_id: str = "0"
    tags: list[Tag] | None = Field(default=None, max_length=20)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not RESOURCE_NAME.match(value):
            raise ValueError("may contain only letters, Chinese characters, digits, hyphens and underscores")
        return value


class ServiceUpdate(_ServiceFields):
    group_configs: list[GroupConfig] | None = Field(default=None, max_length=1)
    runtime_config: RuntimeConfig | None = None
    tags: list[Tag] | None = Field(default=None, max_length=20)

    def changes_deployment(self) -> bool:
        """Anything but the description makes a new version (CONTRACT 5.3)."""
        return bool(self.model_fields_set - {"description"})


class BatchDelete(_Strict):
    service_ids: list[str] = Field(min_length=1, max_length=100)


class ListQuery(_Strict):
    model_config = ConfigDict(strict=False, extra="ignore")

    id: OptionalText = Field(default=None, max_length=64)
    name: OptionalText = Field(default=None, max_length=64)
    status: Status | None = None
    auth_type: InvokeAuthType | None = None
    type: ServiceType | None = None
    description: OptionalText = Field(default=None, max_length=512)
    workspace_id: OptionalText = Field(default=None, max_length=64)
    user_name: OptionalText = Field(default=None, max_length=64)
    tags: OptionalText = Field(default=None, max_length=2048)
    sort_key: Literal["update_at", "create_at"] = "update_at"
    sort_dir: Literal["DESC", "ASC"] = "DESC"
    limit: int = Field(default=10, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)

    @field_validator("sort_dir", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    def tag_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for item in filter(None, (self.tags or "").split(",")):
            key, _, value = item.partition("|")
            pairs.append((key, value))
        return pairs

    def filters(self) -> dict[str, Any]:
        keys = ("id", "name", "status", "auth_type", "type", "description", "user_name")
        return {key: getattr(self, key) for key in keys if getattr(self, key) is not None}
