"""Settings: one class, one env prefix (OPENMAAS_), validated once at start-up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from openmaas.crypto import parse_secret_key
from openmaas.presets import load_catalogue

ENV_PREFIX = "OPENMAAS_"
DATABASE_URL_EXAMPLE = "postgresql+psycopg://user@host:5432/openmaas"
REGIONS_EXAMPLE = '[{"id": "ap-southeast-1", "en_us": "CN-Hong Kong", "zh_cn": "中国-香港"}]'


class InvalidSettings(ValueError):
    """The settings cannot start a server; the message names the variable and says why."""


class Region(BaseModel):
    # The id becomes a project name (CONTRACT 2) and a path segment, so it stays a plain slug.
    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
    en_us: str = Field(min_length=1, max_length=128)
    zh_cn: str = Field(min_length=1, max_length=128)


DEFAULT_REGIONS = [
    Region(id="ap-southeast-1", en_us="CN-Hong Kong", zh_cn="中国-香港"),
    Region(id="cn-southwest-2", en_us="CN Southwest-Guiyang1", zh_cn="西南-贵阳一"),
]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Path(".openmaas")
    database_url: str = ""
    # NoDecode: the JSON is parsed by ``_regions_from_json`` so a typo is a validation error, not a crash.
    regions: Annotated[list[Region], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_REGIONS), min_length=1
    )
    # D-3: the region whose projects may call the MaaS APIs.
    maas_home_region: str = "ap-southeast-1"
    admin_domain: str = Field(default="openmaas", min_length=1, max_length=64)
    admin_user: str = Field(default="admin", min_length=1, max_length=64)
    admin_password: str = ""
    token_lifetime_seconds: int = Field(default=24 * 3600, ge=60)
    # D-8: how long a deployment takes to become RUNNING when no upstream is attached.
    deploy_delay_seconds: float = Field(default=1.0, ge=0)
    worker_interval_seconds: float = Field(default=0.2, gt=0)
    # How often a process re-reads revocations; CONTRACT 4.2 promises 5 s.
    revocation_poll_seconds: float = Field(default=1.0, gt=0, le=5)
    # Issue 5: answer the plain listing reads outside FastAPI's stack (same rules, same bytes).
    fast_lane: bool = True
    # Issue 5, SQLite only: answers of the fast lane kept while the store is unchanged (0: none).
    listing_cache_entries: int = Field(default=1024, ge=0, le=100_000)
    # D-2: reject missing or wrong Content-Type.
    strict_content_type: bool = False
    lockout_attempts: int = Field(default=5, ge=1)
    lockout_seconds: int = Field(default=15 * 60, ge=1)
    public_url: str = "http://127.0.0.1:8080"
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Data-plane bodies carry prompts and base64 images (the public limit is 10 MB per image).
    data_plane_max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    run_worker: bool = True
    # argon2id work factors for new password hashes; lower them only for tests.
    password_hash_time_cost: int = Field(default=3, ge=1, le=20)
    password_hash_memory_kib: int = Field(default=65536, ge=1024, le=4 * 1024 * 1024)
    # CONTRACT 6.4: live custom endpoints per domain, reported as quantity_limit.
    custom_endpoint_quota: int = Field(default=10, ge=0)
    # The preset models of custom_from_maas endpoints; unset = the catalogue shipped in the package.
    preset_models_file: Path | None = None
    # Issue 10, the data plane. Which APIs this process serves: both (default), or one of them.
    role: Literal["all", "control-plane", "data-plane"] = "all"
    # Rate-limit counters shared by every process (a Redis or Valkey URL); empty = this process only.
    redis_url: str = ""
    # MaaS API keys an account may hold at once.
    api_key_quota: int = Field(default=30, ge=1, le=10_000)
    # The rpm/tpm window: fixed windows of this many seconds, aligned to the epoch (D-18).
    rate_limit_window_seconds: float = Field(default=60.0, ge=1, le=3600)
    # How often counted usage is written to the store (D-19); a kill -9 loses at most this much.
    usage_flush_seconds: float = Field(default=5.0, gt=0, le=300)
    # A model server that does not connect within this, or sends nothing for this long, has failed.
    upstream_connect_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    upstream_read_timeout_seconds: float = Field(default=120.0, gt=0, le=3600)
    # Issue 11: the credential of the openmaas admin API (/openmaas/v1); unset = that API is not published.
    admin_api_key: SecretStr | None = None
    # How often each process re-reads the fault rules (at most this late on another process).
    fault_poll_seconds: float = Field(default=1.0, gt=0, le=5)
    # Issue 12, operations. The log: one JSON object per line, or plain text.
    log_format: Literal["json", "text"] = "json"
    # One line per request (openmaas.access) at INFO.
    access_log: bool = True
    # GET /metrics, the Prometheus text format; off: that path is not published.
    metrics: bool = True
    # Encrypts access-key secrets at rest (openmaas.crypto); unset = a key file in data_dir.
    # Every process sharing one store must be given the same key.
    secret_key: SecretStr | None = None
    # The web console under /console (pages over this server's own API); off: those paths are not published.
    console: bool = True

    @classmethod
    def load(cls, **values: Any) -> Settings:
        """Read the environment (and ``values``); any problem is one ``InvalidSettings`` message."""
        try:
            return cls(**values)
        except ValidationError as error:
            raise InvalidSettings(_describe(error)) from None

    @field_validator("regions", mode="before")
    @classmethod
    def _regions_from_json(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError(f"must be a JSON list like {REGIONS_EXAMPLE}") from None

    @field_validator("database_url")
    @classmethod
    def _database_url_usable(cls, value: str) -> str:
        """A URL of a store openmaas runs on; ``postgresql://`` means the psycopg driver it ships."""
        if not value:
            return value
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(f"must be a URL like {DATABASE_URL_EXAMPLE}") from None
        if url.drivername == "postgresql":
            return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        if url.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
            raise ValueError(f"must be a sqlite:/// or postgresql+psycopg:// URL like {DATABASE_URL_EXAMPLE}")
        database = url.database or ""
        if url.drivername.startswith("sqlite") and database in ("", ":memory:"):
            # Each pooled connection would see a store of its own.
            raise ValueError("must name a database file, like sqlite:////var/lib/openmaas/openmaas.db")
        if url.drivername.startswith("sqlite") and (database.startswith("file:") or "uri" in url.query):
            # openmaas creates the file and its folder owner-only, which needs the plain path.
            raise ValueError("must be a plain sqlite:///path URL, not a file: URI")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url_usable(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("must be a redis://host:port/db, rediss:// or unix:// URL")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url_is_http(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http:// or https:// URL with a host, like http://127.0.0.1:8080")
        return value

    @field_validator("admin_api_key")
    @classmethod
    def _admin_key_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value() and len(value.get_secret_value()) < 24:
            raise ValueError("must be at least 24 characters (for example `openssl rand -base64 32`)")
        return value if value is not None and value.get_secret_value() else None

    @field_validator("secret_key")
    @classmethod
    def _secret_key_decodes(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            parse_secret_key(value.get_secret_value())
        return value

    @field_validator("preset_models_file")
    @classmethod
    def _preset_models_usable(cls, value: Path | None) -> Path | None:
        # Read once here so that a broken catalogue stops start-up with a message, not a request.
        if value is not None:
            load_catalogue(value)
        return value

    @field_validator("maas_home_region")
    @classmethod
    def _home_region_not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("must name a configured region")
        return value

    @model_validator(mode="after")
    def _home_region_is_configured(self) -> Settings:
        ids = [region.id for region in self.regions]
        if len(set(ids)) != len(ids):
            raise ValueError("OPENMAAS_REGIONS lists a region id twice")
        if self.maas_home_region not in ids:
            raise ValueError(
                f"OPENMAAS_MAAS_HOME_REGION {self.maas_home_region!r} is not in OPENMAAS_REGIONS "
                f"({', '.join(ids)})"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'openmaas.db').resolve()}"

    @property
    def secret_key_text(self) -> str | None:
        """The configured secret key, None when the data folder's key file is to be used."""
        return self.secret_key.get_secret_value() if self.secret_key else None

    @property
    def region_ids(self) -> frozenset[str]:
        return frozenset(region.id for region in self.regions)


def _describe(error: ValidationError) -> str:
    """``OPENMAAS_REGIONS[0].en_us: field required``: one line per problem, in env-var terms."""
    return "; ".join(_describe_one(item["loc"], item["msg"]) for item in error.errors())


def _describe_one(loc: tuple[int | str, ...], message: str) -> str:
    message = message.removeprefix("Value error, ")
    if not loc:
        # Model-level checks already name their variables.
        return f"invalid settings: {message}"
    name = ENV_PREFIX + str(loc[0]).upper()
    name += "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc[1:])
    return f"invalid setting {name}: {message}"
