"""Issue 5's fast lane answers exactly what the FastAPI routes answer (CONTRACT 5.2, 6.3), and
leaves every other request to them (D-3, D-4, D-5, D-7 errors unchanged).

Each request goes to two apps on the same store: the normal one (fast lane on) and one with the
lane switched off, and the answers are compared byte for byte (all headers but X-Request-Id).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.app import create_app
from openmaas.config import Settings
from tests.conftest import HOME, OTHER, Account
from tests.maas.conftest import INVALID_TOKEN, INVALID_WORKSPACE, create_service, listing_url


@pytest.fixture
def route_client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """The same app with the fast lane off: every request goes through FastAPI's routes."""
    app = create_app(settings.model_copy(update={"fast_lane": False}), engine)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _wire(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(k, v) for k, v in response.headers.multi_items() if k != "x-request-id"]
    return response.status_code, headers, response.content


def _both(client: TestClient, route_client: TestClient, url: str, headers: dict[str, str]) -> httpx.Response:
    # The first call confirms the token's user and project in the store; the second is the lane's.
    client.get(url, headers=headers)
    fast = client.get(url, headers=headers)
    assert _wire(fast) == _wire(route_client.get(url, headers=headers))
    assert len(fast.headers["x-request-id"]) == 32
    return fast


@pytest.fixture
def services(client: TestClient, admin: Account) -> list[str]:
    return [create_service(client, admin, name=f"svc-{i}") for i in range(5)]


QUERIES = ["", "?workspace_id=0", "?workspace_id=", "?limit=2", "?workspace_id=0&limit=2&offset=4"]


@pytest.mark.parametrize("query", QUERIES)
def test_maas_listing_same_bytes_as_route_6_3(
    client: TestClient, route_client: TestClient, admin: Account, services: list[str], query: str
) -> None:
    """CONTRACT 6.3: the lane's page, total and pages are the route's, byte for byte."""
    response = _both(client, route_client, listing_url(admin.project(), HOME) + query, admin.headers())
    body = response.json()
    assert response.status_code == 200
    assert body["total"] == 5
    assert {item["id"] for item in body["data"]} <= set(services)


@pytest.mark.parametrize("query", ["", "?limit=2", "?workspace_id=0&limit=2&offset=2", "?offset=0"])
def test_v2_list_same_bytes_as_route_5_2(
    client: TestClient, route_client: TestClient, admin: Account, services: list[str], query: str
) -> None:
    """CONTRACT 5.2: the unfiltered v2 list from the lane equals the route's."""
    url = f"/v2/{admin.project()}/services{query}"
    response = _both(client, route_client, url, admin.headers())
    assert response.status_code == 200
    assert response.json()["total"] == 5


def test_maas_listing_of_region_without_workspace_services_6_3(
    client: TestClient, route_client: TestClient, admin: Account
) -> None:
    """CONTRACT 6.3: another region's listing (empty there) is the route's too."""
    response = _both(client, route_client, listing_url(admin.project(), OTHER), admin.headers())
    assert response.status_code == 200
    assert response.json() == {"data": [], "pages": 0, "total": 0}


FALL_THROUGH = [
    (
        "?offset=3",
        400,
        {
            "error_code": "ModelArts.0101",
            "error_msg": "Invalid parameter: offset must be a multiple of limit.",
        },
    ),
    ("?workspace_id=ffffffffffffffffffffffffffffffff", 400, INVALID_WORKSPACE),
    ("?workspace_id=nope", 400, INVALID_WORKSPACE),
]


@pytest.mark.parametrize(("query", "status", "error"), FALL_THROUGH)
def test_maas_listing_errors_unchanged_d7(
    client: TestClient,
    route_client: TestClient,
    admin: Account,
    query: str,
    status: int,
    error: dict[str, str],
) -> None:
    """D-7: a value the lane does not take reaches the route, which words the error as before."""
    response = _both(client, route_client, listing_url(admin.project(), HOME) + query, admin.headers())
    assert response.status_code == status
    assert response.json() == error


@pytest.mark.parametrize("query", ["?limit=0", "?limit=501", "?limit=x", "?offset=-10", "?limit=+5"])
def test_bad_paging_values_answer_as_route_d7(
    client: TestClient, route_client: TestClient, admin: Account, query: str
) -> None:
    """D-7: malformed limit/offset are the route's 400 ModelArts.0101 naming the field."""
    response = _both(client, route_client, listing_url(admin.project(), HOME) + query, admin.headers())
    field = query[1:].split("=")[0]
    if query == "?limit=+5":
        # pydantic reads "+5" as 5: the route answers a page, and so does the app.
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.json()["error_code"] == "ModelArts.0101"
    assert response.json()["error_msg"].startswith(f"Invalid parameter: {field} ")


def test_missing_and_bad_tokens_are_d5_errors(
    client: TestClient, route_client: TestClient, admin: Account
) -> None:
    """D-5: no token or a forged one falls through to the family's invalid-token answer."""
    maas = listing_url(admin.project(), HOME)
    v2 = f"/v2/{admin.project()}/services"
    for headers in ({}, {"X-Auth-Token": admin.headers()["X-Auth-Token"] + "x"}):
        assert _both(client, route_client, maas, headers).json() == INVALID_TOKEN
        response = _both(client, route_client, v2, headers)
        assert response.status_code == 401
        assert response.json() == {"error_code": "ModelArts.0203", "error_msg": "Invalid token."}


def test_other_project_and_region_rules_unchanged_d3_d4(
    client: TestClient, route_client: TestClient, admin: Account
) -> None:
    """D-4: another project in the path is 403 ModelArts.0105; D-3: a non-home token is 404."""
    other_project = admin.project(OTHER)
    response = _both(client, route_client, listing_url(other_project, HOME), admin.headers())
    assert response.status_code == 403
    assert response.json()["error_code"] == "ModelArts.0105"
    response = _both(client, route_client, f"/v2/{other_project}/services", admin.headers())
    assert response.status_code == 403
    assert response.json()["error_code"] == "ModelArts.0105"
    response = _both(client, route_client, listing_url(other_project, HOME), admin.headers(OTHER))
    assert response.status_code == 404
    assert response.json()["error_code"] == "APIG.0101"
