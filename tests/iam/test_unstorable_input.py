"""Input that no store can hold (NUL) on the IAM and access-key paths: a 400 naming the field on both
stores, or the answer an unknown value gets, never a store error (CONTRACT 4, D-4)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import HOME, Account, password_body
from tests.credentials.conftest import CREDENTIALS, create_key, user_id_of
from tests.credentials.signing import send_signed
from tests.credentials.test_signed_requests import not_scoped
from tests.iam.conftest import bad_request


def nul_refused(field: str) -> dict[str, Any]:
    return bad_request(f"Invalid parameter: {field} must not contain NUL characters.")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (password_body(user="ad\u0000min"), "auth.identity.password.user.name"),
        (password_body(password="pass\u0000word"), "auth.identity.password.user.password"),
        (password_body(domain="open\u0000maas"), "auth.identity.password.user.domain.name"),
        (password_body(scope={"project": {"name": "ap\u0000"}}), "auth.scope.project.name"),
        (password_body(scope={"project": {"id": "ap\u0000"}}), "auth.scope.project.id"),
        (password_body(scope={"domain": {"name": "d\u0000"}}), "auth.scope.domain.name"),
    ],
)
def test_login_refuses_nul_naming_the_field(client: TestClient, body: dict[str, Any], field: str) -> None:
    response = client.post("/v3/auth/tokens", json=body)
    assert (response.status_code, response.json()) == (400, nul_refused(field))


def test_project_query_refuses_nul(client: TestClient, admin: Account) -> None:
    response = client.get("/v3/projects?name=a%00", headers=admin.headers())
    assert (response.status_code, response.json()) == (400, nul_refused("name"))


def test_access_key_paths_refuse_nul(client: TestClient, admin: Account) -> None:
    user_id = user_id_of(client, admin)
    listed = client.get(f"{CREDENTIALS}?user_id=a%00", headers=admin.headers())
    assert (listed.status_code, listed.json()) == (400, nul_refused("user_id"))
    for credential, field in (
        ({"user_id": "a\u0000"}, "credential.user_id"),
        ({"user_id": user_id, "description": "x\u0000"}, "credential.description"),
    ):
        created = client.post(CREDENTIALS, json={"credential": credential}, headers=admin.headers())
        assert (created.status_code, created.json()) == (400, nul_refused(field))
    assert client.get(f"{CREDENTIALS}?user_id={user_id}", headers=admin.headers()).json() == {
        "credentials": []
    }


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_an_access_key_that_cannot_exist_is_not_found(
    client: TestClient, admin: Account, method: str
) -> None:
    response = client.request(method, f"{CREDENTIALS}/a%00b", headers=admin.headers())
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": 404, "message": "Could not find access key: a\u0000b.", "title": "Not Found"}
    }


@pytest.mark.parametrize(
    "path",
    ["/v1/a%00b/workspaces", "/v2/%00/services", "/v1/a%00b/maas/services/custom-endpoint/regions"],
)
def test_a_signed_path_project_that_cannot_exist_is_not_scoped_d4(
    client: TestClient, admin: Account, path: str
) -> None:
    key = create_key(client, admin)
    response = send_signed(client, "GET", path, key.pair)
    project = path.split("/")[2].replace("%00", "\u0000")
    assert (response.status_code, response.json()) == (403, not_scoped(project))
    # The same key still works on its own project.
    own = send_signed(client, "GET", f"/v1/{admin.project(HOME)}/workspaces", key.pair)
    assert own.status_code == 200
