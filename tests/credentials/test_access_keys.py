"""Permanent access keys: create, list, show, delete, the 2-key quota, encryption at rest (CONTRACT 4.3)."""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, text

from openmaas.app import create_app
from openmaas.config import Settings
from openmaas.crypto import KEY_FILE_NAME, SecretKeyError
from tests.conftest import Account
from tests.credentials.conftest import CREDENTIALS, create_key, user_id_of
from tests.iam.conftest import NEEDS_AUTHENTICATION, bad_request, parse_iam_time

ACCESS = re.compile(r"^[A-Z0-9]{20}$")
SECRET = re.compile(r"^[A-Za-z0-9]{40}$")


def iam_error(status: int, title: str, message: str) -> dict[str, object]:
    return {"error": {"code": status, "message": message, "title": title}}


def test_create_answers_201_with_the_secret_once(client: TestClient, admin: Account) -> None:
    """CONTRACT 4.3: the secret is in the create answer and nowhere else."""
    user_id = user_id_of(client, admin)
    response = client.post(
        CREDENTIALS, json={"credential": {"user_id": user_id, "description": "ci"}}, headers=admin.headers()
    )
    assert response.status_code == 201
    assert response.headers["X-Request-Id"]
    credential = response.json()["credential"]
    assert set(credential) == {"access", "secret", "status", "user_id", "create_time", "description"}
    assert ACCESS.match(credential["access"])
    assert SECRET.match(credential["secret"])
    assert credential["status"] == "active"
    assert credential["user_id"] == user_id
    assert credential["description"] == "ci"
    parse_iam_time(credential["create_time"])

    listed = client.get(CREDENTIALS, params={"user_id": user_id}, headers=admin.headers())
    assert listed.status_code == 200
    assert listed.json() == {
        "credentials": [{key: value for key, value in credential.items() if key != "secret"}]
    }
    shown = client.get(f"{CREDENTIALS}/{credential['access']}", headers=admin.headers())
    assert shown.status_code == 200
    assert shown.json() == {"credential": listed.json()["credentials"][0]}
    assert credential["secret"] not in listed.text + shown.text


def test_secret_is_stored_encrypted(client: TestClient, admin: Account, engine: Engine) -> None:
    """CONTRACT 4.3: the SK is never in the store in clear; it is sealed with AES-GCM."""
    key = create_key(client, admin)
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT secret_encrypted FROM access_keys WHERE access = :access"), {"access": key.access}
        ).scalar_one()
    assert isinstance(stored, str)
    assert stored.startswith("v1.")
    assert key.secret not in stored


def test_key_file_is_created_owner_only(client: TestClient, admin: Account, settings: Settings) -> None:
    """Without OPENMAAS_SECRET_KEY the key lives in the data folder, mode 0600, never in the store."""
    create_key(client, admin)
    key_file = settings.data_dir / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) == 44


def test_third_key_is_refused(client: TestClient, admin: Account) -> None:
    """CONTRACT 2: at most 2 access keys per user."""
    first = create_key(client, admin)
    create_key(client, admin)
    response = client.post(
        CREDENTIALS, json={"credential": {"user_id": first.user_id}}, headers=admin.headers()
    )
    assert response.status_code == 400
    assert response.json() == bad_request(f"User {first.user_id} already has the maximum of 2 access keys.")
    client.delete(f"{CREDENTIALS}/{first.access}", headers=admin.headers())
    again = client.post(CREDENTIALS, json={"credential": {"user_id": first.user_id}}, headers=admin.headers())
    assert again.status_code == 201


def test_keys_of_another_domain_are_not_manageable(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    """Keys are managed only within the caller's domain; an unknown user answers the same 403."""
    other = make_account("tenant-b")
    other_key = create_key(client, other)
    for user_id in (other_key.user_id, "f" * 32):
        created = client.post(CREDENTIALS, json={"credential": {"user_id": user_id}}, headers=admin.headers())
        listed = client.get(CREDENTIALS, params={"user_id": user_id}, headers=admin.headers())
        expected = iam_error(
            403, "Forbidden", f"You are not authorized to manage the access keys of user {user_id}."
        )
        assert (created.status_code, created.json()) == (403, expected)
        assert (listed.status_code, listed.json()) == (403, expected)
    for method in ("GET", "DELETE"):
        response = client.request(method, f"{CREDENTIALS}/{other_key.access}", headers=admin.headers())
        assert response.status_code == 404
        assert response.json() == iam_error(
            404, "Not Found", f"Could not find access key: {other_key.access}."
        )


def test_listing_without_user_id_is_the_callers_domain(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    mine = create_key(client, admin)
    create_key(client, make_account("tenant-b"))
    response = client.get(CREDENTIALS, headers=admin.headers())
    assert response.status_code == 200
    assert [item["access"] for item in response.json()["credentials"]] == [mine.access]


def test_delete_answers_204_then_404(client: TestClient, admin: Account) -> None:
    key = create_key(client, admin)
    response = client.delete(f"{CREDENTIALS}/{key.access}", headers=admin.headers())
    assert response.status_code == 204
    assert response.content == b""
    again = client.delete(f"{CREDENTIALS}/{key.access}", headers=admin.headers())
    assert again.status_code == 404
    assert again.json() == iam_error(404, "Not Found", f"Could not find access key: {key.access}.")
    assert client.get(CREDENTIALS, headers=admin.headers()).json() == {"credentials": []}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Invalid parameter: credential is required."),
        ({"credential": {}}, "Invalid parameter: credential.user_id is required."),
        (
            {"credential": {"user_id": 7}},
            "Invalid parameter: credential.user_id input should be a valid string.",
        ),
        (
            {"credential": {"user_id": "u", "description": "x" * 256}},
            "Invalid parameter: credential.description string should have at most 255 characters.",
        ),
    ],
)
def test_invalid_body_is_an_iam_400(
    client: TestClient, admin: Account, body: dict[str, object], message: str
) -> None:
    response = client.post(CREDENTIALS, json=body, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == bad_request(message)


def test_credentials_need_authentication(client: TestClient) -> None:
    """D-5 on an IAM path: no token and no signature is a 401 IAM body."""
    for method, path in (("GET", CREDENTIALS), ("POST", CREDENTIALS), ("DELETE", f"{CREDENTIALS}/ABC")):
        response = client.request(method, path, json={"credential": {"user_id": "x"}})
        assert response.status_code == 401
        assert response.json() == NEEDS_AUTHENTICATION


def test_a_different_secret_key_refuses_to_start(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    """Processes sharing a store must share OPENMAAS_SECRET_KEY: a different one stops start-up."""
    first = settings.model_copy(update={"secret_key": SecretStr("A" * 43 + "=")})
    with TestClient(create_app(first, engine)):
        pass
    second = settings.model_copy(
        update={"secret_key": SecretStr("B" * 43 + "="), "data_dir": tmp_path / "other"}
    )
    with pytest.raises(SecretKeyError) as refused, TestClient(create_app(second, engine)):
        pass
    assert str(refused.value) == (
        "the secret key differs from the one that sealed this store's access keys: give every "
        "process that shares the store the same OPENMAAS_SECRET_KEY"
    )
    with TestClient(create_app(first, engine)):
        pass


def test_malformed_secret_key_setting_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="OPENMAAS_SECRET_KEY: must decode to 32 bytes, not 3"):
        Settings.load(data_dir=tmp_path, secret_key="YWJj")
