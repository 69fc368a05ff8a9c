"""Request bodies of the IAM subset (CONTRACT 4.1)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from openmaas.names import OptionalText, Text
from openmaas.wire import Answer


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


# ---- answers (CONTRACT 4.1-4.3) --------------------------------------------------------------------


class NamedRef(Answer):
    id: str
    name: str


class TokenUser(Answer):
    id: str
    name: str
    domain: NamedRef
    password_expires_at: str


class TokenProject(Answer):
    id: str
    name: str
    domain: NamedRef


class CatalogEndpoint(Answer):
    id: str
    interface: str
    region: str
    region_id: str
    url: str


class CatalogEntry(Answer):
    id: str
    name: str
    type: str
    endpoints: list[CatalogEndpoint]


class TokenObject(Answer):
    """A project-scoped token carries ``project``, a domain-scoped one ``domain``; ``catalog`` is
    left out with ``nocatalog=true``."""

    expires_at: str
    issued_at: str
    methods: list[str]
    user: TokenUser
    roles: list[NamedRef]
    project: TokenProject | None = None
    domain: NamedRef | None = None
    catalog: list[CatalogEntry] | None = None


class TokenAnswer(Answer):
    token: TokenObject


class Links(Answer):
    self: str
    next: str | None
    previous: str | None


class SelfLink(Answer):
    self: str


class ProjectItem(Answer):
    id: str
    name: str
    domain_id: str
    enabled: bool
    is_domain: bool
    parent_id: str
    description: str
    links: SelfLink


class ProjectList(Answer):
    projects: list[ProjectItem]
    links: Links


class DomainItem(Answer):
    id: str
    name: str
    enabled: bool
    description: str
    links: SelfLink


class DomainList(Answer):
    domains: list[DomainItem]
    links: Links
