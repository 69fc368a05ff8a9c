"""Encryption at rest for access-key secrets (CONTRACT 4.3), and the key tokens are signed with.

The server must recover an SK to check a signature, so SKs are encrypted, not hashed: AES-256-GCM
with a random nonce, and the access key as associated data so that a sealed secret copied onto
another row does not open. The key never lives in the store: it comes from ``OPENMAAS_SECRET_KEY``
or from a file in the data folder created with mode 0600. The store keeps only a fingerprint, so a
process started with another key refuses to start instead of failing every signature.

The token signing key is derived from the same key and a random value the store keeps: a copy of
the store alone (a backup, a dump) can neither open an SK nor mint a token.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection

from openmaas.db.server_values import stored_once

KEY_BYTES = 32
NONCE_BYTES = 12
SEALED_PREFIX = "v1."
KEY_FILE_NAME = "secret.key"
FINGERPRINT_NAME = "secret_key_fingerprint"
# Not a secret: how to make one.
SECRET_KEY_HINT = "a base64 string of 32 random bytes (for example the output of `openssl rand -base64 32`)"  # noqa: S105


class SecretKeyError(RuntimeError):
    """The encryption key is missing, malformed, unreadable or not the one this store was sealed with."""


class SealedSecretError(Exception):
    """A sealed value does not open with this key and context (tampered, or another key)."""


def parse_secret_key(text: str) -> bytes:
    """Decode a key written as standard or URL-safe base64 of exactly 32 bytes."""
    cleaned = text.strip()
    try:
        key = base64.b64decode(cleaned.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"must be {SECRET_KEY_HINT}") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"must decode to {KEY_BYTES} bytes, not {len(key)}: {SECRET_KEY_HINT}")
    return key


class SecretBox:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise SecretKeyError(f"the secret key must be {KEY_BYTES} bytes")
        self._key = key
        self._aead = AESGCM(key)
        self._fingerprint = hmac.new(key, b"openmaas secret key fingerprint", hashlib.sha256).hexdigest()

    @property
    def fingerprint(self) -> str:
        """Identifies the key without revealing it (an HMAC of a constant under the key)."""
        return self._fingerprint

    def derive_key(self, salt: bytes, *, purpose: str) -> bytes:
        """A key of its own for ``purpose`` (HKDF-SHA256): knowing it reveals nothing of this one."""
        return HKDF(algorithm=SHA256(), length=KEY_BYTES, salt=salt, info=purpose.encode()).derive(self._key)

    def seal(self, plaintext: str, *, context: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        ciphertext = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + ciphertext).decode()

    def open(self, sealed: str, *, context: str) -> str:
        if not sealed.startswith(SEALED_PREFIX):
            raise SealedSecretError("unknown format")
        try:
            raw = base64.urlsafe_b64decode(sealed.removeprefix(SEALED_PREFIX))
            plaintext = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
        except (binascii.Error, ValueError, InvalidTag):
            raise SealedSecretError("does not open") from None
        return plaintext.decode()


def load_secret_key(configured: str | None, data_dir: Path) -> bytes:
    """The configured key, else the data folder's key file (created on first start, mode 0600)."""
    if configured:
        try:
            return parse_secret_key(configured)
        except ValueError as error:
            raise SecretKeyError(f"OPENMAAS_SECRET_KEY {error}") from None
    return _key_from_file(data_dir / KEY_FILE_NAME)


def _key_from_file(path: Path) -> bytes:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        _write_once(path, base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode() + "\n")
    return _read_key_file(path)


def _write_once(path: Path, text: str) -> None:
    """Create ``path`` holding ``text`` unless it exists. The whole file is written under a name of
    its own and then linked into place, which fails if another process got there first: processes
    sharing a data folder agree on whichever key was linked first, and none ever reads a file that
    is still being written."""
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _read_key_file(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretKeyError(f"{path} must be readable by its owner only (chmod 600 {path})")
    try:
        return parse_secret_key(path.read_text())
    except ValueError as error:
        raise SecretKeyError(f"{path} {error}") from None


def check_store_key(connection: Connection, box: SecretBox) -> None:
    """Record the key's fingerprint on first use; refuse a key that differs from the recorded one."""
    recorded = stored_once(connection, FINGERPRINT_NAME, lambda: box.fingerprint)
    if not hmac.compare_digest(recorded, box.fingerprint):
        raise SecretKeyError(
            "the secret key differs from the one that sealed this store's access keys: give every "
            "process that shares the store the same OPENMAAS_SECRET_KEY"
        )


def open_secret_box(configured: str | None, data_dir: Path, connection: Connection) -> SecretBox:
    """The box for this process, checked against the store's recorded key fingerprint."""
    box = SecretBox(load_secret_key(configured, data_dir))
    check_store_key(connection, box)
    return box
