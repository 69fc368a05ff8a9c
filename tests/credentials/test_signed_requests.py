"""AK/SK-signed requests on IAM, ModelArts and MaaS paths (CONTRACT 3, D-4, D-5), signed by the SDK."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from tests.conftest import HOME, OTHER, Account, service_body
from tests.credentials.conftest import CREDENTIALS, create_key
from tests.credentials.signing import send_signed, signed

AKSK_FAILURE = "Incorrect IAM authentication information: verify aksk signature fail"


def apig_0301(reason: str) -> dict[str, str]:
    """D-5 on ModelArts and MaaS paths."""
    return {"error_code": "APIG.0301", "error_msg": f"{AKSK_FAILURE} ({reason})"}


def iam_401(reason: str) -> dict[str, object]:
    """D-5 on IAM paths."""
    return {"error": {"code": 401, "message": f"{AKSK_FAILURE} ({reason})", "title": "Unauthorized"}}


def not_scoped(project_id: str) -> dict[str, str]:
    """D-4."""
    return {
        "error_code": "ModelArts.0105",
        "error_msg": f"Operation not allowed: the credential is not scoped to project {project_id}.",
    }


def test_project_discovery_finds_exactly_one_project(client: TestClient, admin: Account) -> None:
    """CONTRACT 4.3: GET /v3/projects?name=<region> signed with AK/SK, as BasicCredentials(ak, sk) does."""
    key = create_key(client, admin)
    response = send_signed(client, "GET", "/v3/projects", key.pair, query=[("name", HOME)])
    assert response.status_code == 200
    projects = response.json()["projects"]
    assert [(item["id"], item["name"]) for item in projects] == [(admin.project(HOME), HOME)]
    assert response.json()["links"]["next"] is None


def test_signed_create_reads_the_body_and_names_the_key_owner(client: TestClient, admin: Account) -> None:
    """The verifier reads the body and the (sync) route still parses it."""
    key = create_key(client, admin)
    path = f"/v2/{admin.project(HOME)}/services"
    response = send_signed(client, "POST", path, key.pair, body=json.dumps(service_body("signed-svc")))
    assert response.status_code == 200, response.text
    created = response.json()
    assert (created["name"], created["status"]) == ("signed-svc", "DEPLOYING")
    listed = send_signed(client, "GET", path, key.pair, query=[("name", "signed-svc"), ("limit", 10)])
    assert listed.status_code == 200
    assert [(item["id"], item["user_name"]) for item in listed.json()["data"]] == [(created["id"], "admin")]


def test_x_project_id_selects_the_project(client: TestClient, admin: Account) -> None:
    """CONTRACT 3: X-Project-Id, when sent, is the call's project; it must match the path (D-4)."""
    key = create_key(client, admin)
    home, other = admin.project(HOME), admin.project(OTHER)
    same = send_signed(client, "GET", f"/v1/{home}/workspaces", key.pair, headers={"X-Project-Id": home})
    assert same.status_code == 200
    assert [item["id"] for item in same.json()["workspaces"]] == ["0"]
    crossed = send_signed(client, "GET", f"/v1/{home}/workspaces", key.pair, headers={"X-Project-Id": other})
    assert crossed.status_code == 403
    assert crossed.json() == not_scoped(home)


