"""Two tenants that each own one of everything, made through the wire: A is the bootstrap admin's
domain, B a domain of its own (``make_account``). The isolation matrix sends B's credentials at A's
ids and paths."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import SecretStr

from openmaas.config import Settings
from openmaas.mock_model import MockOptions, create_mock_app
from tests.conftest import HOME, OTHER, Account, password_body, service_body
from tests.credentials.conftest import AccessKey, create_key
from tests.gateway.upstreams import served

# The operator's key (D-42): set, so that the admin API is published and B's credentials at it meet
# its 403 rather than the 404 of an API that is not there. No case sends it.
ADMIN_API_KEY = "isolation-operator-key-0123456789"


@dataclass(frozen=True)
class Tenant:
    """One domain's user and everything it owns, by id and name."""

    account: Account
    label: str
    domain_id: str
    user_id: str
    project: str
    other_project: str
    workspace_id: str
    workspace_name: str
    service_id: str
    service_name: str
    default_service_id: str
    deployment_id: str
    version: str
    endpoint_id: str
    endpoint_name: str
    access_key: AccessKey
    api_key_id: str
    api_key_label: str
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return self.account.headers()

    def ids(self) -> dict[str, str]:
        """Every id and name of this tenant, by the placeholder the matrix's templates use."""
        return {
            "domain_id": self.domain_id,
            "domain_name": self.account.domain,
            "user_id": self.user_id,
            "user_name": self.account.user,
            "project": self.project,
            "other_project": self.other_project,
            "workspace": self.workspace_id,
            "workspace_name": self.workspace_name,
            "service": self.service_id,
            "service_name": self.service_name,
            "default_service": self.default_service_id,
            "deployment": self.deployment_id,
            "version": self.version,
            "endpoint": self.endpoint_id,
            "endpoint_name": self.endpoint_name,
            "access": self.access_key.access,
            "api_key_id": self.api_key_id,
            "api_key_label": self.api_key_label,
        }


@dataclass(frozen=True)
class Tenants:
    a: Tenant
    b: Tenant


@pytest.fixture(scope="session")
def model_url() -> Iterator[str]:
    """The mock model server both tenants' services front (D-8, D-14)."""
    with served(create_mock_app(MockOptions())) as url:
        yield url


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_api_key": SecretStr(ADMIN_API_KEY)})


def _ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _make_tenant(
    client: TestClient, account: Account, label: str, model_url: str, settle: Callable[[], int]
) -> Tenant:
    headers = account.headers()
    project = account.project()
    login_body = password_body(account.user, account.password, account.domain, {"project": {"name": HOME}})
    token = _ok(client.post("/v3/auth/tokens", json=login_body), 201)["token"]
    workspace = _ok(client.post(f"/v1/{project}/workspaces", json={"name": f"ws-{label}"}, headers=headers))
    service = _ok(
        client.post(
            f"/v2/{project}/services",
            json=service_body(
                f"svc-{label}",
                workspace_id=workspace["id"],
                description=f"desc-{label}",
                tags=[{"key": "owner", "value": label}],
                upstream_url=f"{model_url}/health",
            ),
            headers=headers,
        )
    )
    # A second service, in the default workspace: what §6.3 lists when no workspace is named.
    default_service = _ok(
        client.post(f"/v2/{project}/services", json=service_body(f"svc0-{label}"), headers=headers)
    )
    settle()
    shown = _ok(client.get(f"/v2/{project}/services/{service['id']}", headers=headers))
    assert shown["status"] == "RUNNING", shown
    deployments = _ok(client.get(f"/v2/{project}/services/{service['id']}/deployments", headers=headers))
    (deployment,) = deployments["data"]
    endpoint = _ok(
        client.post(
            f"/v1/{project}/maas/services/custom-endpoint/endpoint",
            json={
                "endpoint_name": f"ep-{label}",
                "source": "custom_from_modelarts_v2",
                "region": HOME,
                "workspace_id": workspace["id"],
                "infer_service_id": service["id"],
            },
            headers=headers,
        )
    )
    access_key = create_key(client, account, description=f"ak-{label}")
    api_key = _ok(
        client.post(
            f"/v2/{project}/maas/api-auth/api-keys",
            json={"allow_all": True, "label": f"key-{label}"},
            headers=headers,
        )
    )
    return Tenant(
        account=account,
        label=label,
        domain_id=token["user"]["domain"]["id"],
        user_id=token["user"]["id"],
        project=project,
        other_project=account.project(OTHER),
        workspace_id=str(workspace["id"]),
        workspace_name=f"ws-{label}",
        service_id=str(service["id"]),
        service_name=f"svc-{label}",
        default_service_id=str(default_service["id"]),
        deployment_id=str(deployment["id"]),
        version=str(shown["version"]["version"]),
        endpoint_id=str(endpoint["id"]),
        endpoint_name=f"ep-{label}",
        access_key=access_key,
        api_key_id=str(api_key["id"]),
        api_key_label=f"key-{label}",
        api_key=str(api_key["api_key"]),
    )


@pytest.fixture
def tenants(
    client: TestClient,
    admin: Account,
    make_account: Callable[[str], Account],
    settle: Callable[[], int],
    model_url: str,
) -> Tenants:
    a = _make_tenant(client, admin, "tenant-a", model_url, settle)
    b = _make_tenant(client, make_account("tenant-b"), "tenant-b", model_url, settle)
    return Tenants(a, b)
