"""The openmaas admin API (``/openmaas/v1``) for an operator: accounts, reset and snapshots, lifecycle
control and fault rules, with the deployment's admin API key (blocking: test suites call it between tests)."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from openmaas_client._base import DEFAULT_TIMEOUT
from openmaas_client._errors import TransportError, error_from
from openmaas_client._models import (
    AdminDomain,
    CreatedDomain,
    DomainSummary,
    FaultRule,
    LifecycleRule,
    Snapshot,
)
from openmaas_client._wire import Call, Wire, json_list, json_object, segment

T = TypeVar("T")
ADMIN = "/openmaas/v1"


def _model(model: Any) -> Any:
    return lambda response: model.from_wire(json_object(response))


def _items(model: Any, key: str) -> Any:
    return lambda response: [model.from_wire(item) for item in json_list(json_object(response), key)]


def _none(_response: httpx.Response) -> None:
    return None


def _present(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


class _Calls:
    """Every admin call as a :class:`Call`; the clients only send them."""

    @staticmethod
    def create_domain(
        name: str, admin_user: str, password: str | None, regions: list[str] | None
    ) -> Call[Any]:
        body = _present(name=name, admin_user=admin_user, password=password, regions=regions)
        return Call("POST", f"{ADMIN}/domains", _model(CreatedDomain), body=body, authenticated=False)

    @staticmethod
    def list_domains() -> Call[Any]:
        return Call("GET", f"{ADMIN}/domains", _items(DomainSummary, "domains"), authenticated=False)

    @staticmethod
    def show_domain(domain_id: str) -> Call[Any]:
        return Call("GET", f"{ADMIN}/domains/{segment(domain_id)}", _model(AdminDomain), authenticated=False)

    @staticmethod
    def delete_domain(domain_id: str) -> Call[Any]:
        return Call("DELETE", f"{ADMIN}/domains/{segment(domain_id)}", _none, authenticated=False)

    @staticmethod
    def reset(seed: int | None) -> Call[Any]:
        return Call("POST", f"{ADMIN}/reset", json_object, body=_present(seed=seed), authenticated=False)

    @staticmethod
    def save_snapshot(name: str) -> Call[Any]:
        return Call("POST", f"{ADMIN}/snapshots", _model(Snapshot), body={"name": name}, authenticated=False)

    @staticmethod
    def list_snapshots() -> Call[Any]:
        return Call("GET", f"{ADMIN}/snapshots", _items(Snapshot, "snapshots"), authenticated=False)

    @staticmethod
    def restore_snapshot(name: str) -> Call[Any]:
        path = f"{ADMIN}/snapshots/{segment(name)}/restore"
        return Call("POST", path, _model(Snapshot), authenticated=False)

    @staticmethod
    def delete_snapshot(name: str) -> Call[Any]:
        return Call("DELETE", f"{ADMIN}/snapshots/{segment(name)}", _none, authenticated=False)

    @staticmethod
    def set_lifecycle(
        action: str, mode: str, service_id: str | None, delay_seconds: float | None, reason: str | None
    ) -> Call[Any]:
        body = _present(mode=mode, delay_seconds=delay_seconds, reason=reason)
        return Call(
            "PUT", _lifecycle_path(action, service_id), _model(LifecycleRule), body=body, authenticated=False
        )

    @staticmethod
    def clear_lifecycle(action: str, service_id: str | None) -> Call[Any]:
        return Call("DELETE", _lifecycle_path(action, service_id), _none, authenticated=False)

    @staticmethod
    def lifecycle_rules() -> Call[Any]:
        return Call("GET", f"{ADMIN}/lifecycle", _items(LifecycleRule, "rules"), authenticated=False)

    @staticmethod
    def settle(service_id: str, fail: str | None) -> Call[Any]:
        body = {"outcome": "fail", "reason": fail} if fail else {"outcome": "succeed"}
        path = f"{ADMIN}/services/{segment(service_id)}/settle"
        return Call("POST", path, lambda r: str(json_object(r)["status"]), body=body, authenticated=False)

    @staticmethod
    def add_fault(rule: Mapping[str, Any]) -> Call[Any]:
        return Call("POST", f"{ADMIN}/faults", _model(FaultRule), body=_present(**rule), authenticated=False)

    @staticmethod
    def list_faults() -> Call[Any]:
        return Call("GET", f"{ADMIN}/faults", _items(FaultRule, "faults"), authenticated=False)

    @staticmethod
    def remove_fault(rule_id: str) -> Call[Any]:
        return Call("DELETE", f"{ADMIN}/faults/{segment(rule_id)}", _none, authenticated=False)

    @staticmethod
    def clear_faults() -> Call[Any]:
        return Call(
            "DELETE", f"{ADMIN}/faults", lambda r: int(json_object(r)["removed"]), authenticated=False
        )


def _lifecycle_path(action: str, service_id: str | None) -> str:
    if service_id is None:
        return f"{ADMIN}/lifecycle/{segment(action)}"
    return f"{ADMIN}/services/{segment(service_id)}/lifecycle/{segment(action)}"


class _AdminBase:
    def __init__(self, endpoint: str, admin_key: str) -> None:
        self._wire = Wire(endpoint)
        self._key = admin_key

    def _request(self, call: Call[Any]) -> httpx.Request:
        outgoing = self._wire.outgoing(call, None)
        outgoing.headers["Authorization"] = f"Bearer {self._key}"
        return self._wire.build(outgoing)

    @staticmethod
    def _answer(call: Call[T], response: httpx.Response) -> T:
        if response.status_code >= 400:
            raise error_from(response)
        return call.read(response)


class AdminClient(_AdminBase):
    """The admin API, blocking. ``admin_key`` is the deployment's ``OPENMAAS_ADMIN_API_KEY``."""

    def __init__(
        self,
        endpoint: str,
        admin_key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(endpoint, admin_key)
        self._http = httpx.Client(transport=transport, timeout=timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _run(self, call: Call[T]) -> T:
        try:
            response = self._http.send(self._request(call))
        except httpx.HTTPError as failure:
            raise TransportError(f"{call.method} {call.path}: {failure}") from failure
        return self._answer(call, response)

    def create_domain(
        self,
        name: str,
        *,
        admin_user: str = "admin",
        password: str | None = None,
        regions: list[str] | None = None,
    ) -> CreatedDomain:
        """An account with its administrator (``password`` generated when not given: in the answer only)."""
        created: CreatedDomain = self._run(_Calls.create_domain(name, admin_user, password, regions))
        return created

    def list_domains(self) -> list[DomainSummary]:
        domains: list[DomainSummary] = self._run(_Calls.list_domains())
        return domains

    def show_domain(self, domain_id: str) -> AdminDomain:
        domain: AdminDomain = self._run(_Calls.show_domain(domain_id))
        return domain

    def delete_domain(self, domain_id: str) -> None:
        self._run(_Calls.delete_domain(domain_id))

    def reset(self, *, seed: int | None = None) -> dict[str, Any]:
        """Empty the store back to its bootstrap state; ``seed`` makes this server process's ids repeat."""
        answer: dict[str, Any] = self._run(_Calls.reset(seed))
        return answer

    def save_snapshot(self, name: str) -> Snapshot:
        snapshot: Snapshot = self._run(_Calls.save_snapshot(name))
        return snapshot

    def list_snapshots(self) -> list[Snapshot]:
        snapshots: list[Snapshot] = self._run(_Calls.list_snapshots())
        return snapshots

    def restore_snapshot(self, name: str) -> Snapshot:
        snapshot: Snapshot = self._run(_Calls.restore_snapshot(name))
        return snapshot

    def delete_snapshot(self, name: str) -> None:
        self._run(_Calls.delete_snapshot(name))

    def set_lifecycle(
        self,
        action: str,
        mode: str,
        *,
        service_id: str | None = None,
        delay_seconds: float | None = None,
        reason: str | None = None,
    ) -> LifecycleRule:
        """How ``action`` (deploy, stop, delete) settles: for every service, or for ``service_id``."""
        rule: LifecycleRule = self._run(_Calls.set_lifecycle(action, mode, service_id, delay_seconds, reason))
        return rule

    def clear_lifecycle(self, action: str, *, service_id: str | None = None) -> None:
        self._run(_Calls.clear_lifecycle(action, service_id))

    def lifecycle_rules(self) -> list[LifecycleRule]:
        rules: list[LifecycleRule] = self._run(_Calls.lifecycle_rules())
        return rules

    def settle(self, service_id: str, *, fail: str | None = None) -> str:
        """End a service's pending transition now (or make it FAILED with ``fail``); its status after."""
        status: str = self._run(_Calls.settle(service_id, fail))
        return status

    def add_fault(self, **rule: Any) -> FaultRule:
        """A fault rule: method, path or operation, domain_id, probability, count, latency_ms, status,
        error_code, error_msg, expires_in_seconds."""
        fault: FaultRule = self._run(_Calls.add_fault(rule))
        return fault

    def list_faults(self) -> list[FaultRule]:
        faults: list[FaultRule] = self._run(_Calls.list_faults())
        return faults

    def remove_fault(self, rule_id: str) -> None:
        self._run(_Calls.remove_fault(rule_id))

    def clear_faults(self) -> int:
        removed: int = self._run(_Calls.clear_faults())
        return removed
