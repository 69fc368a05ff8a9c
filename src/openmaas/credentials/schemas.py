"""Request bodies for access keys (CONTRACT 4.3)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from openmaas.names import Text


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class CredentialOption(_Strict):
    user_id: Text = Field(min_length=1, max_length=64)
    description: Text = Field(default="", max_length=255)


class CredentialCreate(_Strict):
    credential: CredentialOption
