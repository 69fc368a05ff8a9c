"""MaaS API keys through the client (D-20 to D-26): sync and async against a live server, and the
exact requests it sends, against a stub on the loopback."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest

from openmaas_client import ApiError, ApiKey, AsyncClient, Client, PasswordAuth, Token, TokenAuth
from tests.client.live import LiveServer
from tests.client.stub import stub_server

PROJECT = "0" * 32
KEYS = f"/v2/{PROJECT}/maas/api-auth/api-keys"
NO_HEADERS: dict[str, str] = {}
KEY = re.compile(r"^[A-Za-z0-9_-]{86}\Z")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# ---- live ------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_api_key_lifecycle_sync(api: Client) -> None:
    label = unique("sync")
    created = api.create_api_key(label=label, description="from the client", endpoint_whitelist=["ep-a"])
    assert created.api_key is not None
    assert KEY.match(created.api_key)
    assert (created.label, created.description, created.allow_all) == (label, "from the client", True)
    assert created.key_mask == f"{created.api_key[:4]}********{created.api_key[-4:]}"
    assert created.raw["api_key"] == created.api_key
    listed = {key.id: key for key in api.iter_api_keys(page_size=1)}
    assert listed[created.id].api_key is None
    assert listed[created.id].key_mask == created.key_mask
    assert api.list_api_keys().raw["quantity_limit"] == 30
    updated = api.update_api_key(created.id, ip_whitelist=["10.0.0.0/8"], allow_all=False)
    assert (updated.allow_all, updated.ip_whitelist, updated.endpoint_whitelist) == (
        False,
        ["10.0.0.0/8"],
        ["ep-a"],
    )
    assert updated.api_key is None
    api.delete_api_key(created.id)
    assert created.id not in {key.id for key in api.iter_api_keys()}
    with pytest.raises(ApiError) as caught:
        api.update_api_key(created.id, description="gone")
    assert (caught.value.status_code, caught.value.error_code) == (400, "ModelArts.0102")
    assert caught.value.error_msg == f"API key {created.id} does not exist."


@pytest.mark.e2e
def test_api_key_errors_name_the_rule(api: Client) -> None:
    label = unique("dup")
    created = api.create_api_key(label=label)
    try:
        with pytest.raises(ApiError) as taken:
            api.create_api_key(label=label)
        assert (taken.value.status_code, taken.value.error_code) == (400, "ModelArts.0103")
        assert taken.value.error_msg == f"API key label {label} already exists."
        with pytest.raises(ApiError) as bad:
            api.create_api_key(ip_whitelist=["10.0.0.1/24"])
        assert (bad.value.error_code, bad.value.error_msg) == (
            "ModelArts.0101",
            "Invalid parameter: ip_whitelist[0] has host bits set: the block is 10.0.0.0/24.",
        )
    finally:
        api.delete_api_key(created.id)


@pytest.mark.e2e
def test_api_key_lifecycle_async(live: LiveServer, admin_auth: PasswordAuth, home_token: Token) -> None:
    label = unique("async")

    async def scenario() -> tuple[ApiKey, ApiKey, list[str], list[str]]:
        async with AsyncClient(live.url, admin_auth, token=home_token) as client:
            created = await client.create_api_key(label=label, ip_whitelist=["192.168.1.10-192.168.1.20"])
            updated = await client.update_api_key(
                created.id, resident_model_version_whitelist=["DeepSeek-V3"]
            )
            before = [key.id async for key in client.iter_api_keys(page_size=2)]
            await client.delete_api_key(created.id)
            after = [key.id for key in (await client.list_api_keys(limit=500)).items]
            return created, updated, before, after

    created, updated, before, after = asyncio.run(scenario())
    assert (created.allow_all, created.ip_whitelist) == (False, ["192.168.1.10-192.168.1.20"])
    assert created.api_key is not None
    assert updated.resident_model_version_whitelist == ["DeepSeek-V3"]
    assert created.id in before
    assert created.id not in after


# ---- exact requests --------------------------------------------------------------------------------

KEY_ID = "11111111-1111-4111-8111-111111111111"
KEY_BODY = {
    "id": KEY_ID,
    "label": "ak-123456",
    "description": "",
    "key_mask": "abcd********wxyz",
    "allow_all": True,
    "ip_whitelist": [],
    "endpoint_whitelist": [],
    "resident_model_version_whitelist": [],
    "create_at": 1_700_000_000_000,
    "update_at": 1_700_000_000_000,
}


def test_create_sends_allow_all_as_the_addresses_imply_unless_given() -> None:
    created = {**KEY_BODY, "api_key": "k" * 86}
    with (
        stub_server({f"POST {KEYS}": (200, created, NO_HEADERS)}) as stub,
        Client(stub.url, TokenAuth("t"), project_id=PROJECT) as client,
    ):
        answer = client.create_api_key()
        client.create_api_key(ip_whitelist=("10.0.0.1",), label="x")
        client.create_api_key(allow_all=False, ip_whitelist=[])
        client.create_api_key(allow_all=True, description="d", endpoint_whitelist=["ep"])
    assert answer.api_key == "k" * 86
    assert stub.bodies("POST") == [
        {"allow_all": True},
        {"ip_whitelist": ["10.0.0.1"], "label": "x", "allow_all": False},
        {"allow_all": False, "ip_whitelist": []},
        {"allow_all": True, "description": "d", "endpoint_whitelist": ["ep"]},
    ]


def test_update_sends_only_what_is_given_and_delete_uses_the_documented_v1_path() -> None:
    key_id = KEY_ID
    answers = {
        f"PUT {KEYS}/{key_id}": (200, KEY_BODY, NO_HEADERS),
        f"DELETE /v1/{PROJECT}/maas/api-auth/api-keys/{key_id}": (200, {"result": "success"}, NO_HEADERS),
    }
    with stub_server(answers) as stub, Client(stub.url, TokenAuth("t"), project_id=PROJECT) as client:
        client.update_api_key(KEY_ID, endpoint_whitelist=[], description="new")
        assert client.delete_api_key(KEY_ID) is None
    assert stub.bodies("PUT") == [{"endpoint_whitelist": [], "description": "new"}]
    assert [(request.method, request.path) for request in stub.requests] == [
        ("PUT", f"{KEYS}/{key_id}"),
        ("DELETE", f"/v1/{PROJECT}/maas/api-auth/api-keys/{key_id}"),
    ]


def test_iter_api_keys_follows_the_pages_until_the_total() -> None:
    items = [{**KEY_BODY, "id": f"id-{index}"} for index in range(3)]
    answers = {
        f"GET {KEYS}?limit=2&offset=0": (
            200,
            {"total": 3, "items": items[:2], "quantity_limit": 30},
            NO_HEADERS,
        ),
        f"GET {KEYS}?limit=2&offset=2": (
            200,
            {"total": 3, "items": items[2:], "quantity_limit": 30},
            NO_HEADERS,
        ),
    }

    async def walk(url: str) -> list[str]:
        async with AsyncClient(url, TokenAuth("t"), project_id=PROJECT) as client:
            return [key.id async for key in client.iter_api_keys(page_size=2)]

    with stub_server(answers) as stub:
        with Client(stub.url, TokenAuth("t"), project_id=PROJECT) as client:
            assert [key.id for key in client.iter_api_keys(page_size=2)] == ["id-0", "id-1", "id-2"]
        assert asyncio.run(walk(stub.url)) == ["id-0", "id-1", "id-2"]
    assert len(stub.requests) == 4
