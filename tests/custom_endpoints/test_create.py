"""CONTRACT 6.4, creating a custom endpoint: the answer, both sources (D-12) and every error row."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openmaas.agreements.catalogue import agreement_book
from openmaas.presets import load_catalogue
from tests.conftest import ADMIN_PASSWORD, HOME, OTHER, Account
from tests.custom_endpoints.conftest import (
    ENDPOINT_INFO_KEYS,
    NAME_INVALID,
    NAME_MISSING,
    PRESET,
    QUOTA,
    create,
    endpoint_url,
    endpoints_url,
    latest_agreement_id,
    listed,
    maas_body,
    make_service,
    name_taken,
    service_action,
    v2_body,
)

NOT_MOUNTED = (
    "Operation failed. Service {id} cannot back a custom endpoint: turn on its 'Mount to MAAS Gateway' "
    "switch, that is set its authentication method to 'No Authentication' (auth_type NONE; it is {auth})."
)


def _post(client: TestClient, account: Account, body: Any) -> tuple[int, dict[str, Any]]:
    response = client.post(endpoints_url(account), json=body, headers=account.headers())
    return response.status_code, response.json()


def _error(code: str, message: str) -> dict[str, str]:
    return {"error_code": code, "error_msg": message}


# ---- the answer (CustomEndpointInfo, D-1, D-12) -----------------------------------------------------


def test_create_on_running_service_answers_custom_endpoint_info_d12_d1(
    client: TestClient, admin: Account, running_service: str
) -> None:
    status, body = _post(client, admin, v2_body("ep-v2", running_service, remark="for team A"))
    assert status == 200
    assert set(body) == ENDPOINT_INFO_KEYS
    assert body["source"] == "custom_from_modelarts_v2"
    assert body["status"] == "ACTIVE"
    assert body["cbc_status"] == "NORMAL"
    assert body["endpoint_name"] == "ep-v2"
    assert body["remark"] == "for team A"
    assert body["rpm"] is None
    assert body["tpm"] is None
    assert body["served_model_name"] == "running-svc"
    assert body["model_version_id"] == ""
    assert body["resident_model_id"] == ""
    assert body["region"] == HOME
    assert body["workspace_id"] == "0"
    assert body["infer_service_id"] == running_service
    assert body["moderation"] is True
    assert body["infer_service_status"] == "RUNNING"
    assert isinstance(body["id"], str)
    assert len(body["id"]) == 36
    assert body["id"].count("-") == 4
    for field in ("create_at", "update_at"):
        assert type(body[field]) is int
        assert len(str(body[field])) == 13
    assert body["create_at"] == body["update_at"]


def test_create_from_preset_model_uses_the_catalogue(client: TestClient, admin: Account) -> None:
    model = load_catalogue(None).find(PRESET)
    assert model is not None
    status, body = _post(client, admin, maas_body("ep-maas", rpm=10, tpm=2000))
    assert status == 200
    assert set(body) == ENDPOINT_INFO_KEYS
    assert body["source"] == "custom_from_maas"
    assert body["served_model_name"] == PRESET
    assert body["resident_model_id"] == model.resident_model_id
    assert body["region"] == HOME
    assert body["workspace_id"] == ""
    assert body["infer_service_id"] == ""
    assert body["infer_service_status"] is None
    assert body["rpm"] == 10
    assert body["tpm"] == 2000
    assert type(body["rpm"]) is int


def test_service_in_another_region_and_workspace_is_linked_as_the_listing_shows_it_d12(
    client: TestClient, admin: Account, settle: Callable[[], int]
) -> None:
    response = client.post(
        f"/v1/{admin.project(OTHER)}/workspaces", json={"name": "team-b"}, headers=admin.headers(OTHER)
    )
    assert response.status_code == 200, response.text
    workspace_id = response.json()["id"]
    service_id = make_service(client, admin, "gy-svc", region=OTHER, workspace_id=workspace_id)
    settle()
    status, body = _post(client, admin, v2_body("ep-gy", service_id, OTHER, workspace_id=workspace_id))
    assert status == 200, body
    assert (body["region"], body["workspace_id"], body["infer_service_id"]) == (
        OTHER,
        workspace_id,
        service_id,
    )
    assert body["served_model_name"] == "gy-svc"
    assert body["infer_service_status"] == "RUNNING"


def test_a_stopped_service_can_be_linked_and_shows_stopped(
    client: TestClient, admin: Account, running_service: str, settle: Callable[[], int]
) -> None:
    service_action(client, admin, running_service, "stop")
    settle()
    status, body = _post(client, admin, v2_body("ep-stopped", running_service))
    assert status == 200, body
    assert body["infer_service_status"] == "STOPPED"


# ---- endpoint_name: missing (0104), invalid (6274), used before (6271) --------------------------------


@pytest.mark.parametrize("body", [maas_body("x") | {"endpoint_name": None}, maas_body("")])
def test_missing_endpoint_name_is_0104_with_the_documented_message(
    client: TestClient, admin: Account, body: dict[str, Any]
) -> None:
    assert _post(client, admin, body) == (400, NAME_MISSING)
    without = {key: value for key, value in maas_body("x").items() if key != "endpoint_name"}
    assert _post(client, admin, without) == (400, NAME_MISSING)


@pytest.mark.parametrize(
    "name",
    [
        "1abc",
        "-abc",
        "_abc",
        ".abc",
        "a b",
        "a/b",
        "a@b",
        "a" * 65,
        "名字!",
        " abc",
        "abc\n",
        "a" * 64 + "\n",
    ],
)
def test_invalid_endpoint_name_is_6274(client: TestClient, admin: Account, name: str) -> None:
    assert _post(client, admin, maas_body(name)) == (400, NAME_INVALID)


@pytest.mark.parametrize("name", ["a", "A" * 64, "中文接入点", "名-v1.2_x", "ep.prod-2_b"])
def test_valid_endpoint_names_are_accepted(client: TestClient, admin: Account, name: str) -> None:
    status, body = _post(client, admin, maas_body(name))
    assert status == 200, body
    assert body["endpoint_name"] == name


def test_endpoint_name_is_not_a_string_is_0101(client: TestClient, admin: Account) -> None:
    status, body = _post(client, admin, maas_body("x") | {"endpoint_name": 12})
    assert status == 400
    assert body["error_code"] == "ModelArts.0101"
    assert body["error_msg"].startswith("Invalid parameter: endpoint_name ")


def test_name_of_a_live_endpoint_is_6271(client: TestClient, admin: Account) -> None:
    create(client, admin, maas_body("dup"))
    assert _post(client, admin, maas_body("dup")) == (400, name_taken("dup"))


def test_name_of_a_deleted_endpoint_stays_taken_forever_6271(client: TestClient, admin: Account) -> None:
    endpoint = create(client, admin, maas_body("gone"))
    assert client.delete(endpoint_url(admin, endpoint["id"]), headers=admin.headers()).status_code == 204
    assert _post(client, admin, maas_body("gone")) == (400, name_taken("gone"))


def test_name_a_renamed_endpoint_had_stays_taken_6271(client: TestClient, admin: Account) -> None:
    endpoint = create(client, admin, maas_body("before"))
    response = client.put(
        endpoint_url(admin, endpoint["id"]), json={"endpoint_name": "after"}, headers=admin.headers()
    )
    assert response.status_code == 200, response.text
    assert _post(client, admin, maas_body("before")) == (400, name_taken("before"))


def test_names_are_unique_per_domain_not_across_domains(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    create(client, admin, maas_body("shared-name"))
    other = make_account("acme")
    status, body = _post(client, other, maas_body("shared-name"))
    assert status == 200, body
    assert body["endpoint_name"] == "shared-name"


# ---- quota (6297) -------------------------------------------------------------------------------------


def test_eleventh_endpoint_is_6297_and_a_delete_frees_a_place(client: TestClient, admin: Account) -> None:
    ids = [create(client, admin, maas_body(f"q-{index}"))["id"] for index in range(10)]
    assert _post(client, admin, maas_body("q-10")) == (400, QUOTA)
    assert listed(client, admin)["quantity_limit"] == 10
    assert client.delete(endpoint_url(admin, ids[0]), headers=admin.headers()).status_code == 204
    status, body = _post(client, admin, maas_body("q-11"))
    assert status == 200, body
    assert listed(client, admin)["total"] == 10


def test_quota_is_a_setting_reported_as_quantity_limit(
    app_with: Callable[..., TestClient], admin: Account
) -> None:
    small = app_with(custom_endpoint_quota=2)
    account = Account(small, "admin", ADMIN_PASSWORD, "openmaas")
    create(small, account, maas_body("s-1"))
    create(small, account, maas_body("s-2"))
    assert _post(small, account, maas_body("s-3")) == (400, QUOTA)
    body = listed(small, account)
    assert body["quantity_limit"] == 2
    assert body["total"] == 2


def test_quota_is_per_domain(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    for index in range(10):
        create(client, admin, maas_body(f"full-{index}"))
    other = make_account("acme")
    status, body = _post(client, other, maas_body("full-0"))
    assert status == 200, body


# ---- the linked service (0102, 0104, 6613) -----------------------------------------------------------


@pytest.mark.parametrize("unknown", ["00000000-0000-4000-8000-000000000000", "not-a-uuid"])
def test_unknown_service_id_is_0102(client: TestClient, admin: Account, unknown: str) -> None:
    assert _post(client, admin, v2_body("ep", unknown)) == (
        400,
        _error("ModelArts.0102", f"Service {unknown} does not exist in region {HOME}, workspace 0."),
    )


def test_service_in_another_workspace_is_0102(
    client: TestClient, admin: Account, running_service: str
) -> None:
    response = client.post(
        f"/v1/{admin.project()}/workspaces", json={"name": "other-ws"}, headers=admin.headers()
    )
    workspace_id = response.json()["id"]
    body = v2_body("ep", running_service, workspace_id=workspace_id)
    assert _post(client, admin, body) == (
        400,
        _error(
            "ModelArts.0102",
            f"Service {running_service} does not exist in region {HOME}, workspace {workspace_id}.",
        ),
    )


def test_service_of_another_region_is_0102(client: TestClient, admin: Account, running_service: str) -> None:
    assert _post(client, admin, v2_body("ep", running_service, OTHER)) == (
        400,
        _error("ModelArts.0102", f"Service {running_service} does not exist in region {OTHER}, workspace 0."),
    )


def test_service_of_another_domain_is_0102(
    client: TestClient, running_service: str, make_account: Callable[[str], Account]
) -> None:
    other = make_account("acme")
    assert _post(client, other, v2_body("ep", running_service)) == (
        400,
        _error("ModelArts.0102", f"Service {running_service} does not exist in region {HOME}, workspace 0."),
    )


def test_gone_service_is_0102(
    client: TestClient, admin: Account, running_service: str, settle: Callable[[], int]
) -> None:
    service_action(client, admin, running_service, "delete")
    settle()
    assert _post(client, admin, v2_body("ep", running_service)) == (
        400,
        _error("ModelArts.0102", f"Service {running_service} does not exist in region {HOME}, workspace 0."),
    )


def test_region_where_the_domain_has_no_project_is_0102(
    client: TestClient, make_home_only_account: Callable[[str], Account]
) -> None:
    """D-12: a configured region in which the caller's domain has no project holds no service."""
    lonely = make_home_only_account("lonely-e")
    service_id = "00000000-0000-4000-8000-000000000000"
    assert _post(client, lonely, v2_body("ep", service_id, OTHER)) == (
        400,
        _error("ModelArts.0102", f"Service {service_id} does not exist in region {OTHER}, workspace 0."),
    )


