"""Tenant isolation: B's credential at A's ids and paths answers the documented error (D-4, D-9,
D-13, D-24, CONTRACT 4.3, 5.1, 6.4) or a listing of B's own objects, never anything of A's; and A's
objects are as they were afterwards (tests/isolation/matrix.py holds the cases)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.isolation.calls import check, leaked, markers_of, send, snapshot
from tests.isolation.conftest import Tenants
from tests.isolation.matrix import MATRIX, Case

SIGNED = [case for case in MATRIX if case.signed]


@pytest.mark.parametrize("case", MATRIX, ids=lambda case: case.name)
def test_b_gets_nothing_of_a_d4_d9_d13_d24(client: TestClient, tenants: Tenants, case: Case) -> None:
    before = snapshot(client, tenants.a)
    for variant in case.variants_to_run():
        check(client, tenants, case, variant, send(client, tenants, case, variant))
    assert snapshot(client, tenants.a) == before


@pytest.mark.parametrize("case", SIGNED, ids=lambda case: case.name)
def test_b_signing_with_its_access_key_gets_what_its_token_gets(
    client: TestClient, tenants: Tenants, case: Case
) -> None:
    """CONTRACT 3: an AK/SK call acts in the path's project, which must be the key's domain's (D-4)."""
    before = snapshot(client, tenants.a)
    for variant in case.variants_to_run():
        check(client, tenants, case, variant, send(client, tenants, case, variant, signed=True))
    assert snapshot(client, tenants.a) == before


def test_each_key_lists_its_own_account_models_only_d13(client: TestClient, tenants: Tenants) -> None:
    """The other direction too: A's key sees A's endpoint and nothing of B's, and B's key the reverse."""
    for owner, other in ((tenants.a, tenants.b), (tenants.b, tenants.a)):
        for prefix in ("/v1", "/v2", "/openai/v1"):
            answer = client.get(f"{prefix}/models", headers={"Authorization": f"Bearer {owner.api_key}"})
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert [model["id"] for model in body["data"]] == [owner.endpoint_name]
            assert leaked(body, markers_of(other)) == []


def test_a_own_answers_hold_nothing_of_b(client: TestClient, tenants: Tenants) -> None:
    """A's view of everything it owns (the snapshot the matrix compares) names none of B's ids."""
    assert leaked(snapshot(client, tenants.a), markers_of(tenants.b)) == []
