"""Sending a matrix case as tenant B and judging the answer: templates filled with both tenants' ids,
the documented answer checked exactly, and every 2xx answer scanned for anything of A's."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from tests.conftest import HOME, password_body
from tests.credentials.signing import send_signed
from tests.isolation.conftest import Tenant, Tenants
from tests.isolation.matrix import (
    ANONYMOUS,
    API_KEY,
    OWN,
    PATH_PROJECT,
    Case,
    Creates,
    Lists,
    SameForEveryone,
    not_scoped,
)

# Values of A that B's answers may hold without learning anything of A's: the bootstrap domain's
# name is also the server's own name (the data plane's ``owned_by``), and every service starts at
# the same version.
SHARED = {"domain_name", "version"}


def fill(template: Any, tenants: Tenants, project: str) -> Any:
    """``template`` with ``{a[...]}``, ``{b[...]}`` and ``{project}`` filled in, at any depth."""
    if isinstance(template, str):
        return template.format_map({"a": tenants.a.ids(), "b": tenants.b.ids(), "project": project})
    if isinstance(template, dict):
        return {fill(key, tenants, project): fill(value, tenants, project) for key, value in template.items()}
    if isinstance(template, list | tuple):
        return [fill(item, tenants, project) for item in template]
    return template


def path_project(tenants: Tenants, variant: str) -> str:
    return str(fill(PATH_PROJECT[variant], tenants, ""))


def send(client: TestClient, tenants: Tenants, case: Case, variant: str, *, signed: bool = False) -> Response:
    """The case as B sends it: with its token, its API key, or (a login) nothing; or AK/SK-signed."""
    project = path_project(tenants, variant)
    path = fill(case.path, tenants, project)
    query = [(name, fill(value, tenants, project)) for name, value in case.query]
    body = fill(case.body, tenants, project)
    if signed:
        text = None if body is None else json.dumps(body)
        return send_signed(client, case.method, path, tenants.b.access_key.pair, query=query, body=text)
    return client.request(case.method, path, params=query, json=body, headers=caller_headers(tenants.b, case))


def caller_headers(tenant: Tenant, case: Case) -> dict[str, str]:
    if case.caller == ANONYMOUS:
        return {}
    if case.caller == API_KEY:
        return {"Authorization": f"Bearer {tenant.api_key}"}
    return tenant.headers


def markers_of(tenant: Tenant) -> set[str]:
    """Every id, name and secret of a tenant that must never reach the other; and its label, which
    every name and free text it wrote holds (descriptions, tags)."""
    values = {value for name, value in tenant.ids().items() if name not in SHARED}
    return values | {tenant.label, tenant.access_key.secret, tenant.api_key}


def leaked(body: Any, markers: set[str]) -> list[str]:
    """The markers found anywhere in a JSON answer, keys and values alike."""
    text = json.dumps(body, ensure_ascii=False)
    return sorted(marker for marker in markers if marker in text)


def echoed(tenants: Tenants, case: Case, variant: str) -> set[str]:
    """A's markers that B itself sent, in the query or the body: said back (a listing's link, the name
    B gave its own new user), they tell B nothing."""
    project = path_project(tenants, variant)
    sent = leaked(
        [fill(case.query, tenants, project), fill(case.body, tenants, project)], markers_of(tenants.a)
    )
    return set(sent)


def check(client: TestClient, tenants: Tenants, case: Case, variant: str, answer: Response) -> None:
    """B's answer is exactly the documented one; a 2xx answer holds nothing of A's that B did not send."""
    where = f"{case.name} [{variant}] {answer.request.method} {answer.request.url}"
    body = answer.json() if answer.content else None
    if 200 <= answer.status_code < 300:
        markers = markers_of(tenants.a) - echoed(tenants, case, variant)
        assert leaked(body, markers) == [], f"{where}: A's data in B's answer {body}"
    if variant != OWN:
        expected = not_scoped(path_project(tenants, variant))
        assert (answer.status_code, body) == (expected.status, expected.body()), where
        return
    expected = case.expected
    assert expected is not None, f"{where}: a create case runs only in A's projects (ONLY_D4)"
    if isinstance(expected, Lists):
        assert answer.status_code == expected.status, f"{where}: {answer.text}"
        listed = sorted(item[expected.id_field] for item in body[expected.key])
        assert listed == sorted(fill(expected.ids, tenants, "")), f"{where}: {body}"
    elif isinstance(expected, Creates):
        assert answer.status_code == expected.status, f"{where}: {answer.text}"
        made = body[expected.key]
        fields = {name: fill(value, tenants, "") for name, value in expected.fields}
        assert {name: made[name] for name in fields} == fields, f"{where}: {body}"
    elif isinstance(expected, SameForEveryone):
        as_a = _as_a(client, tenants, case)
        assert as_a.status_code == expected.status, f"{where}: A got {as_a.text}"
        assert (answer.status_code, body) == (expected.status, as_a.json()), where
    else:
        expected_body = fill(expected.body(), tenants, tenants.b.project)
        assert (answer.status_code, body) == (expected.status, expected_body), where


def _as_a(client: TestClient, tenants: Tenants, case: Case) -> Response:
    """The same call made by A in A's own project: the answer every tenant gets."""
    project = tenants.a.project
    path = fill(case.path, tenants, project)
    query = [(name, fill(value, tenants, project)) for name, value in case.query]
    return client.request(case.method, path, params=query, headers=caller_headers(tenants.a, case))


def _ok(response: Response) -> Any:
    assert response.status_code == 200, f"{response.request.url}: {response.text}"
    return response.json()


def snapshot(client: TestClient, a: Tenant) -> dict[str, Any]:
    """Everything of A's, read as A: what no call of B may change."""
    headers, project = a.headers, a.project
    service = f"/v2/{project}/services/{a.service_id}"
    endpoints = f"/v1/{project}/maas/services/custom-endpoint/endpoint"
    credential = client.get(f"/v3.0/OS-CREDENTIAL/credentials/{a.access_key.access}", headers=headers)
    account = a.account
    login = client.post("/v3/auth/tokens", json=password_body(account.user, account.password, account.domain))
    return {
        "workspace": _ok(client.get(f"/v1/{project}/workspaces/{a.workspace_id}", headers=headers)),
        "workspaces": _ok(client.get(f"/v1/{project}/workspaces", headers=headers)),
        "service": _ok(client.get(service, headers=headers)),
        # The two listings the fast lane answers (and on SQLite keeps): A's are read, and so kept,
        # right before B asks for its own.
        "services": _ok(client.get(f"/v2/{project}/services", headers=headers)),
        "region_services": _ok(
            client.get(f"/v1/{project}/maas/services/custom-endpoint/services/{HOME}", headers=headers)
        ),
        "versions": _ok(client.get(f"{service}/deployments/{a.deployment_id}/versions", headers=headers)),
        "endpoints": _ok(client.get(endpoints, headers=headers)),
        "api_keys": _ok(client.get(f"/v2/{project}/maas/api-auth/api-keys", headers=headers)),
        "credential": (credential.status_code, credential.json()),
        # A's users (D-50): B's updates and deletes leave them as they were, and A's password still
        # logs A in.
        "users": _ok(client.get("/v3/users", headers=headers)),
        "user": _ok(client.get(f"/v3.0/OS-USER/users/{a.user_id}", headers=headers)),
        "login": login.status_code,
        # A's key still works and still sees A's endpoint, active.
        "models": _ok(client.get("/v1/models", headers={"Authorization": f"Bearer {a.api_key}"})),
    }
