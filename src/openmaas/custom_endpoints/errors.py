"""Custom endpoint wire errors: the table of CONTRACT 6.4, one class per row."""

from __future__ import annotations

from openmaas.errors import ApiError


class EndpointNameMissing(ApiError):
    error_code = "ModelArts.0104"

    def __init__(self) -> None:
        super().__init__("CreateCustomEndpointReq.endpoint_name is a required field")


class EndpointNameTaken(ApiError):
    error_code = "ModelArts.6271"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"Custom endpoint name {name} has already been used (including deleted endpoints). "
            "To ensure billing uniqueness, please use a different name."
        )


class EndpointNameInvalid(ApiError):
    error_code = "ModelArts.6274"

    def __init__(self) -> None:
        super().__init__(
            "Custom endpoint name is invalid. Enter 1 to 64 characters, starting with a letter or a "
            "Chinese character. Only letters, Chinese characters, digits, periods (.), underscores (_) "
            "and hyphens (-) are allowed."
        )


class EndpointNotFound(ApiError):
    error_code = "ModelArts.6291"

    def __init__(self) -> None:
        super().__init__("CustomEndpointNotFound")


class EndpointQuotaExceeded(ApiError):
    error_code = "ModelArts.6297"

    def __init__(self) -> None:
        super().__init__("Custom endpoint number exceed quota")


class EndpointIdMissing(ApiError):
    error_code = "ModelArts.6299"

    def __init__(self) -> None:
        super().__init__("Custom endpoint id is required")


class ServiceNotMountable(ApiError):
    """The linked service cannot sit behind the MaaS gateway (CONTRACT 6.4)."""

    error_code = "ModelArts.6613"

    def __init__(self, service_id: str, reason: str) -> None:
        super().__init__(f"Operation failed. Service {service_id} cannot back a custom endpoint: {reason}.")


class LinkedServiceNotFound(ApiError):
    error_code = "ModelArts.0102"

    def __init__(self, service_id: str, region: str, workspace_id: str) -> None:
        super().__init__(f"Service {service_id} does not exist in region {region}, workspace {workspace_id}.")
