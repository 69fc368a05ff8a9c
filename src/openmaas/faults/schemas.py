"""Fault rules on the wire (the admin API, D-41)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from openmaas.names import OptionalText
from openmaas.wire import Answer

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class FaultCreate(BaseModel):
    """What requests a rule catches and what it does to them."""

    model_config = ConfigDict(strict=True, extra="forbid")

    method: str | None = None
    # A glob of the request path (``*`` any characters, ``/`` included), e.g. ``/v2/*/services``.
    path: OptionalText = Field(default=None, min_length=1, max_length=2048)
    # A route template with its method, e.g. ``POST /v2/{project_id}/services/{service_id}/start``.
    operation: OptionalText = Field(default=None, min_length=3, max_length=2100)
    # Only requests whose IAM token is of this domain (the data plane and AK/SK carry none).
    domain_id: OptionalText = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    probability: float = Field(default=1.0, ge=0.0, le=1.0)
    count: int | None = Field(default=None, ge=1, le=1_000_000)
    latency_ms: int = Field(default=0, ge=0, le=600_000)
    status: int | None = Field(default=None, ge=400, le=599)
    error_code: OptionalText = Field(default=None, min_length=1, max_length=64)
    error_msg: OptionalText = Field(default=None, min_length=1, max_length=512)
    expires_in_seconds: int | None = Field(default=None, ge=1, le=30 * 24 * 3600)

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in METHODS:
            raise ValueError(f"must be one of {', '.join(METHODS)}")
        return value.upper() if value is not None else None


class FaultRule(Answer):
    id: str
    method: str | None
    path: str | None
    operation: str | None
    domain_id: str | None
    probability: float
    remaining: int | None
    latency_ms: int
    status: int | None
    error_code: str | None
    error_msg: str | None
    created_at: int
    expires_at: int | None


class FaultList(Answer):
    faults: list[FaultRule]


class FaultsRemoved(Answer):
    removed: int
