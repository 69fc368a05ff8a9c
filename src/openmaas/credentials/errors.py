"""Access-key wire errors (CONTRACT 4.3, IAM bodies of 4.4)."""

from __future__ import annotations

from openmaas.errors import IamError

MAX_KEYS_PER_USER = 2


class KeyQuotaExceeded(IamError):
    status_code = 400

    def __init__(self, user_id: str) -> None:
        super().__init__(f"User {user_id} already has the maximum of {MAX_KEYS_PER_USER} access keys.")


class UserNotManageable(IamError):
    # One answer for an unknown user and another domain's user: ids of other tenants stay unconfirmed.
    status_code = 403

    def __init__(self, user_id: str) -> None:
        super().__init__(f"You are not authorized to manage the access keys of user {user_id}.")


class AccessKeyNotFound(IamError):
    status_code = 404

    def __init__(self, access: str) -> None:
        super().__init__(f"Could not find access key: {access}.")


class ProjectOutsideDomain(Exception):
    """A signed request names a project that the key owner's domain does not own (D-4)."""

    def __init__(self, project_id: str) -> None:
        super().__init__(project_id)
        self.project_id = project_id
