"""CONTRACT 4.2: validating and revoking tokens, across replicas and restarts; what makes a token invalid."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, update

from openmaas.app import create_app
from openmaas.auth.tokens import InvalidToken, TokenClaims, TokenSigner
from openmaas.clock import hex_id
from openmaas.config import Settings
from openmaas.db.engine import make_engine
from openmaas.db.session import transaction
from openmaas.iam.tables import projects, users
from openmaas.workspaces.tables import workspaces
from tests.conftest import HOME, OTHER, Account, password_body
from tests.iam.conftest import NEEDS_AUTHENTICATION, TOKEN_NOT_FOUND, claims_of, expired_copy, issue

TOKENS = "/v3/auth/tokens"
MAAS_INVALID = {"error_msg": "Invalid token.", "error_code": "ModelArts.0104"}
MODELARTS_INVALID = {"error_code": "ModelArts.0203", "error_msg": "Invalid token."}
# How long CONTRACT 4.2 gives every replica to honour a revocation.
REPLICA_DEADLINE_SECONDS = 5.0


def _check(client: TestClient, caller: str, subject: str) -> tuple[int, dict[str, object]]:
    response = client.get(TOKENS, headers={"X-Auth-Token": caller, "X-Subject-Token": subject})
    return response.status_code, response.json()


def _refused_everywhere(client: TestClient, token: str, project_id: str) -> None:
    """D-5: the same dead token, answered in each family's shape."""
    headers = {"X-Auth-Token": token}
    response = client.get("/v3/projects", headers=headers)
    assert (response.status_code, response.json()) == (401, NEEDS_AUTHENTICATION)
    response = client.get(f"/v2/{project_id}/services", headers=headers)
    assert (response.status_code, response.json()) == (401, MODELARTS_INVALID)
    response = client.get(f"/v1/{project_id}/workspaces", headers=headers)
    assert (response.status_code, response.json()) == (401, MODELARTS_INVALID)
    response = client.get(f"/v1/{project_id}/maas/services/custom-endpoint/regions", headers=headers)
    assert (response.status_code, response.json()) == (400, MAAS_INVALID)


def _accepted_everywhere(client: TestClient, token: str, project_id: str) -> None:
    headers = {"X-Auth-Token": token}
    assert client.get("/v3/projects", headers=headers).status_code == 200
    assert client.get(f"/v2/{project_id}/services", headers=headers).status_code == 200
    assert client.get(f"/v1/{project_id}/workspaces", headers=headers).status_code == 200
    response = client.get(f"/v1/{project_id}/maas/services/custom-endpoint/regions", headers=headers)
    assert response.status_code == 200


def test_validate_answers_200_with_the_issue_body(client: TestClient) -> None:
    issued = client.post(TOKENS, json=password_body(scope={"project": {"name": HOME}}))
    subject = issued.headers["X-Subject-Token"]
    caller = issue(client)
    response = client.get(TOKENS, headers={"X-Auth-Token": caller, "X-Subject-Token": subject})
    assert response.status_code == 200
    assert response.headers["X-Subject-Token"] == subject
    assert response.json() == issued.json()
    assert response.json()["token"]["project"]["name"] == HOME


def test_validate_with_nocatalog_drops_the_catalog(client: TestClient) -> None:
    token = issue(client, {"project": {"name": HOME}})
    response = client.get(
        TOKENS + "?nocatalog=true", headers={"X-Auth-Token": token, "X-Subject-Token": token}
    )
    assert response.status_code == 200
    assert "catalog" not in response.json()["token"]
    assert response.json()["token"]["project"]["name"] == HOME


@pytest.mark.parametrize("subject", ["garbage", "omt1.e30.AAAA", "omt1..", "x" * 4000])
def test_validate_an_invalid_subject_is_404(client: TestClient, subject: str) -> None:
    assert _check(client, issue(client), subject) == (404, TOKEN_NOT_FOUND)


def test_validate_needs_a_valid_caller_token(client: TestClient) -> None:
    subject = issue(client)
    assert _check(client, "garbage", subject) == (401, NEEDS_AUTHENTICATION)
    response = client.get(TOKENS, headers={"X-Subject-Token": subject})
    assert (response.status_code, response.json()) == (401, NEEDS_AUTHENTICATION)


def test_validate_without_subject_is_400_naming_the_header(client: TestClient) -> None:
    response = client.get(TOKENS, headers={"X-Auth-Token": issue(client)})
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Invalid parameter: X-Subject-Token is required.",
            "title": "Bad Request",
        }
    }


