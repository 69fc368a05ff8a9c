"""Who manages users, disabled and deleted users, passwords, and the last administrator (D-51 to D-58)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from openmaas.http.existence import ExistenceCache
from tests.conftest import HOME, Account, password_body
from tests.credentials.conftest import CREDENTIALS, create_key
from tests.credentials.signing import send_signed
from tests.iam.conftest import (
    NEEDS_AUTHENTICATION,
    NOT_AUTHORIZED,
    OS_USERS,
    USER_PASSWORD,
    USERS,
    WRONG_CREDENTIALS,
    account_of,
    bad_request,
    iam_error,
    new_user,
)

FORBIDDEN = iam_error(403, NOT_AUTHORIZED)
LAST_ADMIN = iam_error(403, "The last administrator of the domain cannot be deleted, disabled or demoted.")
MODELARTS_TOKEN_FAILURE = {"error_code": "ModelArts.0203", "error_msg": "Invalid token."}


def login(client: TestClient, name: str, password: str) -> Any:
    return client.post("/v3/auth/tokens", json=password_body(name, password))


def weak(rule: str) -> dict[str, Any]:
    return bad_request(f"The password does not meet the password policy: it {rule}.")


@pytest.fixture
def no_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every token check reads its user again (the 5 s memo of D-54 made 0)."""
    monkeypatch.setattr(ExistenceCache, "TTL_SECONDS", 0.0)


def test_a_user_that_is_not_the_administrator_is_refused(client: TestClient, admin: Account) -> None:
    alice_user = new_user(client, admin)
    bob = new_user(client, admin, "bob")
    alice = account_of(client, alice_user)
    admin_id = client.get(USERS, params={"name": "admin"}, headers=admin.headers()).json()["users"][0]["id"]
    create = {"user": {"name": "carol", "domain_id": alice_user["domain_id"], "password": USER_PASSWORD}}
    refused = [
        ("POST", OS_USERS, create),
        ("POST", USERS, create),
        ("GET", USERS, None),
        ("GET", f"{USERS}/{bob['id']}", None),
        ("GET", f"{OS_USERS}/{admin_id}", None),
        ("PUT", f"{OS_USERS}/{bob['id']}", {"user": {"enabled": False}}),
        ("PUT", f"{OS_USERS}/{alice_user['id']}", {"user": {"is_admin": True}}),
        ("PATCH", f"{USERS}/{alice_user['id']}", {"user": {"description": "mine"}}),
        ("DELETE", f"{USERS}/{bob['id']}", None),
        ("GET", f"{USERS}/{'0' * 32}", None),
    ]
    for method, path, body in refused:
        response = client.request(method, path, json=body, headers=alice.headers())
        assert (response.status_code, response.json()) == (403, FORBIDDEN), (method, path)
    # A user reads itself in both shapes.
    assert client.get(f"{USERS}/{alice_user['id']}", headers=alice.headers()).status_code == 200
    itself = client.get(f"{OS_USERS}/{alice_user['id']}", headers=alice.headers())
    assert (itself.status_code, itself.json()["user"]["name"]) == (200, "alice")
    names = [item["name"] for item in client.get(USERS, headers=admin.headers()).json()["users"]]
    assert names == ["admin", "alice", "bob"]


def test_an_administrator_is_made_by_an_administrator(client: TestClient, admin: Account) -> None:
    alice_user = new_user(client, admin, is_admin=True)
    assert alice_user["is_domain_owner"] is True
    alice = account_of(client, alice_user)
    bob = new_user(client, alice, "bob")
    promoted = client.put(
        f"{OS_USERS}/{bob['id']}", json={"user": {"is_admin": True}}, headers=alice.headers()
    )
    assert (promoted.status_code, promoted.json()["user"]["is_domain_owner"]) == (200, True)
    demoted = client.put(
        f"{OS_USERS}/{bob['id']}", json={"user": {"is_admin": False}}, headers=alice.headers()
    )
    assert (demoted.status_code, demoted.json()["user"]["is_domain_owner"]) == (200, False)


