"""Service request bodies and list query (CONTRACT 5.2), validated strictly (D-7)."""

from __future__ import annotations

import re
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from openmaas.names import MAX_LIMIT, MAX_OFFSET, RESOURCE_NAME, OptionalText
from openmaas.services.states import Status
from openmaas.wire import Answer, PagedList

# [0-9], not \d: \d also takes Arabic-Indic, full-width and other Unicode digits.
VERSION = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{1,2})\Z")
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
TimeUnit = Literal["DAYS", "HOURS", "MINUTES"]
# The SDK documents a schedule's duration as 1 minute to 7 days, in its time unit.
SCHEDULE_MAX_DURATION: dict[str, int] = {"DAYS": 7, "HOURS": 7 * 24, "MINUTES": 7 * 24 * 60}
PERCENT = re.compile(r"^(?:100|[1-9][0-9]?)%\Z")
# A service holds at most 20 tags, so a list filter needs no more distinct pairs than that.
MAX_TAG_PAIRS = 20


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
    except (httpx.InvalidURL, ValueError):  # ValueError: a host that is no valid IDNA name
        raise ValueError("must be a valid URL") from None
    if not host:
        raise ValueError("must name a host")
    return value


class GroupConfig(_Open):
    count: int = Field(default=1, ge=1, le=128)
    weight: int = Field(default=100, ge=0, le=100)
    priority: int = Field(default=1, ge=1, le=3)
    framework: Literal["COMMON", "VLLM", "MINDIE"] = "COMMON"
    # Kept as sent and echoed in instance_groups, which the SDK reads back (GroupConfigResponse) as an
    # integer or an object: typed here, so that a stored value never breaks an SDK read.
    running_count: int | None = Field(default=None, ge=0)
    update_at: int | None = Field(default=None, ge=0)
    unit_configs: list[dict[str, Any]] | None = None
    model: dict[str, Any] | None = None
    advanced_config: dict[str, Any] | None = None


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


class ScheduleItem(_Strict):
    """One ``schedule`` entry, typed as the SDK's ScheduleConfig: every SDK read of the service parses
    it back (ScheduleConfigResponse), so a value of another type would break them all. Fields the SDK
    does not send are dropped, never stored."""

    # "STOP" as the SDK documents it; "stop" as the v1 API reference and its examples write it.
    type: Literal["STOP", "stop"]
    time_unit: TimeUnit
    duration: int = Field(ge=1)

    @field_validator("duration")
    @classmethod
    def _at_most_seven_days(cls, value: int, info: ValidationInfo) -> int:
        unit = info.data.get("time_unit")
        limit = SCHEDULE_MAX_DURATION.get(unit) if isinstance(unit, str) else None
        if limit is not None and value > limit:
            raise ValueError(f"must be at most {limit} {unit} (7 days)")
        return value


def _check_percent(value: str | None) -> str | None:
    if value is not None and not PERCENT.match(value):
        raise ValueError("must be a percentage from 1% to 100%")
    return value


class RollingUpdate(_Strict):
    max_surge: str | None = None
    max_unavailable: str | None = None

    _percent = field_validator("max_surge", "max_unavailable")(_check_percent)


class UpgradeConfig(_Strict):
    """``upgrade_config``, typed as the SDK's UpgradeConfig for the same reason as ScheduleItem."""

    type: Literal["ROLLING"] | None = None
    rolling_update: RollingUpdate | None = None


class Tag(_Strict):
    key: str = Field(min_length=1, max_length=128)
    value: str = Field(default="", max_length=256)


