"""CONTRACT 6.3, Obtaining Inference Service Information: every row of its table.

Each test goes through the wire with the home-region token, as a MaaS client does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from openmaas.auth.tokens import TokenSigner
from openmaas.clock import now_ms
from openmaas.db.session import transaction
from openmaas.http.state import app_state
from openmaas.iam.directory import ProjectDirectory
from openmaas.services.states import Status
from tests.conftest import HOME, OTHER, Account
from tests.maas.conftest import (
    EMPTY_LISTING,
    INVALID_TOKEN,
    INVALID_WORKSPACE,
    create_service,
    create_workspace,
    listing,
    listing_url,
)
from tests.wire import INFER_SERVER_INFO_KEYS


def _set_columns(engine: Engine, service_id: str, **values: Any) -> None:
    """Place a service in a state the wire reaches only slowly (or by ties of the clock)."""
    assignments = ", ".join(f"{column} = :{column}" for column in values)
    statement = text(f"UPDATE services SET {assignments} WHERE id = :id")  # noqa: S608 (test column names)
    with transaction(engine, write=True) as connection:
        connection.execute(statement, {**values, "id": service_id})


def _ids(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["data"]]


# ---- answer shape and field types (D-1) ---------------------------------------------------------


def test_answer_is_data_pages_total_with_exactly_the_infer_server_info_keys_d1(
    client: TestClient, admin: Account
) -> None:
    service_id = create_service(client, admin, name="shape-1", description="DeepSeek-V3.2-EXP")
    status, body = listing(client, admin, HOME)
    assert status == 200
    assert set(body) == {"data", "pages", "total"}
    assert body["pages"] == 1
    assert body["total"] == 1
    (item,) = body["data"]
    assert set(item) == INFER_SERVER_INFO_KEYS
    assert item["id"] == service_id
    assert item["name"] == "shape-1"
    assert item["status"] == "DEPLOYING"
    assert item["version"] == "1.0.0"
    assert item["description"] == "DeepSeek-V3.2-EXP"
    assert item["type"] == "REAL_TIME"
    assert item["deploy_type"] == "SINGLE"
    assert item["user_name"] == "admin"
    assert item["workspace_id"] == "0"
    assert item["auth_type"] == "NONE"


def test_version_count_create_at_update_at_are_json_integers_and_version_a_string_d1(
    client: TestClient, admin: Account
) -> None:
    before = now_ms()
    create_service(client, admin, name="types-1")
    _, body = listing(client, admin, HOME)
    (item,) = body["data"]
    for key in ("version_count", "create_at", "update_at"):
        assert type(item[key]) is int, key
    assert item["version_count"] == 1
    assert type(item["version"]) is str
    # Milliseconds since the epoch: 13 digits, not seconds.
    assert len(str(item["create_at"])) == 13
    assert item["create_at"] >= before - 1000
    assert item["update_at"] >= item["create_at"]
    assert type(body["pages"]) is int
    assert type(body["total"]) is int


def test_version_count_grows_with_each_new_version_d1(
    client: TestClient, admin: Account, settle: Callable[[], int]
) -> None:
    service_id = create_service(client, admin, name="versions-1")
    settle()
    response = client.put(
        f"/v2/{admin.project()}/services/{service_id}",
        json={"group_configs": [{"count": 2}]},
        headers=admin.headers(),
    )
    assert response.status_code == 200, response.text
    _, body = listing(client, admin, HOME)
    (item,) = body["data"]
    assert item["status"] == "UPGRADING"
    assert item["version"] == "1.0.1"
    assert item["version_count"] == 2
    settle()
    _, body = listing(client, admin, HOME)
    assert body["data"][0]["status"] == "RUNNING"
    assert body["data"][0]["version_count"] == 2


# ---- order -----------------------------------------------------------------------------------


def test_order_is_update_at_descending_then_id(client: TestClient, admin: Account, engine: Engine) -> None:
    ids = [create_service(client, admin, name=f"order-{n}") for n in range(4)]
    base = 1_760_000_000_000
    update_at = {ids[0]: base + 1, ids[1]: base + 3, ids[2]: base + 2, ids[3]: base + 2}
    for service_id, value in update_at.items():
        _set_columns(engine, service_id, update_at=value)
    _, body = listing(client, admin, HOME)
    tied = sorted([ids[2], ids[3]], reverse=True)
    assert _ids(body) == [ids[1], *tied, ids[0]]
    assert [item["update_at"] for item in body["data"]] == [base + 3, base + 2, base + 2, base + 1]


def test_pages_keep_the_order_without_gaps_or_repeats_d10(
    client: TestClient, admin: Account, engine: Engine
) -> None:
    ids = [create_service(client, admin, name=f"page-order-{n}") for n in range(5)]
    for service_id in ids:
        # All tied: the id decides, so paging is stable.
        _set_columns(engine, service_id, update_at=1_760_000_000_000)
    seen = []
    for offset in (0, 2, 4):
        _, body = listing(client, admin, HOME, limit=2, offset=offset)
        seen += _ids(body)
    assert seen == sorted(ids, reverse=True)


# ---- paging (D-10) ---------------------------------------------------------------------------


def test_empty_workspace_answers_no_pages_d10(client: TestClient, admin: Account) -> None:
    status, body = listing(client, admin, HOME)
    assert status == 200
    assert body == EMPTY_LISTING


def test_default_limit_is_10_and_pages_is_ceil_of_total_d10(client: TestClient, admin: Account) -> None:
    for n in range(11):
        create_service(client, admin, name=f"many-{n}")
    _, body = listing(client, admin, HOME)
    assert len(body["data"]) == 10
    assert body["total"] == 11
    assert body["pages"] == 2
    _, body = listing(client, admin, HOME, offset=10)
    assert len(body["data"]) == 1
    assert body["total"] == 11
    assert body["pages"] == 2


def test_limit_and_offset_page_the_listing_d10(client: TestClient, admin: Account) -> None:
    for n in range(3):
        create_service(client, admin, name=f"paged-{n}")
    _, first = listing(client, admin, HOME, limit=2, offset=0)
    _, second = listing(client, admin, HOME, limit=2, offset=2)
    _, beyond = listing(client, admin, HOME, limit=2, offset=4)
    assert (len(first["data"]), first["pages"], first["total"]) == (2, 2, 3)
    assert (len(second["data"]), second["pages"], second["total"]) == (1, 2, 3)
    assert beyond == {"data": [], "pages": 2, "total": 3}
    assert not set(_ids(first)) & set(_ids(second))
    _, whole = listing(client, admin, HOME, limit=500)
    assert (len(whole["data"]), whole["pages"], whole["total"]) == (3, 1, 3)
    _, single = listing(client, admin, HOME, limit=1, offset=2)
    assert (len(single["data"]), single["pages"], single["total"]) == (1, 3, 3)


def test_offset_not_a_multiple_of_limit_is_400_d10(client: TestClient, admin: Account) -> None:
    status, body = listing(client, admin, HOME, limit=2, offset=1)
    assert status == 400
    assert body == {
        "error_code": "ModelArts.0101",
        "error_msg": "Invalid parameter: offset must be a multiple of limit.",
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"limit": 0}, "Invalid parameter: limit input should be greater than or equal to 1."),
        ({"limit": 501}, "Invalid parameter: limit input should be less than or equal to 500."),
        (
            {"limit": "ten"},
            "Invalid parameter: limit input should be a valid integer, unable to parse string as an integer.",
        ),
        ({"offset": -10}, "Invalid parameter: offset input should be greater than or equal to 0."),
        (
            {"offset": 2147483648, "limit": 1},
            "Invalid parameter: offset input should be less than or equal to 2147483647.",
        ),
    ],
)
def test_limit_out_of_1_to_500_or_negative_offset_is_400_naming_the_field_d10(
    client: TestClient, admin: Account, query: dict[str, Any], message: str
) -> None:
    status, body = listing(client, admin, HOME, **query)
    assert status == 400
    assert body == {"error_code": "ModelArts.0101", "error_msg": message}


def test_largest_offset_is_served_past_the_last_page_d10(client: TestClient, admin: Account) -> None:
    create_service(client, admin, name="far-away")
    status, body = listing(client, admin, HOME, offset=2147483647, limit=1)
    assert status == 200
    assert body == {"data": [], "pages": 1, "total": 1}


# ---- which services --------------------------------------------------------------------------


def test_every_status_is_listed(client: TestClient, admin: Account, engine: Engine) -> None:
    """Only deleted services disappear: the listing has no status filter."""
    placed = {}
    for status in Status:
        service_id = create_service(client, admin, name=f"status-{status.value.lower()}")
        _set_columns(engine, service_id, status=status.value)
        placed[service_id] = status.value
    _, body = listing(client, admin, HOME, limit=50)
    assert {item["id"]: item["status"] for item in body["data"]} == placed
    assert body["total"] == len(Status)


def test_deleting_services_are_listed_and_deleted_ones_are_not(
    client: TestClient, admin: Account, settle: Callable[[], int]
) -> None:
    kept = create_service(client, admin, name="kept")
    doomed = create_service(client, admin, name="doomed")
    response = client.post(
        f"/v2/{admin.project()}/services/delete", json={"service_ids": [doomed]}, headers=admin.headers()
    )
    assert response.status_code == 200, response.text
    _, body = listing(client, admin, HOME)
    assert {item["id"]: item["status"] for item in body["data"]} == {kept: "DEPLOYING", doomed: "DELETING"}
    assert body["total"] == 2
    settle()
    _, body = listing(client, admin, HOME)
    assert [(item["id"], item["status"]) for item in body["data"]] == [(kept, "RUNNING")]
    assert (body["pages"], body["total"]) == (1, 1)


# ---- region ------------------------------------------------------------------------------------


def test_other_region_lists_that_regions_services_from_the_home_token(
    client: TestClient, admin: Account
) -> None:
    home_id = create_service(client, admin, HOME, name="in-home")
    other_id = create_service(client, admin, OTHER, name="in-other")
    _, home = listing(client, admin, HOME)
    _, other = listing(client, admin, OTHER)
    assert _ids(home) == [home_id]
    assert _ids(other) == [other_id]
    assert (other["pages"], other["total"]) == (1, 1)


def test_unknown_region_is_400_0104_d11(client: TestClient, admin: Account) -> None:
    status, body = listing(client, admin, "eu-west-101")
    assert status == 400
    assert body == {"error_code": "ModelArts.0104", "error_msg": "Invalid region ID: eu-west-101."}


def test_unknown_region_is_reported_before_the_workspace_d11(client: TestClient, admin: Account) -> None:
    status, body = listing(client, admin, "eu-west-101", workspace_id="f" * 32)
    assert status == 400
    assert body == {"error_code": "ModelArts.0104", "error_msg": "Invalid region ID: eu-west-101."}


def test_region_where_the_domain_has_no_project_is_an_empty_listing(
    client: TestClient, make_home_only_account: Callable[[str], Account]
) -> None:
    lonely = make_home_only_account("lonely")
    status, body = listing(client, lonely, OTHER)
    assert status == 200
    assert body == EMPTY_LISTING
    status, body = listing(client, lonely, OTHER, workspace_id="f" * 32)
    assert status == 200
    assert body == EMPTY_LISTING


# ---- workspace ---------------------------------------------------------------------------------


def test_workspace_defaults_to_0_and_selects_the_workspace(client: TestClient, admin: Account) -> None:
    in_default = create_service(client, admin, name="in-default")
    workspace_id = create_workspace(client, admin, HOME, "team-a")
    in_team = create_service(client, admin, name="in-team", workspace_id=workspace_id)
    _, default = listing(client, admin, HOME)
    _, explicit_default = listing(client, admin, HOME, workspace_id="0")
    _, team = listing(client, admin, HOME, workspace_id=workspace_id)
    assert _ids(default) == [in_default]
    assert explicit_default == default
    assert _ids(team) == [in_team]
    assert team["data"][0]["workspace_id"] == workspace_id
    assert (team["pages"], team["total"]) == (1, 1)


def test_empty_workspace_query_means_the_default_workspace(client: TestClient, admin: Account) -> None:
    """``?workspace_id=`` is "no value specified" (seed: then the default workspace is queried)."""
    in_default = create_service(client, admin, name="in-default")
    status, body = listing(client, admin, HOME, workspace_id="")
    assert status == 200
    assert _ids(body) == [in_default]


def test_workspace_of_another_region_is_selected_in_that_region(client: TestClient, admin: Account) -> None:
    workspace_id = create_workspace(client, admin, OTHER, "team-b")
    in_team = create_service(client, admin, OTHER, name="far-team", workspace_id=workspace_id)
    _, body = listing(client, admin, OTHER, workspace_id=workspace_id)
    assert _ids(body) == [in_team]
    # The id belongs to the other region's project: in the home region it is unknown.
    status, body = listing(client, admin, HOME, workspace_id=workspace_id)
    assert status == 400
    assert body == INVALID_WORKSPACE


# Length is no separate rule: 65 or 10,000 characters name no workspace either.
@pytest.mark.parametrize("workspace_id", ["f" * 32, "default", "1", "a" * 65, "f" * 10_000])
def test_unknown_workspace_is_400_0104(client: TestClient, admin: Account, workspace_id: str) -> None:
    status, body = listing(client, admin, HOME, workspace_id=workspace_id)
    assert status == 400
    assert body == INVALID_WORKSPACE


def test_total_counts_only_that_region_and_workspace_d10(client: TestClient, admin: Account) -> None:
    team = create_workspace(client, admin, HOME, "team-c")
    for n in range(3):
        create_service(client, admin, name=f"counted-{n}")
    create_service(client, admin, name="elsewhere-ws", workspace_id=team)
    create_service(client, admin, OTHER, name="elsewhere-region")
    _, body = listing(client, admin, HOME, limit=2)
    assert (len(body["data"]), body["pages"], body["total"]) == (2, 2, 3)


# ---- tenants -----------------------------------------------------------------------------------


def test_services_of_another_domain_never_appear(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    mine = create_service(client, admin, name="shared-name")
    other = make_account("tenant-b")
    theirs = create_service(client, other, name="shared-name")
    theirs_far = create_service(client, other, OTHER, name="far")
    _, body = listing(client, admin, HOME)
    assert _ids(body) == [mine]
    _, body = listing(client, admin, OTHER)
    assert body == EMPTY_LISTING
    _, body = listing(client, other, HOME)
    assert _ids(body) == [theirs]
    _, body = listing(client, other, OTHER)
    assert _ids(body) == [theirs_far]


def test_another_domains_workspace_id_is_unknown(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    other = make_account("tenant-c")
    workspace_id = create_workspace(client, other, HOME, "theirs")
    create_service(client, other, name="hidden", workspace_id=workspace_id)
    status, body = listing(client, admin, HOME, workspace_id=workspace_id)
    assert status == 400
    assert body == INVALID_WORKSPACE


# ---- authentication (D-5, D-3, D-4) --------------------------------------------------------------


def _expired_token(client: TestClient, valid_token: str) -> str:
    """The same claims, signed with the server's key, but already past their expiry."""
    signer: TokenSigner = app_state(client.app).auth.signer  # type: ignore[arg-type]
    claims = signer.verify(valid_token, now_ms())
    return signer.issue(dataclasses.replace(claims, jti="expired", expires_at=now_ms() - 1000))


