"""The data plane's fixtures: a model server behind a RUNNING service, a custom endpoint on it and an
API key, all made through the wire; and helpers to call the data plane as applications do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openmaas.config import Settings
from openmaas.http.state import app_state
from tests.conftest import HOME, Account, service_body

CHAT = "/v1/chat/completions"
HELLO = [{"role": "user", "content": "hello there"}]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Short upstream timeouts, so that a silent model server fails a test in a second."""
    return settings.model_copy(
        update={"upstream_read_timeout_seconds": 1.0, "upstream_connect_timeout_seconds": 1.0}
    )


def api_keys_url(account: Account) -> str:
    return f"/v2/{account.project()}/maas/api-auth/api-keys"


def endpoints_url(account: Account) -> str:
    return f"/v1/{account.project()}/maas/services/custom-endpoint/endpoint"


@dataclass
class DataPlane:
    """An account's way into the data plane: its token, its services and endpoints, its keys."""

    client: TestClient
    account: Account
    settle: Callable[[], int]

    def service(self, upstream_url: str, name: str = "llm", **fields: Any) -> str:
        body = service_body(name, upstream_url=f"{upstream_url}/health", **fields)
        made = self.client.post(
            f"/v2/{self.account.project()}/services", json=body, headers=self.account.headers()
        )
        assert made.status_code == 200, made.text
        self.settle()
        return str(made.json()["id"])

    def endpoint(self, name: str, service_id: str, **fields: Any) -> str:
        body = {
            "endpoint_name": name,
            "source": "custom_from_modelarts_v2",
            "region": HOME,
            "infer_service_id": service_id,
            **fields,
        }
        made = self.client.post(endpoints_url(self.account), json=body, headers=self.account.headers())
        assert made.status_code == 200, made.text
        return str(made.json()["id"])

    def key(self, **fields: Any) -> str:
        made = self.client.post(
            api_keys_url(self.account), json={"allow_all": True, **fields}, headers=self.account.headers()
        )
        assert made.status_code == 200, made.text
        return str(made.json()["api_key"])

    def control(self, endpoint_id: str, action: str) -> None:
        url = f"/v1/{self.account.project()}/maas/services/custom-endpoint/control/{endpoint_id}"
        done = self.client.put(url, json={"action": action}, headers=self.account.headers())
        assert done.status_code == 204, done.text

    def usage(self, endpoint_id: str) -> dict[str, Any]:
        """The endpoint's usage totals, once this process has written what it counted."""
        state = app_state(self.client.app)  # type: ignore[arg-type]
        state.usage.flush(state.store)
        answer = self.client.get(
            f"{endpoints_url(self.account)}/{endpoint_id}/usage", headers=self.account.headers()
        )
        assert answer.status_code == 200, answer.text
        totals: dict[str, Any] = answer.json()["totals"]
        return totals


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def error(code: str, message: str, status: int) -> dict[str, Any]:
    """The data plane's dual error body (D-13 ff.)."""
    kinds = {
        400: "BadRequest",
        401: "Unauthorized",
        403: "Forbidden",
        404: "NotFound",
        429: "TooManyRequests",
        502: "BadGateway",
        503: "ServiceUnavailable",
        504: "GatewayTimeout",
    }
    return {
        "error": {"code": code, "message": message, "param": None, "type": kinds[status]},
        "error_code": code,
        "error_msg": message,
    }


@pytest.fixture
def plane(client: TestClient, admin: Account, settle: Callable[[], int]) -> DataPlane:
    return DataPlane(client, admin, settle)


@dataclass
class Ready:
    """One RUNNING service on the mock model, an endpoint ``chat-ep`` on it, and a key."""

    plane: DataPlane
    service_id: str
    endpoint_id: str
    key: str

    def chat(self, model: str = "chat-ep", **body: Any) -> Any:
        payload = {"model": model, "messages": HELLO, **body}
        return self.plane.client.post(CHAT, json=payload, headers=bearer(self.key))


@pytest.fixture
def ready(plane: DataPlane, mock_url: str) -> Ready:
    service_id = plane.service(mock_url)
    endpoint_id = plane.endpoint("chat-ep", service_id)
    return Ready(plane, service_id, endpoint_id, plane.key())
