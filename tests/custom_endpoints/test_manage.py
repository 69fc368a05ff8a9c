"""CONTRACT 6.4 after creation: list, edit, delete, activate/deactivate, and the fronted service's state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openmaas.presets import load_catalogue
from tests.conftest import HOME, OTHER, Account
from tests.custom_endpoints.conftest import (
    ENDPOINT_INFO_KEYS,
    ID_MISSING,
    NAME_INVALID,
    NOT_FOUND,
    PRESET,
    control_url,
    create,
    endpoint_url,
    latest_agreement_id,
    listed,
    maas_body,
    make_service,
    name_taken,
    service_action,
    v2_body,
)

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def _put(client: TestClient, account: Account, endpoint_id: str, body: Any) -> tuple[int, dict[str, Any]]:
    response = client.put(endpoint_url(account, endpoint_id), json=body, headers=account.headers())
    return response.status_code, response.json()


def _control(client: TestClient, account: Account, endpoint_id: str, action: Any) -> tuple[int, bytes]:
    response = client.put(
        control_url(account, endpoint_id), json={"action": action}, headers=account.headers()
    )
    return response.status_code, response.content


def _only_item(client: TestClient, account: Account) -> dict[str, Any]:
    (item,) = listed(client, account)["items"]
    assert isinstance(item, dict)
    return item


# ---- list ---------------------------------------------------------------------------------------------


def test_list_shape_total_int_count_string_quantity_limit_int(client: TestClient, admin: Account) -> None:
    empty = listed(client, admin)
    assert empty == {"total": 0, "count": "0", "items": [], "quantity_limit": 10}
    first = create(client, admin, maas_body("first"))
    second = create(client, admin, maas_body("second"))
    body = listed(client, admin)
    assert set(body) == {"total", "count", "items", "quantity_limit"}
    assert type(body["total"]) is int
    assert body["total"] == 2
    assert body["count"] == "2"
    assert type(body["quantity_limit"]) is int
    assert [item["id"] for item in body["items"]] == [second["id"], first["id"]]
    assert all(set(item) == ENDPOINT_INFO_KEYS for item in body["items"])
    assert body["items"][1] == first


def test_list_shows_only_the_callers_domain_and_not_deleted_ones(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    kept = create(client, admin, maas_body("kept"))
    dropped = create(client, admin, maas_body("dropped"))
    other = make_account("acme")
    create(client, other, maas_body("theirs"))
    assert client.delete(endpoint_url(admin, dropped["id"]), headers=admin.headers()).status_code == 204
    body = listed(client, admin)
    assert [item["id"] for item in body["items"]] == [kept["id"]]
    assert body["total"] == 1
    assert [item["endpoint_name"] for item in listed(client, other)["items"]] == ["theirs"]


def test_list_outside_the_home_region_is_unpublished_d3(client: TestClient, admin: Account) -> None:
    response = client.get(
        f"/v1/{admin.project(OTHER)}/maas/services/custom-endpoint/endpoint", headers=admin.headers(OTHER)
    )
    assert response.status_code == 404
    assert response.json()["error_code"] == "APIG.0101"


# ---- edit -----------------------------------------------------------------------------------------------


def test_edit_changes_throttles_remark_and_name(client: TestClient, admin: Account) -> None:
    endpoint = create(client, admin, maas_body("editable", rpm=5))
    status, body = _put(
        client, admin, endpoint["id"], {"rpm": 20, "tpm": 3000, "remark": "new", "endpoint_name": "renamed"}
    )
    assert status == 200, body
    assert set(body) == ENDPOINT_INFO_KEYS
    assert (body["rpm"], body["tpm"], body["remark"], body["endpoint_name"]) == (20, 3000, "new", "renamed")
    assert body["update_at"] >= endpoint["update_at"]
    assert body["create_at"] == endpoint["create_at"]
    assert _only_item(client, admin) == body


def test_edit_leaves_absent_fields_and_null_removes_a_throttle(client: TestClient, admin: Account) -> None:
    endpoint = create(client, admin, maas_body("partial", rpm=5, tpm=600, remark="keep me"))
    status, body = _put(client, admin, endpoint["id"], {"rpm": None})
    assert status == 200, body
    assert (body["rpm"], body["tpm"], body["remark"]) == (None, 600, "keep me")
    status, body = _put(client, admin, endpoint["id"], {})
    assert status == 200, body
    assert (body["rpm"], body["tpm"], body["endpoint_name"]) == (None, 600, "partial")


def test_edit_ignores_the_linked_service_fields(
    client: TestClient, admin: Account, running_service: str, settle: Callable[[], int]
) -> None:
    """CONTRACT 6.4: the linked service is fixed at creation."""
    endpoint = create(client, admin, v2_body("pinned", running_service))
    elsewhere = make_service(client, admin, "elsewhere", region=OTHER)
    settle()
    status, body = _put(
        client,
        admin,
        endpoint["id"],
        {
            "source": "custom_from_maas",
            "model_name": PRESET,
            "region": OTHER,
            "workspace_id": "f" * 32,
            "infer_service_id": elsewhere,
            "rpm": 7,
        },
    )
    assert status == 200, body
    assert body["rpm"] == 7
    for field in ("source", "region", "workspace_id", "infer_service_id", "served_model_name"):
        assert body[field] == endpoint[field]
    assert body["region"] == HOME
    assert body["infer_service_id"] == running_service


def test_edit_to_a_name_used_before_is_6271(client: TestClient, admin: Account) -> None:
    create(client, admin, maas_body("taken"))
    gone = create(client, admin, maas_body("deleted-name"))
    assert client.delete(endpoint_url(admin, gone["id"]), headers=admin.headers()).status_code == 204
    endpoint = create(client, admin, maas_body("mine"))
    assert _put(client, admin, endpoint["id"], {"endpoint_name": "taken"}) == (400, name_taken("taken"))
    assert _put(client, admin, endpoint["id"], {"endpoint_name": "deleted-name"}) == (
        400,
        name_taken("deleted-name"),
    )
    assert _put(client, admin, endpoint["id"], {"endpoint_name": "mine", "rpm": 3})[0] == 200


@pytest.mark.parametrize("name", ["", "9lives", "a" * 65])
def test_edit_to_an_invalid_name_is_6274(client: TestClient, admin: Account, name: str) -> None:
    endpoint = create(client, admin, maas_body("valid"))
    assert _put(client, admin, endpoint["id"], {"endpoint_name": name}) == (400, NAME_INVALID)


def test_edit_moderation_off_needs_the_latest_agreement(client: TestClient, admin: Account) -> None:
    endpoint = create(client, admin, maas_body("guarded"))
    status, body = _put(client, admin, endpoint["id"], {"moderation": False})
    assert status == 400
    assert body == {
        "error_code": "ModelArts.0101",
        "error_msg": "Invalid parameter: agreement_id must be the latest agreement id "
        f"{latest_agreement_id()} when moderation is false.",
    }
    status, body = _put(
        client, admin, endpoint["id"], {"moderation": False, "agreement_id": latest_agreement_id()}
    )
    assert (status, body["moderation"]) == (200, False)
    status, body = _put(client, admin, endpoint["id"], {"moderation": True})
    assert (status, body["moderation"]) == (200, True)


def test_edit_above_the_preset_models_cap_is_0101(client: TestClient, admin: Account) -> None:
    model = load_catalogue(None).find(PRESET)
    assert model is not None
    endpoint = create(client, admin, maas_body("capped", rpm=model.max_rpm))
    assert _put(client, admin, endpoint["id"], {"rpm": model.max_rpm + 1}) == (
        400,
        {
            "error_code": "ModelArts.0101",
            "error_msg": f"Invalid parameter: rpm must be at most {model.max_rpm} for model {PRESET}.",
        },
    )
    assert _only_item(client, admin)["rpm"] == model.max_rpm


def test_edit_malformed_field_is_0101(client: TestClient, admin: Account) -> None:
    endpoint = create(client, admin, maas_body("typed"))
    status, body = _put(client, admin, endpoint["id"], {"tpm": 0})
    assert status == 400
    assert body["error_code"] == "ModelArts.0101"
    assert body["error_msg"].startswith("Invalid parameter: tpm ")


def test_edit_name_with_a_nul_character_is_0101(client: TestClient, admin: Account) -> None:
    endpoint = create(client, admin, maas_body("clean"))
    assert _put(client, admin, endpoint["id"], {"endpoint_name": "a\u0000"}) == (
        400,
        {
            "error_code": "ModelArts.0101",
            "error_msg": "Invalid parameter: endpoint_name must not contain NUL characters.",
        },
    )
    assert _only_item(client, admin)["endpoint_name"] == "clean"


# ---- unknown, deleted, foreign and empty ids (6291, 6299) ----------------------------------------------


def test_unknown_deleted_or_foreign_endpoint_is_6291(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    deleted = create(client, admin, maas_body("deleted"))
    assert client.delete(endpoint_url(admin, deleted["id"]), headers=admin.headers()).status_code == 204
    other = make_account("acme")
    foreign = create(client, other, maas_body("foreign"))
    for endpoint_id in (UNKNOWN_ID, "not-a-uuid", "x%00y", deleted["id"], foreign["id"]):
        assert _put(client, admin, endpoint_id, {"rpm": 1}) == (400, NOT_FOUND)
        response = client.delete(endpoint_url(admin, endpoint_id), headers=admin.headers())
        assert (response.status_code, response.json()) == (400, NOT_FOUND)
        status, content = _control(client, admin, endpoint_id, "deactivate")
        assert status == 400
        assert content == b'{"error_code":"ModelArts.6291","error_msg":"CustomEndpointNotFound"}'
    assert _only_item(client, other)["status"] == "ACTIVE"


@pytest.mark.parametrize("endpoint_id", ["", "%20"])
def test_empty_endpoint_id_is_6299(client: TestClient, admin: Account, endpoint_id: str) -> None:
    edit = client.put(endpoint_url(admin, endpoint_id), json={"rpm": 1}, headers=admin.headers())
    assert (edit.status_code, edit.json()) == (400, ID_MISSING)
    delete = client.delete(endpoint_url(admin, endpoint_id), headers=admin.headers())
    assert (delete.status_code, delete.json()) == (400, ID_MISSING)
    control = client.put(
        control_url(admin, endpoint_id), json={"action": "activate"}, headers=admin.headers()
    )
    assert (control.status_code, control.json()) == (400, ID_MISSING)


# ---- delete -------------------------------------------------------------------------------------------


def test_delete_answers_204_with_an_empty_body(client: TestClient, admin: Account) -> None:
    endpoint = create(client, admin, maas_body("short-lived"))
    response = client.delete(endpoint_url(admin, endpoint["id"]), headers=admin.headers())
    assert response.status_code == 204
    assert response.content == b""
    assert listed(client, admin)["total"] == 0


# ---- activate / deactivate ----------------------------------------------------------------------------


def test_deactivate_and_activate_answer_204_and_change_the_status(client: TestClient, admin: Account) -> None:
    endpoint = create(client, admin, maas_body("switch"))
    assert _control(client, admin, endpoint["id"], "deactivate") == (204, b"")
    assert _only_item(client, admin)["status"] == "INACTIVE"
    assert _control(client, admin, endpoint["id"], "deactivate") == (204, b"")
    assert _only_item(client, admin)["status"] == "INACTIVE"
    assert _control(client, admin, endpoint["id"], "activate") == (204, b"")
    assert _only_item(client, admin)["status"] == "ACTIVE"


@pytest.mark.parametrize("action", ["enable", "ACTIVATE", 1, None])
def test_unknown_action_is_0101(client: TestClient, admin: Account, action: Any) -> None:
    endpoint = create(client, admin, maas_body("switch"))
    response = client.put(
        control_url(admin, endpoint["id"]), json={"action": action}, headers=admin.headers()
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == "ModelArts.0101"
    assert body["error_msg"].startswith("Invalid parameter: action ")
    assert _only_item(client, admin)["status"] == "ACTIVE"


def test_missing_action_is_0101(client: TestClient, admin: Account) -> None:
    endpoint = create(client, admin, maas_body("switch"))
    response = client.put(control_url(admin, endpoint["id"]), json={}, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0101",
        "error_msg": "Invalid parameter: action is required.",
    }


# ---- the fronted service stops or goes away -------------------------------------------------------------


def test_endpoint_stays_listed_and_shows_its_services_state(
    client: TestClient, admin: Account, running_service: str, settle: Callable[[], int]
) -> None:
    endpoint = create(client, admin, v2_body("follower", running_service))
    service_action(client, admin, running_service, "stop")
    assert _only_item(client, admin)["infer_service_status"] == "STOPPING"
    settle()
    item = _only_item(client, admin)
    assert (item["infer_service_status"], item["status"]) == ("STOPPED", "ACTIVE")
    service_action(client, admin, running_service, "delete")
    assert _only_item(client, admin)["infer_service_status"] == "DELETING"
    settle()
    item = _only_item(client, admin)
    assert item["infer_service_status"] == "DELETED"
    assert item["id"] == endpoint["id"]
    assert item["infer_service_id"] == running_service
    assert item["served_model_name"] == "running-svc"
    assert set(item) == ENDPOINT_INFO_KEYS
    status, body = _put(client, admin, endpoint["id"], {"rpm": 9})
    assert (status, body["rpm"], body["infer_service_status"]) == (200, 9, "DELETED")
