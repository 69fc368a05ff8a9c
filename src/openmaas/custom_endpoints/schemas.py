"""Custom endpoint request bodies (CONTRACT 6.4, D-12), validated strictly (D-7).

``endpoint_name`` is optional here on purpose: a missing name has its own documented answer
(``ModelArts.0104``), and an ill-formed one ``ModelArts.6274``, both decided by the service.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from openmaas.names import DEFAULT_WORKSPACE_ID, INT32_MAX, OptionalText, Text

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
