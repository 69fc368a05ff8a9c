"""Helpers for the ModelArts v2 service tests (CONTRACT 5.2-5.4): URLs and wire calls."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Account, service_body
from tests.wire import SERVICE_ITEM_KEYS

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MS13 = re.compile(r"^\d{13}$")

# CONTRACT 5.4 service object: at least these keys.
SERVICE_OBJECT_KEYS = {
    "id",
    "name",
    "workspace_id",
    "type",
    "deploy_type",
    "status",
    "failure_reason",
    "version",
    "predict_url",
    "tags",
    "deploy_timeout_minutes",
    "schedule",
    "create_at",
    "update_at",
    "task_type",
}
VERSION_OBJECT_KEYS = {
    "id",
    "version",
    "description",
    "predict_url",
    "runtime_config",
    "upgrade_config",
    "instance_groups",
    "deploy_timeout_minutes",
}


def services_url(account: Account, suffix: str = "") -> str:
    return f"/v2/{account.project()}/services{suffix}"


def create(client: TestClient, account: Account, name: str = "svc-1", **overrides: Any) -> dict[str, Any]:
    """Create a service through the wire; the answer must be a 200 service object."""
    response = client.post(
        services_url(account), json=service_body(name, **overrides), headers=account.headers()
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def show(client: TestClient, account: Account, service_id: str) -> dict[str, Any]:
    response = client.get(services_url(account, f"/{service_id}"), headers=account.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def listing(client: TestClient, account: Account, **query: Any) -> dict[str, Any]:
    response = client.get(services_url(account), params=query, headers=account.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def act(client: TestClient, account: Account, service_id: str, action: str) -> dict[str, Any]:
    response = client.post(services_url(account, f"/{service_id}/{action}"), headers=account.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def update(client: TestClient, account: Account, service_id: str, **fields: Any) -> dict[str, Any]:
    response = client.put(services_url(account, f"/{service_id}"), json=fields, headers=account.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def delete(client: TestClient, account: Account, *service_ids: str) -> dict[str, Any]:
    response = client.post(
        services_url(account, "/delete"), json={"service_ids": list(service_ids)}, headers=account.headers()
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def not_found(service_id: str) -> dict[str, str]:
    """D-9."""
    return {"error_code": "ModelArts.0102", "error_msg": f"Service {service_id} does not exist."}


def invalid(message: str) -> dict[str, str]:
    """D-7."""
    return {"error_code": "ModelArts.0101", "error_msg": f"Invalid parameter: {message}."}


def assert_service_object(body: dict[str, Any]) -> None:
    """The types CONTRACT 5.4 gives the service object (create_at/update_at: 13-digit strings)."""
    assert set(body) >= SERVICE_OBJECT_KEYS
    assert UUID.match(body["id"])
    for key in ("name", "workspace_id", "type", "deploy_type", "status", "failure_reason"):
        assert isinstance(body[key], str), key
    for key in ("create_at", "update_at"):
        assert isinstance(body[key], str), key
        assert MS13.match(body[key]), body[key]
    assert type(body["deploy_timeout_minutes"]) is int
    assert isinstance(body["tags"], list)
    assert isinstance(body["schedule"], list)
    version = body["version"]
    assert set(version) >= VERSION_OBJECT_KEYS
    assert UUID.match(version["id"])
    assert isinstance(version["version"], str)
    assert isinstance(version["instance_groups"], list)
    assert isinstance(version["runtime_config"], dict)
    assert version["predict_url"].endswith(f"/v1/infers/{body['id']}")
    assert body["predict_url"] == [{"type": "REAL_TIME", "urls": [version["predict_url"]]}]


def assert_service_item(item: dict[str, Any]) -> None:
    """ServiceItem, CONTRACT 5.4: exact keys; create_at, update_at, version_count are JSON integers."""
    assert set(item) == SERVICE_ITEM_KEYS
    assert UUID.match(item["id"])
    for key in ("name", "status", "version", "description", "type", "deploy_type", "user_name"):
        assert isinstance(item[key], str), key
    for key in ("create_at", "update_at", "version_count"):
        assert type(item[key]) is int, key
    assert len(str(item["create_at"])) == 13
    assert isinstance(item["tags"], list)
    assert item["schedule"] == [] or isinstance(item["schedule"], list)
    assert item["frozen_infos"] == []
