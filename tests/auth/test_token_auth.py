"""CONTRACT 3, token part: D-5 failure bodies per API family, D-4 scope check, D-3 home region."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.app import create_app
from openmaas.config import Settings
from tests.conftest import HOME, OTHER, Account, service_body
from tests.iam.conftest import NEEDS_AUTHENTICATION, expired_copy, issue, store_minted_copy

MAAS_INVALID = {"error_msg": "Invalid token.", "error_code": "ModelArts.0104"}
MODELARTS_INVALID = {"error_code": "ModelArts.0203", "error_msg": "Invalid token."}
NOT_PUBLISHED = {
    "error_code": "APIG.0101",
    "error_msg": "The API does not exist or has not been published in the environment.",
}


def maas_paths(project_id: str) -> list[str]:
    base = f"/v1/{project_id}/maas/services"
    return [
        f"{base}/custom-endpoint/regions",
        f"{base}/workspace/{HOME}",
        f"{base}/custom-endpoint/services/{HOME}",
        f"{base}/custom-endpoint/services/{HOME}?workspace_id=0",
    ]


def modelarts_paths(project_id: str) -> list[str]:
    return [f"/v2/{project_id}/services", f"/v1/{project_id}/workspaces", f"/v1/{project_id}/workspaces/0"]


IAM_PATHS = ["/v3/projects", f"/v3/projects?name={HOME}", "/v3/auth/projects"]


def not_scoped(project_id: str) -> dict[str, str]:
    """D-4."""
    return {
        "error_code": "ModelArts.0105",
        "error_msg": f"Operation not allowed: the credential is not scoped to project {project_id}.",
    }


def _revoked(client: TestClient) -> str:
    token = issue(client, {"project": {"name": HOME}})
    response = client.delete("/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token})
    assert response.status_code == 204
    return token


def _bad_tokens(client: TestClient, engine: Engine) -> dict[str, dict[str, str]]:
    """Header sets for every kind of token CONTRACT 3 calls not valid."""
    live = issue(client, {"project": {"name": HOME}})
    tokens = {
        "empty": "",
        "garbage": "not-a-token",
        "forged": live[:-4] + ("AAAA" if not live.endswith("AAAA") else "BBBB"),
        "expired": expired_copy(client, live),
        "minted from a copy of the store": store_minted_copy(engine, live),
        "revoked": _revoked(client),
    }
    headers = {kind: {"X-Auth-Token": token} for kind, token in tokens.items()}
    return {"missing": {}, **headers}


def test_maas_paths_answer_400_invalid_token_d5(client: TestClient, admin: Account, engine: Engine) -> None:
    for kind, headers in _bad_tokens(client, engine).items():
        for path in maas_paths(admin.project()):
            response = client.get(path, headers=headers)
            assert (response.status_code, response.json()) == (400, MAAS_INVALID), (kind, path)


def test_modelarts_paths_answer_401_modelarts_0203_d5(
    client: TestClient, admin: Account, engine: Engine
) -> None:
    for kind, headers in _bad_tokens(client, engine).items():
        for path in modelarts_paths(admin.project()):
            response = client.get(path, headers=headers)
            assert (response.status_code, response.json()) == (401, MODELARTS_INVALID), (kind, path)


def test_iam_paths_answer_401_iam_body_d5(client: TestClient, engine: Engine) -> None:
    for kind, headers in _bad_tokens(client, engine).items():
        for path in IAM_PATHS:
            response = client.get(path, headers=headers)
            assert (response.status_code, response.json()) == (401, NEEDS_AUTHENTICATION), (kind, path)


def test_authentication_comes_before_body_validation_d5(client: TestClient, admin: Account) -> None:
    """A bad token with a bad body is still the token failure: nothing is validated for a stranger."""
    url = f"/v2/{admin.project()}/services"
    for body in (service_body(), {"name": 5}):
        response = client.post(url, json=body, headers={"X-Auth-Token": "nope"})
        assert (response.status_code, response.json()) == (401, MODELARTS_INVALID)
    response = client.post(f"/v1/{admin.project()}/workspaces", json={"name": 1}, headers={})
    assert (response.status_code, response.json()) == (401, MODELARTS_INVALID)


def test_nothing_is_created_with_a_bad_token(client: TestClient, admin: Account) -> None:
    url = f"/v2/{admin.project()}/services"
    response = client.post(url, json=service_body("sneaky"), headers={"X-Auth-Token": "nope"})
    assert response.status_code == 401
    listing = client.get(url, headers=admin.headers()).json()
    assert listing["total"] == 0


def test_valid_token_is_accepted_on_every_family(client: TestClient, admin: Account) -> None:
    headers = admin.headers()
    for path in [*maas_paths(admin.project()), *modelarts_paths(admin.project()), *IAM_PATHS]:
        assert client.get(path, headers=headers).status_code == 200, path


def test_token_of_project_a_on_project_b_is_403_d4(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    tenant = make_account("tenant-b")
    for foreign in (admin.project(OTHER), tenant.project(HOME), "0" * 32, "not-a-project"):
        for path in modelarts_paths(foreign):
            response = client.get(path, headers=admin.headers())
            assert (response.status_code, response.json()) == (403, not_scoped(foreign)), path
    # The other way round, with the other tenant's token on the admin's project.
    for path in modelarts_paths(admin.project()):
        response = client.get(path, headers=tenant.headers())
        assert (response.status_code, response.json()) == (403, not_scoped(admin.project())), path


def test_token_of_project_a_on_a_maas_path_of_project_b_is_403_d4(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    tenant = make_account("tenant-b")
    for foreign in (tenant.project(HOME), "0" * 32):
        for path in maas_paths(foreign):
            response = client.get(path, headers=admin.headers())
            assert (response.status_code, response.json()) == (403, not_scoped(foreign)), path


def test_a_write_on_another_project_is_403_and_writes_nothing_d4(
    client: TestClient, admin: Account, make_account: Callable[..., Account]
) -> None:
    tenant = make_account("tenant-b")
    foreign = tenant.project(HOME)
    response = client.post(f"/v2/{foreign}/services", json=service_body("intruder"), headers=admin.headers())
    assert (response.status_code, response.json()) == (403, not_scoped(foreign))
    assert client.get(f"/v2/{foreign}/services", headers=tenant.headers()).json()["total"] == 0


@pytest.mark.parametrize("scope", [{"domain": {"name": "openmaas"}}, None], ids=["domain", "unscoped"])
def test_a_token_without_a_project_is_403_on_project_paths_d4(
    client: TestClient, admin: Account, scope: dict[str, Any] | None
) -> None:
    token = issue(client, scope)
    project_id = admin.project()
    for path in [*modelarts_paths(project_id), *maas_paths(project_id)]:
        response = client.get(path, headers={"X-Auth-Token": token})
        assert (response.status_code, response.json()) == (403, not_scoped(project_id)), path
    # The same token still serves the IAM paths of its domain.
    assert client.get("/v3/auth/projects", headers={"X-Auth-Token": token}).status_code == 200


def test_maas_with_a_token_of_another_region_is_404_unpublished_d3(
    client: TestClient, admin: Account
) -> None:
    for project_id in (admin.project(OTHER), admin.project(HOME)):
        for path in maas_paths(project_id):
            response = client.get(path, headers=admin.headers(OTHER))
            assert (response.status_code, response.json()) == (404, NOT_PUBLISHED), path


def test_modelarts_serves_every_region_d3(client: TestClient, admin: Account) -> None:
    """D-3 limits only MaaS: the other region's ModelArts paths answer its own token."""
    for path in modelarts_paths(admin.project(OTHER)):
        assert client.get(path, headers=admin.headers(OTHER)).status_code == 200, path


def test_the_home_region_is_a_setting_d3(client: TestClient, settings: Settings, engine: Engine) -> None:
    moved = settings.model_copy(update={"maas_home_region": OTHER})
    with TestClient(create_app(moved, engine), raise_server_exceptions=False) as other:
        home_token = issue(other, {"project": {"name": HOME}})
        other_token = issue(other, {"project": {"name": OTHER}})
        projects = {
            item["name"]: item["id"]
            for item in other.get("/v3/auth/projects", headers={"X-Auth-Token": home_token}).json()[
                "projects"
            ]
        }
        regions = f"/v1/{projects[OTHER]}/maas/services/custom-endpoint/regions"
        assert other.get(regions, headers={"X-Auth-Token": other_token}).status_code == 200
        regions = f"/v1/{projects[HOME]}/maas/services/custom-endpoint/regions"
        response = other.get(regions, headers={"X-Auth-Token": home_token})
        assert (response.status_code, response.json()) == (404, NOT_PUBLISHED)
