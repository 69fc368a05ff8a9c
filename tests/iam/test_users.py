"""IAM users: create, list, show, update, delete in the public shapes (D-50 to D-57)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openmaas.config import Settings
from tests.conftest import HOME, Account, password_body
from tests.iam.conftest import (
    HEX_ID,
    IAM_TIME,
    NOT_AUTHORIZED,
    OS_USERS,
    USER_PASSWORD,
    USERS,
    WRONG_CREDENTIALS,
    account_of,
    bad_request,
    domain_id_of,
    iam_error,
    new_user,
)

NAME_RULE = (
    "Invalid parameter: user.name must be 1 to 64 letters, digits, spaces, '-', '_' or '.', "
    "not starting with a digit or a space."
)


def base(settings: Settings) -> str:
    return settings.public_url.rstrip("/")


def test_create_answers_201_in_the_create_user_result_shape(
    client: TestClient, admin: Account, settings: Settings
) -> None:
    domain_id = domain_id_of(client, admin)
    user = {
        "name": "alice",
        "domain_id": domain_id,
        "password": USER_PASSWORD,
        "email": "alice@example.com",
        "areacode": "0086",
        "phone": "13800000000",
        "description": "first user",
        "pwd_status": True,
    }
    response = client.post(OS_USERS, json={"user": user}, headers=admin.headers())
    assert response.status_code == 201
    created = response.json()["user"]
    assert HEX_ID.match(created["id"])
    assert IAM_TIME.match(created["create_time"])
    assert response.json() == {
        "user": {
            "id": created["id"],
            "name": "alice",
            "domain_id": domain_id,
            "enabled": True,
            "description": "first user",
            "email": "alice@example.com",
            "areacode": "0086",
            "phone": "13800000000",
            "pwd_status": False,
            "is_domain_owner": False,
            "create_time": created["create_time"],
            "password_expires_at": None,
        }
    }
    shown = client.get(f"{OS_USERS}/{created['id']}", headers=admin.headers())
    assert shown.status_code == 200
    assert shown.json() == {
        "user": {
            **{key: created[key] for key in ("id", "name", "domain_id", "enabled", "description")},
            **{key: created[key] for key in ("email", "areacode", "phone", "pwd_status", "is_domain_owner")},
            "create_time": created["create_time"],
            "update_time": created["create_time"],
            "links": {"self": f"{base(settings)}{OS_USERS}/{created['id']}"},
        }
    }


def test_keystone_create_and_show(client: TestClient, admin: Account, settings: Settings) -> None:
    body = {"user": {"name": "bob", "password": USER_PASSWORD, "description": "keystone", "enabled": False}}
    response = client.post(USERS, json=body, headers=admin.headers())
    assert response.status_code == 201
    user_id = response.json()["user"]["id"]
    expected = {
        "user": {
            "id": user_id,
            "name": "bob",
            "domain_id": domain_id_of(client, admin),
            "enabled": False,
            "description": "keystone",
            "password_expires_at": None,
            "pwd_status": False,
            "links": {"self": f"{base(settings)}{USERS}/{user_id}"},
        }
    }
    assert response.json() == expected
    shown = client.get(f"{USERS}/{user_id}", headers=admin.headers())
    assert (shown.status_code, shown.json()) == (200, expected)


def test_a_created_user_logs_in_and_calls_modelarts(client: TestClient, admin: Account) -> None:
    alice = account_of(client, new_user(client, admin))
    workspaces = client.get(f"/v1/{alice.project(HOME)}/workspaces", headers=alice.headers())
    assert workspaces.status_code == 200
    assert [item["id"] for item in workspaces.json()["workspaces"]] == ["0"]
    assert alice.project(HOME) == admin.project(HOME)


def test_list_filters_by_name_and_state(client: TestClient, admin: Account, settings: Settings) -> None:
    alice = new_user(client, admin)
    new_user(client, admin, "carol", enabled=False)
    listed = client.get(USERS, headers=admin.headers())
    assert listed.status_code == 200
    assert [item["name"] for item in listed.json()["users"]] == ["admin", "alice", "carol"]
    assert listed.json()["links"] == {"self": f"http://testserver{USERS}", "next": None, "previous": None}
    assert listed.json()["users"][1] == {
        "id": alice["id"],
        "name": "alice",
        "domain_id": alice["domain_id"],
        "enabled": True,
        "description": "",
        "password_expires_at": None,
        "pwd_status": False,
        "links": {"self": f"{base(settings)}{USERS}/{alice['id']}"},
    }
    by_name = client.get(USERS, params={"name": "alice"}, headers=admin.headers())
    assert [item["id"] for item in by_name.json()["users"]] == [alice["id"]]
    disabled = client.get(USERS, params={"enabled": "false"}, headers=admin.headers())
    assert [item["name"] for item in disabled.json()["users"]] == ["carol"]
    own = client.get(USERS, params={"domain_id": alice["domain_id"]}, headers=admin.headers())
    assert len(own.json()["users"]) == 3


def test_update_changes_only_what_is_sent(client: TestClient, admin: Account, settings: Settings) -> None:
    alice = new_user(client, admin, email="alice@example.com", areacode="0086", phone="13800000000")
    changes = {"name": "alice2", "description": "renamed", "email": "", "areacode": "", "phone": ""}
    response = client.put(f"{OS_USERS}/{alice['id']}", json={"user": changes}, headers=admin.headers())
    assert response.status_code == 200
    assert response.json() == {
        "user": {
            **alice,
            "name": "alice2",
            "description": "renamed",
            "email": None,
            "areacode": None,
            "phone": None,
            "links": {"self": f"{base(settings)}{OS_USERS}/{alice['id']}"},
        }
    }
    shown = client.get(f"{OS_USERS}/{alice['id']}", headers=admin.headers()).json()["user"]
    assert IAM_TIME.match(shown["update_time"])
    assert shown["update_time"] >= shown["create_time"]
    unchanged = client.put(f"{OS_USERS}/{alice['id']}", json={"user": {}}, headers=admin.headers())
    assert unchanged.json()["user"]["name"] == "alice2"


def test_keystone_update_by_admin(client: TestClient, admin: Account, settings: Settings) -> None:
    alice = new_user(client, admin)
    body = {"user": {"description": "patched", "enabled": False, "domain_id": alice["domain_id"]}}
    response = client.patch(f"{USERS}/{alice['id']}", json=body, headers=admin.headers())
    assert response.status_code == 200
    assert response.json() == {
        "user": {
            "id": alice["id"],
            "name": "alice",
            "domain_id": alice["domain_id"],
            "enabled": False,
            "description": "patched",
            "password_expires_at": None,
            "pwd_status": False,
            "links": {"self": f"{base(settings)}{USERS}/{alice['id']}"},
        }
    }


def test_an_administrator_sets_a_password(client: TestClient, admin: Account) -> None:
    alice = new_user(client, admin)
    changes = {"user": {"password": "Another-Passw0rd"}}
    response = client.put(f"{OS_USERS}/{alice['id']}", json=changes, headers=admin.headers())
    assert response.status_code == 200
    assert account_of(client, alice, "Another-Passw0rd").login()
    old = client.post("/v3/auth/tokens", json=_login(alice["name"], USER_PASSWORD))
    assert (old.status_code, old.json()) == (401, WRONG_CREDENTIALS)


def _login(name: str, password: str) -> dict[str, Any]:
    return password_body(name, password)


def test_delete_answers_204_then_404(client: TestClient, admin: Account) -> None:
    alice = new_user(client, admin)
    deleted = client.delete(f"{USERS}/{alice['id']}", headers=admin.headers())
    assert (deleted.status_code, deleted.content) == (204, b"")
    missing = iam_error(404, f"Could not find user: {alice['id']}.")
    for method, path in (("GET", USERS), ("GET", OS_USERS), ("DELETE", USERS)):
        again = client.request(method, f"{path}/{alice['id']}", headers=admin.headers())
        assert (again.status_code, again.json()) == (404, missing)
    login = client.post("/v3/auth/tokens", json=_login("alice", USER_PASSWORD))
    assert (login.status_code, login.json()) == (401, WRONG_CREDENTIALS)


@pytest.mark.parametrize("user_id", ["0" * 32, "not-a-user-id", "x" * 64])
def test_unknown_ids_are_404(client: TestClient, admin: Account, user_id: str) -> None:
    missing = iam_error(404, f"Could not find user: {user_id}.")
    calls = [
        ("GET", f"{USERS}/{user_id}", None),
        ("GET", f"{OS_USERS}/{user_id}", None),
        ("PUT", f"{OS_USERS}/{user_id}", {"user": {"description": "x"}}),
        ("PATCH", f"{USERS}/{user_id}", {"user": {"description": "x"}}),
        ("DELETE", f"{USERS}/{user_id}", None),
    ]
    for method, path, body in calls:
        response = client.request(method, path, json=body, headers=admin.headers())
        assert (response.status_code, response.json()) == (404, missing), (method, path)


def test_another_domains_users_are_invisible(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    other = make_account("other-domain")
    their_user = new_user(client, other, "alice")
    ours = new_user(client, admin, "alice")  # the same name in another domain is free
    missing = iam_error(404, f"Could not find user: {their_user['id']}.")
    for method, path, body in [
        ("GET", f"{USERS}/{their_user['id']}", None),
        ("GET", f"{OS_USERS}/{their_user['id']}", None),
        ("PUT", f"{OS_USERS}/{their_user['id']}", {"user": {"enabled": False}}),
        ("PATCH", f"{USERS}/{their_user['id']}", {"user": {"enabled": False}}),
        ("DELETE", f"{USERS}/{their_user['id']}", None),
    ]:
        response = client.request(method, path, json=body, headers=admin.headers())
        assert (response.status_code, response.json()) == (404, missing), (method, path)
    listed = client.get(USERS, headers=admin.headers()).json()["users"]
    assert [item["id"] for item in listed if item["name"] == "alice"] == [ours["id"]]
    # Naming another domain, in the body or the filter, is refused without a word about it.
    create = {"user": {"name": "mallory", "domain_id": their_user["domain_id"], "password": USER_PASSWORD}}
    response = client.post(OS_USERS, json=create, headers=admin.headers())
    assert (response.status_code, response.json()) == (403, iam_error(403, NOT_AUTHORIZED))
    keystone = client.post(USERS, json=create, headers=admin.headers())
    assert (keystone.status_code, keystone.json()) == (403, iam_error(403, NOT_AUTHORIZED))
    filtered = client.get(USERS, params={"domain_id": their_user["domain_id"]}, headers=admin.headers())
    assert (filtered.status_code, filtered.json()) == (403, iam_error(403, NOT_AUTHORIZED))


def test_a_name_is_unique_in_its_domain(client: TestClient, admin: Account) -> None:
    alice = new_user(client, admin)
    bob = new_user(client, admin, "bob")
    body = {"user": {"name": "alice", "domain_id": alice["domain_id"], "password": USER_PASSWORD}}
    taken = iam_error(409, "The user name alice already exists in the domain.")
    response = client.post(OS_USERS, json=body, headers=admin.headers())
    assert (response.status_code, response.json()) == (409, taken)
    keystone = client.post(USERS, json=body, headers=admin.headers())
    assert (keystone.status_code, keystone.json()) == (409, taken)
    rename = client.put(f"{OS_USERS}/{bob['id']}", json={"user": {"name": "alice"}}, headers=admin.headers())
    assert (rename.status_code, rename.json()) == (409, taken)
    same = client.put(f"{OS_USERS}/{alice['id']}", json={"user": {"name": "alice"}}, headers=admin.headers())
    assert same.status_code == 200


@pytest.mark.parametrize(
    "name", ["1alice", " alice", "a" * 65, "", "al/ice", "al\nice", "ali\x00ce", "élise"]
)
def test_names_follow_the_public_rule(client: TestClient, admin: Account, name: str) -> None:
    body = {"user": {"name": name, "domain_id": domain_id_of(client, admin), "password": USER_PASSWORD}}
    response = client.post(OS_USERS, json=body, headers=admin.headers())
    assert (response.status_code, response.json()) == (400, bad_request(NAME_RULE))


@pytest.mark.parametrize("name", ["a", "_x", ".dot", "Alice Smith-2_b.c", "A" * 64])
def test_names_the_rule_allows(client: TestClient, admin: Account, name: str) -> None:
    assert new_user(client, admin, name)["name"] == name


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-address"}, "Invalid parameter: user.email must be an email address."),
        (
            {"email": "a@b.c" + "c" * 251},
            "Invalid parameter: user.email string should have at most 255 characters.",
        ),
        ({"areacode": "0086"}, "Invalid parameter: user areacode and phone must be given together."),
        ({"areacode": "00 86", "phone": "1"}, "Invalid parameter: user.areacode must be digits only."),
        ({"areacode": "0086", "phone": "+1"}, "Invalid parameter: user.phone must be digits only."),
        (
            {"description": "a<b"},
            "Invalid parameter: user.description must not contain any of @ # % & < > \\ $ ^ *.",
        ),
        (
            {"description": "d" * 256},
            "Invalid parameter: user.description string should have at most 255 characters.",
        ),
        ({"enabled": "yes"}, "Invalid parameter: user.enabled input should be a valid boolean."),
        ({"is_admin": 1}, "Invalid parameter: user.is_admin input should be a valid boolean."),
        ({"domain_id": None}, "Invalid parameter: user.domain_id input should be a valid string."),
    ],
)
def test_fields_are_validated(
    client: TestClient, admin: Account, fields: dict[str, Any], message: str
) -> None:
    user = {"name": "alice", "domain_id": domain_id_of(client, admin), "password": USER_PASSWORD, **fields}
    response = client.post(OS_USERS, json={"user": user}, headers=admin.headers())
    assert (response.status_code, response.json()) == (400, bad_request(message))
    assert [item["name"] for item in client.get(USERS, headers=admin.headers()).json()["users"]] == ["admin"]


def test_a_body_without_user_is_refused(client: TestClient, admin: Account) -> None:
    for path in (OS_USERS, USERS):
        response = client.post(path, json={}, headers=admin.headers())
        assert (response.status_code, response.json()) == (
            400,
            bad_request("Invalid parameter: user is required."),
        )
    alice = new_user(client, admin)
    update = client.put(
        f"{OS_USERS}/{alice['id']}", json={"user": {"name": "9lives"}}, headers=admin.headers()
    )
    assert (update.status_code, update.json()) == (400, bad_request(NAME_RULE))


def test_users_need_authentication(client: TestClient) -> None:
    for method, path in (("GET", USERS), ("POST", OS_USERS), ("DELETE", f"{USERS}/{'0' * 32}")):
        response = client.request(method, path)
        assert response.status_code == 401
        assert response.json() == iam_error(401, "The request you have made requires authentication.")
