"""API-key wire errors (D-24). The public pages name no codes for them; these are the ModelArts
codes of the same meaning that the other MaaS and ModelArts resources answer with."""

from __future__ import annotations

from openmaas.errors import ApiError


class ApiKeyNotFound(ApiError):
    # One answer for an unknown id, an id of the wrong shape and another account's key: the ids of
    # other tenants stay unconfirmed.
    error_code = "ModelArts.0102"

    def __init__(self, key_id: str) -> None:
        super().__init__(f"API key {key_id} does not exist.")


class ApiKeyLabelTaken(ApiError):
    error_code = "ModelArts.0103"

    def __init__(self, label: str) -> None:
        super().__init__(f"API key label {label} already exists.")


class ApiKeyQuotaExceeded(ApiError):
    error_code = "ModelArts.0116"

    def __init__(self, quota: int) -> None:
        super().__init__(
            f"The expected API keys exceed the quota limit: an account holds at most {quota}. "
            "Delete an API key before creating another."
        )