class _ServiceFields(_Strict):
    """Fields that create and update share."""

    version: str | None = Field(default=None, max_length=8)
    description: str | None = Field(default=None, max_length=512)
    task_type: TaskType | None = None
    schedule: list[ScheduleItem] | None = Field(default=None, max_length=10)
    upgrade_config: UpgradeConfig | None = None
    deploy_timeout_minutes: int | None = Field(default=None, ge=0, le=300)
    # openmaas extension (D-8): RUNNING only once this URL answers a GET with 2xx/3xx.
    upstream_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://")
    # openmaas extension (D-14): the model name the upstream serves; unset = the service's name.
    upstream_model: OptionalText = Field(default=None, min_length=1, max_length=256)

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

    @field_validator("tags")
    @classmethod
    def _tag_filter(cls, value: str | None) -> str | None:
        pairs = _tag_pairs(value)
        if any(not key for key, _ in pairs):
            raise ValueError("must not have a pair with an empty key")
        if len(pairs) > MAX_TAG_PAIRS:
            raise ValueError(f"must have at most {MAX_TAG_PAIRS} distinct key|value pairs, not {len(pairs)}")
        return value

    def tag_pairs(self) -> list[tuple[str, str]]:
        """The distinct ``key|value`` pairs of the tags filter, in the order given."""
        return _tag_pairs(self.tags)

    def filters(self) -> dict[str, Any]:
        keys = ("id", "name", "status", "auth_type", "type", "description", "user_name")
        return {key: getattr(self, key) for key in keys if getattr(self, key) is not None}


def _tag_pairs(text: str | None) -> list[tuple[str, str]]:
    pairs = (item.partition("|") for item in (text or "").split(",") if item)
    return list(dict.fromkeys((key, value) for key, _, value in pairs))


# ---- answers (CONTRACT 5.4, 6.3) -----------------------------------------------------------------


class TagItem(Answer):
    key: str
    value: str


class InferServerInfo(Answer):
    """A §6.3 item (InferServerInfo): exactly these fields, integers where D-1 says so."""

    id: str
    name: str
    status: str
    version: str
    version_count: int
    description: str
    type: str
    deploy_type: str
    user_name: str
    workspace_id: str
    create_at: int
    update_at: int
    auth_type: str


class ServiceItem(InferServerInfo):
    """An item of the v2 list: InferServerInfo and four more fields."""

    task_type: str | None
    tags: list[TagItem]
    schedule: list[dict[str, Any]]
    frozen_infos: list[dict[str, Any]]


class InferServerList(Answer):
    """Obtaining Inference Service Information (§6.3)."""

    data: list[InferServerInfo]
    pages: int
    total: int


class PredictUrl(Answer):
    type: str
    urls: list[str]


class VersionObject(Answer):
    id: str
    version: str
    description: str
    predict_url: str
    runtime_config: dict[str, Any]
    upgrade_config: dict[str, Any] | None
    instance_groups: list[dict[str, Any]]
    deploy_timeout_minutes: int


class ServiceObject(Answer):
    """The service object of create, show, update, start and stop; the SDK types its times as strings."""

    id: str
    name: str
    workspace_id: str
    type: str
    deploy_type: str
    status: str
    failure_reason: str
    version: VersionObject
    predict_url: list[PredictUrl]
    tags: list[TagItem]
    deploy_timeout_minutes: int
    schedule: list[dict[str, Any]]
    create_at: str
    update_at: str
    task_type: str | None
    frozen_infos: list[dict[str, Any]]


class DeletedServices(Answer):
    service_responses: list[ServiceObject]


class DeploymentItem(Answer):
    id: str
    name: str
    infer_name: str
    service_group_name: str
    status: str
    lts_state: str
    mirror_traffic_enable: bool
    mirror_traffic_weight: str
    weight: int
    traffic_ratio: str
    pool_id: str
    version: str
    deploy_type: str
    create_at: int
    update_at: int
    frozen_infos: list[dict[str, Any]]


class DeploymentDetail(Answer):
    """A deployment, and one version of it; times in ISO 8601 as the SDK types them."""

    id: str
    name: str
    deployment_name: str
    infer_name: str
    description: str
    pool_id: str
    framework: str
    version: str
    version_id: str
    version_count: int
    count: int
    weight: int
    priority: int
    status: str
    deploy_type: str
    workload_type: str
    user_name: str
    frozen_infos: list[dict[str, Any]]
    create_at: str
    update_at: str


class VersionItem(Answer):
    infer_name: str
    version: str
    version_status: str
    description: str
    deploy_type: str
    create_at: str
    update_at: str


ServiceList = PagedList[ServiceItem]
DeploymentList = PagedList[DeploymentItem]
VersionList = PagedList[VersionItem]
