"""Lifecycle control (issue 11, D-40): how deploys, stops and deletes settle, for every service or one:
after a delay (D-8's default), at once, when the operator says so, or into FAILED with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.admin.conftest import admin_call, plain_error
from tests.conftest import Account, service_body


def _service(client: TestClient, account: Account, name: str = "svc") -> str:
    made = client.post(
        f"/v2/{account.project()}/services", json=service_body(name), headers=account.headers()
    )
    assert made.status_code == 200, made.text
    return str(made.json()["id"])


def _show(client: TestClient, account: Account, service_id: str) -> dict[str, Any]:
    shown = client.get(f"/v2/{account.project()}/services/{service_id}", headers=account.headers())
    return dict(shown.json())


def _act(client: TestClient, account: Account, service_id: str, action: str) -> None:
    done = client.post(f"/v2/{account.project()}/services/{service_id}/{action}", headers=account.headers())
    assert done.status_code == 200, done.text


def test_manual_deploys_wait_for_the_operator(
    client: TestClient, admin: Account, settle: Callable[[], int]
) -> None:
    rule = admin_call(client, "PUT", "/lifecycle/deploy", json={"mode": "manual"})
    assert rule.status_code == 200
    assert rule.json() == {
        "target": "*",
        "action": "deploy",
        "mode": "manual",
        "delay_seconds": None,
        "reason": None,
    }
    service_id = _service(client, admin)
    assert settle() == 0
    assert _show(client, admin, service_id)["status"] == "DEPLOYING"
    settled = admin_call(client, "POST", f"/services/{service_id}/settle", json={})
    assert settled.status_code == 200
    assert settled.json() == {"service_id": service_id, "status": "RUNNING"}
    assert _show(client, admin, service_id)["status"] == "RUNNING"


def test_the_operator_can_fail_a_pending_transition(client: TestClient, admin: Account) -> None:
    admin_call(client, "PUT", "/lifecycle/deploy", json={"mode": "manual"})
    service_id = _service(client, admin)
    failed = admin_call(
        client, "POST", f"/services/{service_id}/settle", json={"outcome": "fail", "reason": "no GPU"}
    )
    assert failed.json() == {"service_id": service_id, "status": "FAILED"}
    shown = _show(client, admin, service_id)
    assert (shown["status"], shown["failure_reason"]) == ("FAILED", "no GPU")


@pytest.mark.parametrize(("action", "ends_in"), [("stop", "FAILED"), ("delete", "FAILED")])
def test_a_fail_rule_on_one_service_fails_its_stop_or_delete(
    client: TestClient, admin: Account, settle: Callable[[], int], action: str, ends_in: str
) -> None:
    service_id, other_id = _service(client, admin, "failing"), _service(client, admin, "other")
    settle()
    reason = f"the {action} is stuck"
    put = admin_call(
        client, "PUT", f"/services/{service_id}/lifecycle/{action}", json={"mode": "fail", "reason": reason}
    )
    assert put.json()["target"] == service_id
    for target in (service_id, other_id):
        if action == "delete":
            body = {"service_ids": [target]}
            client.post(f"/v2/{admin.project()}/services/delete", json=body, headers=admin.headers())
        else:
            _act(client, admin, target, action)
    settle()
    shown = _show(client, admin, service_id)
    assert (shown["status"], shown["failure_reason"]) == (ends_in, reason)
    other = client.get(f"/v2/{admin.project()}/services/{other_id}", headers=admin.headers())
    # The other service follows the default: stopped, or gone.
    assert other.json().get("status", other.json().get("error_code")) == (
        "STOPPED" if action == "stop" else "ModelArts.0102"
    )


def test_immediate_and_delay_rules_and_falling_back(
    client: TestClient, admin: Account, settle: Callable[[], int]
) -> None:
    admin_call(client, "PUT", "/lifecycle/deploy", json={"mode": "delay", "delay_seconds": 3600})
    slow = _service(client, admin, "slow")
    settle()
    assert _show(client, admin, slow)["status"] == "DEPLOYING"
    admin_call(client, "PUT", f"/services/{slow}/lifecycle/stop", json={"mode": "immediate"})
    _act(client, admin, slow, "stop")
    settle()
    assert _show(client, admin, slow)["status"] == "STOPPED"
    listed = admin_call(client, "GET", "/lifecycle").json()["rules"]
    assert {(r["target"], r["action"], r["mode"], r["delay_seconds"]) for r in listed} == {
        ("*", "deploy", "delay", 3600.0),
        (slow, "stop", "immediate", None),
    }
    assert admin_call(client, "DELETE", "/lifecycle/deploy").status_code == 204
    fast = _service(client, admin, "fast")  # the default again: the test settings' 0 s delay
    settle()
    assert _show(client, admin, fast)["status"] == "RUNNING"


def test_settling_a_service_in_no_transition_is_409(
    client: TestClient, admin: Account, settle: Callable[[], int]
) -> None:
    service_id = _service(client, admin)
    settle()
    response = admin_call(client, "POST", f"/services/{service_id}/settle", json={})
    assert response.status_code == 409
    assert response.json() == plain_error(
        "OpenMaaS.0409", f"Service {service_id} is RUNNING: it has no transition to settle."
    )


def test_rules_name_existing_services_and_known_modes(client: TestClient) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    response = admin_call(client, "PUT", f"/services/{unknown}/lifecycle/deploy", json={"mode": "manual"})
    assert response.status_code == 400
    assert response.json() == plain_error("ModelArts.0102", f"Service {unknown} does not exist.")
    bad = admin_call(client, "PUT", "/lifecycle/deploy", json={"mode": "sometimes"})
    assert bad.status_code == 400
    assert bad.json()["error_code"] == "ModelArts.0101"
    assert admin_call(client, "PUT", "/lifecycle/reboot", json={"mode": "manual"}).status_code == 400
