"""The async client against a live server: the same conversation as the sync one, awaited."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from openmaas_client import ApiError, AsyncClient, PasswordAuth, Token
from tests.client.live import DOMAIN, USER, LiveServer
from tests.conftest import HOME, OTHER, service_body

pytestmark = pytest.mark.e2e


def test_async_password_login_and_maas_listing(live: LiveServer, admin_auth: PasswordAuth) -> None:
    """§4.1 then §6.1-§6.2 through the async client."""

    async def scenario() -> tuple[Token | None, list[str], str]:
        async with AsyncClient(live.url, admin_auth) as client:
            regions = await client.list_regions()
            workspaces = await client.list_region_workspaces(HOME)
            return client.token, [item.region_id for item in regions.items], workspaces.items[0].name

    token, region_ids, first_workspace = asyncio.run(scenario())
    assert token is not None
    assert token.project is not None
    assert (token.project.name, token.user.name, token.user.domain.name) == (HOME, USER, DOMAIN)
    assert region_ids == [HOME, OTHER]
    assert first_workspace == "default"


def test_async_pager_walks_every_page(live: LiveServer, home_token: Token, admin_auth: PasswordAuth) -> None:
    """§5.2 and §6.3 (D-10) paging through ``async for`` and ``pages()``."""

    async def scenario() -> tuple[set[str], list[int], set[str], list[int]]:
        async with AsyncClient(live.url, admin_auth, token=home_token) as client:
            workspace = (await client.create_workspace(f"async-{uuid.uuid4().hex[:8]}")).id
            created = {
                (
                    await client.create_service(
                        service_body(f"a-{i}-{uuid.uuid4().hex[:6]}", workspace_id=workspace)
                    )
                ).id
                for i in range(3)
            }
            for service_id in created:
                await _wait_running(client, service_id)
            services = {item.id async for item in client.iter_services(workspace_id=workspace, page_size=2)}
            sizes = [
                len(page.items)
                async for page in client.iter_services(workspace_id=workspace, page_size=2).pages()
            ]
            pager = client.iter_infer_services(HOME, workspace_id=workspace, page_size=2)
            listed = {item.id async for item in pager}
            listing_sizes = [len(page.items) async for page in pager.pages()]
            assert services == created
            return services, sizes, listed, listing_sizes

    services, sizes, listed, listing_sizes = asyncio.run(scenario())
    assert sizes == [2, 1]
    assert listed == services
    assert listing_sizes == [2, 1]


async def _wait_running(client: AsyncClient, service_id: str) -> None:
    for _ in range(400):
        if (await client.show_service(service_id)).status == "RUNNING":
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"service {service_id} never became RUNNING")


def test_async_error_mapping(live: LiveServer, home_token: Token, admin_auth: PasswordAuth) -> None:
    """D-9 and §4.4 through the async client: exact code, message, status; request id present."""
    missing = str(uuid.uuid4())

    async def scenario() -> tuple[ApiError, ApiError]:
        async with AsyncClient(live.url, admin_auth, token=home_token) as client:
            with pytest.raises(ApiError) as not_found:
                await client.stop_service(missing)
            with pytest.raises(ApiError) as wrong_password:
                await client.create_token(PasswordAuth(DOMAIN, USER, "nope"))
            return not_found.value, wrong_password.value

    not_found, wrong_password = asyncio.run(scenario())
    assert (not_found.status_code, not_found.error_code) == (400, "ModelArts.0102")
    assert not_found.error_msg == f"Service {missing} does not exist."
    assert not_found.request_id is not None
    assert len(not_found.request_id) == 32
    assert (wrong_password.status_code, wrong_password.error_code) == (401, "401")
    assert wrong_password.error_msg == "The username or password is wrong."


def test_async_concurrent_calls_share_one_client(
    live: LiveServer, home_token: Token, admin_auth: PasswordAuth
) -> None:
    async def scenario() -> list[int]:
        async with AsyncClient(live.url, admin_auth, token=home_token) as client:
            pages = await asyncio.gather(*(client.list_regions() for _ in range(5)))
            return [page.total for page in pages]

    assert asyncio.run(scenario()) == [2, 2, 2, 2, 2]