def test_revoke_answers_204_and_the_token_is_refused_everywhere(client: TestClient, admin: Account) -> None:
    victim = issue(client, {"project": {"name": HOME}})
    project_id = admin.project()
    _accepted_everywhere(client, victim, project_id)
    caller = admin.headers()["X-Auth-Token"]
    response = client.delete(TOKENS, headers={"X-Auth-Token": caller, "X-Subject-Token": victim})
    assert response.status_code == 204
    assert response.content == b""
    _refused_everywhere(client, victim, project_id)
    assert _check(client, caller, victim) == (404, TOKEN_NOT_FOUND)
    # The caller's own token is a different token and stays valid.
    _accepted_everywhere(client, caller, project_id)


def test_revoking_twice_is_404(client: TestClient) -> None:
    caller, victim = issue(client), issue(client)
    headers = {"X-Auth-Token": caller, "X-Subject-Token": victim}
    assert client.delete(TOKENS, headers=headers).status_code == 204
    response = client.delete(TOKENS, headers=headers)
    assert (response.status_code, response.json()) == (404, TOKEN_NOT_FOUND)


def test_a_token_can_revoke_itself(client: TestClient, admin: Account) -> None:
    token = issue(client, {"project": {"name": HOME}})
    response = client.delete(TOKENS, headers={"X-Auth-Token": token, "X-Subject-Token": token})
    assert response.status_code == 204
    _refused_everywhere(client, token, admin.project())


def test_revoke_needs_a_valid_caller_token(client: TestClient) -> None:
    victim = issue(client)
    response = client.delete(TOKENS, headers={"X-Auth-Token": "garbage", "X-Subject-Token": victim})
    assert (response.status_code, response.json()) == (401, NEEDS_AUTHENTICATION)
    assert _check(client, victim, victim)[0] == 200


@contextmanager
def _replica(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """A second server process sharing the store: its own app, its own caches and poller."""
    with TestClient(create_app(settings, engine), raise_server_exceptions=False) as replica:
        yield replica


def _until(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_revocation_reaches_another_replica_within_5_seconds(
    client: TestClient, admin: Account, settings: Settings, engine: Engine
) -> None:
    victim = issue(client, {"project": {"name": HOME}})
    project_id = admin.project()
    with _replica(settings, engine) as replica:
        _accepted_everywhere(replica, victim, project_id)
        caller = admin.headers()["X-Auth-Token"]
        response = client.delete(TOKENS, headers={"X-Auth-Token": caller, "X-Subject-Token": victim})
        assert response.status_code == 204

        def refused() -> bool:
            url = f"/v2/{project_id}/services"
            return replica.get(url, headers={"X-Auth-Token": victim}).status_code == 401

        assert _until(refused, REPLICA_DEADLINE_SECONDS)
        _refused_everywhere(replica, victim, project_id)


def test_a_replica_started_after_the_revocation_refuses_at_once(
    client: TestClient, admin: Account, settings: Settings, engine: Engine
) -> None:
    victim = issue(client, {"project": {"name": HOME}})
    response = client.delete(TOKENS, headers={"X-Auth-Token": victim, "X-Subject-Token": victim})
    assert response.status_code == 204
    with _replica(settings, engine) as replica:
        _refused_everywhere(replica, victim, admin.project())


def test_tokens_survive_a_restart(client: TestClient, admin: Account, settings: Settings) -> None:
    """A new process on the same store (its own engine) accepts tokens issued before."""
    token = issue(client, {"project": {"name": HOME}})
    fresh_engine = make_engine(settings.effective_database_url)
    try:
        with _replica(settings, fresh_engine) as restarted:
            _accepted_everywhere(restarted, token, admin.project())
            assert _check(restarted, token, token)[0] == 200
    finally:
        fresh_engine.dispose()


def test_an_expired_token_is_refused_everywhere(client: TestClient, admin: Account, engine: Engine) -> None:
    """Signed with the store's real key, so only the expiry is wrong."""
    live = issue(client, {"project": {"name": HOME}})
    expired = expired_copy(client, live)
    _refused_everywhere(client, expired, admin.project())
    assert _check(client, live, expired) == (404, TOKEN_NOT_FOUND)


def test_a_token_with_altered_claims_is_refused(client: TestClient, admin: Account) -> None:
    live = issue(client, {"project": {"name": HOME}})
    prefix, _body, signature = live.split(".")
    claims = claims_of(live)
    claims["expires_at"] = int(str(claims["expires_at"])) + 10 * 86_400_000
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    _refused_everywhere(client, f"{prefix}.{forged_body}.{signature}", admin.project())


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.replace("omt1.", "omt2.", 1),
        lambda token: token + ".extra",
        lambda token: token.rsplit(".", 1)[0],
        lambda token: token.rsplit(".", 1)[0] + ".",
    ],
    ids=["altered-signature", "other-prefix", "extra-part", "no-signature", "empty-signature"],
)
def test_a_forged_token_is_refused(client: TestClient, admin: Account, forge: Callable[[str], str]) -> None:
    live = issue(client, {"project": {"name": HOME}})
    _refused_everywhere(client, forge(live), admin.project())


