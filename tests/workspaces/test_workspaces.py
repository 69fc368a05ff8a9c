"""Workspaces, CONTRACT 5.1: list, create, show, update, delete, errors and tenant isolation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Account, service_body

HEX32 = re.compile(r"^[0-9a-f]{32}$")
INVALID_WORKSPACE = {"error_code": "ModelArts.0104", "error_msg": "Invalid workspace ID."}


def _url(account: Account, suffix: str = "") -> str:
    return f"/v1/{account.project()}/workspaces{suffix}"


def _create(client: TestClient, account: Account, name: str, **fields: Any) -> dict[str, Any]:
    response = client.post(_url(account), json={"name": name, **fields}, headers=account.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _list(client: TestClient, account: Account, **query: Any) -> dict[str, Any]:
    response = client.get(_url(account), params=query, headers=account.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _assert_workspace_shape(item: dict[str, Any]) -> None:
    assert set(item) >= {
        "id",
        "name",
        "description",
        "owner",
        "auth_type",
        "enterprise_project_id",
        "create_time",
        "update_time",
        "status",
    }
    assert isinstance(item["id"], str)
    assert item["id"] == "0" or HEX32.match(item["id"])
    assert isinstance(item["name"], str)
    assert isinstance(item["description"], str)
    assert isinstance(item["owner"], str)
    assert item["auth_type"] in ("PUBLIC", "PRIVATE", "INTERNAL")
    assert item["enterprise_project_id"] == "0"
    assert item["status"] == "NORMAL"
    for key in ("create_time", "update_time"):
        assert type(item[key]) is int
        assert len(str(item[key])) == 13


def test_default_workspace_is_listed(client: TestClient, admin: Account) -> None:
    body = _list(client, admin)
    assert body["total_count"] == 1
    assert body["count"] == 1
    [default] = body["workspaces"]
    _assert_workspace_shape(default)
    assert default["id"] == "0"
    assert default["name"] == "default"
    assert default["auth_type"] == "PUBLIC"


def test_create_answers_every_field(client: TestClient, admin: Account) -> None:
    created = _create(client, admin, "team-A_1", description="for tests", auth_type="PRIVATE")
    _assert_workspace_shape(created)
    assert HEX32.match(created["id"])
    assert created["name"] == "team-A_1"
    assert created["description"] == "for tests"
    assert created["owner"] == "admin"
    assert created["auth_type"] == "PRIVATE"
    assert created["create_time"] == created["update_time"]
    shown = client.get(_url(admin, f"/{created['id']}"), headers=admin.headers())
    assert shown.status_code == 200
    assert shown.json() == created


def test_create_defaults(client: TestClient, admin: Account) -> None:
    created = _create(client, admin, "中文空间")
    assert created["name"] == "中文空间"
    assert created["description"] == ""
    assert created["auth_type"] == "PUBLIC"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Invalid parameter: name is required."),
        ({"name": "abc"}, "Invalid parameter: name string should have at least 4 characters."),
        ({"name": "a" * 65}, "Invalid parameter: name string should have at most 64 characters."),
        ({"name": "x" * 100_000}, "Invalid parameter: name string should have at most 64 characters."),
        (
            {"name": "bad name"},
            "Invalid parameter: name may contain only letters, Chinese characters, digits, hyphens "
            "and underscores.",
        ),
        (
            {"name": "dot.name"},
            "Invalid parameter: name may contain only letters, Chinese characters, digits, hyphens "
            "and underscores.",
        ),
        (
            {"name": "newline\n"},
            "Invalid parameter: name may contain only letters, Chinese characters, digits, hyphens "
            "and underscores.",
        ),
        ({"name": "default"}, "Invalid parameter: name is reserved."),
        ({"name": 1234}, "Invalid parameter: name input should be a valid string."),
        (
            {"name": "good-name", "description": "d" * 257},
            "Invalid parameter: description string should have at most 256 characters.",
        ),
        (
            {"name": "good-name", "auth_type": "SECRET"},
            "Invalid parameter: auth_type input should be 'PUBLIC', 'PRIVATE' or 'INTERNAL'.",
        ),
        (
            {"name": "good-name", "description": "nul\u0000byte"},
            "Invalid parameter: description must not contain NUL characters.",
        ),
        ([], "Invalid parameter: body input should be a valid dictionary or object to extract fields from."),
    ],
)
def test_create_rejects_invalid_body(client: TestClient, admin: Account, body: Any, message: str) -> None:
    response = client.post(_url(admin), json=body, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == {"error_code": "ModelArts.0101", "error_msg": message}


def test_create_rejects_malformed_json(client: TestClient, admin: Account) -> None:
    response = client.post(_url(admin), content=b'{"name": ', headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0101",
        "error_msg": "Invalid parameter: body is not valid JSON.",
    }


def test_create_rejects_a_non_json_body(client: TestClient, admin: Account) -> None:
    headers = {**admin.headers(), "Content-Type": "text/plain"}
    response = client.post(_url(admin), content=b"name=abcd", headers=headers)
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0101",
        "error_msg": "Invalid parameter: body must be JSON (Content-Type application/json).",
    }


def test_name_is_unique_in_the_project(client: TestClient, admin: Account) -> None:
    _create(client, admin, "shared")
    response = client.post(_url(admin), json={"name": "shared"}, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0103",
        "error_msg": "Workspace name shared already exists.",
    }
    assert _list(client, admin)["total_count"] == 2


def test_same_name_in_another_region_project(client: TestClient, admin: Account) -> None:
    _create(client, admin, "shared")
    other = client.post(
        f"/v1/{admin.project('cn-southwest-2')}/workspaces",
        json={"name": "shared"},
        headers=admin.headers("cn-southwest-2"),
    )
    assert other.status_code == 200
    assert other.json()["name"] == "shared"


def test_list_paging_and_counts(client: TestClient, admin: Account) -> None:
    for name in ("ws-a1", "ws-b2", "ws-c3", "ws-d4"):
        _create(client, admin, name)
    body = _list(client, admin, offset=1, limit=2, sort_by="name", order="asc")
    assert body["total_count"] == 5
    assert body["count"] == 2
    assert [item["name"] for item in body["workspaces"]] == ["ws-a1", "ws-b2"]
    for item in body["workspaces"]:
        _assert_workspace_shape(item)
    last = _list(client, admin, offset=4, limit=2, sort_by="name", order="asc")
    assert (last["total_count"], last["count"]) == (5, 1)
    assert last["workspaces"][0]["name"] == "ws-d4"
    beyond = _list(client, admin, offset=10, limit=2)
    assert (beyond["total_count"], beyond["count"], beyond["workspaces"]) == (5, 0, [])


def test_list_sorting(client: TestClient, admin: Account) -> None:
    for name in ("bbbb", "aaaa", "cccc"):
        _create(client, admin, name)
    by_name_desc = _list(client, admin, sort_by="name", order="desc")
    assert [item["name"] for item in by_name_desc["workspaces"]] == ["default", "cccc", "bbbb", "aaaa"]
    newest_first = _list(client, admin)
    times = [item["update_time"] for item in newest_first["workspaces"]]
    assert times == sorted(times, reverse=True)
    oldest_first = _list(client, admin, sort_by="update_time", order="asc")
    assert oldest_first["workspaces"][0]["id"] == "0"
    by_status = _list(client, admin, sort_by="status")
    assert by_status["count"] == 4


def test_list_name_is_fuzzy(client: TestClient, admin: Account) -> None:
    for name in ("alpha-one", "beta-one", "gamma"):
        _create(client, admin, name)
    body = _list(client, admin, name="ONE", sort_by="name", order="asc")
    assert body["total_count"] == 2
    assert [item["name"] for item in body["workspaces"]] == ["alpha-one", "beta-one"]
    # LIKE wildcards in the filter are literal characters.
    assert _list(client, admin, name="%")["total_count"] == 0
    assert _list(client, admin, name="_")["total_count"] == 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"offset": -1}, "Invalid parameter: offset input should be greater than or equal to 0."),
        ({"limit": 0}, "Invalid parameter: limit input should be greater than or equal to 1."),
        ({"limit": 1001}, "Invalid parameter: limit input should be less than or equal to 1000."),
        (
            {"limit": "ten"},
            "Invalid parameter: limit input should be a valid integer, unable to parse string as an integer.",
        ),
        (
            {"sort_by": "owner"},
            "Invalid parameter: sort_by input should be 'name', 'update_time' or 'status'.",
        ),
        ({"order": "up"}, "Invalid parameter: order input should be 'asc' or 'desc'."),
        ({"offset": 10**20}, "Invalid parameter: offset input should be less than or equal to 2147483647."),
        ({"name": "n" * 65}, "Invalid parameter: name string should have at most 64 characters."),
        ({"name": "a\u0000"}, "Invalid parameter: name must not contain NUL characters."),
    ],
)
def test_list_rejects_invalid_query(
    client: TestClient, admin: Account, query: dict[str, Any], message: str
) -> None:
    response = client.get(_url(admin), params=query, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == {"error_code": "ModelArts.0101", "error_msg": message}


def test_update_answers_the_id_and_changes_fields(client: TestClient, admin: Account) -> None:
    created = _create(client, admin, "before")
    response = client.put(
        _url(admin, f"/{created['id']}"),
        json={"name": "after", "description": "new", "auth_type": "INTERNAL"},
        headers=admin.headers(),
    )
    assert response.status_code == 200
    assert response.json() == {"workspace_id": created["id"]}
    shown = client.get(_url(admin, f"/{created['id']}"), headers=admin.headers()).json()
    assert (shown["name"], shown["description"], shown["auth_type"]) == ("after", "new", "INTERNAL")
    assert shown["create_time"] == created["create_time"]
    assert shown["update_time"] >= created["update_time"]


def test_update_keeps_unsent_fields(client: TestClient, admin: Account) -> None:
    created = _create(client, admin, "keeper", description="kept", auth_type="PRIVATE")
    response = client.put(_url(admin, f"/{created['id']}"), json={}, headers=admin.headers())
    assert response.status_code == 200
    shown = client.get(_url(admin, f"/{created['id']}"), headers=admin.headers()).json()
    assert (shown["name"], shown["description"], shown["auth_type"]) == ("keeper", "kept", "PRIVATE")


def test_update_to_a_taken_name(client: TestClient, admin: Account) -> None:
    _create(client, admin, "first")
    second = _create(client, admin, "second")
    response = client.put(_url(admin, f"/{second['id']}"), json={"name": "first"}, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0103",
        "error_msg": "Workspace name first already exists.",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "default"}, "Invalid parameter: name is reserved."),
        ({"name": "ab"}, "Invalid parameter: name string should have at least 4 characters."),
        (
            {"auth_type": "NONE"},
            "Invalid parameter: auth_type input should be 'PUBLIC', 'PRIVATE' or 'INTERNAL'.",
        ),
        ({"description": 5}, "Invalid parameter: description input should be a valid string."),
        (
            {"description": "d" * 257},
            "Invalid parameter: description string should have at most 256 characters.",
        ),
        ({"description": "\u0000"}, "Invalid parameter: description must not contain NUL characters."),
    ],
)
def test_update_rejects_invalid_body(
    client: TestClient, admin: Account, body: dict[str, Any], message: str
) -> None:
    created = _create(client, admin, "target")
    response = client.put(_url(admin, f"/{created['id']}"), json=body, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == {"error_code": "ModelArts.0101", "error_msg": message}


def test_default_workspace_cannot_be_renamed_but_can_be_described(client: TestClient, admin: Account) -> None:
    renamed = client.put(_url(admin, "/0"), json={"name": "renamed"}, headers=admin.headers())
    assert renamed.status_code == 400
    assert renamed.json() == {
        "error_code": "ModelArts.0105",
        "error_msg": "The default workspace cannot be renamed.",
    }
    described = client.put(_url(admin, "/0"), json={"description": "main"}, headers=admin.headers())
    assert described.status_code == 200
    assert described.json() == {"workspace_id": "0"}


def test_delete_answers_the_id_and_removes_it(client: TestClient, admin: Account) -> None:
    created = _create(client, admin, "doomed")
    response = client.delete(_url(admin, f"/{created['id']}"), headers=admin.headers())
    assert response.status_code == 200
    assert response.json() == {"workspace_id": created["id"]}
    gone = client.get(_url(admin, f"/{created['id']}"), headers=admin.headers())
    assert gone.status_code == 400
    assert gone.json() == INVALID_WORKSPACE
    assert _list(client, admin)["total_count"] == 1


def test_default_workspace_cannot_be_deleted(client: TestClient, admin: Account) -> None:
    response = client.delete(_url(admin, "/0"), headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0105",
        "error_msg": "The default workspace cannot be deleted.",
    }


def test_workspace_with_services_cannot_be_deleted(
    client: TestClient, admin: Account, settle: Callable[[], int]
) -> None:
    workspace = _create(client, admin, "busy")
    created = client.post(
        f"/v2/{admin.project()}/services",
        json=service_body(workspace_id=workspace["id"]),
        headers=admin.headers(),
    )
    assert created.status_code == 200
    refused = client.delete(_url(admin, f"/{workspace['id']}"), headers=admin.headers())
    assert refused.status_code == 400
    assert refused.json() == {
        "error_code": "ModelArts.0105",
        "error_msg": f"Workspace {workspace['id']} still holds services; delete them first.",
    }
    deleting = client.post(
        f"/v2/{admin.project()}/services/delete",
        json={"service_ids": [created.json()["id"]]},
        headers=admin.headers(),
    )
    assert deleting.status_code == 200
    # A DELETING service is still in the workspace.
    still = client.delete(_url(admin, f"/{workspace['id']}"), headers=admin.headers())
    assert still.status_code == 400
    assert still.json()["error_code"] == "ModelArts.0105"
    settle()
    settle()
    done = client.delete(_url(admin, f"/{workspace['id']}"), headers=admin.headers())
    assert done.status_code == 200
    assert done.json() == {"workspace_id": workspace["id"]}


@pytest.mark.parametrize("workspace_id", ["0123456789abcdef0123456789abcdef", "nope", "%00", "1" * 5000])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_workspace(client: TestClient, admin: Account, workspace_id: str, method: str) -> None:
    response = client.request(
        method, _url(admin, f"/{workspace_id}"), json={"description": "x"}, headers=admin.headers()
    )
    assert response.status_code == 400
    assert response.json() == INVALID_WORKSPACE


def test_other_domain_cannot_see_or_use_them(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    mine = _create(client, admin, "private-ws")
    other = make_account("tenant-b")
    # Through the other tenant's own project the workspace does not exist.
    for method in ("GET", "PUT", "DELETE"):
        response = client.request(
            method, _url(other, f"/{mine['id']}"), json={"name": "stolen"}, headers=other.headers()
        )
        assert response.status_code == 400
        assert response.json() == INVALID_WORKSPACE
    listed = _list(client, other)
    assert [item["id"] for item in listed["workspaces"]] == ["0"]
    assert listed["total_count"] == 1
    # Through the admin's project path the other tenant's token is refused (D-4).
    response = client.get(_url(admin), headers=other.headers())
    assert response.status_code == 403
    assert response.json() == {
        "error_code": "ModelArts.0105",
        "error_msg": f"Operation not allowed: the credential is not scoped to project {admin.project()}.",
    }
    # Nor can it put a service into it.
    service = client.post(
        f"/v2/{other.project()}/services",
        json=service_body(workspace_id=mine["id"]),
        headers=other.headers(),
    )
    assert service.status_code == 400
    assert service.json() == INVALID_WORKSPACE
    # The other tenant may reuse the name in its own project.
    assert _create(client, other, "private-ws")["name"] == "private-ws"


def test_missing_token(client: TestClient, admin: Account) -> None:
    response = client.get(_url(admin))
    assert response.status_code == 401
    assert response.json() == {"error_code": "ModelArts.0203", "error_msg": "Invalid token."}