def test_unknown_region_is_0104_d11(client: TestClient, admin: Account, running_service: str) -> None:
    assert _post(client, admin, v2_body("ep", running_service, "mars-1")) == (
        400,
        _error("ModelArts.0104", "Invalid region ID: mars-1."),
    )


@pytest.mark.parametrize("workspace_id", ["f" * 32, "a" * 65, "nope"])
def test_unknown_workspace_is_0104(
    client: TestClient, admin: Account, running_service: str, workspace_id: str
) -> None:
    body = v2_body("ep", running_service, workspace_id=workspace_id)
    assert _post(client, admin, body) == (400, _error("ModelArts.0104", "Invalid workspace ID."))


def test_an_empty_workspace_id_is_the_default_workspace_as_in_6_3_d12(
    client: TestClient, admin: Account, running_service: str
) -> None:
    status, body = _post(client, admin, v2_body("ep", running_service, workspace_id=""))
    assert status == 200
    assert (body["workspace_id"], body["infer_service_id"]) == ("0", running_service)


@pytest.mark.parametrize("auth_type", ["TOKEN", "API_KEY"])
def test_service_not_mounted_to_the_gateway_is_6613(
    client: TestClient, admin: Account, settle: Callable[[], int], auth_type: str
) -> None:
    service_id = make_service(client, admin, "guarded", auth_type=auth_type)
    settle()
    assert _post(client, admin, v2_body("ep", service_id)) == (
        400,
        _error("ModelArts.6613", NOT_MOUNTED.format(id=service_id, auth=auth_type)),
    )