def test_projects_of_another_domain_are_not_scoped(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    """D-4: the path project, or X-Project-Id, must belong to the key owner's domain."""
    key = create_key(client, admin)
    foreign = make_account("tenant-b").project(HOME)
    by_path = send_signed(client, "GET", f"/v2/{foreign}/services", key.pair)
    assert (by_path.status_code, by_path.json()) == (403, not_scoped(foreign))
    by_header = send_signed(
        client, "GET", f"/v2/{admin.project(HOME)}/services", key.pair, headers={"X-Project-Id": foreign}
    )
    assert (by_header.status_code, by_header.json()) == (403, not_scoped(foreign))
    maas = send_signed(client, "GET", f"/v1/{foreign}/maas/services/custom-endpoint/regions", key.pair)
    assert (maas.status_code, maas.json()) == (403, not_scoped(foreign))


def test_signed_maas_call_in_the_home_region(client: TestClient, admin: Account) -> None:
    key = create_key(client, admin)
    path = f"/v1/{admin.project(HOME)}/maas/services/custom-endpoint/services/{HOME}"
    response = send_signed(client, "GET", path, key.pair, query=[("workspace_id", "0")])
    assert response.status_code == 200
    assert response.json() == {"data": [], "pages": 0, "total": 0}


def test_bad_signature_answers_per_family(client: TestClient, admin: Account) -> None:
    """D-5: 401 APIG.0301 on ModelArts and MaaS paths, a 401 IAM body on IAM paths."""
    key = create_key(client, admin)
    wrong = (key.access, key.secret[::-1])
    reason = "the signature does not match the request"
    project = admin.project(HOME)
    for path in (f"/v2/{project}/services", f"/v1/{project}/maas/services/custom-endpoint/regions"):
        response = send_signed(client, "GET", path, wrong)
        assert (response.status_code, response.json()) == (401, apig_0301(reason))
    for path in ("/v3/projects", CREDENTIALS, "/v3/auth/projects"):
        response = send_signed(client, "GET", path, wrong)
        assert (response.status_code, response.json()) == (401, iam_401(reason))


def test_tampered_body_is_rejected(client: TestClient, admin: Account) -> None:
    key = create_key(client, admin)
    path = f"/v2/{admin.project(HOME)}/services"
    uri, headers = signed("POST", path, *key.pair, body=json.dumps(service_body("a-svc")))
    response = client.post(uri, content=json.dumps(service_body("b-svc")), headers=headers)
    assert response.status_code == 401
    assert response.json() == apig_0301("the signature does not match the request")


def test_unknown_and_deleted_keys_are_rejected(client: TestClient, admin: Account) -> None:
    key = create_key(client, admin)
    path = f"/v2/{admin.project(HOME)}/services"
    unknown = send_signed(client, "GET", path, ("AAAAAAAAAAAAAAAAAAAA", key.secret))
    assert (unknown.status_code, unknown.json()) == (401, apig_0301("the access key does not exist"))
    assert client.delete(f"{CREDENTIALS}/{key.access}", headers=admin.headers()).status_code == 204
    deleted = send_signed(client, "GET", path, key.pair)
    assert (deleted.status_code, deleted.json()) == (401, apig_0301("the access key does not exist"))


def test_clock_skew_is_rejected(client: TestClient, admin: Account) -> None:
    """CONTRACT 3: X-Sdk-Date more than 15 minutes from the server clock."""
    key = create_key(client, admin)
    stale = (datetime.now(UTC) - timedelta(minutes=16)).strftime("%Y%m%dT%H%M%SZ")
    response = send_signed(
        client, "GET", f"/v2/{admin.project(HOME)}/services", key.pair, headers={"X-Sdk-Date": stale}
    )
    assert response.status_code == 401
    assert response.json() == apig_0301("the X-Sdk-Date is more than 15 minutes away from the server clock")


def test_a_token_wins_over_a_signature(client: TestClient, admin: Account) -> None:
    """With both X-Auth-Token and Authorization, the token authenticates (the SDK sends one or the other)."""
    key = create_key(client, admin)
    path = f"/v2/{admin.project(HOME)}/services"
    uri, headers = signed("GET", path, key.access, "wrong-secret")
    response = client.get(uri, headers={**headers, "X-Auth-Token": admin.headers()["X-Auth-Token"]})
    assert response.status_code == 200
    assert response.json()["total"] == 0


def test_signed_key_management(client: TestClient, admin: Account) -> None:
    """Access keys can be managed with an access key (IAM path, AK/SK)."""
    key = create_key(client, admin)
    body = json.dumps({"credential": {"user_id": key.user_id, "description": "second"}})
    created = send_signed(client, "POST", CREDENTIALS, key.pair, body=body)
    assert created.status_code == 201
    listed = send_signed(client, "GET", CREDENTIALS, key.pair, query=[("user_id", key.user_id)])
    assert listed.status_code == 200
    assert sorted(item["access"] for item in listed.json()["credentials"]) == sorted(
        [key.access, created.json()["credential"]["access"]]
    )