def test_a_demoted_administrator_loses_its_rights_at_once(client: TestClient, admin: Account) -> None:
    alice_user = new_user(client, admin, is_admin=True)
    alice = account_of(client, alice_user)
    assert client.get(USERS, headers=alice.headers()).status_code == 200
    demote = client.put(
        f"{OS_USERS}/{alice_user['id']}", json={"user": {"is_admin": False}}, headers=admin.headers()
    )
    assert demote.status_code == 200
    response = client.get(USERS, headers=alice.headers())
    assert (response.status_code, response.json()) == (403, FORBIDDEN)


def test_the_last_administrator_is_kept(client: TestClient, admin: Account) -> None:
    admin_id = client.get(USERS, params={"name": "admin"}, headers=admin.headers()).json()["users"][0]["id"]
    attempts = [
        ("DELETE", f"{USERS}/{admin_id}", None),
        ("PUT", f"{OS_USERS}/{admin_id}", {"user": {"is_admin": False}}),
        ("PUT", f"{OS_USERS}/{admin_id}", {"user": {"enabled": False}}),
        ("PATCH", f"{USERS}/{admin_id}", {"user": {"enabled": False}}),
    ]
    for method, path, body in attempts:
        response = client.request(method, path, json=body, headers=admin.headers())
        assert (response.status_code, response.json()) == (403, LAST_ADMIN), (method, path)
    # A disabled administrator does not count: it cannot log in.
    new_user(client, admin, "dormant", is_admin=True, enabled=False)
    response = client.delete(f"{USERS}/{admin_id}", headers=admin.headers())
    assert (response.status_code, response.json()) == (403, LAST_ADMIN)
    # With a second enabled administrator, the first may step down, and then go.
    second = account_of(client, new_user(client, admin, "second", is_admin=True))
    assert (
        client.put(
            f"{OS_USERS}/{admin_id}", json={"user": {"is_admin": False}}, headers=admin.headers()
        ).status_code
        == 200
    )
    assert client.delete(f"{USERS}/{admin_id}", headers=second.headers()).status_code == 204
    second_id = client.get(USERS, params={"name": "second"}, headers=second.headers()).json()["users"][0][
        "id"
    ]
    response = client.delete(f"{USERS}/{second_id}", headers=second.headers())
    assert (response.status_code, response.json()) == (403, LAST_ADMIN)


def test_a_disabled_user_cannot_log_in_and_its_tokens_stop(
    client: TestClient, admin: Account, no_memo: None
) -> None:
    alice_user = new_user(client, admin)
    alice = account_of(client, alice_user)
    headers = alice.headers()
    assert client.get("/v3/projects", headers=headers).status_code == 200
    key = create_key(client, alice)
    disable = {"user": {"enabled": False}}
    assert (
        client.put(f"{OS_USERS}/{alice_user['id']}", json=disable, headers=admin.headers()).status_code == 200
    )
    refused = client.get("/v3/projects", headers=headers)
    assert (refused.status_code, refused.json()) == (401, NEEDS_AUTHENTICATION)
    modelarts = client.get(f"/v1/{alice.project(HOME)}/workspaces", headers=headers)
    assert (modelarts.status_code, modelarts.json()) == (401, MODELARTS_TOKEN_FAILURE)
    signed = send_signed(client, "GET", "/v3/projects", key.pair, query=[("name", HOME)])
    assert signed.status_code == 401
    assert signed.json()["error"]["message"].endswith("(the access key does not exist)")
    # Refused as a wrong password is, the right password included.
    for password in (USER_PASSWORD, "Wrong-Passw0rd"):
        response = login(client, "alice", password)
        assert (response.status_code, response.json()) == (401, WRONG_CREDENTIALS)
    enable = {"user": {"enabled": True}}
    assert (
        client.patch(f"{USERS}/{alice_user['id']}", json=enable, headers=admin.headers()).status_code == 200
    )
    assert login(client, "alice", USER_PASSWORD).status_code == 201
    assert client.get("/v3/projects", headers=headers).status_code == 200