def test_service_being_deleted_is_6613(client: TestClient, admin: Account, running_service: str) -> None:
    service_action(client, admin, running_service, "delete")
    assert _post(client, admin, v2_body("ep", running_service)) == (
        400,
        _error(
            "ModelArts.6613",
            f"Operation failed. Service {running_service} cannot back a custom endpoint: "
            "it is being deleted.",
        ),
    )


@pytest.mark.parametrize(
    ("field", "source"),
    [("region", "custom_from_modelarts_v2"), ("infer_service_id", "custom_from_modelarts_v2")],
)
def test_v2_source_without_region_or_service_is_0101(
    client: TestClient, admin: Account, running_service: str, field: str, source: str
) -> None:
    body = {key: value for key, value in v2_body("ep", running_service).items() if key != field}
    assert _post(client, admin, body) == (
        400,
        _error("ModelArts.0101", f"Invalid parameter: {field} is required when source is {source}."),
    )


# ---- the preset model (0101 naming model_name) ---------------------------------------------------------


def test_unknown_preset_model_is_0101_naming_model_name(client: TestClient, admin: Account) -> None:
    names = ", ".join(load_catalogue(None).names())
    assert _post(client, admin, maas_body("ep", "gpt-99")) == (
        400,
        _error(
            "ModelArts.0101", f"Invalid parameter: model_name gpt-99 is not a preset model (one of: {names})."
        ),
    )


