"""Admin API errors (issue 11); the admin family writes them as ``{"error_code", "error_msg"}``."""

from __future__ import annotations

from openmaas.errors import ApiError


class SnapshotNotFound(ApiError):
    status_code = 404
    error_code = "OpenMaaS.0404"

    def __init__(self, name: str) -> None:
        super().__init__(f"Snapshot {name} does not exist.")
