"""Service wire errors (CONTRACT 5.2-5.4)."""

from __future__ import annotations

from openmaas.errors import ApiError


class ServiceNotFound(ApiError):
    """D-9."""

    error_code = "ModelArts.0102"

    def __init__(self, service_id: str) -> None:
        super().__init__(f"Service {service_id} does not exist.")


class ServiceNameTaken(ApiError):
    error_code = "ModelArts.0103"

    def __init__(self, name: str) -> None:
        super().__init__(f"Service name {name} already exists.")


class IllegalAction(ApiError):
    error_code = "ModelArts.0105"

    def __init__(self, action: str, service_id: str, status: str) -> None:
        super().__init__(f"Cannot {action} service {service_id} in status {status}.")


class DeploymentNotFound(ApiError):
    error_code = "ModelArts.0102"

    def __init__(self, deployment_id: str) -> None:
        super().__init__(f"Deployment {deployment_id} does not exist.")


class VersionNotFound(ApiError):
    error_code = "ModelArts.0102"

    def __init__(self, version: str) -> None:
        super().__init__(f"Version {version} does not exist.")


class NotSettling(ApiError):
    """The operator asked to settle a service that is in no transition (D-40)."""

    error_code = "OpenMaaS.0409"
    status_code = 409

    def __init__(self, service_id: str, status: str) -> None:
        super().__init__(f"Service {service_id} is {status}: it has no transition to settle.")
