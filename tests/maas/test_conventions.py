"""CONTRACT 1 conventions as the MaaS paths show them: unknown APIs, request ids, Content-Type (D-2),
and the MaaS home region setting (D-3)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.app import create_app
from openmaas.config import Settings
from tests.conftest import HOME, OTHER, Account, service_body
from tests.maas.conftest import (
    EMPTY_LISTING,
    NOT_PUBLISHED,
    create_service,
    listing_url,
    regions_url,
    workspaces_url,
)

HEX_32 = re.compile(r"^[0-9a-f]{32}$")


def _variant(settings: Settings, **changes: Any) -> Settings:
    return Settings(**{**settings.model_dump(), **changes})


@pytest.fixture
def strict_client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(
        create_app(_variant(settings, strict_content_type=True), engine), raise_server_exceptions=False
    ) as client:
        yield client


@pytest.fixture
def other_home_client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(
        create_app(_variant(settings, maas_home_region=OTHER), engine), raise_server_exceptions=False
    ) as client:
        yield client


# ---- unknown path or method ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/{project}/maas/services/custom-endpoint/nothing-here"),
        ("GET", "/v1/{project}/maas/services/custom-endpoint/services"),
        ("GET", "/v9/anything"),
        ("GET", "/"),
        ("POST", "/v1/{project}/maas/services/custom-endpoint/services/ap-southeast-1"),
        ("DELETE", "/v1/{project}/maas/services/custom-endpoint/regions"),
        ("PUT", "/v1/{project}/maas/services/workspace/ap-southeast-1"),
        # A trailing slash names no route: no redirect to the path without it.
        ("GET", "/v1/{project}/maas/services/custom-endpoint/services/ap-southeast-1/"),
        ("GET", "/v1/{project}/maas/services/custom-endpoint/regions/"),
        ("GET", "/v1/{project}/maas/services/workspace/ap-southeast-1/"),
        ("GET", "/v1/{project}/workspaces/"),
        ("POST", "/v1/{project}/workspaces/"),
        ("GET", "/v2/{project}/services/"),
        ("GET", "/v3/auth/projects/"),
        ("POST", "/v3/auth/tokens/"),
        ("GET", "/v3.0/OS-CREDENTIAL/credentials/"),
        ("GET", "/v1/{project}/maas/services/custom-endpoint/endpoint/"),
        ("POST", "/v1/{project}/maas/services/custom-endpoint/endpoint/"),
    ],
)
def test_unknown_path_or_method_is_404_apig_0101(
    client: TestClient, admin: Account, method: str, path: str
) -> None:
    response = client.request(method, path.format(project=admin.project()), headers=admin.headers())
    assert response.status_code == 404
    assert response.json() == NOT_PUBLISHED
    assert HEX_32.match(response.headers["X-Request-Id"])
    without_token = client.request(method, path.format(project=admin.project()), follow_redirects=False)
    assert (without_token.status_code, without_token.json()) == (404, NOT_PUBLISHED)


# ---- X-Request-Id ----------------------------------------------------------------------------


def test_every_response_carries_a_fresh_request_id(client: TestClient, admin: Account) -> None:
    ok = client.get(listing_url(admin.project(), HOME), headers=admin.headers())
    failed = client.get(listing_url(admin.project(), HOME), headers={"X-Auth-Token": "garbage"})
    probe = client.get("/health")
    ids = [response.headers["X-Request-Id"] for response in (ok, failed, probe)]
    assert [ok.status_code, failed.status_code, probe.status_code] == [200, 400, 200]
    assert all(HEX_32.match(request_id) for request_id in ids)
    # CONTRACT 1: a fresh UUID hex (random: version 4, RFC 4122 variant).
    assert {(uuid.UUID(hex=i).version, uuid.UUID(hex=i).variant) for i in ids} == {(4, uuid.RFC_4122)}
    assert len(set(ids)) == 3


def test_request_id_sent_by_the_client_is_echoed(client: TestClient, admin: Account) -> None:
    headers = {**admin.headers(), "X-Request-Id": "client-chosen-id-42"}
    response = client.get(listing_url(admin.project(), HOME), headers=headers)
    assert response.status_code == 200
    assert response.headers["X-Request-Id"] == "client-chosen-id-42"
    failed = client.get("/nowhere", headers={"X-Request-Id": "lost-one"})
    assert failed.status_code == 404
    assert failed.headers["X-Request-Id"] == "lost-one"


# ---- Content-Type (D-2) --------------------------------------------------------------------------


def test_get_without_content_type_is_served_by_default_d2(client: TestClient, admin: Account) -> None:
    token = admin.headers()["X-Auth-Token"]
    response = client.get(listing_url(admin.project(), HOME), headers={"X-Auth-Token": token})
    assert response.status_code == 200
    assert response.json() == EMPTY_LISTING


def test_body_that_is_not_json_is_400_by_default_d2(client: TestClient, admin: Account) -> None:
    response = client.post(
        f"/v2/{admin.project()}/services",
        content=b"name=svc",
        headers={"X-Auth-Token": admin.headers()["X-Auth-Token"], "Content-Type": "text/plain"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0101",
        "error_msg": "Invalid parameter: body must be JSON (Content-Type application/json).",
    }


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/xml"])
def test_strict_setting_rejects_missing_or_wrong_content_type_d2(
    strict_client: TestClient, admin: Account, content_type: str | None
) -> None:
    headers = {"X-Auth-Token": admin.headers()["X-Auth-Token"]}
    if content_type is not None:
        headers["Content-Type"] = content_type
    for path in (listing_url(admin.project(), HOME), regions_url(admin.project())):
        response = strict_client.get(path, headers=headers)
        assert response.status_code == 400
        assert response.json() == {
            "error_code": "ModelArts.0101",
            "error_msg": "Invalid parameter: Content-Type must be application/json.",
        }
        assert HEX_32.match(response.headers["X-Request-Id"])


def test_strict_setting_serves_application_json_d2(strict_client: TestClient, admin: Account) -> None:
    headers = {**admin.headers(), "Content-Type": "application/json; charset=utf-8"}
    response = strict_client.get(listing_url(admin.project(), HOME), headers=headers)
    assert response.status_code == 200
    assert response.json() == EMPTY_LISTING


def test_strict_setting_covers_the_iam_paths_in_the_iam_error_shape_d2(
    strict_client: TestClient, admin: Account
) -> None:
    response = strict_client.get(
        "/v3/auth/projects", headers={"X-Auth-Token": admin.headers()["X-Auth-Token"]}
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Invalid parameter: Content-Type must be application/json.",
            "title": "Bad Request",
        }
    }


def test_strict_setting_covers_the_modelarts_v2_paths_d2(strict_client: TestClient, admin: Account) -> None:
    response = strict_client.get(
        f"/v2/{admin.project()}/services", headers={"X-Auth-Token": admin.headers()["X-Auth-Token"]}
    )
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0101",
        "error_msg": "Invalid parameter: Content-Type must be application/json.",
    }


def test_strict_setting_leaves_the_probes_alone_d2(strict_client: TestClient) -> None:
    health = strict_client.get("/health")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    ready = strict_client.get("/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


# ---- MaaS home region (D-3) ----------------------------------------------------------------------


def test_home_region_setting_moves_the_maas_home_d3(
    client: TestClient, other_home_client: TestClient, admin: Account
) -> None:
    service_id = create_service(client, admin, HOME, name="seen-from-guiyang")
    far_token, far_project = admin.headers(OTHER), admin.project(OTHER)
    for path in (
        listing_url(far_project, HOME),
        regions_url(far_project),
        workspaces_url(far_project, HOME),
    ):
        assert other_home_client.get(path, headers=far_token).status_code == 200
    response = other_home_client.get(listing_url(far_project, HOME), headers=far_token)
    assert [item["id"] for item in response.json()["data"]] == [service_id]
    # The former home is now the region whose MaaS API "is not published".
    response = other_home_client.get(listing_url(admin.project(HOME), HOME), headers=admin.headers(HOME))
    assert response.status_code == 404
    assert response.json() == NOT_PUBLISHED


# ---- body size cap, whatever the framing ---------------------------------------------------------


def _chunked(payload: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """A generator body: httpx sends it with Transfer-Encoding: chunked and no Content-Length."""
    for start in range(0, len(payload), size):
        yield payload[start : start + size]


def test_chunked_body_within_the_cap_is_served(client: TestClient, admin: Account) -> None:
    payload = orjson.dumps(service_body("chunked-ok"))
    response = client.post(
        f"/v2/{admin.project()}/services", content=_chunked(payload, 16), headers=admin.headers()
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "chunked-ok"


def test_chunked_body_past_the_cap_is_400(client: TestClient, admin: Account, settings: Settings) -> None:
    payload = orjson.dumps(service_body("chunked-big", description="x" * (settings.max_body_bytes + 1)))
    response = client.post(
        f"/v2/{admin.project()}/services", content=_chunked(payload), headers=admin.headers()
    )
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0101",
        "error_msg": f"Invalid parameter: body exceeds {settings.max_body_bytes} bytes.",
    }
    listed = client.get(listing_url(admin.project(), HOME), headers=admin.headers())
    assert listed.json() == EMPTY_LISTING


def test_declared_body_past_the_cap_is_400(client: TestClient, admin: Account, settings: Settings) -> None:
    payload = orjson.dumps(service_body("declared-big", description="x" * (settings.max_body_bytes + 1)))
    response = client.post(f"/v2/{admin.project()}/services", content=payload, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0101",
        "error_msg": f"Invalid parameter: body exceeds {settings.max_body_bytes} bytes.",
    }


# ---- unexpected failures ---------------------------------------------------------------------------


def _fail(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("a bug, with details that must not leave the server")


def test_an_unexpected_failure_is_a_bare_500_in_the_family_shape(
    client: TestClient, admin: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug answers 500 with no traceback: ModelArts.0001 on ModelArts/MaaS paths, the IAM error
    shape on IAM paths (CONTRACT 4.4), and the request id as always."""
    monkeypatch.setattr("openmaas.maas.service.regions_body", _fail)
    monkeypatch.setattr("openmaas.iam.service.domain_item", _fail)
    maas = client.get(f"/v1/{admin.project()}/maas/services/custom-endpoint/regions", headers=admin.headers())
    assert (maas.status_code, maas.json()) == (
        500,
        {"error_code": "ModelArts.0001", "error_msg": "Internal server error."},
    )
    iam = client.get("/v3/auth/domains", headers=admin.headers())
    assert (iam.status_code, iam.json()) == (
        500,
        {"error": {"code": 500, "message": "Internal server error.", "title": "Internal Server Error"}},
    )
    assert all(len(response.headers["x-request-id"]) == 32 for response in (maas, iam))
