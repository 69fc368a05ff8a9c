"""Helpers for the MaaS tests (CONTRACT 6): URLs, services and workspaces made through the wire."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import HOME, Account, service_body

INVALID_TOKEN = {"error_msg": "Invalid token.", "error_code": "ModelArts.0104"}
NOT_PUBLISHED = {
    "error_code": "APIG.0101",
    "error_msg": "The API does not exist or has not been published in the environment.",
}
INVALID_WORKSPACE = {"error_code": "ModelArts.0104", "error_msg": "Invalid workspace ID."}
EMPTY_LISTING = {"data": [], "pages": 0, "total": 0}


def listing_url(project_id: str, region_id: str) -> str:
    """6.3 Obtaining Inference Service Information."""
    return f"/v1/{project_id}/maas/services/custom-endpoint/services/{region_id}"


def regions_url(project_id: str) -> str:
    """6.1."""
    return f"/v1/{project_id}/maas/services/custom-endpoint/regions"


def workspaces_url(project_id: str, region_id: str) -> str:
    """6.2."""
    return f"/v1/{project_id}/maas/services/workspace/{region_id}"


def create_service(
    client: TestClient, account: Account, region: str = HOME, name: str = "svc-1", **overrides: Any
) -> str:
    """A service made through the v2 API with a token of ``region``; returns its id."""
    response = client.post(
        f"/v2/{account.project(region)}/services",
        json=service_body(name, **overrides),
        headers=account.headers(region),
    )
    assert response.status_code == 200, response.text
    service_id: str = response.json()["id"]
    return service_id


def create_workspace(client: TestClient, account: Account, region: str, name: str) -> str:
    response = client.post(
        f"/v1/{account.project(region)}/workspaces",
        json={"name": name, "description": f"{name} description"},
        headers=account.headers(region),
    )
    assert response.status_code == 200, response.text
    workspace_id: str = response.json()["id"]
    return workspace_id


def listing(client: TestClient, account: Account, region: str, **query: Any) -> tuple[int, dict[str, Any]]:
    """6.3 called the way a real client does: home-region token and project."""
    response = client.get(listing_url(account.project(), region), params=query, headers=account.headers())
    return response.status_code, response.json()
