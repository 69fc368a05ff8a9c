"""Helpers for the MaaS API-key tests (data-plane facts §3, D-20 to D-28): URLs, bodies, and keys
made through the wire."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import HOME, Account

# ApiKeyInfo (D-20); the create answer adds the key itself.
KEY_INFO_KEYS = {
    "id",
    "label",
    "description",
    "key_mask",
    "allow_all",
    "ip_whitelist",
    "endpoint_whitelist",
    "resident_model_version_whitelist",
    "create_at",
    "update_at",
}
CREATED_KEYS = KEY_INFO_KEYS | {"api_key"}
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
DELETED = {"result": "success"}


def keys_url(account: Account, region: str = HOME) -> str:
    return f"/v2/{account.project(region)}/maas/api-auth/api-keys"


def key_url(account: Account, key_id: str, version: str = "v2") -> str:
    return f"/{version}/{account.project()}/maas/api-auth/api-keys/{key_id}"


def not_found(key_id: str) -> dict[str, str]:
    return {"error_code": "ModelArts.0102", "error_msg": f"API key {key_id} does not exist."}


def label_taken(label: str) -> dict[str, str]:
    return {"error_code": "ModelArts.0103", "error_msg": f"API key label {label} already exists."}


def quota_exceeded(quota: int = 30) -> dict[str, str]:
    return {
        "error_code": "ModelArts.0116",
        "error_msg": f"The expected API keys exceed the quota limit: an account holds at most {quota}. "
        "Delete an API key before creating another.",
    }


def invalid(field: str, reason: str) -> dict[str, str]:
    """D-7."""
    return {"error_code": "ModelArts.0101", "error_msg": f"Invalid parameter: {field} {reason}."}


def open_body(**extra: Any) -> dict[str, Any]:
    """A key callable from any address."""
    return {"allow_all": True, **extra}


def post(client: TestClient, account: Account, body: Any) -> tuple[int, dict[str, Any]]:
    response = client.post(keys_url(account), json=body, headers=account.headers())
    return response.status_code, response.json()


def create(client: TestClient, account: Account, **fields: Any) -> dict[str, Any]:
    status, body = post(client, account, {"allow_all": not fields.get("ip_whitelist"), **fields})
    assert status == 200, body
    return body


def listed(client: TestClient, account: Account, **query: Any) -> dict[str, Any]:
    response = client.get(keys_url(account), params=query, headers=account.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def put(client: TestClient, account: Account, key_id: str, body: Any) -> tuple[int, dict[str, Any]]:
    response = client.put(key_url(account, key_id), json=body, headers=account.headers())
    return response.status_code, response.json()


def delete(client: TestClient, account: Account, key_id: str, version: str = "v2") -> tuple[int, Any]:
    response = client.delete(key_url(account, key_id, version), headers=account.headers())
    return response.status_code, response.json()
