"""Request bodies and answers of the IAM subset: tokens (CONTRACT 4.1), projects (4.3), users (D-50)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from openmaas.names import NUL_FREE, OptionalText, Text
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


# ---- users (D-50 to D-57) --------------------------------------------------------------------------

# The public pages: 1-64 letters, digits, spaces, "-", "_" and ".", not starting with a digit or a space.
USER_NAME = re.compile(r"^[A-Za-z_.-][A-Za-z0-9 _.-]{0,63}\Z")
# Characters the public pages refuse in a user's description.
DESCRIPTION_FORBIDDEN = frozenset("@#%&<>\\$^*")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
DIGITS = re.compile(r"^[0-9]+\Z")


def _user_name(value: str) -> str:
    if not USER_NAME.match(value):
        raise ValueError(
            "must be 1 to 64 letters, digits, spaces, '-', '_' or '.', not starting with a digit or a space"
        )
    return value


def _description(value: str) -> str:
    if DESCRIPTION_FORBIDDEN.intersection(value):
        raise ValueError("must not contain any of @ # % & < > \\ $ ^ *")
    return value


def _email(value: str) -> str:
    # "" clears the address on an update (D-56).
    if value and not EMAIL.match(value):
        raise ValueError("must be an email address")
    return value


def _digits(value: str) -> str:
    if value and not DIGITS.match(value):
        raise ValueError("must be digits only")
    return value


UserName = Annotated[str, AfterValidator(_user_name)]
Description = Annotated[str, Field(max_length=255), NUL_FREE, AfterValidator(_description)]
Email = Annotated[str, Field(max_length=255), NUL_FREE, AfterValidator(_email)]
AreaCode = Annotated[str, Field(max_length=8), AfterValidator(_digits)]
Phone = Annotated[str, Field(max_length=32), AfterValidator(_digits)]
# The policy (D-53) is judged by the service, which names the rule broken; this bounds the input.
Password = Annotated[str, Field(max_length=256), NUL_FREE]


class _Contact(_Strict):
    email: Email | None = None
    areacode: AreaCode | None = None
    phone: Phone | None = None

    @model_validator(mode="after")
    def _phone_with_area_code(self) -> _Contact:
        if (self.areacode is None) != (self.phone is None) or bool(self.areacode) != bool(self.phone):
            raise ValueError("areacode and phone must be given together")
        return self


class KeystoneNewUser(_Strict):
    """POST /v3/users (KeystoneCreateUserOption)."""

    name: UserName
    domain_id: OptionalText = Field(default=None, max_length=64)
    password: Password | None = None
    enabled: bool = True
    description: Description = ""


class NewUser(_Contact):
    """POST /v3.0/OS-USER/users (CreateUserOption); ``is_admin`` is an openmaas extension (D-51)."""

    name: UserName
    domain_id: Text = Field(min_length=1, max_length=64)
    password: Password | None = None
    enabled: bool = True
    description: Description = ""
    pwd_status: bool | None = None
    is_admin: bool = False


class KeystoneUserCreate(_Strict):
    user: KeystoneNewUser


class UserCreate(_Strict):
    user: NewUser


class KeystoneUserChanges(_Strict):
    """PATCH /v3/users/{user_id} (KeystoneUpdateUserOption): absent or null fields stay (D-56)."""

    domain_id: OptionalText = Field(default=None, max_length=64)
    name: UserName | None = None
    password: Password | None = None
    enabled: bool | None = None
    description: Description | None = None
    pwd_status: bool | None = None


class UserChanges(_Contact):
    """PUT /v3.0/OS-USER/users/{user_id} (UpdateUserOption); ``is_admin`` as on create (D-51)."""

    name: UserName | None = None
    password: Password | None = None
    enabled: bool | None = None
    description: Description | None = None
    pwd_status: bool | None = None
    is_admin: bool | None = None


class KeystoneUserUpdate(_Strict):
    user: KeystoneUserChanges


class UserUpdate(_Strict):
    user: UserChanges


class PasswordChange(_Strict):
    password: Password = Field(min_length=1)
    original_password: Password = Field(min_length=1)


class PasswordUpdate(_Strict):
    """POST /v3/users/{user_id}/password (KeystoneUpdatePasswordOption)."""

    user: PasswordChange


# Answers: each the fields of the SDK's result model that openmaas can fill (D-57).


class KeystoneUser(Answer):
    """KeystoneCreateUserResult, KeystoneShowUserResult, KeystoneListUsersResult, and
    KeystoneUpdateUserByAdminResult."""

    id: str
    name: str
    domain_id: str
    enabled: bool
    description: str
    password_expires_at: str | None
    pwd_status: bool
    links: SelfLink


class CreatedUser(Answer):
    """CreateUserResult."""

    id: str
    name: str
    domain_id: str
    enabled: bool
    description: str
    email: str | None
    areacode: str | None
    phone: str | None
    pwd_status: bool
    is_domain_owner: bool
    create_time: str
    password_expires_at: str | None


class UpdatedUser(CreatedUser):
    """UpdateUserResult."""

    links: SelfLink


class UserDetail(Answer):
    """ShowUserResult."""

    id: str
    name: str
    domain_id: str
    enabled: bool
    description: str
    email: str | None
    areacode: str | None
    phone: str | None
    pwd_status: bool
    is_domain_owner: bool
    create_time: str
    update_time: str
    links: SelfLink


class KeystoneUserAnswer(Answer):
    user: KeystoneUser


class KeystoneUserList(Answer):
    users: list[KeystoneUser]
    links: Links


class CreatedUserAnswer(Answer):
    user: CreatedUser


class UpdatedUserAnswer(Answer):
    user: UpdatedUser


class UserDetailAnswer(Answer):
    user: UserDetail
