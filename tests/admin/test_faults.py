"""Fault injection (issue 11, D-41): rules that make matching requests slow or fail, in the family body of
the API they hit, counted, by tenant, with a probability, until they expire or are removed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.admin.conftest import admin_call, plain_error
from tests.conftest import Account, service_body


def _fault(client: TestClient, **rule: Any) -> dict[str, Any]:
    made = admin_call(client, "POST", "/faults", json=rule)
    assert made.status_code == 201, made.text
    return dict(made.json())


def _create(client: TestClient, account: Account, name: str) -> Any:
    return client.post(
        f"/v2/{account.project()}/services", json=service_body(name), headers=account.headers()
    )


def test_a_counted_rule_fails_that_many_requests_then_lets_them_through(
    client: TestClient, admin: Account
) -> None:
    rule = _fault(
        client,
        method="POST",
        path="/v2/*/services",
        count=2,
        status=503,
        error_code="ModelArts.0001",
        error_msg="Service temporarily unavailable.",
    )
    assert (rule["remaining"], rule["status"], rule["probability"]) == (2, 503, 1.0)
    statuses = [_create(client, admin, f"svc-{n}") for n in range(3)]
    assert [s.status_code for s in statuses] == [503, 503, 200]
    assert statuses[0].json() == plain_error("ModelArts.0001", "Service temporarily unavailable.")
    listed = admin_call(client, "GET", "/faults").json()["faults"]
    assert [f["remaining"] for f in listed] == [0]


def test_an_operation_rule_matches_its_route_template_only(
    client: TestClient, admin: Account, settle: Callable[[], int]
) -> None:
    service_id = _create(client, admin, "target").json()["id"]
    settle()
    _fault(client, operation="POST /v2/{project_id}/services/{service_id}/stop", status=500)
    stopped = client.post(f"/v2/{admin.project()}/services/{service_id}/stop", headers=admin.headers())
    assert stopped.status_code == 500
    assert stopped.json() == plain_error("OpenMaaS.0999", "Injected fault.")
    shown = client.get(f"/v2/{admin.project()}/services/{service_id}", headers=admin.headers())
    assert shown.status_code == 200
    assert shown.json()["status"] == "RUNNING"  # the API never ran


def test_an_iam_path_gets_the_iam_body_and_the_data_plane_its_own(client: TestClient, admin: Account) -> None:
    _fault(client, path="/v3/projects", status=429, error_code="IAM.0100", error_msg="Slow down.")
    iam = client.get("/v3/projects", headers=admin.headers())
    assert iam.status_code == 429
    assert iam.json() == {"error": {"code": 429, "message": "Slow down.", "title": "Too Many Requests"}}
    _fault(client, path="/v1/chat/completions", status=503, error_code="ModelArts.81010", error_msg="Busy.")
    plane = client.post("/v1/chat/completions", json={})
    assert plane.status_code == 503
    assert plane.json() == {
        "error": {"code": "ModelArts.81010", "message": "Busy.", "param": None, "type": "ServiceUnavailable"},
        "error_code": "ModelArts.81010",
        "error_msg": "Busy.",
    }


def test_a_tenant_rule_hits_that_tenant_only(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    other = make_account("tenant-b")
    _fault(client, domain_id=_domain_of(client, other), status=503)
    assert _create(client, other, "b-svc").status_code == 503
    assert _create(client, admin, "a-svc").status_code == 200


def _domain_of(client: TestClient, account: Account) -> str:
    token = account.login()
    body = client.get("/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token}).json()
    return str(body["token"]["user"]["domain"]["id"])


def test_probability_zero_never_fires_and_latency_alone_passes_through(
    client: TestClient, admin: Account
) -> None:
    _fault(client, path="/v2/*/services", probability=0.0, status=500)
    _fault(client, path="/v2/*/services", latency_ms=50)
    assert _create(client, admin, "slow-but-fine").status_code == 200


def test_removing_and_clearing_rules(client: TestClient, admin: Account) -> None:
    first = _fault(client, path="/v2/*/services", status=500)
    assert _create(client, admin, "blocked").status_code == 500
    assert admin_call(client, "DELETE", f"/faults/{first['id']}").status_code == 204
    assert _create(client, admin, "through").status_code == 200
    _fault(client, path="/v2/*/services", status=500)
    _fault(client, path="/v3/*", status=500)
    cleared = admin_call(client, "DELETE", "/faults")
    assert cleared.json() == {"removed": 2}
    assert _create(client, admin, "through-again").status_code == 200
    gone = admin_call(client, "DELETE", f"/faults/{first['id']}")
    assert gone.status_code == 404
    assert gone.json() == plain_error("OpenMaaS.0404", f"Fault rule {first['id']} does not exist.")


def test_the_admin_api_and_the_probes_are_never_caught(client: TestClient) -> None:
    _fault(client, path="*", status=503)
    assert client.get("/health").status_code == 200
    assert admin_call(client, "GET", "/faults").status_code == 200


@pytest.mark.parametrize(
    ("rule", "field", "reason"),
    [
        ({}, "status", "or latency_ms must be given: a rule must do something"),
        ({"status": 200}, "status", "input should be greater than or equal to 400"),
        (
            {"status": 500, "method": "BREW"},
            "method",
            "must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS",
        ),
        (
            {"status": 500, "operation": "/v2/x"},
            "operation",
            "must be a method and a route template, like 'POST /v2/{project_id}/services'",
        ),
        ({"status": 500, "probability": 2}, "probability", "input should be less than or equal to 1"),
    ],
)
def test_bad_rules_are_refused(client: TestClient, rule: dict[str, Any], field: str, reason: str) -> None:
    response = admin_call(client, "POST", "/faults", json=rule)
    assert response.status_code == 400
    assert response.json() == plain_error("ModelArts.0101", f"Invalid parameter: {field} {reason}.")
