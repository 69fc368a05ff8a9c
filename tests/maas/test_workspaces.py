"""CONTRACT 6.2: the workspaces of the caller's domain's project in a region, workspace "0" first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import HOME, OTHER, Account
from tests.maas.conftest import INVALID_TOKEN, NOT_PUBLISHED, create_workspace, workspaces_url

WORKSPACE_KEYS = {"id", "name", "description", "owner", "create_time", "update_time", "auth_type"}


def _workspaces(client: TestClient, account: Account, region: str) -> tuple[int, dict[str, Any]]:
    response = client.get(workspaces_url(account.project(), region), headers=account.headers())
    return response.status_code, response.json()


def test_default_workspace_alone_with_its_fields_and_integer_times_d1(
    client: TestClient, admin: Account
) -> None:
    status, body = _workspaces(client, admin, HOME)
    assert status == 200
    assert set(body) == {"total_count", "count", "workspaces"}
    assert (body["total_count"], body["count"]) == (1, 1)
    (default,) = body["workspaces"]
    assert set(default) == WORKSPACE_KEYS
    assert default["id"] == "0"
    assert default["name"] == "default"
    assert default["description"] == ""
    assert default["owner"] == "admin"
    assert default["auth_type"] == "PUBLIC"
    for key in ("create_time", "update_time"):
        assert type(default[key]) is int, key
        assert len(str(default[key])) == 13


def test_workspace_0_comes_first_then_the_others(client: TestClient, admin: Account) -> None:
    first = create_workspace(client, admin, HOME, "alpha-team")
    second = create_workspace(client, admin, HOME, "beta-team")
    status, body = _workspaces(client, admin, HOME)
    assert status == 200
    assert (body["total_count"], body["count"]) == (3, 3)
    assert body["workspaces"][0]["id"] == "0"
    assert {item["id"] for item in body["workspaces"][1:]} == {first, second}
    created = next(item for item in body["workspaces"] if item["id"] == first)
    assert created["name"] == "alpha-team"
    assert created["description"] == "alpha-team description"
    assert created["owner"] == "admin"
    assert type(created["update_time"]) is int


def test_another_regions_workspaces_from_the_home_token(client: TestClient, admin: Account) -> None:
    far = create_workspace(client, admin, OTHER, "far-team")
    status, body = _workspaces(client, admin, OTHER)
    assert status == 200
    assert [item["id"] for item in body["workspaces"]] == ["0", far]
    assert (body["total_count"], body["count"]) == (2, 2)
    _, home = _workspaces(client, admin, HOME)
    assert [item["id"] for item in home["workspaces"]] == ["0"]


def test_another_domains_workspaces_never_appear(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    other = make_account("tenant-w")
    create_workspace(client, other, HOME, "their-team")
    _, body = _workspaces(client, admin, HOME)
    assert [item["id"] for item in body["workspaces"]] == ["0"]
    assert body["workspaces"][0]["owner"] == "admin"


def test_unknown_region_is_400_0104_d11(client: TestClient, admin: Account) -> None:
    status, body = _workspaces(client, admin, "eu-west-101")
    assert status == 400
    assert body == {"error_code": "ModelArts.0104", "error_msg": "Invalid region ID: eu-west-101."}


def test_region_without_a_project_is_empty(
    client: TestClient, make_home_only_account: Callable[[str], Account]
) -> None:
    lonely = make_home_only_account("lonely-w")
    status, body = _workspaces(client, lonely, OTHER)
    assert status == 200
    assert body == {"total_count": 0, "count": 0, "workspaces": []}


def test_invalid_token_is_400_invalid_token_d5(client: TestClient, admin: Account) -> None:
    response = client.get(workspaces_url(admin.project(), HOME), headers={"X-Auth-Token": "garbage"})
    assert response.status_code == 400
    assert response.json() == INVALID_TOKEN


def test_token_of_another_region_is_404_d3(client: TestClient, admin: Account) -> None:
    response = client.get(workspaces_url(admin.project(OTHER), HOME), headers=admin.headers(OTHER))
    assert response.status_code == 404
    assert response.json() == NOT_PUBLISHED
