"""The console under fault injection (D-41): its pages are spared, the API calls they make are not,
and an injected failure is a message on the page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from openmaas.config import Settings
from tests.admin.conftest import ADMIN_KEY, admin_call
from tests.console.test_routes import log_in, notices


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_api_key": SecretStr(ADMIN_KEY)})


def test_a_fault_on_the_api_shows_on_the_page(client: TestClient) -> None:
    log_in(client)
    rule = {
        "method": "GET",
        "path": "/v2/*/services",
        "status": 503,
        "error_code": "ModelArts.0001",
        "error_msg": "Service temporarily unavailable.",
    }
    assert admin_call(client, "POST", "/faults", json=rule).status_code == 201
    page = client.get("/console/services")
    assert page.status_code == 502
    assert notices(page.text) == [("ModelArts.0001", "Service temporarily unavailable.")]
    assert "Inference services" in page.text


def test_the_console_pages_are_never_caught(client: TestClient) -> None:
    log_in(client)
    made = admin_call(client, "POST", "/faults", json={"path": "/console/*", "status": 500})
    assert made.status_code == 201, made.text
    assert client.get("/console/login").status_code == 200
    assert client.get("/console/services").status_code == 200
