"""Shared wire facts for the IAM tests (CONTRACT 4)."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.auth.tokens import TokenClaims, TokenSigner, load_or_create_key
from openmaas.clock import hex_id, now_ms
from openmaas.db.session import transaction
from tests.conftest import password_body

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


def store_signer(engine: Engine) -> TokenSigner:
    """The store's own signing key, to mint tokens that differ from real ones in one claim only."""
    with transaction(engine, write=False) as connection:
        return TokenSigner(load_or_create_key(connection))


def claims_of(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return claims


def expired_copy(engine: Engine, token: str) -> str:
    """``token`` re-signed with the real key, but expired a second ago."""
    claims = claims_of(token)
    past = now_ms() - 1000
    claims.update(jti=hex_id(), issued_at=past - 86_400_000, expires_at=past)
    return store_signer(engine).issue(TokenClaims(**claims))
