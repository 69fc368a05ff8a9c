"""MaaS wire errors (CONTRACT 6)."""

from __future__ import annotations

from openmaas.errors import ApiError


class InvalidRegion(ApiError):
    """D-11."""

    error_code = "ModelArts.0104"

    def __init__(self, region_id: str) -> None:
        super().__init__(f"Invalid region ID: {region_id}.")