def test_missing_token_is_400_invalid_token_exactly_as_the_seed_d5(
    client: TestClient, admin: Account
) -> None:
    response = client.get(listing_url(admin.project(), HOME))
    assert response.status_code == 400
    assert response.json() == INVALID_TOKEN


@pytest.mark.parametrize("token", ["garbage", "omt1.e30.AAAA", ""])
def test_malformed_or_forged_token_is_400_invalid_token_d5(
    client: TestClient, admin: Account, token: str
) -> None:
    response = client.get(listing_url(admin.project(), HOME), headers={"X-Auth-Token": token})
    assert response.status_code == 400
    assert response.json() == INVALID_TOKEN


def test_tampered_token_is_400_invalid_token_d5(client: TestClient, admin: Account) -> None:
    token = admin.headers()["X-Auth-Token"]
    prefix, body, signature = token.split(".")
    tampered = f"{prefix}.{body}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    response = client.get(listing_url(admin.project(), HOME), headers={"X-Auth-Token": tampered})
    assert response.status_code == 400
    assert response.json() == INVALID_TOKEN


def test_expired_token_is_400_invalid_token_d5(client: TestClient, admin: Account, engine: Engine) -> None:
    expired = _expired_token(client, admin.headers()["X-Auth-Token"])
    response = client.get(listing_url(admin.project(), HOME), headers={"X-Auth-Token": expired})
    assert response.status_code == 400
    assert response.json() == INVALID_TOKEN