def test_a_token_signed_with_another_key_is_refused(client: TestClient, admin: Account) -> None:
    live = issue(client, {"project": {"name": HOME}})
    forged = TokenSigner(b"k" * 32).issue(TokenClaims(**claims_of(live)))
    _refused_everywhere(client, forged, admin.project())


def test_a_token_with_non_ascii_bytes_is_refused_not_500(client: TestClient, admin: Account) -> None:
    """Header values arrive as latin-1; a signature with such bytes must be a refusal."""
    live = issue(client, {"project": {"name": HOME}})
    forged = (live[:-1] + "\xe9").encode("latin-1")
    project_id = admin.project()
    response = client.get(f"/v2/{project_id}/services", headers={b"X-Auth-Token": forged})
    assert (response.status_code, response.json()) == (401, MODELARTS_INVALID)
    response = client.get("/v3/projects", headers={b"X-Auth-Token": forged})
    assert (response.status_code, response.json()) == (401, NEEDS_AUTHENTICATION)
    url = f"/v1/{project_id}/maas/services/custom-endpoint/regions"
    response = client.get(url, headers={b"X-Auth-Token": forged})
    assert (response.status_code, response.json()) == (400, MAAS_INVALID)
    response = client.get(TOKENS, headers={b"X-Auth-Token": live.encode(), b"X-Subject-Token": forged})
    assert (response.status_code, response.json()) == (404, TOKEN_NOT_FOUND)


def _delete_user(engine: Engine, name: str) -> None:
    with transaction(engine, write=True) as connection:
        connection.execute(delete(users).where(users.c.name == name))


def test_a_token_of_a_deleted_user_is_refused(
    client: TestClient, make_account: Callable[..., Account], engine: Engine
) -> None:
    tenant = make_account("tenant-b", "leaver")
    token = tenant.login(HOME)
    project_id = tenant.project(HOME)
    _delete_user(engine, "leaver")
    _refused_everywhere(client, token, project_id)


def test_a_deleted_user_in_use_is_refused_within_5_seconds(
    client: TestClient, make_account: Callable[..., Account], engine: Engine
) -> None:
    """A process may remember for a few seconds that the user exists; never longer than 4.2's 5 s."""
    tenant = make_account("tenant-b", "leaver")
    token = tenant.login(HOME)
    project_id = tenant.project(HOME)
    _accepted_everywhere(client, token, project_id)
    _delete_user(engine, "leaver")

    def refused() -> bool:
        url = f"/v2/{project_id}/services"
        return client.get(url, headers={"X-Auth-Token": token}).status_code == 401

    assert _until(refused, REPLICA_DEADLINE_SECONDS + 0.5)
    _refused_everywhere(client, token, project_id)


def test_a_replaced_user_does_not_inherit_old_tokens(
    client: TestClient, make_account: Callable[..., Account], engine: Engine
) -> None:
    """Same name, new row: the old token named the old user id."""
    tenant = make_account("tenant-b", "leaver")
    token = tenant.login(HOME)
    project_id = tenant.project(HOME)
    with transaction(engine, write=True) as connection:
        connection.execute(update(users).where(users.c.name == "leaver").values(id=hex_id()))
    _refused_everywhere(client, token, project_id)


def test_a_token_of_a_deleted_project_is_refused(
    client: TestClient, make_account: Callable[..., Account], engine: Engine
) -> None:
    """CONTRACT 3: valid means the token's project still exists too."""
    tenant = make_account("tenant-b")
    token = tenant.login(HOME)
    project_id = tenant.project(HOME)
    with transaction(engine, write=True) as connection:
        connection.execute(delete(workspaces).where(workspaces.c.project_id == project_id))
        connection.execute(delete(projects).where(projects.c.id == project_id))
    _refused_everywhere(client, token, project_id)
    # The user's other project is untouched and still answers its own token.
    assert client.get("/v3/auth/projects", headers=tenant.headers(OTHER)).status_code == 200


def test_a_remembered_token_still_expires_and_a_forged_one_is_never_remembered() -> None:
    """Checked tokens are remembered (issue 5), but expiry is judged on every use (CONTRACT 4.2)."""
    signer = TokenSigner(b"k" * 32)
    claims = TokenClaims(
        jti=hex_id(),
        user_id=hex_id(),
        user_name="admin",
        domain_id=hex_id(),
        domain_name="openmaas",
        project_id=hex_id(),
        project_name=HOME,
        issued_at=1_000,
        expires_at=2_000,
    )
    token = signer.issue(claims)
    assert signer.verify(token, 1_500) == claims
    assert signer.verify(token, 1_999) == claims
    with pytest.raises(InvalidToken, match="expired"):
        signer.verify(token, 2_000)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(InvalidToken, match="bad signature"):
            signer.verify(forged, 1_500)
