"""Settings: one class, one env prefix (OPENMAAS_), validated once at start-up."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Region(BaseModel):
    id: str
    en_us: str
    zh_cn: str


DEFAULT_REGIONS = [
    Region(id="ap-southeast-1", en_us="CN-Hong Kong", zh_cn="中国-香港"),
    Region(id="cn-southwest-2", en_us="CN Southwest-Guiyang1", zh_cn="西南-贵阳一"),
]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENMAAS_", extra="ignore")

    data_dir: Path = Path(".openmaas")
    database_url: str = ""
    regions: list[Region] = Field(default_factory=lambda: list(DEFAULT_REGIONS))
    # D-3: the region whose projects may call the MaaS APIs.
    maas_home_region: str = "ap-southeast-1"
    admin_domain: str = "openmaas"
    admin_user: str = "admin"
    admin_password: str = ""
    token_lifetime_seconds: int = Field(default=24 * 3600, ge=60)
    # D-8: how long a deployment takes to become RUNNING when no upstream is attached.
    deploy_delay_seconds: float = Field(default=1.0, ge=0)
    worker_interval_seconds: float = Field(default=0.2, gt=0)
    # How often a process re-reads revocations; CONTRACT 4.2 promises 5 s.
    revocation_poll_seconds: float = Field(default=1.0, gt=0, le=5)
    # D-2: reject missing or wrong Content-Type.
    strict_content_type: bool = False
    lockout_attempts: int = Field(default=5, ge=1)
    lockout_seconds: int = Field(default=15 * 60, ge=1)
    public_url: str = "http://127.0.0.1:8080"
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    run_worker: bool = True

    @field_validator("maas_home_region")
    @classmethod
    def _home_region_not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("OPENMAAS_MAAS_HOME_REGION must name a configured region")
        return value

    @model_validator(mode="after")
    def _home_region_is_configured(self) -> Settings:
        ids = [region.id for region in self.regions]
        if len(set(ids)) != len(ids):
            raise ValueError("OPENMAAS_REGIONS lists a region id twice")
        if self.maas_home_region not in ids:
            raise ValueError(
                f"OPENMAAS_MAAS_HOME_REGION {self.maas_home_region!r} is not in OPENMAAS_REGIONS"
            )
        return self

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'openmaas.db').resolve()}"

    @cached_property
    def region_ids(self) -> frozenset[str]:
        return frozenset(region.id for region in self.regions)