def test_revoked_token_is_400_invalid_token_d5(client: TestClient, admin: Account) -> None:
    token = admin.headers()["X-Auth-Token"]
    assert client.get(listing_url(admin.project(), HOME), headers=admin.headers()).status_code == 200
    response = client.delete("/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token})
    assert response.status_code == 204
    response = client.get(listing_url(admin.project(), HOME), headers={"X-Auth-Token": token})
    assert response.status_code == 400
    assert response.json() == INVALID_TOKEN


def test_token_of_another_region_is_404_as_unpublished_d3(client: TestClient, admin: Account) -> None:
    for project in (admin.project(OTHER), admin.project(HOME)):
        response = client.get(listing_url(project, HOME), headers=admin.headers(OTHER))
        assert response.status_code == 404
        assert response.json() == {
            "error_code": "APIG.0101",
            "error_msg": "The API does not exist or has not been published in the environment.",
        }


def test_path_project_other_than_the_tokens_is_403_d4(client: TestClient, admin: Account) -> None:
    foreign = admin.project(OTHER)
    response = client.get(listing_url(foreign, HOME), headers=admin.headers())
    assert response.status_code == 403
    assert response.json() == {
        "error_code": "ModelArts.0105",
        "error_msg": f"Operation not allowed: the credential is not scoped to project {foreign}.",
    }


# ---- processes that share a store see a region's project go (and come back) -------------------


def test_a_deleted_region_project_is_seen_within_the_directory_bound(
    client: TestClient, admin: Account, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The region -> project directory remembers a project for a bounded time (5 s; 0 here), so a
    project deleted by any process, or made again with a new id, is seen by every process."""
    monkeypatch.setattr(ProjectDirectory, "KEEP_SECONDS", 0.0)
    assert listing(client, admin, OTHER, workspace_id="0") == (200, EMPTY_LISTING)
    other_project = admin.project(OTHER)
    with transaction(engine, write=True) as connection:
        connection.execute(text("DELETE FROM workspaces WHERE project_id = :p"), {"p": other_project})
        connection.execute(text("DELETE FROM projects WHERE id = :p"), {"p": other_project})
    # No project of the domain in that region any more: empty, as 6.3 answers such a region.
    for _ in range(2):  # the second time through the fast lane's remembered plan, if any
        assert listing(client, admin, OTHER, workspace_id="0") == (200, EMPTY_LISTING)
        assert listing(client, admin, OTHER) == (200, EMPTY_LISTING)
