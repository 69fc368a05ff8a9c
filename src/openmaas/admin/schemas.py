"""The admin API's bodies and answers (issue 11)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from openmaas.names import RESOURCE_NAME, OptionalText
from openmaas.wire import Answer

# Letters, Chinese characters, digits, - and _ (as resource names; pydantic's regex knows $, not \\Z).
NAME_PATTERN = RESOURCE_NAME.pattern.removesuffix("\\Z") + "$"


class _Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class DomainCreate(_Body):
    name: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN)
    admin_user: str = Field(default="admin", min_length=1, max_length=64, pattern=NAME_PATTERN)
    # Absent: one is generated, and shown in this answer only.
    password: OptionalText = Field(default=None, min_length=8, max_length=128)
    # Absent: a project in every configured region.
    regions: list[str] | None = Field(default=None, min_length=1)


class NamedItem(Answer):
    id: str
    name: str


class DomainUser(NamedItem):
    is_admin: bool


class DomainInfo(Answer):
    id: str
    name: str
    created_at: str
    users: list[DomainUser]
    projects: list[NamedItem]


class DomainCreated(Answer):
    domain: DomainInfo
    # The administrator's password, when openmaas generated it: shown here only.
    password: str | None


class DomainSummary(Answer):
    id: str
    name: str
    created_at: str
    user_count: int


class DomainList(Answer):
    domains: list[DomainSummary]


class ResetBody(_Body):
    # Ids drawn from a generator seeded with this, in this process, from now on (D-44).
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)


class ResetDone(Answer):
    seed: int | None
    domain: DomainInfo


class SnapshotCreate(_Body):
    name: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN)


class SnapshotInfo(Answer):
    name: str
    created_at: int
    rows: int


class SnapshotList(Answer):
    snapshots: list[SnapshotInfo]


Mode = Literal["delay", "immediate", "manual", "fail"]
Action = Literal["deploy", "stop", "delete"]


class LifecycleBody(_Body):
    mode: Mode
    delay_seconds: float | None = Field(default=None, ge=0, le=86_400)
    reason: OptionalText = Field(default=None, min_length=1, max_length=512)


class LifecycleRule(Answer):
    target: str
    action: str
    mode: str
    delay_seconds: float | None
    reason: str | None


class LifecycleRules(Answer):
    rules: list[LifecycleRule]


class SettleBody(_Body):
    outcome: Literal["succeed", "fail"] = "succeed"
    reason: OptionalText = Field(default=None, min_length=1, max_length=512)


class Settled(Answer):
    service_id: str
    status: str


def rows_of(tables: dict[str, list[Any]]) -> int:
    return sum(len(rows) for rows in tables.values())
