"""Custom endpoint request bodies (CONTRACT 6.4, D-12), validated strictly (D-7).

``endpoint_name`` is optional here on purpose: a missing name has its own documented answer
(``ModelArts.0104``), and an ill-formed one ``ModelArts.6274``, both decided by the service.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from openmaas.names import DEFAULT_WORKSPACE_ID, INT32_MAX, OptionalText, Text
from openmaas.wire import Answer

Source = Literal["custom_from_maas", "custom_from_modelarts_v2"]
Throttle = int | None


class _Body(BaseModel):
    # Unknown fields are ignored (CONTRACT 1): that is also how an edit ignores the linked service.
    model_config = ConfigDict(strict=True, extra="ignore")


class _Editable(_Body):
    """Fields that create and edit share."""

    endpoint_name: OptionalText = None
    remark: OptionalText = Field(default=None, max_length=256)
    rpm: Throttle = Field(default=None, ge=1, le=INT32_MAX)
    tpm: Throttle = Field(default=None, ge=1, le=INT32_MAX)
    agreement_id: OptionalText = Field(default=None, max_length=64)


class EndpointCreate(_Editable):
    source: Source
    model_name: OptionalText = Field(default=None, max_length=128)
    region: OptionalText = Field(default=None, max_length=64)
    # As in 6.3, an empty workspace_id is the default workspace "0"; any other value that names no
    # workspace is 0104, however long (the workspace rules check its shape before any query).
    workspace_id: Text = DEFAULT_WORKSPACE_ID
    infer_service_id: OptionalText = Field(default=None, max_length=64)
    moderation: bool = True

    @field_validator("workspace_id")
    @classmethod
    def _empty_is_default(cls, value: str) -> str:
        return value or DEFAULT_WORKSPACE_ID


class EndpointUpdate(_Editable):
    """Absent fields stay as they are; ``rpm`` or ``tpm`` sent as null removes that throttle."""

    moderation: bool | None = None


class EndpointControl(_Body):
    action: Literal["activate", "deactivate"]


# ---- answers -------------------------------------------------------------------------------------


class CustomEndpointInfo(Answer):
    """CustomEndpointInfo (CONTRACT 6.4), and the openmaas field ``infer_service_status``."""

    id: str
    source: str
    status: str
    cbc_status: str
    endpoint_name: str
    remark: str
    rpm: int | None
    tpm: int | None
    served_model_name: str
    model_version_id: str
    resident_model_id: str
    region: str
    workspace_id: str
    infer_service_id: str
    moderation: bool
    create_at: int
    update_at: int
    infer_service_status: str | None


class CustomEndpointList(Answer):
    total: int
    # A string, as the reference documents it.
    count: str
    items: list[CustomEndpointInfo]
    quantity_limit: int