def test_preset_model_is_case_sensitive_0101(client: TestClient, admin: Account) -> None:
    status, body = _post(client, admin, maas_body("ep", PRESET.lower()))
    assert (status, body["error_code"]) == (400, "ModelArts.0101")
    assert body["error_msg"].startswith(
        f"Invalid parameter: model_name {PRESET.lower()} is not a preset model"
    )


def test_preset_models_file_setting_replaces_the_catalogue(
    app_with: Callable[..., TestClient], admin: Account, tmp_path: Path
) -> None:
    catalogue = tmp_path / "models.json"
    model = {"model_name": "house-llm", "resident_model_id": "r-1", "max_rpm": 5, "max_tpm": 50}
    catalogue.write_text(json.dumps({"models": [model]}))
    custom = app_with(preset_models_file=catalogue)
    account = Account(custom, "admin", ADMIN_PASSWORD, "openmaas")
    status, body = _post(custom, account, maas_body("house", "house-llm", rpm=5))
    assert status == 200, body
    assert (body["served_model_name"], body["resident_model_id"], body["rpm"]) == ("house-llm", "r-1", 5)
    assert _post(custom, account, maas_body("shipped", PRESET)) == (
        400,
        _error(
            "ModelArts.0101",
            f"Invalid parameter: model_name {PRESET} is not a preset model (one of: house-llm).",
        ),
    )


def test_missing_model_name_is_0101(client: TestClient, admin: Account) -> None:
    assert _post(client, admin, {"endpoint_name": "ep", "source": "custom_from_maas"}) == (
        400,
        _error(
            "ModelArts.0101", "Invalid parameter: model_name is required when source is custom_from_maas."
        ),
    )


def test_throttles_above_the_preset_models_cap_are_0101(client: TestClient, admin: Account) -> None:
    model = load_catalogue(None).find(PRESET)
    assert model is not None
    assert _post(client, admin, maas_body("ep", rpm=model.max_rpm + 1)) == (
        400,
        _error(
            "ModelArts.0101", f"Invalid parameter: rpm must be at most {model.max_rpm} for model {PRESET}."
        ),
    )
    assert _post(client, admin, maas_body("ep", tpm=model.max_tpm + 1)) == (
        400,
        _error(
            "ModelArts.0101", f"Invalid parameter: tpm must be at most {model.max_tpm} for model {PRESET}."
        ),
    )


# ---- moderation and the agreement (0101 naming agreement_id) --------------------------------------------


def _agreement_error() -> dict[str, str]:
    return _error(
        "ModelArts.0101",
        f"Invalid parameter: agreement_id must be the latest agreement id {latest_agreement_id()} "
        "when moderation is false.",
    )


def test_moderation_off_without_agreement_is_0101(client: TestClient, admin: Account) -> None:
    assert _post(client, admin, maas_body("ep", moderation=False)) == (400, _agreement_error())


