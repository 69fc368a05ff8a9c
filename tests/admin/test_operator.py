"""Who may call the admin API (issue 11): the operator's key only; tenant tokens and AK/SK are refused
with an exact status and body, and without the setting the API is not published."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.app import create_app
from openmaas.config import Settings
from tests.admin.conftest import ADMIN_KEY, OPERATOR, plain_error
from tests.conftest import Account
from tests.credentials.signing import send_signed

NOT_PUBLISHED = plain_error(
    "APIG.0101", "The API does not exist or has not been published in the environment."
)
TENANT = plain_error(
    "OpenMaaS.0403",
    "Tenant credentials (an IAM token or an AK/SK signature) cannot call the openmaas admin API; "
    "use its admin API key.",
)


def test_the_operator_key_opens_the_admin_api(client: TestClient) -> None:
    response = client.get("/openmaas/v1/domains", headers=OPERATOR)
    assert response.status_code == 200
    assert [domain["name"] for domain in response.json()["domains"]] == ["openmaas"]


def test_no_key_and_a_wrong_key_are_401(client: TestClient) -> None:
    missing = client.get("/openmaas/v1/domains")
    assert missing.status_code == 401
    assert missing.json() == plain_error(
        "OpenMaaS.0401",
        "The openmaas admin API needs its admin API key: Authorization: Bearer <OPENMAAS_ADMIN_API_KEY>.",
    )
    wrong = client.get("/openmaas/v1/domains", headers={"Authorization": f"Bearer {ADMIN_KEY}x"})
    assert wrong.status_code == 401
    assert wrong.json() == plain_error("OpenMaaS.0401", "Invalid admin API key.")


def test_a_tenant_token_is_refused_403_even_with_the_key(client: TestClient, admin: Account) -> None:
    token = client.get("/openmaas/v1/domains", headers={"X-Auth-Token": admin.login()})
    assert token.status_code == 403
    assert token.json() == TENANT
    both = client.get("/openmaas/v1/domains", headers={**OPERATOR, "X-Auth-Token": admin.login()})
    assert both.status_code == 403
    assert both.json() == TENANT


def test_an_aksk_signature_is_refused_403(client: TestClient, admin: Account) -> None:
    made = client.post(
        "/v3.0/OS-CREDENTIAL/credentials",
        json={"credential": {"user_id": _user_id(client, admin)}},
        headers=admin.headers(),
    )
    key = made.json()["credential"]
    response = send_signed(client, "GET", "/openmaas/v1/domains", (key["access"], key["secret"]))
    assert response.status_code == 403
    assert response.json() == TENANT


def _user_id(client: TestClient, account: Account) -> str:
    token = account.login()
    body = client.get("/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token}).json()
    return str(body["token"]["user"]["id"])


@pytest.fixture
def unpublished(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"admin_api_key": None}), engine)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_without_the_setting_the_admin_api_is_not_published(unpublished: TestClient) -> None:
    response = unpublished.get("/openmaas/v1/domains", headers=OPERATOR)
    assert response.status_code == 404
    assert response.json() == NOT_PUBLISHED


def test_a_short_admin_key_is_refused_at_start_up() -> None:
    from openmaas.config import InvalidSettings

    with pytest.raises(InvalidSettings, match="OPENMAAS_ADMIN_API_KEY: must be at least 24 characters"):
        Settings.load(admin_api_key="short")
