"""Usage per custom endpoint and minute (issue 10): the query and the answers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from openmaas.wire import Answer

MS_MAX = 2**53


class UsageQuery(BaseModel):
    """A time range in ms since the epoch; by default the last hour (``end_time`` = now)."""

    model_config = ConfigDict(extra="ignore")

    start_time: int | None = Field(default=None, ge=0, le=MS_MAX)
    end_time: int | None = Field(default=None, ge=0, le=MS_MAX)


class UsageCounts(Answer):
    calls: int
    errors: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class UsageMinute(UsageCounts):
    # The minute's start, ms since the epoch.
    minute: int


class EndpointUsage(Answer):
    endpoint_id: str
    endpoint_name: str
    start_time: int
    end_time: int
    totals: UsageCounts
    items: list[UsageMinute]
