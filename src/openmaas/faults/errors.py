"""Fault-rule errors (the admin API)."""

from __future__ import annotations

from openmaas.errors import ApiError, InvalidParameter


class FaultNotFound(ApiError):
    status_code = 404
    error_code = "OpenMaaS.0404"

    def __init__(self, rule_id: str) -> None:
        super().__init__(f"Fault rule {rule_id} does not exist.")


class NothingToDo(InvalidParameter):
    def __init__(self) -> None:
        super().__init__("status", "or latency_ms must be given: a rule must do something")


class BadOperation(InvalidParameter):
    def __init__(self, reason: str) -> None:
        super().__init__("operation", reason)


class InjectedFault(ApiError):
    """What a rule answers in place of the API, in the request's family body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, status_code=status, error_code=code)
