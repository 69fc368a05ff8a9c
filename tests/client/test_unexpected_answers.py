"""A server that answers 2xx with a body of the wrong shape, or an endpoint that is no URL: the
client raises its own error with a clear message, never a KeyError or an httpx exception."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from openmaas_client import AccessKeyAuth, AsyncClient, Client, OpenMaasError, PasswordAuth, TokenAuth
from tests.client.stub import stub_server

PROJECT = "0" * 32
SERVICES = f"/v2/{PROJECT}/services"
NO_HEADERS: dict[str, str] = {}


def test_a_login_answer_without_a_token_is_an_openmaas_error() -> None:
    with stub_server({"POST /v3/auth/tokens": (201, {"ok": True}, NO_HEADERS)}) as stub:
        client = Client(stub.url, PasswordAuth("d", "u", "p"), project_id=PROJECT)
        with client, pytest.raises(OpenMaasError) as caught:
            client.list_regions()
    assert type(caught.value) is OpenMaasError
    assert str(caught.value) == (
        f"unexpected answer from {stub.url}/v3/auth/tokens?nocatalog=true: missing key 'token'"
    )


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"total": 1}, "missing key 'data'"),
        ({"data": []}, "missing key 'total'"),
        ({"data": [], "total": "many"}, "invalid literal for int() with base 10: 'many'"),
        ({"data": {"id": "x"}, "total": 1}, "'data' is not a list"),
        ([1, 2], "the body is not a JSON object"),
        (b"<html>oops</html>", "the body is not JSON"),
        (
            {"data": [{"id": "x"}], "total": 1},
            "ServiceSummary: name: Field required (and 8 more)",
        ),
    ],
)
def test_a_listing_of_the_wrong_shape_is_an_openmaas_error(body: Any, detail: str) -> None:
    with stub_server({f"GET {SERVICES}": (200, body, NO_HEADERS)}) as stub:
        client = Client(stub.url, TokenAuth("t"), project_id=PROJECT)
        with client, pytest.raises(OpenMaasError) as caught:
            client.list_services()
    assert str(caught.value) == f"unexpected answer from {stub.url}{SERVICES}?limit=10&offset=0: {detail}"


def test_the_async_client_reports_the_same_error() -> None:
    async def scenario(url: str) -> None:
        async with AsyncClient(url, TokenAuth("t"), project_id=PROJECT) as client:
            await client.list_services()

    with (
        stub_server({f"GET {SERVICES}": (200, {"total": 1}, NO_HEADERS)}) as stub,
        pytest.raises(OpenMaasError) as caught,
    ):
        asyncio.run(scenario(stub.url))
    assert str(caught.value) == (
        f"unexpected answer from {stub.url}{SERVICES}?limit=10&offset=0: missing key 'data'"
    )


def test_a_project_lookup_of_the_wrong_shape_is_an_openmaas_error() -> None:
    """An access key finds its project by region name (§4.3); a body without a list is reported."""
    with stub_server({"GET /v3/projects": (200, {"projects": "none"}, NO_HEADERS)}) as stub:
        client = Client(stub.url, AccessKeyAuth("AK", "SK"), region="r1")
        with client, pytest.raises(OpenMaasError) as caught:
            client.list_regions()
    assert (
        str(caught.value)
        == f"unexpected answer from {stub.url}/v3/projects?name=r1: 'projects' is not a list"
    )


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("http://127.0.0.1:abc", "endpoint 'http://127.0.0.1:abc' is not a valid URL: Invalid port: 'abc'"),
        ("http://", "endpoint must be an http(s) URL with a host, got 'http://'"),
        ("http:///v1", "endpoint must be an http(s) URL with a host, got 'http:///v1'"),
        ("127.0.0.1:8080", "endpoint must be an http(s) URL with a host, got '127.0.0.1:8080'"),
    ],
)
def test_a_bad_endpoint_fails_at_construction(endpoint: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"^endpoint ") as caught:
        Client(endpoint)
    assert str(caught.value) == message
