"""Helpers for the custom endpoint tests (CONTRACT 6.4): URLs, bodies and services made through the wire."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.agreements.catalogue import agreement_book
from openmaas.app import create_app
from openmaas.config import Settings
from tests.conftest import HOME, Account, service_body

# CustomEndpointInfo (CONTRACT 6.4) plus the documented openmaas field infer_service_status.
ENDPOINT_INFO_KEYS = {
    "id",
    "source",
    "status",
    "cbc_status",
    "endpoint_name",
    "remark",
    "rpm",
    "tpm",
    "served_model_name",
    "model_version_id",
    "resident_model_id",
    "region",
    "workspace_id",
    "infer_service_id",
    "moderation",
    "create_at",
    "update_at",
    "infer_service_status",
}
NAME_TAKEN = "ModelArts.6271"
NAME_INVALID = {
    "error_code": "ModelArts.6274",
    "error_msg": "Custom endpoint name is invalid. Enter 1 to 64 characters, starting with a letter or a "
    "Chinese character. Only letters, Chinese characters, digits, periods (.), underscores (_) "
    "and hyphens (-) are allowed.",
}
NOT_FOUND = {"error_code": "ModelArts.6291", "error_msg": "CustomEndpointNotFound"}
QUOTA = {"error_code": "ModelArts.6297", "error_msg": "Custom endpoint number exceed quota"}
ID_MISSING = {"error_code": "ModelArts.6299", "error_msg": "Custom endpoint id is required"}
NAME_MISSING = {
    "error_code": "ModelArts.0104",
    "error_msg": "CreateCustomEndpointReq.endpoint_name is a required field",
}
PRESET = "DeepSeek-V3"


def name_taken(name: str) -> dict[str, str]:
    return {
        "error_code": NAME_TAKEN,
        "error_msg": f"Custom endpoint name {name} has already been used (including deleted endpoints). "
        "To ensure billing uniqueness, please use a different name.",
    }


def endpoints_url(account: Account) -> str:
    return f"/v1/{account.project()}/maas/services/custom-endpoint/endpoint"


def endpoint_url(account: Account, endpoint_id: str) -> str:
    return f"{endpoints_url(account)}/{endpoint_id}"


def control_url(account: Account, endpoint_id: str) -> str:
    return f"/v1/{account.project()}/maas/services/custom-endpoint/control/{endpoint_id}"


def latest_agreement_id() -> str:
    return agreement_book().latest.agreement_id


def v2_body(name: str, service_id: str, region: str = HOME, **extra: Any) -> dict[str, Any]:
    """D-12: an endpoint on a ModelArts service."""
    return {
        "endpoint_name": name,
        "source": "custom_from_modelarts_v2",
        "region": region,
        "infer_service_id": service_id,
        **extra,
    }


def maas_body(name: str, model_name: str = PRESET, **extra: Any) -> dict[str, Any]:
    return {"endpoint_name": name, "source": "custom_from_maas", "model_name": model_name, **extra}


def create(client: TestClient, account: Account, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(endpoints_url(account), json=body, headers=account.headers())
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def listed(client: TestClient, account: Account) -> dict[str, Any]:
    response = client.get(endpoints_url(account), headers=account.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def make_service(
    client: TestClient,
    account: Account,
    name: str = "svc-1",
    *,
    region: str = HOME,
    auth_type: str = "NONE",
    **overrides: Any,
) -> str:
    """A service made through the v2 API with a token of ``region``; returns its id."""
    body = service_body(name, **overrides)
    body["runtime_config"]["service_invoke"]["auth_type"] = auth_type
    response = client.post(
        f"/v2/{account.project(region)}/services", json=body, headers=account.headers(region)
    )
    assert response.status_code == 200, response.text
    service_id: str = response.json()["id"]
    return service_id


def service_action(client: TestClient, account: Account, service_id: str, action: str) -> None:
    project = account.project()
    if action == "delete":
        response = client.post(
            f"/v2/{project}/services/delete", json={"service_ids": [service_id]}, headers=account.headers()
        )
    else:
        response = client.post(f"/v2/{project}/services/{service_id}/{action}", headers=account.headers())
    assert response.status_code == 200, response.text


@pytest.fixture
def running_service(client: TestClient, admin: Account, settle: Callable[[], int]) -> str:
    """A RUNNING service in the home region, workspace "0", mounted to the gateway (auth_type NONE)."""
    service_id = make_service(client, admin, "running-svc")
    settle()
    return service_id


@pytest.fixture
def app_with(engine: Engine, settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """A second in-process app on the same store with some settings changed."""
    clients: list[TestClient] = []

    def make(**changes: Any) -> TestClient:
        test_client = TestClient(
            create_app(settings.model_copy(update=changes), engine), raise_server_exceptions=False
        )
        clients.append(test_client.__enter__())
        return test_client

    yield make
    for test_client in clients:
        test_client.__exit__(None, None, None)
