"""An AK/SK call names its project with ``X-Project-Id``, else the path's (CONTRACT 3): B's key naming
one of A's projects, in the header or in the path, is refused with D-4 whichever of the two holds it,
on ModelArts, MaaS and IAM paths alike."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.credentials.signing import send_signed
from tests.isolation.conftest import Tenants
from tests.isolation.matrix import not_scoped

# (route, path template): ModelArts, MaaS and IAM paths B's key may call in its own project.
ROUTES = [
    ("GET", "/v2/{project}/services"),
    ("GET", "/v1/{project}/workspaces"),
    ("GET", "/v1/{project}/maas/services/custom-endpoint/endpoint"),
    ("GET", "/v2/{project}/maas/api-auth/api-keys"),
]
IAM_ROUTES = ["/v3/projects", "/v3/auth/domains", "/v3.0/OS-CREDENTIAL/credentials"]


@pytest.mark.parametrize("a_project", ["project", "other_project"])
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_project_in_the_header_with_b_project_in_the_path_is_d4(
    client: TestClient, tenants: Tenants, method: str, path: str, a_project: str
) -> None:
    foreign = tenants.a.ids()[a_project]
    answer = send_signed(
        client,
        method,
        path.format(project=tenants.b.project),
        tenants.b.access_key.pair,
        headers={"X-Project-Id": foreign},
    )
    assert (answer.status_code, answer.json()) == (403, not_scoped(foreign).body())


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_b_project_in_the_header_with_a_project_in_the_path_is_d4(
    client: TestClient, tenants: Tenants, method: str, path: str
) -> None:
    """The header names whom the key acts for; the path must still be that project (D-4)."""
    foreign = tenants.a.project
    answer = send_signed(
        client,
        method,
        path.format(project=foreign),
        tenants.b.access_key.pair,
        headers={"X-Project-Id": tenants.b.project},
    )
    assert (answer.status_code, answer.json()) == (403, not_scoped(foreign).body())


@pytest.mark.parametrize("path", IAM_ROUTES)
def test_a_project_in_the_header_of_an_iam_call_is_d4_in_the_iam_body(
    client: TestClient, tenants: Tenants, path: str
) -> None:
    foreign = tenants.a.project
    answer = send_signed(client, "GET", path, tenants.b.access_key.pair, headers={"X-Project-Id": foreign})
    error = not_scoped(foreign)
    iam_body = {"error": {"code": 403, "message": error.message, "title": "Forbidden"}}
    assert (answer.status_code, answer.json()) == (403, iam_body)