def test_a_deleted_users_tokens_and_keys_go_with_it(
    client: TestClient, admin: Account, no_memo: None
) -> None:
    alice_user = new_user(client, admin)
    alice = account_of(client, alice_user)
    headers = alice.headers()
    key = create_key(client, alice)
    assert client.delete(f"{USERS}/{alice_user['id']}", headers=admin.headers()).status_code == 204
    refused = client.get("/v3/projects", headers=headers)
    assert (refused.status_code, refused.json()) == (401, NEEDS_AUTHENTICATION)
    keys = client.get(CREDENTIALS, headers=admin.headers()).json()["credentials"]
    assert [item["user_id"] for item in keys] == []
    signed = send_signed(client, "GET", "/v3/projects", key.pair, query=[("name", HOME)])
    assert signed.status_code == 401
    # A new user of the same name is another user: the old token stays refused.
    new_user(client, admin)
    assert client.get("/v3/projects", headers=headers).status_code == 401


def test_a_user_changes_its_own_password(client: TestClient, admin: Account) -> None:
    alice_user = new_user(client, admin)
    alice = account_of(client, alice_user)
    path = f"{USERS}/{alice_user['id']}/password"
    change = {"user": {"password": "Changed-Passw0rd", "original_password": USER_PASSWORD}}
    response = client.post(path, json=change, headers=alice.headers())
    assert (response.status_code, response.content) == (204, b"")
    old = login(client, "alice", USER_PASSWORD)
    assert (old.status_code, old.json()) == (401, WRONG_CREDENTIALS)
    assert login(client, "alice", "Changed-Passw0rd").status_code == 201
    # The original password is now the old one.
    again = client.post(path, json=change, headers=alice.headers())
    assert (again.status_code, again.json()) == (403, iam_error(403, "The original password is wrong."))


def test_only_the_user_itself_changes_its_password(client: TestClient, admin: Account) -> None:
    alice_user = new_user(client, admin)
    change = {"user": {"password": "Changed-Passw0rd", "original_password": USER_PASSWORD}}
    by_admin = client.post(f"{USERS}/{alice_user['id']}/password", json=change, headers=admin.headers())
    assert (by_admin.status_code, by_admin.json()) == (403, FORBIDDEN)
    assert login(client, "alice", USER_PASSWORD).status_code == 201


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Sh0rt!", "must be 8 to 32 characters long"),
        ("L0ng-" + "x" * 28, "must be 8 to 32 characters long"),
        (
            "alllowercase",
            "must contain at least two of: uppercase letters, lowercase letters, digits, special characters",
        ),
        (
            "12345678901",
            "must contain at least two of: uppercase letters, lowercase letters, digits, special characters",
        ),
        ("Pässw0rd-long", "must contain only letters, digits, spaces and printable ASCII punctuation"),
        ("ecila-emaN", "must not be the user name or the user name spelled backwards"),
    ],
)
def test_the_password_policy(client: TestClient, admin: Account, password: str, rule: str) -> None:
    name = "Name-alice"
    user = {"name": name, "domain_id": new_user(client, admin)["domain_id"], "password": password}
    response = client.post(OS_USERS, json={"user": user}, headers=admin.headers())
    assert (response.status_code, response.json()) == (400, weak(rule))
    keystone = client.post(USERS, json={"user": user}, headers=admin.headers())
    assert (keystone.status_code, keystone.json()) == (400, weak(rule))


