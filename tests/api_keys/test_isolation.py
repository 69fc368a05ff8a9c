"""Another account can neither see, change nor delete a key, and learns nothing of it (D-24); the
API answers only in the home region (D-3) and for the credential's own project (D-4); AK/SK-signed
calls work as tokens do (CONTRACT 3)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.api_keys.conftest import DELETED, create, delete, key_url, keys_url, listed, not_found, put
from tests.conftest import OTHER, Account
from tests.credentials.conftest import create_key
from tests.credentials.signing import send_signed
from tests.maas.conftest import INVALID_TOKEN, NOT_PUBLISHED

MAAS_NOT_SCOPED = "ModelArts.0105"


def _calls(client: TestClient, base: str, key_id: str, headers: dict[str, str]) -> list[tuple[int, object]]:
    """Every route of the API, against ``base`` (``/v{n}/{project_id}/maas/api-auth/api-keys``)."""
    v1 = base.replace("/v2/", "/v1/", 1)
    responses = [
        client.post(base, json={"allow_all": True}, headers=headers),
        client.get(base, headers=headers),
        client.put(f"{base}/{key_id}", json={"description": "x"}, headers=headers),
        client.delete(f"{base}/{key_id}", headers=headers),
        client.delete(f"{v1}/{key_id}", headers=headers),
    ]
    return [(response.status_code, response.json()) for response in responses]


def test_another_account_can_neither_see_change_nor_delete_a_key(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    mine = create(client, admin, label="mine", description="untouched")
    other = make_account("acme")
    assert listed(client, other) == {"total": 0, "items": [], "quantity_limit": 30}
    assert put(client, other, mine["id"], {"description": "hijacked"}) == (400, not_found(mine["id"]))
    for version in ("v1", "v2"):
        assert delete(client, other, mine["id"], version) == (400, not_found(mine["id"]))
    (item,) = listed(client, admin)["items"]
    assert item == {name: value for name, value in mine.items() if name != "api_key"}


def test_labels_and_quotas_are_per_account(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    create(client, admin, label="same")
    other = make_account("acme")
    theirs = create(client, other, label="same")
    assert [item["id"] for item in listed(client, other)["items"]] == [theirs["id"]]
    assert listed(client, admin)["total"] == 1
    assert delete(client, other, theirs["id"]) == (200, DELETED)
    assert [item["label"] for item in listed(client, admin)["items"]] == ["same"]


def test_outside_the_home_region_the_api_is_unpublished_d3(client: TestClient, admin: Account) -> None:
    key = create(client, admin)
    answers = _calls(client, keys_url(admin, OTHER), key["id"], admin.headers(OTHER))
    assert answers == [(404, NOT_PUBLISHED)] * 5
    # A home-region path with the other region's token: D-3 still (its region decides first).
    answers = _calls(client, keys_url(admin), key["id"], admin.headers(OTHER))
    assert answers == [(404, NOT_PUBLISHED)] * 5
    assert listed(client, admin)["total"] == 1


def test_another_project_in_the_path_is_not_scoped_d4(
    client: TestClient, admin: Account, make_account: Callable[[str], Account]
) -> None:
    key = create(client, admin)
    other = make_account("acme")
    foreign = other.project()
    expected = {
        "error_code": MAAS_NOT_SCOPED,
        "error_msg": f"Operation not allowed: the credential is not scoped to project {foreign}.",
    }
    base = f"/v2/{foreign}/maas/api-auth/api-keys"
    assert _calls(client, base, key["id"], admin.headers()) == [(403, expected)] * 5


def test_without_a_valid_token_every_route_is_invalid_token_d5(client: TestClient, admin: Account) -> None:
    key = create(client, admin)
    for headers in ({}, {"X-Auth-Token": "omt1.forged.token"}):
        assert _calls(client, keys_url(admin), key["id"], headers) == [(400, INVALID_TOKEN)] * 5


def test_an_access_key_signed_call_manages_keys_as_a_token_does(client: TestClient, admin: Account) -> None:
    signer = create_key(client, admin).pair
    base = keys_url(admin)
    created = send_signed(client, "POST", base, signer, body='{"allow_all": true, "label": "signed"}')
    assert created.status_code == 200, created.text
    assert created.json()["label"] == "signed"
    listing = send_signed(client, "GET", base, signer)
    assert [item["label"] for item in listing.json()["items"]] == ["signed"]
    deleted = send_signed(client, "DELETE", key_url(admin, created.json()["id"], "v1"), signer)
    assert (deleted.status_code, deleted.json()) == (200, DELETED)
