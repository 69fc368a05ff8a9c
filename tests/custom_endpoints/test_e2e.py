"""CONTRACT 6.1-6.4 end to end on a live `openmaas serve`: from a token to an endpoint and back.

The path a MaaS user takes: token, regions, workspaces, services of a region and workspace, then an
endpoint on a RUNNING one, edited, switched off and on, deleted, and its name refused afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ADMIN_PASSWORD, HOME, service_body
from tests.custom_endpoints.conftest import name_taken
from tests.e2e.conftest import Server, Session, Store, launch, store, wait_for

pytestmark = pytest.mark.e2e
# Re-exported fixtures of the live-server harness (tests/e2e/conftest.py).
__all__ = ["launch", "store"]
RUNNING_WAIT_SECONDS = 30.0


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def _running(session: Session, service_id: str) -> dict[str, Any] | None:
    listing = _ok(
        session.http.get(
            f"/v1/{session.project()}/maas/services/custom-endpoint/services/{HOME}",
            params={"workspace_id": "0"},
            headers=session.headers(),
        )
    )
    found = [item for item in listing["data"] if item["id"] == service_id]
    return found[0] if found and found[0]["status"] == "RUNNING" else None


def _endpoint_items(session: Session) -> list[dict[str, Any]]:
    url = f"/v1/{session.project()}/maas/services/custom-endpoint/endpoint"
    items: list[dict[str, Any]] = _ok(session.http.get(url, headers=session.headers()))["items"]
    return items


def test_token_to_endpoint_and_back_on_a_live_server(launch: Callable[..., Server], store: Store) -> None:
    server = launch(store, OPENMAAS_ADMIN_PASSWORD=ADMIN_PASSWORD)
    with server.client() as http:
        session = Session(http, ADMIN_PASSWORD)
        session.login(HOME)
        maas = f"/v1/{session.project()}/maas/services"
        headers = session.headers()

        regions = _ok(http.get(f"{maas}/custom-endpoint/regions", headers=headers))["region_items"]
        assert HOME in [region["region_id"] for region in regions]
        workspaces = _ok(http.get(f"{maas}/workspace/{HOME}", headers=headers))["workspaces"]
        assert workspaces[0]["id"] == "0"

        body = service_body("e2e-svc")
        body["runtime_config"]["service_invoke"]["auth_type"] = "NONE"
        service_id = _ok(http.post(f"/v2/{session.project()}/services", json=body, headers=headers))["id"]
        listed_service = wait_for(lambda: _running(session, service_id), RUNNING_WAIT_SECONDS, "RUNNING")
        assert listed_service["auth_type"] == "NONE"

        create = {
            "endpoint_name": "e2e-endpoint",
            "source": "custom_from_modelarts_v2",
            "region": HOME,
            "workspace_id": "0",
            "infer_service_id": service_id,
        }
        endpoint = _ok(http.post(f"{maas}/custom-endpoint/endpoint", json=create, headers=headers))
        assert (endpoint["status"], endpoint["served_model_name"]) == ("ACTIVE", "e2e-svc")
        (item,) = _endpoint_items(session)
        assert (item["id"], item["infer_service_status"]) == (endpoint["id"], "RUNNING")

        one = f"{maas}/custom-endpoint/endpoint/{endpoint['id']}"
        assert _ok(http.put(one, json={"rpm": 120}, headers=headers))["rpm"] == 120
        control = f"{maas}/custom-endpoint/control/{endpoint['id']}"
        assert _ok(http.put(control, json={"action": "deactivate"}, headers=headers), 204) is None
        assert [item["status"] for item in _endpoint_items(session)] == ["INACTIVE"]
        assert _ok(http.put(control, json={"action": "activate"}, headers=headers), 204) is None
        assert [(item["status"], item["rpm"]) for item in _endpoint_items(session)] == [("ACTIVE", 120)]

        assert _ok(http.delete(one, headers=headers), 204) is None
        assert _endpoint_items(session) == []
        again = http.post(f"{maas}/custom-endpoint/endpoint", json=create, headers=headers)
        assert (again.status_code, again.json()) == (400, name_taken("e2e-endpoint"))
    assert server.stop() == 0