def test_a_password_holds_no_contact_of_the_user(client: TestClient, admin: Account) -> None:
    alice = new_user(client, admin, areacode="0086", phone="13800000000")
    rule = weak("must not contain the user's email address or mobile number")
    body = {
        "user": {"name": "bob", "domain_id": alice["domain_id"], "password": "Pw-a@b.cd", "email": "a@b.cd"}
    }
    assert client.post(OS_USERS, json=body, headers=admin.headers()).json() == rule
    update = {"user": {"password": "Pw13800000000"}}
    response = client.put(f"{OS_USERS}/{alice['id']}", json=update, headers=admin.headers())
    assert (response.status_code, response.json()) == (400, rule)
    change = {"user": {"password": "x13800000000", "original_password": USER_PASSWORD}}
    own = client.post(
        f"{USERS}/{alice['id']}/password", json=change, headers=account_of(client, alice).headers()
    )
    assert (own.status_code, own.json()) == (400, rule)


def test_a_new_password_differs_from_the_original(client: TestClient, admin: Account) -> None:
    alice = new_user(client, admin)
    change = {"user": {"password": USER_PASSWORD, "original_password": USER_PASSWORD}}
    response = client.post(
        f"{USERS}/{alice['id']}/password", json=change, headers=account_of(client, alice).headers()
    )
    assert (response.status_code, response.json()) == (400, weak("must differ from the original password"))


def test_a_password_change_body_is_validated(client: TestClient, admin: Account) -> None:
    alice = new_user(client, admin)
    change = {"user": {"password": "Changed-Passw0rd"}}
    response = client.post(
        f"{USERS}/{alice['id']}/password", json=change, headers=account_of(client, alice).headers()
    )
    expected = bad_request("Invalid parameter: user.original_password is required.")
    assert (response.status_code, response.json()) == (400, expected)


def test_a_user_without_a_password_cannot_log_in(client: TestClient, admin: Account) -> None:
    alice = new_user(client, admin, password=None)
    # "!" is what the store holds for such a user: it is no hash, so it verifies nothing.
    for password in ("!", USER_PASSWORD):
        response = login(client, "alice", password)
        assert (response.status_code, response.json()) == (401, WRONG_CREDENTIALS)
    given = {"user": {"password": USER_PASSWORD}}
    assert client.put(f"{OS_USERS}/{alice['id']}", json=given, headers=admin.headers()).status_code == 200
    assert login(client, "alice", USER_PASSWORD).status_code == 201


def test_access_keys_of_other_users_are_the_administrators(client: TestClient, admin: Account) -> None:
    """D-58: a user manages its own keys; the administrator manages everyone's."""
    alice_user = new_user(client, admin)
    alice = account_of(client, alice_user)
    admin_key = create_key(client, admin)
    admin_id = admin_key.user_id
    refused = client.post(CREDENTIALS, json={"credential": {"user_id": admin_id}}, headers=alice.headers())
    message = f"You are not authorized to manage the access keys of user {admin_id}."
    assert (refused.status_code, refused.json()) == (403, iam_error(403, message))
    own = create_key(client, alice)
    listed = client.get(CREDENTIALS, headers=alice.headers()).json()["credentials"]
    assert [item["access"] for item in listed] == [own.access]
    others = client.get(CREDENTIALS, params={"user_id": admin_id}, headers=alice.headers())
    assert (others.status_code, others.json()) == (403, iam_error(403, message))
    missing = iam_error(404, f"Could not find access key: {admin_key.access}.")
    for method in ("GET", "DELETE"):
        response = client.request(method, f"{CREDENTIALS}/{admin_key.access}", headers=alice.headers())
        assert (response.status_code, response.json()) == (404, missing)
    everyone = client.get(CREDENTIALS, headers=admin.headers()).json()["credentials"]
    assert sorted(item["access"] for item in everyone) == sorted([admin_key.access, own.access])
    by_admin = client.post(
        CREDENTIALS, json={"credential": {"user_id": alice_user["id"]}}, headers=admin.headers()
    )
    assert by_admin.status_code == 201
    assert client.delete(f"{CREDENTIALS}/{own.access}", headers=admin.headers()).status_code == 204
