"""Request bodies for access keys (CONTRACT 4.3)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from openmaas.names import Text
from openmaas.wire import Answer


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class CredentialOption(_Strict):
    user_id: Text = Field(min_length=1, max_length=64)
    description: Text = Field(default="", max_length=255)


class CredentialCreate(_Strict):
    credential: CredentialOption


# ---- answers ---------------------------------------------------------------------------------------


class AccessKeyItem(Answer):
    """An access key as every answer but the create shows it: never the secret."""

    user_id: str
    access: str
    status: str
    create_time: str
    description: str


class NewAccessKey(AccessKeyItem):
    """The create answer, the only one that shows the secret."""

    secret: str


class CreatedAccessKey(Answer):
    credential: NewAccessKey


class AccessKeyAnswer(Answer):
    credential: AccessKeyItem


class AccessKeyList(Answer):
    credentials: list[AccessKeyItem]
