"""The admin API's fixtures: an app whose operator has an admin API key, and helpers to call it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from openmaas.config import Settings

ADMIN_KEY = "test-operator-key-0123456789abcdef"
OPERATOR = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_api_key": SecretStr(ADMIN_KEY)})


def admin_call(client: TestClient, method: str, path: str, **options: Any) -> Any:
    """An admin API call as the operator (``path`` under /openmaas/v1)."""
    return client.request(method, f"/openmaas/v1{path}", headers=OPERATOR, **options)


def plain_error(code: str, message: str) -> dict[str, str]:
    return {"error_code": code, "error_msg": message}
