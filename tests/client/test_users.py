"""IAM users through the client (D-50 to D-57): sync and async against a live server, and the exact
requests it sends, against a stub on the loopback."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from openmaas_client import ApiError, AsyncClient, Client, PasswordAuth, Token, TokenAuth, User
from tests.client.live import DOMAIN, LiveServer
from tests.client.stub import stub_server

PASSWORD = "Client-Passw0rd"
NO_HEADERS: dict[str, str] = {}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# ---- live ------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_user_lifecycle_sync(api: Client, live: LiveServer) -> None:
    name = unique("sync")
    created = api.create_user(name, password=PASSWORD, email=f"{name}@example.com", description="client")
    assert (created.name, created.email, created.description, created.enabled) == (
        name,
        f"{name}@example.com",
        "client",
        True,
    )
    assert created.is_domain_owner is False
    assert created.raw["user"]["id"] == created.id
    assert [user.id for user in api.list_users(name=name).items] == [created.id]
    updated = api.update_user(created.id, description="changed", email="", is_admin=True)
    assert (updated.description, updated.email, updated.is_domain_owner) == ("changed", None, True)
    assert api.show_user(created.id).description == "changed"
    with Client(live.url, PasswordAuth(DOMAIN, name, PASSWORD)) as own:
        own.change_password("Newer-Passw0rd", PASSWORD)
        assert own.show_user(created.id).name == name
    with Client(live.url) as anonymous:
        assert anonymous.create_token(PasswordAuth(DOMAIN, name, "Newer-Passw0rd")).user.name == name
    api.delete_user(created.id)
    with pytest.raises(ApiError) as gone:
        api.show_user(created.id)
    assert (gone.value.status_code, gone.value.error_msg) == (404, f"Could not find user: {created.id}.")


@pytest.mark.e2e
def test_user_errors_name_the_rule(api: Client) -> None:
    with pytest.raises(ApiError) as weak:
        api.create_user(unique("weak"), password="short")
    assert (weak.value.status_code, weak.value.error_msg) == (
        400,
        "The password does not meet the password policy: it must be 8 to 32 characters long.",
    )
    name = unique("dup")
    created = api.create_user(name)
    try:
        with pytest.raises(ApiError) as taken:
            api.create_user(name)
        assert (taken.value.status_code, taken.value.error_msg) == (
            409,
            f"The user name {name} already exists in the domain.",
        )
    finally:
        api.delete_user(created.id)


@pytest.mark.e2e
def test_user_lifecycle_async(live: LiveServer, admin_auth: PasswordAuth, home_token: Token) -> None:
    name = unique("async")

    async def scenario() -> tuple[User, User, list[str], list[str]]:
        async with AsyncClient(live.url, admin_auth, token=home_token) as client:
            created = await client.create_user(name, password=PASSWORD, enabled=False)
            updated = await client.update_user(created.id, enabled=True, name=f"{name}-2")
            before = [user.id for user in (await client.list_users(enabled=True)).items]
            await client.delete_user(created.id)
            after = [user.id for user in (await client.list_users()).items]
            return created, updated, before, after

    created, updated, before, after = asyncio.run(scenario())
    assert (created.enabled, updated.enabled, updated.name) == (False, True, f"{name}-2")
    assert created.id in before
    assert created.id not in after


# ---- exact requests --------------------------------------------------------------------------------

DOMAIN_ID = "d" * 32
USER_ID = "u" * 32
USER_BODY = {"id": USER_ID, "name": "alice", "domain_id": DOMAIN_ID, "enabled": True, "description": ""}
DOMAINS = {"domains": [{"id": DOMAIN_ID, "name": "openmaas"}], "links": {}}


def test_create_names_the_callers_domain_and_sends_only_what_is_given() -> None:
    answers = {
        "GET /v3/auth/domains": (200, DOMAINS, NO_HEADERS),
        "POST /v3.0/OS-USER/users": (201, {"user": USER_BODY}, NO_HEADERS),
    }
    with stub_server(answers) as stub, Client(stub.url, TokenAuth("t")) as client:
        created = client.create_user("alice", password=PASSWORD, is_admin=True)
        client.create_user("bob")
    assert created.id == USER_ID
    assert stub.bodies("POST") == [
        {"user": {"name": "alice", "domain_id": DOMAIN_ID, "password": PASSWORD, "is_admin": True}},
        {"user": {"name": "bob", "domain_id": DOMAIN_ID}},
    ]


def test_the_other_calls_use_the_documented_paths() -> None:
    path, keystone = f"/v3.0/OS-USER/users/{USER_ID}", f"/v3/users/{USER_ID}"
    answers = {
        "GET /v3/users": (200, {"users": [USER_BODY], "links": {}}, NO_HEADERS),
        f"GET {path}": (200, {"user": USER_BODY}, NO_HEADERS),
        f"PUT {path}": (200, {"user": USER_BODY}, NO_HEADERS),
        f"DELETE {keystone}": (204, b"", NO_HEADERS),
        f"POST {keystone}/password": (204, b"", NO_HEADERS),
    }
    with stub_server(answers) as stub, Client(stub.url, TokenAuth("t")) as client:
        assert [user.name for user in client.list_users(name="alice", enabled=False).items] == ["alice"]
        assert client.show_user(USER_ID).domain_id == DOMAIN_ID
        client.update_user(USER_ID, description="d", enabled=False)
        assert client.delete_user(USER_ID) is None
        client.change_password("New-Passw0rd", "Old-Passw0rd", user_id=USER_ID)
    assert [(request.method, request.path) for request in stub.requests] == [
        ("GET", "/v3/users?enabled=false&name=alice"),
        ("GET", path),
        ("PUT", path),
        ("DELETE", keystone),
        ("POST", f"{keystone}/password"),
    ]
    assert stub.bodies("PUT") == [{"user": {"description": "d", "enabled": False}}]
    assert stub.bodies("POST") == [
        {"user": {"password": "New-Passw0rd", "original_password": "Old-Passw0rd"}}
    ]
