"""Shared wire facts for the IAM tests (CONTRACT 4)."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from http import HTTPStatus
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.auth.tokens import KEY_NAME, TokenClaims, TokenSigner
from openmaas.clock import hex_id, now_ms
from openmaas.db.server_values import stored_value
from openmaas.db.session import transaction
from openmaas.http.state import app_state
from tests.conftest import Account, password_body

IAM_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
HEX_ID = re.compile(r"^[0-9a-f]{32}$")
WRONG_CREDENTIALS = {
    "error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}
}
NEEDS_AUTHENTICATION = {
    "error": {
        "code": 401,
        "message": "The request you have made requires authentication.",
        "title": "Unauthorized",
    }
}
TOKEN_NOT_FOUND = {"error": {"code": 404, "message": "The token could not be found.", "title": "Not Found"}}


def bad_request(message: str) -> dict[str, Any]:
    """The IAM body of a 400 (CONTRACT 4.4)."""
    return {"error": {"code": 400, "message": message, "title": "Bad Request"}}


def parse_iam_time(value: str) -> datetime:
    assert IAM_TIME.match(value), value
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")


def issue(client: TestClient, scope: dict[str, Any] | None = None, **identity: str) -> str:
    """A token for the admin (or ``identity``) with ``scope``; fails the test unless 201."""
    response = client.post("/v3/auth/tokens", json=password_body(scope=scope, **identity))
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


def server_signer(client: TestClient) -> TokenSigner:
    """The server's own signer, to mint tokens that differ from real ones in one claim only."""
    signer: TokenSigner = app_state(client.app).auth.signer  # type: ignore[arg-type]
    return signer


def claims_of(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return claims


def expired_copy(client: TestClient, token: str) -> str:
    """``token`` re-signed with the real key, but expired a second ago."""
    claims = claims_of(token)
    past = now_ms() - 1000
    claims.update(jti=hex_id(), issued_at=past - 86_400_000, expires_at=past)
    return server_signer(client).issue(TokenClaims(**claims))


def store_minted_copy(engine: Engine, token: str) -> str:
    """``token``'s claims signed with what the store alone holds (the ``token_signing`` value), as
    someone holding a copy of the store would: the server's key also needs its secret key."""
    with transaction(engine, write=False) as connection:
        stored = stored_value(connection, KEY_NAME)
    assert stored is not None
    claims = claims_of(token)
    claims.update(jti=hex_id())
    return TokenSigner(bytes.fromhex(stored)).issue(TokenClaims(**claims))


# ---- users (D-50 to D-57) --------------------------------------------------------------------------

OS_USERS = "/v3.0/OS-USER/users"
USERS = "/v3/users"
USER_PASSWORD = "Alice-Passw0rd"
NOT_AUTHORIZED = "You are not authorized to perform the requested action."


def iam_error(status: int, message: str) -> dict[str, Any]:
    """The IAM body of an error (CONTRACT 4.4)."""
    return {"error": {"code": status, "message": message, "title": HTTPStatus(status).phrase}}


def domain_id_of(client: TestClient, account: Account) -> str:
    response = client.get("/v3/auth/domains", headers=account.headers())
    assert response.status_code == 200, response.text
    domain_id: str = response.json()["domains"][0]["id"]
    return domain_id


def new_user(
    client: TestClient, by: Account, name: str = "alice", password: str | None = USER_PASSWORD, **fields: Any
) -> dict[str, Any]:
    """A user of ``by``'s domain made through the wire; fails the test unless 201."""
    user = {"name": name, "domain_id": domain_id_of(client, by), **fields}
    if password is not None:
        user["password"] = password
    response = client.post(OS_USERS, json={"user": user}, headers=by.headers())
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["user"]
    return created


def account_of(client: TestClient, user: dict[str, Any], password: str = USER_PASSWORD) -> Account:
    """The created ``user`` as a logged-in account of the bootstrap domain."""
    return Account(client, user["name"], password, "openmaas")
