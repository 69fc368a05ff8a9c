"""Names are each tenant's own: B may take every name A uses (workspace, service, custom endpoint,
API-key label), so no answer tells B that A's name exists; and a model name both accounts hold is
each key's own account's endpoint on the data plane (D-13), however soon after the other's call."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from httpx import Response

from tests.conftest import HOME, service_body
from tests.gateway.conftest import DataPlane, bearer
from tests.isolation.conftest import Tenant, Tenants
from tests.isolation.matrix import MODEL_GONE, PlaneError

HELLO = [{"role": "user", "content": "hello"}]


def _made(response: Response) -> str:
    """The id of what a create made."""
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def _chat(client: TestClient, tenant: Tenant, model: str) -> tuple[int, object]:
    answer = client.post(
        "/v1/chat/completions", json={"model": model, "messages": HELLO}, headers=bearer(tenant.api_key)
    )
    return answer.status_code, answer.json()


def test_b_takes_every_name_of_a_and_each_key_reaches_its_own_endpoint(
    client: TestClient, tenants: Tenants, settle: Callable[[], int], model_url: str
) -> None:
    """CONTRACT 2, 5.1, 5.2, D-22: names are unique per project or account, never across them."""
    a, b = tenants.a, tenants.b
    project, headers = b.project, b.headers
    workspace = _made(
        client.post(f"/v1/{project}/workspaces", json={"name": a.workspace_name}, headers=headers)
    )
    body = service_body(a.service_name, workspace_id=workspace, upstream_url=f"{model_url}/health")
    service = _made(client.post(f"/v2/{project}/services", json=body, headers=headers))
    settle()
    endpoint = {
        "endpoint_name": a.endpoint_name,
        "source": "custom_from_modelarts_v2",
        "region": HOME,
        "workspace_id": workspace,
        "infer_service_id": service,
    }
    same_name = _made(
        client.post(f"/v1/{project}/maas/services/custom-endpoint/endpoint", json=endpoint, headers=headers)
    )
    label = {"allow_all": True, "label": a.api_key_label}
    _made(client.post(f"/v2/{project}/maas/api-auth/api-keys", json=label, headers=headers))
    # A calls first, B right after: what a model name resolves to is kept per account, not per name.
    assert _chat(client, a, a.endpoint_name)[0] == 200
    for _ in range(2):
        assert _chat(client, b, a.endpoint_name)[0] == 200
    # D-19: each endpoint counted its own account's calls.
    assert DataPlane(client, a.account, settle).usage(a.endpoint_id)["calls"] == 1
    assert DataPlane(client, b.account, settle).usage(same_name)["calls"] == 2


def test_a_preset_model_a_fronts_is_no_model_of_b_d13(client: TestClient, tenants: Tenants) -> None:
    """D-13's second way to name a model, the preset of a ``custom_from_maas`` endpoint, stays in the
    endpoint's account too."""
    a = tenants.a
    preset = {"endpoint_name": "ds-tenant-a", "source": "custom_from_maas", "model_name": "DeepSeek-V3"}
    _made(
        client.post(f"/v1/{a.project}/maas/services/custom-endpoint/endpoint", json=preset, headers=a.headers)
    )
    # A's own call resolves the preset (it has no model server here, D-16); B's names nothing.
    no_server = PlaneError(
        503,
        "ModelArts.81010",
        "No available inference service instance: "
        "the preset model DeepSeek-V3 has no model server on this deployment.",
        "ServiceUnavailable",
    )
    assert _chat(client, a, "DeepSeek-V3") == (no_server.status, no_server.body())
    for model in ("DeepSeek-V3", "ds-tenant-a"):
        assert _chat(client, tenants.b, model) == (MODEL_GONE.status, MODEL_GONE.body())
