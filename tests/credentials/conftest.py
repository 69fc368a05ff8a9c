"""Access keys made through the wire (CONTRACT 4.3), for the AK/SK tests."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from tests.conftest import HOME, Account, password_body

CREDENTIALS = "/v3.0/OS-CREDENTIAL/credentials"


@dataclass(frozen=True)
class AccessKey:
    access: str
    secret: str
    user_id: str

    @property
    def pair(self) -> tuple[str, str]:
        return self.access, self.secret


def user_id_of(client: TestClient, account: Account) -> str:
    body = password_body(account.user, account.password, account.domain, {"project": {"name": HOME}})
    response = client.post("/v3/auth/tokens", json=body)
    assert response.status_code == 201, response.text
    user_id: str = response.json()["token"]["user"]["id"]
    return user_id


def create_key(client: TestClient, account: Account, description: str = "") -> AccessKey:
    user_id = user_id_of(client, account)
    response = client.post(
        CREDENTIALS,
        json={"credential": {"user_id": user_id, "description": description}},
        headers=account.headers(),
    )
    assert response.status_code == 201, response.text
    credential = response.json()["credential"]
    return AccessKey(credential["access"], credential["secret"], user_id)
