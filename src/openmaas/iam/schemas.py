"""Request bodies of the IAM subset (CONTRACT 4.1)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from openmaas.names import OptionalText, Text


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class DomainRef(_Strict):
    id: OptionalText = Field(default=None, max_length=64)
    name: OptionalText = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _one_of(self) -> DomainRef:
        if not (self.id or self.name):
            raise ValueError("needs id or name")
        return self


class PasswordUser(_Strict):
    name: Text = Field(min_length=1, max_length=64)
    password: Text = Field(min_length=1, max_length=256)
    domain: DomainRef


class PasswordIdentity(_Strict):
    user: PasswordUser


class Identity(_Strict):
    methods: list[Literal["password"]] = Field(min_length=1, max_length=1)
    password: PasswordIdentity


class ProjectRef(_Strict):
    id: OptionalText = Field(default=None, max_length=64)
    name: OptionalText = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _one_of(self) -> ProjectRef:
        if not (self.id or self.name):
            raise ValueError("needs id or name")
        return self


class TokenScope(_Strict):
    project: ProjectRef | None = None
    domain: DomainRef | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> TokenScope:
        if (self.project is None) == (self.domain is None):
            raise ValueError("needs exactly one of project or domain")
        return self


class Auth(_Strict):
    identity: Identity
    scope: TokenScope | None = None


class TokenRequest(_Strict):
    auth: Auth
