"""CONTRACT 4.3: ``GET /v3/projects`` and ``GET /v3/auth/projects``, only ever the caller's domain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import HOME, OTHER, Account
from tests.iam.conftest import HEX_ID, NEEDS_AUTHENTICATION, issue

PROJECT_FIELDS = {"id", "name", "domain_id", "enabled", "is_domain", "parent_id", "description", "links"}


def _domain_id(client: TestClient, token: str) -> str:
    response = client.get("/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token})
    domain_id: str = response.json()["token"]["user"]["domain"]["id"]
    return domain_id


def _assert_project(item: dict[str, Any], *, project_id: str, region: str, domain_id: str) -> None:
    assert set(item) == PROJECT_FIELDS
    assert item["id"] == project_id
    assert HEX_ID.match(item["id"])
    assert item["name"] == region
    assert item["domain_id"] == domain_id
    assert item["enabled"] is True
    assert item["is_domain"] is False
    assert item["parent_id"] == domain_id
    assert item["description"] == ""
    assert item["links"] == {"self": f"http://127.0.0.1:8080/v3/projects/{project_id}"}


@pytest.mark.parametrize("scope", [{"project": {"name": HOME}}, {"domain": {"name": "openmaas"}}, None])
def test_projects_by_region_name_is_exactly_one_of_the_callers_domain(
    client: TestClient, admin: Account, make_account: Callable[..., Account], scope: dict[str, Any] | None
) -> None:
    make_account("tenant-b")
    token = issue(client, scope)
    for region in (HOME, OTHER):
        response = client.get(f"/v3/projects?name={region}", headers={"X-Auth-Token": token})
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"projects", "links"}
        assert body["links"] == {
            "self": f"http://testserver/v3/projects?name={region}",
            "next": None,
            "previous": None,
        }
        assert len(body["projects"]) == 1
        _assert_project(
            body["projects"][0],
            project_id=admin.project(region),
            region=region,
            domain_id=_domain_id(client, token),
        )


def test_projects_without_a_name_lists_every_region_of_the_domain(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    make_account("tenant-b")
    response = client.get("/v3/projects", headers=admin.headers())
    assert response.status_code == 200
    names = {item["name"]: item["id"] for item in response.json()["projects"]}
    assert names == {HOME: admin.project(HOME), OTHER: admin.project(OTHER)}


def test_another_domain_sees_only_its_own_projects(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    tenant = make_account("tenant-b")
    admin_projects = {admin.project(HOME), admin.project(OTHER)}
    for path in (f"/v3/projects?name={HOME}", "/v3/projects", "/v3/auth/projects"):
        response = client.get(path, headers=tenant.headers())
        assert response.status_code == 200
        ids = {item["id"] for item in response.json()["projects"]}
        assert ids
        assert not ids & admin_projects
        assert tenant.project(HOME) in ids


@pytest.mark.parametrize("name", ["eu-west-0", "", "openmaas", "AP-SOUTHEAST-1"])
def test_projects_with_a_name_that_matches_nothing_is_empty(
    client: TestClient, admin: Account, name: str
) -> None:
    response = client.get("/v3/projects", params={"name": name}, headers=admin.headers())
    assert response.status_code == 200
    assert response.json()["projects"] == []


def test_projects_with_a_huge_name_is_400_naming_it(client: TestClient, admin: Account) -> None:
    response = client.get("/v3/projects", params={"name": "x" * 1000}, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Invalid parameter: name string should have at most 64 characters.",
            "title": "Bad Request",
        }
    }


def test_auth_projects_lists_the_callers_projects(client: TestClient, admin: Account) -> None:
    token = issue(client)
    response = client.get("/v3/auth/projects", headers={"X-Auth-Token": token})
    assert response.status_code == 200
    body = response.json()
    assert body["links"] == {"self": "http://testserver/v3/auth/projects", "next": None, "previous": None}
    assert [item["name"] for item in body["projects"]] == [HOME, OTHER]
    domain_id = _domain_id(client, token)
    for item in body["projects"]:
        _assert_project(
            item, project_id=admin.project(item["name"]), region=item["name"], domain_id=domain_id
        )


@pytest.mark.parametrize("path", ["/v3/projects", "/v3/projects?name=ap-southeast-1", "/v3/auth/projects"])
@pytest.mark.parametrize("token", [None, "", "garbage"])
def test_projects_need_a_valid_token(client: TestClient, path: str, token: str | None) -> None:
    headers = {} if token is None else {"X-Auth-Token": token}
    response = client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.json() == NEEDS_AUTHENTICATION


def test_auth_domains_lists_only_the_callers_domain(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    """``GET /v3/auth/domains``: how the SDK's GlobalCredentials discover their domain id."""
    make_account("tenant-b")
    token = issue(client, {"project": {"name": HOME}})
    domain_id = _domain_id(client, token)
    response = client.get("/v3/auth/domains", headers={"X-Auth-Token": token})
    assert response.status_code == 200
    assert response.json() == {
        "domains": [
            {
                "id": domain_id,
                "name": "openmaas",
                "enabled": True,
                "description": "",
                "links": {"self": f"http://127.0.0.1:8080/v3/domains/{domain_id}"},
            }
        ],
        "links": {"self": "http://testserver/v3/auth/domains", "next": None, "previous": None},
    }


def test_auth_domains_needs_authentication(client: TestClient) -> None:
    response = client.get("/v3/auth/domains")
    assert response.status_code == 401
    assert response.json() == NEEDS_AUTHENTICATION
