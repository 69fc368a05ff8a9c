"""IAM wire errors (CONTRACT 4.4)."""

from __future__ import annotations

from openmaas.errors import ApiError, IamError


class WrongCredentials(IamError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("The username or password is wrong.")


class UserLocked(IamError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("The account is locked due to too many failed login attempts. Try again later.")


class ScopeNotAccessible(IamError):
    status_code = 401

    def __init__(self, what: str) -> None:
        super().__init__(f"The {what} in the scope does not exist or is not accessible to the user.")


class TokenNotFound(IamError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("The token could not be found.")


class BadIamRequest(IamError):
    status_code = 400


class InvalidRegion(ApiError):
    """D-11: a region id that is not configured (asked through the MaaS APIs)."""

    error_code = "ModelArts.0104"

    def __init__(self, region_id: str) -> None:
        super().__init__(f"Invalid region ID: {region_id}.")


class DomainNotFound(ApiError):
    """The admin API: no account with that id."""

    status_code = 404
    error_code = "OpenMaaS.0404"

    def __init__(self, domain_id: str) -> None:
        super().__init__(f"Domain {domain_id} does not exist.")


class DomainNameTaken(ApiError):
    status_code = 409
    error_code = "OpenMaaS.0409"

    def __init__(self, name: str) -> None:
        super().__init__(f"Domain name {name} is already used.")
