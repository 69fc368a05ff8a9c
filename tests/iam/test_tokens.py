"""CONTRACT 4.1 ``POST /v3/auth/tokens``: scopes, the token body, and every refusal (4.4)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.app import create_app
from openmaas.config import Settings
from tests.conftest import ADMIN_PASSWORD, HOME, OTHER, Account, password_body
from tests.iam.conftest import (
    HEX_ID,
    WRONG_CREDENTIALS,
    bad_request,
    issue,
    parse_iam_time,
)

TOKENS = "/v3/auth/tokens"


def _login(client: TestClient, body: Any, query: str = "") -> Any:
    return client.post(TOKENS + query, json=body)


def _assert_identity(token: dict[str, Any]) -> None:
    """The user, domain, methods, roles and times every token body carries."""
    domain = token["user"]["domain"]
    assert HEX_ID.match(domain["id"])
    assert domain["name"] == "openmaas"
    assert HEX_ID.match(token["user"]["id"])
    assert token["user"]["name"] == "admin"
    assert token["user"]["password_expires_at"] == ""
    assert token["methods"] == ["password"]
    assert token["roles"]
    for role in token["roles"]:
        assert set(role) == {"id", "name"}
        assert isinstance(role["id"], str)
        assert isinstance(role["name"], str)
    issued = parse_iam_time(token["issued_at"])
    assert parse_iam_time(token["expires_at"]) - issued == timedelta(hours=24)


def _assert_catalog(catalog: Any) -> None:
    assert isinstance(catalog, list)
    assert catalog
    for entry in catalog:
        # The keys of the SDK's TokenCatalog and TokenCatalogEndpoint models.
        assert set(entry) == {"id", "name", "type", "endpoints"}
        assert isinstance(entry["type"], str)
        for endpoint in entry["endpoints"]:
            assert set(endpoint) == {"id", "interface", "region", "region_id", "url"}
            assert endpoint["region"] == endpoint["region_id"]
        regions = {endpoint["region"] for endpoint in entry["endpoints"]}
        assert regions == {HOME, OTHER}
        assert all(endpoint["url"].startswith("http") for endpoint in entry["endpoints"])


def test_project_scope_by_name_answers_201_with_the_full_body(client: TestClient) -> None:
    response = _login(client, password_body(scope={"project": {"name": HOME}}))
    assert response.status_code == 201
    assert response.headers["X-Subject-Token"]
    token = response.json()["token"]
    assert set(token) == {
        "expires_at",
        "issued_at",
        "methods",
        "project",
        "user",
        "roles",
        "catalog",
    }
    _assert_identity(token)
    assert HEX_ID.match(token["project"]["id"])
    assert token["project"]["name"] == HOME
    assert token["project"]["domain"] == token["user"]["domain"]
    _assert_catalog(token["catalog"])


def test_project_scope_by_id_gives_the_same_project(client: TestClient, admin: Account) -> None:
    project_id = admin.project(OTHER)
    response = _login(client, password_body(scope={"project": {"id": project_id}}))
    assert response.status_code == 201
    token = response.json()["token"]
    assert token["project"]["id"] == project_id
    assert token["project"]["name"] == OTHER
    _assert_identity(token)


@pytest.mark.parametrize("domain", [{"name": "openmaas"}, None])
def test_domain_scope_carries_the_domain_and_no_project(
    client: TestClient, admin: Account, domain: dict[str, str] | None
) -> None:
    domain_ref = domain or {"id": _admin_domain_id(client)}
    response = _login(client, password_body(scope={"domain": domain_ref}))
    assert response.status_code == 201
    token = response.json()["token"]
    assert "project" not in token
    assert token["domain"] == token["user"]["domain"]
    _assert_identity(token)


def _admin_domain_id(client: TestClient) -> str:
    response = _login(client, password_body())
    domain_id: str = response.json()["token"]["user"]["domain"]["id"]
    return domain_id


def test_unscoped_token_is_issued_for_the_users_domain(client: TestClient) -> None:
    response = _login(client, password_body())
    assert response.status_code == 201
    token = response.json()["token"]
    assert "project" not in token
    assert token["domain"] == token["user"]["domain"]
    _assert_identity(token)
    _assert_catalog(token["catalog"])


@pytest.mark.parametrize("value", ["true", "True", "1"])
def test_nocatalog_drops_the_catalog(client: TestClient, value: str) -> None:
    response = _login(client, password_body(scope={"project": {"name": HOME}}), f"?nocatalog={value}")
    assert response.status_code == 201
    token = response.json()["token"]
    assert "catalog" not in token
    assert token["project"]["name"] == HOME


def test_nocatalog_false_keeps_the_catalog(client: TestClient) -> None:
    response = _login(client, password_body(scope={"project": {"name": HOME}}), "?nocatalog=false")
    assert response.status_code == 201
    _assert_catalog(response.json()["token"]["catalog"])


def test_lifetime_is_a_setting(client: TestClient, settings: Settings, engine: Engine) -> None:
    short = settings.model_copy(update={"token_lifetime_seconds": 3600})
    with TestClient(create_app(short, engine)) as other:
        token = _login(other, password_body()).json()["token"]
    lifetime = parse_iam_time(token["expires_at"]) - parse_iam_time(token["issued_at"])
    assert lifetime == timedelta(hours=1)


def test_a_new_token_does_not_revoke_older_ones(client: TestClient, admin: Account) -> None:
    first = issue(client, {"project": {"name": HOME}})
    second = issue(client, {"project": {"name": HOME}})
    assert first != second
    for token in (first, second):
        response = client.get(TOKENS, headers={"X-Auth-Token": second, "X-Subject-Token": token})
        assert response.status_code == 200
        response = client.get(f"/v2/{admin.project()}/services", headers={"X-Auth-Token": token})
        assert response.status_code == 200


@pytest.mark.parametrize(
    "identity",
    [
        {"password": "wrong-password"},
        {"user": "nobody"},
        {"domain": "no-such-domain"},
        {"user": "admin", "password": ADMIN_PASSWORD.lower()},
    ],
    ids=["wrong-password", "unknown-user", "unknown-domain", "case-of-password"],
)
def test_wrong_credentials_are_401_d6_body(client: TestClient, identity: dict[str, str]) -> None:
    response = _login(client, password_body(scope={"project": {"name": HOME}}, **identity))
    assert response.status_code == 401
    assert response.json() == WRONG_CREDENTIALS
    assert "X-Subject-Token" not in response.headers


def test_unknown_domain_id_is_401(client: TestClient) -> None:
    body = password_body()
    body["auth"]["identity"]["password"]["user"]["domain"] = {"id": "0" * 32}
    response = _login(client, body)
    assert response.status_code == 401
    assert response.json() == WRONG_CREDENTIALS


def test_user_of_another_domain_cannot_log_in_here(
    client: TestClient, make_account: Callable[..., Account]
) -> None:
    other = make_account("tenant-b", "admin")
    response = _login(client, password_body(password=other.password))
    assert response.status_code == 401
    assert response.json() == WRONG_CREDENTIALS
    response = _login(client, password_body(password=other.password, domain="tenant-b"))
    assert response.status_code == 201


def _project_refused() -> dict[str, Any]:
    message = "The project in the scope does not exist or is not accessible to the user."
    return {"error": {"code": 401, "message": message, "title": "Unauthorized"}}


def test_project_of_another_domain_is_401(client: TestClient, make_account: Callable[..., Account]) -> None:
    foreign = make_account("tenant-b").project(HOME)
    response = _login(client, password_body(scope={"project": {"id": foreign}}))
    assert response.status_code == 401
    assert response.json() == _project_refused()


@pytest.mark.parametrize(
    "project",
    [{"id": "f" * 32}, {"name": "eu-west-0"}, {"id": "not-an-id"}],
    ids=["unknown-id", "unknown-region", "malformed-id"],
)
def test_unknown_project_is_401(client: TestClient, project: dict[str, str]) -> None:
    response = _login(client, password_body(scope={"project": project}))
    assert response.status_code == 401
    assert response.json() == _project_refused()


def test_project_id_and_name_that_disagree_are_401(client: TestClient, admin: Account) -> None:
    scope = {"project": {"id": admin.project(HOME), "name": OTHER}}
    response = _login(client, password_body(scope=scope))
    assert response.status_code == 401
    assert response.json() == _project_refused()


@pytest.mark.parametrize("domain", [{"name": "tenant-b"}, {"id": "a" * 32}])
def test_domain_scope_of_another_domain_is_401(
    client: TestClient, make_account: Callable[..., Account], domain: dict[str, str]
) -> None:
    make_account("tenant-b")
    response = _login(client, password_body(scope={"domain": domain}))
    assert response.status_code == 401
    message = "The domain in the scope does not exist or is not accessible to the user."
    assert response.json() == {"error": {"code": 401, "message": message, "title": "Unauthorized"}}


def test_wrong_password_with_a_bad_scope_is_still_wrong_credentials(client: TestClient) -> None:
    """The password is checked first: a scope never tells a stranger what exists."""
    response = _login(client, password_body(password="nope", scope={"project": {"id": "f" * 32}}))
    assert response.status_code == 401
    assert response.json() == WRONG_CREDENTIALS


def _without(path: str) -> dict[str, Any]:
    body = password_body(scope={"project": {"name": HOME}})
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[part]
    del node[last]
    return body


def _with(path: str, value: Any) -> dict[str, Any]:
    body = password_body(scope={"project": {"name": HOME}})
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[part]
    node[last] = value
    return body


USER = "auth.identity.password.user"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Invalid parameter: auth is required."),
        (_without("auth.identity"), "Invalid parameter: auth.identity is required."),
        (_without("auth.identity.methods"), "Invalid parameter: auth.identity.methods is required."),
        (_without("auth.identity.password"), "Invalid parameter: auth.identity.password is required."),
        (_without(f"{USER}.name"), f"Invalid parameter: {USER}.name is required."),
        (_without(f"{USER}.password"), f"Invalid parameter: {USER}.password is required."),
        (_without(f"{USER}.domain"), f"Invalid parameter: {USER}.domain is required."),
        (_with(f"{USER}.domain", {}), f"Invalid parameter: {USER}.domain needs id or name."),
        (_with("auth.scope", {}), "Invalid parameter: auth.scope needs exactly one of project or domain."),
        (
            _with("auth.scope", {"project": {"name": HOME}, "domain": {"name": "openmaas"}}),
            "Invalid parameter: auth.scope needs exactly one of project or domain.",
        ),
        (_with("auth.scope.project", {}), "Invalid parameter: auth.scope.project needs id or name."),
    ],
    ids=[
        "empty",
        "no-identity",
        "no-methods",
        "no-password",
        "no-user-name",
        "no-user-password",
        "no-domain",
        "empty-domain",
        "empty-scope",
        "two-scopes",
        "empty-project",
    ],
)
def test_missing_fields_are_400_naming_the_field(client: TestClient, body: Any, message: str) -> None:
    response = _login(client, body)
    assert response.status_code == 400
    assert response.json() == bad_request(message)


NOT_A_DICT = "input should be a valid dictionary or object to extract fields from."
NOT_A_STRING = "input should be a valid string."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], f"body {NOT_A_DICT}"),
        ("password", f"body {NOT_A_DICT}"),
        (_with("auth", "x"), f"auth {NOT_A_DICT}"),
        (_with("auth.identity.methods", "password"), "auth.identity.methods input should be a valid list."),
        (_with("auth.identity.methods", ["token"]), "auth.identity.methods[0] input should be 'password'."),
        (
            _with("auth.identity.methods", []),
            "auth.identity.methods list should have at least 1 item after validation, not 0.",
        ),
        (_with(f"{USER}.name", 42), f"{USER}.name {NOT_A_STRING}"),
        (_with(f"{USER}.password", 123), f"{USER}.password {NOT_A_STRING}"),
        (_with(f"{USER}.password", ["x"]), f"{USER}.password {NOT_A_STRING}"),
        (_with(f"{USER}.password", None), f"{USER}.password {NOT_A_STRING}"),
        (_with(f"{USER}.name", ""), f"{USER}.name string should have at least 1 character."),
        (_with(f"{USER}.domain", "openmaas"), f"{USER}.domain {NOT_A_DICT}"),
        (_with(f"{USER}.domain.name", True), f"{USER}.domain.name {NOT_A_STRING}"),
        (_with("auth.scope", []), f"auth.scope {NOT_A_DICT}"),
        (_with("auth.scope.project", {"name": 5}), f"auth.scope.project.name {NOT_A_STRING}"),
        (_with("auth.scope.project", {"id": 7}), f"auth.scope.project.id {NOT_A_STRING}"),
    ],
    ids=[
        "body-list",
        "body-string",
        "auth-string",
        "methods-string",
        "unknown-method",
        "no-method",
        "name-int",
        "password-int",
        "password-list",
        "password-null",
        "name-empty",
        "domain-string",
        "domain-name-bool",
        "scope-list",
        "project-name-int",
        "project-id-int",
    ],
)
def test_wrong_types_are_400_naming_the_field(client: TestClient, body: Any, message: str) -> None:
    response = _login(client, body)
    assert response.status_code == 400
    assert response.json() == bad_request(f"Invalid parameter: {message}")


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        (f"{USER}.name", 64),
        (f"{USER}.password", 256),
        (f"{USER}.domain.name", 64),
        ("auth.scope.project.id", 64),
    ],
)
def test_huge_strings_are_400_naming_the_field(client: TestClient, field: str, limit: int) -> None:
    response = _login(client, _with(field, "x" * 100_000))
    assert response.status_code == 400
    assert response.json() == bad_request(
        f"Invalid parameter: {field} string should have at most {limit} characters."
    )


def test_body_over_the_size_cap_is_400(client: TestClient) -> None:
    payload = json.dumps(_with(f"{USER}.password", "x" * 2_000_000))
    response = client.post(TOKENS, content=payload, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == bad_request("Invalid parameter: body exceeds 1048576 bytes.")


@pytest.mark.parametrize("payload", [b"{", b'{"auth": }', b"not json", b'{"auth": {"identity": [}}'])
def test_malformed_json_is_400(client: TestClient, payload: bytes) -> None:
    response = client.post(TOKENS, content=payload, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == bad_request("Invalid parameter: body is not valid JSON.")


def test_empty_body_is_400(client: TestClient) -> None:
    response = client.post(TOKENS, content=b"", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == bad_request("Invalid parameter: body is required.")


def test_non_json_content_type_is_400(client: TestClient) -> None:
    response = client.post(TOKENS, content=b"user=admin", headers={"Content-Type": "text/plain"})
    assert response.status_code == 400
    assert response.json() == bad_request(
        "Invalid parameter: body must be JSON (Content-Type application/json)."
    )


def test_unknown_fields_are_ignored(client: TestClient) -> None:
    body = password_body(scope={"project": {"name": HOME}})
    body["auth"]["identity"]["password"]["user"]["extra"] = {"anything": [1, 2]}
    body["auth"]["unknown"] = True
    response = _login(client, body)
    assert response.status_code == 201


def test_bad_nocatalog_is_400_naming_it(client: TestClient) -> None:
    response = _login(client, password_body(), "?nocatalog=maybe")
    assert response.status_code == 400
    assert response.json() == bad_request(
        "Invalid parameter: nocatalog input should be a valid boolean, unable to interpret input."
    )
