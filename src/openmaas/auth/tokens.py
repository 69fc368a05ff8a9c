"""Self-contained signed tokens: verifying one needs no database read.

Wire form: ``omt1.<base64url(json claims)>.<base64url(hmac-sha256)>``. The key comes from the
server's secret key and a random value kept in the store (table ``server_keys``), so that every
process sharing the store accepts every token, tokens survive restarts, and the store alone
cannot mint one (``signing_key``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass

import orjson
from sqlalchemy import Connection

from openmaas.crypto import SecretBox
from openmaas.db.server_values import stored_once

PREFIX = "omt1"
KEY_NAME = "token_signing"
SIGNING_PURPOSE = "openmaas token signing"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    jti: str
    user_id: str
    user_name: str
    domain_id: str
    domain_name: str
    project_id: str | None
    project_name: str | None
    issued_at: int
    expires_at: int


class InvalidToken(Exception):
    """The token is malformed, forged or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    # Tokens whose signature and claims have been checked: a client sends the same token again and
    # again, and the HMAC and decoding are the larger part of checking one. Expiry is still checked
    # on every use. Bounded: when full it starts over.
    MEMO_ENTRIES = 10_000

    def __init__(self, key: bytes):
        self._key = key
        self._checked: dict[str, TokenClaims] = {}

    def issue(self, claims: TokenClaims) -> str:
        body = _b64(orjson.dumps(asdict(claims)))
        return f"{PREFIX}.{body}.{self._sign(body)}"

    def verify(self, token: str, now_ms: int) -> TokenClaims:
        claims = self._checked.get(token)
        if claims is None:
            claims = self._check(token)
            if len(self._checked) >= self.MEMO_ENTRIES:
                self._checked = {}
            self._checked[token] = claims
        if claims.expires_at <= now_ms:
            raise InvalidToken("expired")
        return claims

    def _check(self, token: str) -> TokenClaims:
        """Signature and claims; a token that fails here is never remembered."""
        try:
            prefix, body, signature = token.split(".")
        except ValueError:
            raise InvalidToken("malformed") from None
        # Bytes, not str: compare_digest refuses non-ASCII str, and a header may carry any latin-1.
        expected = self._sign(body).encode()
        if prefix != PREFIX or not hmac.compare_digest(signature.encode(), expected):
            raise InvalidToken("bad signature")
        try:
            claims = TokenClaims(**orjson.loads(_unb64(body)))
        except (ValueError, TypeError):
            raise InvalidToken("malformed claims") from None
        return claims

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())


def signing_key(connection: Connection, box: SecretBox) -> bytes:
    """The key tokens are signed with: derived from the server's secret key (never in the store) and
    a random value created once for the whole store (safe when processes race), so every process
    sharing the store and the secret key signs alike."""
    store_salt = bytes.fromhex(stored_once(connection, KEY_NAME, lambda: secrets.token_hex(32)))
    return box.derive_key(store_salt, purpose=SIGNING_PURPOSE)