def test_moderation_off_with_an_older_agreement_is_0101(client: TestClient, admin: Account) -> None:
    older = [v.agreement_id for v in agreement_book().versions if v.agreement_id != latest_agreement_id()]
    assert older, "the shipped agreements must have an older version for 'latest' to mean something"
    body = maas_body("ep", moderation=False, agreement_id=older[0])
    assert _post(client, admin, body) == (400, _agreement_error())


def test_moderation_off_with_the_latest_agreement_from_6_5(client: TestClient, admin: Account) -> None:
    served = client.get(f"/v1/{admin.project()}/maas/compliance/agreements", headers=admin.headers()).json()
    status, body = _post(
        client, admin, maas_body("ep", moderation=False, agreement_id=served["agreement_id"])
    )
    assert status == 200, body
    assert body["moderation"] is False


def test_moderation_on_ignores_agreement_id(client: TestClient, admin: Account) -> None:
    status, body = _post(client, admin, maas_body("ep", moderation=True, agreement_id="whatever"))
    assert status == 200, body
    assert body["moderation"] is True


# ---- malformed bodies (D-7) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"rpm": 0}, "rpm"),
        ({"tpm": -5}, "tpm"),
        ({"rpm": "10"}, "rpm"),
        ({"rpm": 2**31}, "rpm"),
        ({"remark": "r" * 257}, "remark"),
        ({"moderation": "no"}, "moderation"),
        ({"source": "custom_from_elsewhere"}, "source"),
        ({"remark": "a\u0000b"}, "remark"),
        ({"workspace_id": "0\u0000"}, "workspace_id"),
        ({"source": "custom_from_modelarts_v2", "infer_service_id": "x\u0000y"}, "infer_service_id"),
        ({"endpoint_name": "a\u0000b"}, "endpoint_name"),
        ({"model_name": "Deep\u0000Seek"}, "model_name"),
        ({"source": "custom_from_modelarts_v2", "infer_service_id": "x", "region": "ap\u0000"}, "region"),
        ({"moderation": False, "agreement_id": "a\u0000"}, "agreement_id"),
    ],
)
def test_malformed_fields_are_0101_naming_the_field_d7(
    client: TestClient, admin: Account, extra: dict[str, Any], field: str
) -> None:
    status, body = _post(client, admin, maas_body("ep") | extra)
    assert status == 400
    assert body["error_code"] == "ModelArts.0101"
    assert body["error_msg"].startswith(f"Invalid parameter: {field} ")
    if any("\u0000" in str(value) for value in extra.values()):
        assert body["error_msg"] == f"Invalid parameter: {field} must not contain NUL characters."


def test_missing_source_is_0101(client: TestClient, admin: Account) -> None:
    assert _post(client, admin, {"endpoint_name": "ep"}) == (
        400,
        _error("ModelArts.0101", "Invalid parameter: source is required."),
    )


def test_body_that_is_not_json_is_0101(client: TestClient, admin: Account) -> None:
    response = client.post(endpoints_url(admin), content=b"{not json", headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == _error("ModelArts.0101", "Invalid parameter: body is not valid JSON.")


# ---- authentication and the home region (D-3, D-4, D-5) ---------------------------------------------


def test_outside_the_home_region_the_api_is_unpublished_d3(client: TestClient, admin: Account) -> None:
    response = client.post(
        f"/v1/{admin.project(OTHER)}/maas/services/custom-endpoint/endpoint",
        json=maas_body("ep"),
        headers=admin.headers(OTHER),
    )
    assert response.status_code == 404
    assert response.json() == _error(
        "APIG.0101", "The API does not exist or has not been published in the environment."
    )


def test_invalid_token_is_0104_d5(client: TestClient, admin: Account) -> None:
    response = client.post(endpoints_url(admin), json=maas_body("ep"), headers={"X-Auth-Token": "nope"})
    assert response.status_code == 400
    assert response.json() == _error("ModelArts.0104", "Invalid token.")


def test_path_project_of_another_domain_is_403_d4(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    other = make_account("acme")
    response = client.post(
        f"/v1/{other.project()}/maas/services/custom-endpoint/endpoint",
        json=maas_body("ep"),
        headers=admin.headers(),
    )
    assert response.status_code == 403
    assert response.json() == _error(
        "ModelArts.0105", f"Operation not allowed: the credential is not scoped to project {other.project()}."
    )
