"""Accounts made and deleted by the operator (issue 11, D-42): with their administrator and a project
per region; deleting one removes everything it owns, and its tokens stop working."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.http.existence import ExistenceCache
from tests.admin.conftest import admin_call, plain_error
from tests.conftest import HOME, OTHER, Account, count_rows, service_body
from tests.gateway.conftest import DataPlane, bearer


def test_create_a_domain_with_a_generated_password(client: TestClient) -> None:
    made = admin_call(client, "POST", "/domains", json={"name": "team-a"})
    assert made.status_code == 201
    body = made.json()
    domain = body["domain"]
    assert domain["name"] == "team-a"
    assert [(u["name"], u["is_admin"]) for u in domain["users"]] == [("admin", True)]
    assert sorted(p["name"] for p in domain["projects"]) == sorted([HOME, OTHER])
    assert len(body["password"]) >= 20
    tenant = Account(client, "admin", body["password"], "team-a")
    created = client.post(f"/v2/{tenant.project()}/services", json=service_body(), headers=tenant.headers())
    assert created.status_code == 200


def test_a_chosen_password_is_never_echoed_and_regions_can_be_chosen(client: TestClient) -> None:
    body = {"name": "team-b", "admin_user": "lead", "password": "Lead-Passw0rd!", "regions": [HOME]}
    made = admin_call(client, "POST", "/domains", json=body)
    assert made.status_code == 201
    assert made.json()["password"] is None
    assert [p["name"] for p in made.json()["domain"]["projects"]] == [HOME]
    assert Account(client, "lead", "Lead-Passw0rd!", "team-b").login()


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"name": "openmaas"}, 409, plain_error("OpenMaaS.0409", "Domain name openmaas is already used.")),
        (
            {"name": "x", "regions": ["mars-1"]},
            400,
            plain_error(
                "ModelArts.0101", "Invalid parameter: regions names regions that are not configured: mars-1."
            ),
        ),
        (
            {"name": "x", "password": "short"},
            400,
            plain_error(
                "ModelArts.0101", "Invalid parameter: password string should have at least 8 characters."
            ),
        ),
        (
            {"name": "bad name!"},
            400,
            plain_error(
                "ModelArts.0101",
                "Invalid parameter: name string should match pattern '^[A-Za-z0-9\\u4e00-\\u9fa5_-]+$'.",
            ),
        ),
    ],
)
def test_bad_domains_are_refused(
    client: TestClient, body: dict[str, object], status: int, error: object
) -> None:
    response = admin_call(client, "POST", "/domains", json=body)
    assert response.status_code == status
    assert response.json() == error


def test_list_and_show(client: TestClient) -> None:
    made = admin_call(client, "POST", "/domains", json={"name": "team-c"}).json()["domain"]
    listed = admin_call(client, "GET", "/domains").json()["domains"]
    assert [(d["name"], d["user_count"]) for d in listed] == [("openmaas", 1), ("team-c", 1)]
    shown = admin_call(client, "GET", f"/domains/{made['id']}")
    assert shown.status_code == 200
    assert shown.json() == made
    unknown = admin_call(client, "GET", "/domains/" + "0" * 32)
    assert unknown.status_code == 404
    assert unknown.json() == plain_error("OpenMaaS.0404", f"Domain {'0' * 32} does not exist.")


def test_deleting_a_domain_removes_all_it_owns_and_its_tokens_stop_working(
    client: TestClient,
    engine: Engine,
    settle: Callable[[], int],
    mock_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = admin_call(client, "POST", "/domains", json={"name": "doomed"}).json()
    domain_id = made["domain"]["id"]
    tenant = Account(client, "admin", made["password"], "doomed")
    plane = DataPlane(client, tenant, settle)
    endpoint_id = plane.endpoint("doomed-ep", plane.service(mock_url))
    key = plane.key()
    assert (
        client.post(
            "/v1/chat/completions",
            json={"model": "doomed-ep", "messages": [{"role": "user", "content": "x"}]},
            headers=bearer(key),
        ).status_code
        == 200
    )
    plane.usage(endpoint_id)  # the usage is written
    client.post(f"/v1/{tenant.project()}/workspaces", json={"name": "space-1"}, headers=tenant.headers())
    token_headers = tenant.headers()
    deleted = admin_call(client, "DELETE", f"/domains/{domain_id}")
    assert deleted.status_code == 204
    # This process forgets the tenant at once; the others within 5 s (ExistenceCache.TTL_SECONDS).
    monkeypatch.setattr(ExistenceCache, "TTL_SECONDS", 0.0)
    refused = client.get(f"/v2/{tenant.projects[HOME]}/services", headers=token_headers)
    assert refused.status_code == 401
    assert refused.json() == {"error_code": "ModelArts.0203", "error_msg": "Invalid token."}
    assert client.get("/v1/models", headers=bearer(key)).status_code == 401
    for table, column in [
        ("domains", "id"),
        ("users", "domain_id"),
        ("projects", "domain_id"),
        ("custom_endpoints", "domain_id"),
        ("custom_endpoint_names", "domain_id"),
        ("api_keys", "domain_id"),
    ]:
        sql = f"SELECT COUNT(*) FROM {table} WHERE {column} = :d"  # noqa: S608 (names from this test)
        assert count_rows(engine, sql, d=domain_id) == 0, table
    assert (
        count_rows(engine, "SELECT COUNT(*) FROM endpoint_usage WHERE endpoint_id = :e", e=endpoint_id) == 0
    )
    assert count_rows(engine, "SELECT COUNT(*) FROM services") == 0
    assert count_rows(engine, "SELECT COUNT(*) FROM workspaces") == 2  # the bootstrap domain's "0"s
    assert [d["name"] for d in admin_call(client, "GET", "/domains").json()["domains"]] == ["openmaas"]
