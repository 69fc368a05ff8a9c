"""Every operation of the CONTRACT 5.2 table, with the objects of 5.4 and the not-found rule (D-9)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Account
from tests.services.conftest import (
    UUID,
    act,
    assert_service_item,
    assert_service_object,
    create,
    delete,
    invalid,
    listing,
    not_found,
    services_url,
    show,
    update,
)

VERSION_ITEM_KEYS = {
    "infer_name",
    "version",
    "version_status",
    "description",
    "deploy_type",
    "create_at",
    "update_at",
}
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

FULL = {
    "version": "2.3.4",
    "description": "full service",
    "task_type": "TEXT_GENERATION",
    "workload_type": "DEPLOYMENT",
    "group_configs": [{"count": 2, "weight": 80, "priority": 2, "framework": "VLLM", "custom": "kept"}],
    "runtime_config": {
        "service_invoke": {"port": 8000, "protocol": "HTTPS", "auth_type": "TOKEN"},
        "service_limit": {"rate_limit": {"num": 100, "unit": "MINUTES"}, "request_timeout": 60},
    },
    "tags": [{"key": "team", "value": "nlp"}, {"key": "tier", "value": "gold"}],
    "deploy_timeout_minutes": 30,
    "schedule": [{"type": "stop", "time_unit": "HOURS", "duration": 2}],
}


def test_create_answers_a_deploying_service_object(client: TestClient, admin: Account) -> None:
    created = create(client, admin, "full-svc", **FULL)
    assert_service_object(created)
    assert created["status"] == "DEPLOYING"
    assert created["name"] == "full-svc"
    assert created["workspace_id"] == "0"
    assert created["type"] == "REAL_TIME"
    assert created["deploy_type"] == "SINGLE"
    assert created["task_type"] == "TEXT_GENERATION"
    assert created["failure_reason"] == ""
    assert created["tags"] == FULL["tags"]
    assert created["schedule"] == FULL["schedule"]
    assert created["deploy_timeout_minutes"] == 30
    assert created["create_at"] == created["update_at"]
    version = created["version"]
    assert version["version"] == "2.3.4"
    assert version["description"] == "full service"
    assert version["deploy_timeout_minutes"] == 30
    assert version["runtime_config"] == FULL["runtime_config"]
    [group] = version["instance_groups"]
    assert (group["count"], group["weight"], group["priority"], group["framework"]) == (2, 80, 2, "VLLM")
    assert group["custom"] == "kept"
    assert show(client, admin, created["id"]) == created


def test_create_defaults(client: TestClient, admin: Account) -> None:
    created = create(client, admin)
    assert created["version"]["version"] == "1.0.0"
    assert created["version"]["description"] == ""
    assert created["tags"] == []
    assert created["schedule"] == []
    assert created["task_type"] is None
    assert created["deploy_timeout_minutes"] == 20


def test_show_an_unknown_service(client: TestClient, admin: Account) -> None:
    """D-9."""
    missing = "00000000-0000-4000-8000-000000000000"
    response = client.get(services_url(admin, f"/{missing}"), headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == not_found(missing)


@pytest.mark.parametrize("service_id", ["not-a-uuid", "%00", "A" * 10_000])
def test_malformed_service_id_is_not_found(client: TestClient, admin: Account, service_id: str) -> None:
    response = client.get(services_url(admin, f"/{service_id}"), headers=admin.headers())
    assert response.status_code == 400
    decoded = "\u0000" if service_id == "%00" else service_id
    assert response.json() == not_found(decoded)


def test_list_items(client: TestClient, admin: Account) -> None:
    created = create(client, admin, "listed", **FULL)
    body = listing(client, admin)
    assert (body["current"], body["size"], body["pages"], body["total"]) == (0, 1, 1, 1)
    [item] = body["data"]
    assert_service_item(item)
    assert item == {
        "id": created["id"],
        "name": "listed",
        "status": "DEPLOYING",
        "version": "2.3.4",
        "version_count": 1,
        "description": "full service",
        "type": "REAL_TIME",
        "deploy_type": "SINGLE",
        "user_name": "admin",
        "workspace_id": "0",
        "create_at": int(created["create_at"]),
        "update_at": int(created["update_at"]),
        "auth_type": "TOKEN",
        "task_type": "TEXT_GENERATION",
        "tags": FULL["tags"],
        "schedule": FULL["schedule"],
        "frozen_infos": [],
    }


def test_update_description_only(client: TestClient, admin: Account, settle: Callable[[], int]) -> None:
    created = create(client, admin)
    settle()
    updated = update(client, admin, created["id"], description="now described")
    assert_service_object(updated)
    assert updated["status"] == "RUNNING"
    assert updated["version"]["version"] == "1.0.0"
    item = listing(client, admin)["data"][0]
    assert (item["description"], item["version_count"]) == ("now described", 1)


def test_empty_update_changes_nothing(client: TestClient, admin: Account, settle: Callable[[], int]) -> None:
    created = create(client, admin, description="keep me")
    settle()
    updated = update(client, admin, created["id"])
    assert (updated["status"], updated["version"]["version"]) == ("RUNNING", "1.0.0")
    item = listing(client, admin)["data"][0]
    assert (item["description"], item["version_count"]) == ("keep me", 1)


def test_update_answers_the_service_object(
    client: TestClient, admin: Account, settle: Callable[[], int]
) -> None:
    created = create(client, admin)
    settle()
    updated = update(
        client,
        admin,
        created["id"],
        group_configs=[{"count": 3}],
        tags=[{"key": "k", "value": "v"}],
        task_type="RERANK",
    )
    assert_service_object(updated)
    assert updated["status"] == "UPGRADING"
    assert updated["version"]["version"] == "1.0.1"
    assert updated["version"]["instance_groups"][0]["count"] == 3
    assert updated["tags"] == [{"key": "k", "value": "v"}]
    assert updated["task_type"] == "RERANK"
    assert updated["create_at"] == created["create_at"]
    assert int(updated["update_at"]) >= int(created["update_at"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"description": "<x>"}, "description must not contain < or >"),
        ({"version": "1.2"}, "version must look like N.N.N with each part from 0 to 99"),
        ({"version": "1.0.0"}, "version 1.0.0 already exists"),
        (
            {"group_configs": [{"count": 0}]},
            "group_configs[0].count input should be greater than or equal to 1",
        ),
        ({"deploy_timeout_minutes": 301}, "deploy_timeout_minutes input should be less than or equal to 300"),
        ({"tags": [{"key": "a"}, {"key": "a"}]}, "tags must not repeat a key"),
        ({"group_configs": [{"x": "nul\u0000"}]}, "group_configs[0].x must not contain NUL characters"),
    ],
)
def test_update_validates_like_create(
    client: TestClient, admin: Account, settle: Callable[[], int], body: dict[str, Any], message: str
) -> None:
    created = create(client, admin)
    settle()
    response = client.put(services_url(admin, f"/{created['id']}"), json=body, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == invalid(message)
    assert show(client, admin, created["id"])["status"] == "RUNNING"


def test_update_unknown_service(client: TestClient, admin: Account) -> None:
    missing = "00000000-0000-4000-8000-000000000001"
    response = client.put(
        services_url(admin, f"/{missing}"), json={"description": "x"}, headers=admin.headers()
    )
    assert response.status_code == 400
    assert response.json() == not_found(missing)


def test_batch_delete_answers_deleting_objects(client: TestClient, admin: Account) -> None:
    first = create(client, admin, "first")
    second = create(client, admin, "second")
    body = delete(client, admin, first["id"], second["id"], first["id"])
    assert list(body) == ["service_responses"]
    responses = body["service_responses"]
    assert [item["id"] for item in responses] == [first["id"], second["id"]]
    for item in responses:
        assert_service_object(item)
        assert item["status"] == "DELETING"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "service_ids is required"),
        ({"service_ids": []}, "service_ids list should have at least 1 item after validation, not 0"),
        ({"service_ids": "abc"}, "service_ids input should be a valid list"),
        ({"service_ids": [1]}, "service_ids[0] input should be a valid string"),
    ],
)
def test_batch_delete_rejects_invalid_body(
    client: TestClient, admin: Account, body: dict[str, Any], message: str
) -> None:
    response = client.post(services_url(admin, "/delete"), json=body, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == invalid(message)


def test_batch_delete_with_an_unknown_id_deletes_nothing(client: TestClient, admin: Account) -> None:
    kept = create(client, admin)
    missing = "00000000-0000-4000-8000-000000000002"
    response = client.post(
        services_url(admin, "/delete"), json={"service_ids": [kept["id"], missing]}, headers=admin.headers()
    )
    assert response.status_code == 400
    assert response.json() == not_found(missing)
    assert show(client, admin, kept["id"])["status"] == "DEPLOYING"


def test_stop_and_start_answer_service_objects(
    client: TestClient, admin: Account, settle: Callable[[], int]
) -> None:
    created = create(client, admin)
    settle()
    stopped = act(client, admin, created["id"], "stop")
    assert_service_object(stopped)
    assert stopped["status"] == "STOPPING"
    settle()
    started = act(client, admin, created["id"], "start")
    assert_service_object(started)
    assert started["status"] == "DEPLOYING"


@pytest.mark.parametrize("action", ["start", "stop"])
def test_start_stop_unknown_service(client: TestClient, admin: Account, action: str) -> None:
    missing = "00000000-0000-4000-8000-000000000003"
    response = client.post(services_url(admin, f"/{missing}/{action}"), headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == not_found(missing)


def test_deployments(client: TestClient, admin: Account) -> None:
    created = create(client, admin, "deployed", **FULL)
    response = client.get(services_url(admin, f"/{created['id']}/deployments"), headers=admin.headers())
    assert response.status_code == 200
    body = response.json()
    assert (body["current"], body["size"], body["pages"], body["total"]) == (0, 1, 1, 1)
    [deployment] = body["data"]
    assert UUID.match(deployment["id"])
    assert (deployment["name"], deployment["status"], deployment["version"]) == (
        "deployed",
        "DEPLOYING",
        "2.3.4",
    )
    assert type(deployment["create_at"]) is int
    detail = client.get(
        services_url(admin, f"/{created['id']}/deployments/{deployment['id']}"), headers=admin.headers()
    )
    assert detail.status_code == 200
    shown = detail.json()
    assert shown["id"] == deployment["id"]
    assert (shown["count"], shown["weight"], shown["priority"], shown["framework"]) == (2, 80, 2, "VLLM")
    assert (shown["version"], shown["version_id"], shown["version_count"]) == (
        "2.3.4",
        created["version"]["id"],
        1,
    )
    assert shown["description"] == "full service"
    assert shown["user_name"] == "admin"


def test_unknown_deployment(client: TestClient, admin: Account) -> None:
    created = create(client, admin)
    missing = "00000000-0000-4000-8000-000000000004"
    for suffix in (f"/deployments/{missing}", f"/deployments/{missing}/versions"):
        response = client.get(services_url(admin, f"/{created['id']}{suffix}"), headers=admin.headers())
        assert response.status_code == 400
        assert response.json() == {
            "error_code": "ModelArts.0102",
            "error_msg": f"Deployment {missing} does not exist.",
        }


def _deployment_id(client: TestClient, admin: Account, service_id: str) -> str:
    response = client.get(services_url(admin, f"/{service_id}/deployments"), headers=admin.headers())
    deployment_id: str = response.json()["data"][0]["id"]
    return deployment_id


def test_versions(client: TestClient, admin: Account, settle: Callable[[], int]) -> None:
    created = create(client, admin, description="first")
    settle()
    update(client, admin, created["id"], group_configs=[{"count": 2}], description="second")
    settle()
    update(client, admin, created["id"], version="5.0.0")
    settle()
    deployment = _deployment_id(client, admin, created["id"])
    url = services_url(admin, f"/{created['id']}/deployments/{deployment}/versions")
    body = client.get(url, headers=admin.headers()).json()
    assert (body["current"], body["size"], body["pages"], body["total"]) == (0, 3, 1, 3)
    # decisions.md: the SDK types these times as datetimes, so they are ISO 8601 strings here.
    for item in body["data"]:
        assert set(item) == VERSION_ITEM_KEYS
        assert ISO_MS.match(item["create_at"]), item["create_at"]
        assert ISO_MS.match(item["update_at"]), item["update_at"]
    assert [item["version"] for item in body["data"]] == ["5.0.0", "1.0.1", "1.0.0"]
    assert [item["version_status"] for item in body["data"]] == ["RUNNING", "HISTORY", "HISTORY"]
    assert [item["description"] for item in body["data"]] == ["second", "second", "first"]
    paged = client.get(url, params={"limit": 2, "offset": 2}, headers=admin.headers()).json()
    assert (paged["current"], paged["size"], paged["pages"], paged["total"]) == (1, 1, 2, 3)
    assert paged["data"][0]["version"] == "1.0.0"
    one = client.get(f"{url}/1.0.1", headers=admin.headers())
    assert one.status_code == 200
    assert one.json()["version"] == "1.0.1"
    assert one.json()["count"] == 2


@pytest.mark.parametrize("version", ["9.9.9", "nope", "%00"])
def test_unknown_version(client: TestClient, admin: Account, version: str) -> None:
    created = create(client, admin)
    deployment = _deployment_id(client, admin, created["id"])
    url = services_url(admin, f"/{created['id']}/deployments/{deployment}/versions/{version}")
    response = client.get(url, headers=admin.headers())
    assert response.status_code == 400
    decoded = "\u0000" if version == "%00" else version
    assert response.json() == {
        "error_code": "ModelArts.0102",
        "error_msg": f"Version {decoded} does not exist.",
    }


def test_versions_offset_must_be_a_multiple_of_limit(client: TestClient, admin: Account) -> None:
    created = create(client, admin)
    deployment = _deployment_id(client, admin, created["id"])
    url = services_url(admin, f"/{created['id']}/deployments/{deployment}/versions")
    response = client.get(url, params={"limit": 2, "offset": 1}, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == invalid("offset must be a multiple of limit")


def test_versions_offset_is_at_most_2_31_minus_1(client: TestClient, admin: Account) -> None:
    created = create(client, admin)
    deployment = _deployment_id(client, admin, created["id"])
    url = services_url(admin, f"/{created['id']}/deployments/{deployment}/versions")
    response = client.get(url, params={"limit": 1, "offset": 2147483648}, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == invalid("offset input should be less than or equal to 2147483647")
    response = client.get(url, params={"limit": 1, "offset": 2147483647}, headers=admin.headers())
    assert response.status_code == 200
    assert response.json() == {"data": [], "current": 2147483647, "size": 0, "pages": 1, "total": 1}


def test_other_tenant_cannot_see_or_touch_services(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    created = create(client, admin)
    other = make_account("tenant-b")
    for method, suffix in (("GET", ""), ("PUT", ""), ("POST", "/stop"), ("GET", "/deployments")):
        response = client.request(
            method, services_url(other, f"/{created['id']}{suffix}"), json={}, headers=other.headers()
        )
        assert response.status_code == 400
        assert response.json() == not_found(created["id"])
    response = client.post(
        services_url(other, "/delete"), json={"service_ids": [created["id"]]}, headers=other.headers()
    )
    assert response.json() == not_found(created["id"])
    assert listing(client, other)["total"] == 0
    # Another tenant may use the same name in its own project.
    assert create(client, other)["name"] == created["name"]
    assert show(client, admin, created["id"])["status"] == "DEPLOYING"
