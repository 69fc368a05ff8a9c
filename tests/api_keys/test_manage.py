"""MaaS API keys through the wire (data-plane facts §3): create (the key shown once), list, update,
delete under /v1 and /v2, labels and the quota (D-20 to D-26)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api_keys.conftest import (
    CREATED_KEYS,
    DELETED,
    KEY_INFO_KEYS,
    UNKNOWN_ID,
    create,
    delete,
    invalid,
    label_taken,
    listed,
    not_found,
    post,
    put,
    quota_exceeded,
)
from tests.conftest import Account

KEY = re.compile(r"^[A-Za-z0-9_-]{86}\Z")


# ---- create -----------------------------------------------------------------------------------------


def test_create_answers_the_key_once_with_its_metadata_d20_d21(client: TestClient, admin: Account) -> None:
    status, body = post(
        client,
        admin,
        {
            "label": "ci_deploy-1",
            "description": "for the CI",
            "allow_all": False,
            "ip_whitelist": ["192.168.1.1", "192.168.1.10-192.168.1.100", "192.168.10.0/24"],
            "endpoint_whitelist": ["my-endpoint"],
            "resident_model_version_whitelist": ["DeepSeek-V3"],
        },
    )
    assert status == 200, body
    assert set(body) == CREATED_KEYS
    key = body["api_key"]
    assert KEY.match(key)
    assert body["key_mask"] == f"{key[:4]}********{key[-4:]}"
    assert (body["label"], body["description"], body["allow_all"]) == ("ci_deploy-1", "for the CI", False)
    assert body["ip_whitelist"] == ["192.168.1.1", "192.168.1.10-192.168.1.100", "192.168.10.0/24"]
    assert body["endpoint_whitelist"] == ["my-endpoint"]
    assert body["resident_model_version_whitelist"] == ["DeepSeek-V3"]
    assert type(body["create_at"]) is int
    assert body["create_at"] == body["update_at"]
    (item,) = listed(client, admin)["items"]
    assert item == {name: value for name, value in body.items() if name != "api_key"}


def test_each_key_is_new(client: TestClient, admin: Account) -> None:
    first, second = create(client, admin), create(client, admin)
    assert first["api_key"] != second["api_key"]
    assert first["id"] != second["id"]


def test_without_a_label_the_key_gets_ak_and_six_digits_d22(client: TestClient, admin: Account) -> None:
    for body in ({"allow_all": True}, {"allow_all": True, "label": ""}, {"allow_all": True, "label": None}):
        status, created = post(client, admin, body)
        assert status == 200, created
        assert re.match(r"^ak-[0-9]{6}\Z", created["label"]), created["label"]
        assert created["description"] == ""


def test_a_label_is_unique_in_the_account_d22(client: TestClient, admin: Account) -> None:
    create(client, admin, label="shared")
    assert post(client, admin, {"allow_all": True, "label": "shared"}) == (400, label_taken("shared"))
    # Labels are case-sensitive, as the key they name is.
    assert create(client, admin, label="Shared")["label"] == "Shared"
    assert listed(client, admin)["total"] == 2


def test_the_quota_is_exact_at_the_default_of_30_d24(client: TestClient, admin: Account) -> None:
    created = [create(client, admin, label=f"key-{index}") for index in range(30)]
    assert post(client, admin, {"allow_all": True}) == (400, quota_exceeded(30))
    assert listed(client, admin)["total"] == 30
    assert delete(client, admin, created[0]["id"]) == (200, DELETED)
    assert create(client, admin, label="key-30")["label"] == "key-30"
    assert post(client, admin, {"allow_all": True}) == (400, quota_exceeded(30))


# ---- list -------------------------------------------------------------------------------------------


def test_list_is_newest_first_masked_with_total_and_quota_d25(client: TestClient, admin: Account) -> None:
    assert listed(client, admin) == {"total": 0, "items": [], "quantity_limit": 30}
    created = [create(client, admin, label=f"k{index}") for index in range(3)]
    body = listed(client, admin)
    assert set(body) == {"total", "items", "quantity_limit"}
    assert (body["total"], body["quantity_limit"]) == (3, 30)
    assert [item["id"] for item in body["items"]] == [key["id"] for key in reversed(created)]
    assert all(set(item) == KEY_INFO_KEYS for item in body["items"])
    keys = {key["api_key"] for key in created}
    assert not any(key in str(body) for key in keys)


def test_list_pages_with_offset_and_limit_d25(client: TestClient, admin: Account) -> None:
    labels = [create(client, admin, label=f"p{index}")["label"] for index in range(5)]
    newest_first = list(reversed(labels))
    page = listed(client, admin, offset=1, limit=2)
    assert [item["label"] for item in page["items"]] == newest_first[1:3]
    assert page["total"] == 5
    assert [item["label"] for item in listed(client, admin, offset=4, limit=500)["items"]] == newest_first[4:]
    assert listed(client, admin, offset=5)["items"] == []


def test_list_paging_bounds_are_d7_errors(client: TestClient, admin: Account) -> None:
    url = f"/v2/{admin.project()}/maas/api-auth/api-keys"
    cases = {
        "limit=0": invalid("limit", "input should be greater than or equal to 1"),
        "limit=501": invalid("limit", "input should be less than or equal to 500"),
        "offset=-1": invalid("offset", "input should be greater than or equal to 0"),
        "offset=2147483648": invalid("offset", "input should be less than or equal to 2147483647"),
        "limit=x": invalid("limit", "input should be a valid integer, unable to parse string as an integer"),
    }
    for query, expected in cases.items():
        response = client.get(f"{url}?{query}", headers=admin.headers())
        assert (response.status_code, response.json()) == (400, expected), query


# ---- update -----------------------------------------------------------------------------------------


def test_update_changes_what_is_sent_and_ignores_label_and_id_d26(client: TestClient, admin: Account) -> None:
    key = create(client, admin, label="fixed", description="old", endpoint_whitelist=["ep-a"])
    status, body = put(
        client,
        admin,
        key["id"],
        {
            "label": "renamed",
            "id": UNKNOWN_ID,
            "description": "new",
            "allow_all": False,
            "ip_whitelist": ["10.0.0.0/8"],
            "resident_model_version_whitelist": ["Qwen3-32B"],
        },
    )
    assert status == 200, body
    assert set(body) == KEY_INFO_KEYS
    expected = {
        **{name: value for name, value in key.items() if name != "api_key"},
        "description": "new",
        "allow_all": False,
        "ip_whitelist": ["10.0.0.0/8"],
        "resident_model_version_whitelist": ["Qwen3-32B"],
        "update_at": body["update_at"],
    }
    assert body == expected
    assert body["update_at"] >= key["update_at"]
    assert listed(client, admin)["items"] == [body]


def test_update_leaves_absent_and_null_fields_and_empties_a_sent_empty_list_d26(
    client: TestClient, admin: Account
) -> None:
    key = create(
        client,
        admin,
        description="keep",
        ip_whitelist=["10.0.0.1"],
        endpoint_whitelist=["ep-a", "ep-b"],
        resident_model_version_whitelist=["DeepSeek-V3"],
    )
    status, body = put(client, admin, key["id"], {"description": None, "endpoint_whitelist": []})
    assert status == 200, body
    assert (body["description"], body["allow_all"], body["ip_whitelist"]) == ("keep", False, ["10.0.0.1"])
    assert (body["endpoint_whitelist"], body["resident_model_version_whitelist"]) == ([], ["DeepSeek-V3"])


def test_an_update_that_changes_nothing_keeps_update_at_d26(client: TestClient, admin: Account) -> None:
    key = create(client, admin, description="same")
    for body in ({}, {"description": "same", "allow_all": True, "label": "other"}):
        status, answer = put(client, admin, key["id"], body)
        assert status == 200, answer
        assert answer["update_at"] == key["update_at"]
        assert answer["label"] == key["label"]


def test_allow_all_true_empties_the_address_list_d26(client: TestClient, admin: Account) -> None:
    key = create(client, admin, ip_whitelist=["10.0.0.1", "10.0.1.0/24"])
    status, body = put(client, admin, key["id"], {"allow_all": True})
    assert status == 200, body
    assert (body["allow_all"], body["ip_whitelist"]) == (True, [])


def test_update_keeps_allow_all_and_the_address_list_consistent_d23(
    client: TestClient, admin: Account
) -> None:
    open_key = create(client, admin)
    closed = create(client, admin, ip_whitelist=["10.0.0.1"])
    empty_when_all = invalid("ip_whitelist", "must be empty when allow_all is true")
    needed = invalid("ip_whitelist", "must list at least one entry when allow_all is false")
    assert put(client, admin, open_key["id"], {"allow_all": False}) == (400, needed)
    assert put(client, admin, open_key["id"], {"ip_whitelist": ["10.0.0.1"]}) == (400, empty_when_all)
    assert put(client, admin, closed["id"], {"ip_whitelist": []}) == (400, needed)
    assert put(client, admin, closed["id"], {"allow_all": True, "ip_whitelist": ["10.0.0.2"]}) == (
        400,
        empty_when_all,
    )
    # Nothing was half-written.
    items = {item["id"]: item for item in listed(client, admin)["items"]}
    assert (items[open_key["id"]]["allow_all"], items[open_key["id"]]["ip_whitelist"]) == (True, [])
    assert (items[closed["id"]]["allow_all"], items[closed["id"]]["ip_whitelist"]) == (False, ["10.0.0.1"])


def test_update_of_an_unknown_key_d24(client: TestClient, admin: Account) -> None:
    for key_id in (UNKNOWN_ID, "not-a-uuid", UNKNOWN_ID.upper()):
        assert put(client, admin, key_id, {"description": "x"}) == (400, not_found(key_id))


# ---- delete -----------------------------------------------------------------------------------------


def test_delete_under_v1_and_v2_then_the_id_is_unknown_d20(client: TestClient, admin: Account) -> None:
    for version in ("v1", "v2"):
        key = create(client, admin)
        assert delete(client, admin, key["id"], version) == (200, DELETED)
        assert listed(client, admin)["items"] == []
        for again in ("v1", "v2"):
            assert delete(client, admin, key["id"], again) == (400, not_found(key["id"]))
        assert put(client, admin, key["id"], {"description": "x"}) == (400, not_found(key["id"]))


def test_delete_of_an_unknown_key_d24(client: TestClient, admin: Account) -> None:
    kept = create(client, admin)
    for key_id in (UNKNOWN_ID, "not-a-uuid", f"{kept['id']}x"):
        for version in ("v1", "v2"):
            assert delete(client, admin, key_id, version) == (400, not_found(key_id))
    assert [item["id"] for item in listed(client, admin)["items"]] == [kept["id"]]


def test_a_deleted_keys_label_may_be_used_again_d22(client: TestClient, admin: Account) -> None:
    first = create(client, admin, label="reusable")
    assert delete(client, admin, first["id"]) == (200, DELETED)
    second = create(client, admin, label="reusable")
    assert second["id"] != first["id"]
    assert second["api_key"] != first["api_key"]
    assert [item["label"] for item in listed(client, admin)["items"]] == ["reusable"]


def test_paths_the_api_does_not_have_are_unpublished(client: TestClient, admin: Account) -> None:
    """CONTRACT 1: no show route, no other verbs, no trailing slash, no /v1 but for the delete."""
    key = create(client, admin)
    base = f"/v2/{admin.project()}/maas/api-auth/api-keys"
    v1 = base.replace("/v2/", "/v1/", 1)
    calls = [
        ("GET", f"{base}/{key['id']}"),
        ("PATCH", f"{base}/{key['id']}"),
        ("DELETE", base),
        ("PUT", f"{base}/"),
        ("DELETE", f"{base}/"),
        ("GET", f"{base}/"),
        ("POST", v1),
        ("GET", v1),
        ("PUT", f"{v1}/{key['id']}"),
    ]
    unpublished = {
        "error_code": "APIG.0101",
        "error_msg": "The API does not exist or has not been published in the environment.",
    }
    for method, path in calls:
        response = client.request(method, path, json={"allow_all": True}, headers=admin.headers())
        assert (response.status_code, response.json()) == (404, unpublished), (method, path)
    assert [item["id"] for item in listed(client, admin)["items"]] == [key["id"]]
