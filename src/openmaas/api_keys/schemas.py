"""MaaS API-key request bodies (data-plane facts §3), validated strictly (D-7), and the answers
(D-20), which the public pages do not show.

Every malformed field is ``ModelArts.0101`` naming it, an allowlist entry by its index
(``ip_whitelist[3]``). Rules that join two fields (``allow_all`` and ``ip_whitelist``) and the
default label are the service's: an update judges them against what the key already holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from openmaas.api_keys.allowlist import parse_entry
from openmaas.names import ENDPOINT_NAME, OptionalText
from openmaas.wire import Answer

MAX_ENTRIES = 100
LABEL = re.compile(r"^[A-Za-z0-9_-]{1,100}\Z")
# A model name as a request's ``model`` names it: no whitespace or control characters.
MODEL_NAME = re.compile(r"^[^\s\x00-\x1f\x7f]{1,128}\Z")


def _label(value: str | None) -> str | None:
    # An empty label means "none given": the service picks the default (facts §3: length 0-100).
    if value and not LABEL.match(value):
        raise ValueError("must be 1 to 100 letters, digits, underscores (_) or hyphens (-)")
    return value


def _ip_entry(entry: str) -> str:
    parse_entry(entry)  # raises ValueError with the reason
    return entry


def _endpoint_name(name: str) -> str:
    if not ENDPOINT_NAME.match(name):
        raise ValueError(
            "must be a custom endpoint name: 1 to 64 characters, starting with a letter or a Chinese "
            "character, then letters, Chinese characters, digits, periods (.), underscores (_) or hyphens (-)"
        )
    return name


def _model_name(name: str) -> str:
    if not MODEL_NAME.match(name):
        raise ValueError("must be a model name of 1 to 128 characters without spaces or control characters")
    return name


def _distinct(identity: Callable[[str], Hashable]) -> Callable[[list[str]], list[str]]:
    """At most MAX_ENTRIES entries, none the same as another (for IPs: covering the same span)."""

    def check(entries: list[str]) -> list[str]:
        if len(entries) > MAX_ENTRIES:
            raise ValueError(f"must have at most {MAX_ENTRIES} entries, not {len(entries)}")
        seen: dict[Hashable, int] = {}
        for index, entry in enumerate(entries):
            first = seen.setdefault(identity(entry), index)
            if first != index:
                raise ValueError(f"must not repeat an entry: [{index}] is the same as [{first}]")
        return entries

    return check


IpList = Annotated[list[Annotated[str, AfterValidator(_ip_entry)]], AfterValidator(_distinct(parse_entry))]
EndpointList = Annotated[list[Annotated[str, AfterValidator(_endpoint_name)]], AfterValidator(_distinct(str))]
ModelList = Annotated[list[Annotated[str, AfterValidator(_model_name)]], AfterValidator(_distinct(str))]


class _Body(BaseModel):
    # Unknown fields are ignored (CONTRACT 1): that is how an update ignores ``label`` and ``id``.
    model_config = ConfigDict(strict=True, extra="ignore")


class ApiKeyCreate(_Body):
    label: Annotated[OptionalText, AfterValidator(_label)] = None
    description: OptionalText = Field(default=None, max_length=100)
    allow_all: bool
    ip_whitelist: IpList = Field(default_factory=list)
    endpoint_whitelist: EndpointList = Field(default_factory=list)
    resident_model_version_whitelist: ModelList = Field(default_factory=list)


class ApiKeyUpdate(_Body):
    """Absent (or null) fields stay as they are; an empty list empties that allowlist."""

    description: OptionalText = Field(default=None, max_length=100)
    allow_all: bool | None = None
    ip_whitelist: IpList | None = None
    endpoint_whitelist: EndpointList | None = None
    resident_model_version_whitelist: ModelList | None = None

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in self if value is not None}


# ---- answers (D-20) --------------------------------------------------------------------------------


class ApiKeyInfo(Answer):
    """An API key as every answer but the create shows it: a mask, never the key."""

    id: str
    label: str
    description: str
    key_mask: str
    allow_all: bool
    ip_whitelist: list[str]
    endpoint_whitelist: list[str]
    resident_model_version_whitelist: list[str]
    create_at: int
    update_at: int


class ApiKeyCreated(ApiKeyInfo):
    """The create answer, the only one that ever shows the key."""

    api_key: str


class ApiKeyList(Answer):
    total: int
    items: list[ApiKeyInfo]
    quantity_limit: int


class ApiKeyDeleted(Answer):
    result: str
