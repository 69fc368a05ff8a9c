"""Encryption at rest of access-key secrets and where its key comes from (CONTRACT 4.3)."""

from __future__ import annotations

import base64
import os
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from openmaas import crypto
from openmaas.crypto import KEY_FILE_NAME, SealedSecretError, SecretBox, SecretKeyError, load_secret_key

KEY = bytes(range(32))


def test_a_sealed_secret_opens_only_with_its_key_and_access_key() -> None:
    """The access key is the associated data: a sealed secret copied onto another row does not open."""
    box = SecretBox(KEY)
    sealed = box.seal("MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", context="AKONE")
    assert box.open(sealed, context="AKONE") == "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
    assert sealed != box.seal("MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc", context="AKONE")
    with pytest.raises(SealedSecretError):
        box.open(sealed, context="AKTWO")
    with pytest.raises(SealedSecretError):
        SecretBox(bytes(32)).open(sealed, context="AKONE")
    middle = len(sealed) // 2
    tampered = sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1 :]
    with pytest.raises(SealedSecretError):
        box.open(tampered, context="AKONE")


def test_configured_key_wins_over_the_key_file(tmp_path: Path) -> None:
    configured = base64.b64encode(KEY).decode()
    assert load_secret_key(configured, tmp_path) == KEY
    assert load_secret_key(base64.urlsafe_b64encode(KEY).decode(), tmp_path) == KEY
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_key_file_is_made_once_and_reused(tmp_path: Path) -> None:
    first = load_secret_key(None, tmp_path / "data")
    assert load_secret_key(None, tmp_path / "data") == first
    assert oct((tmp_path / "data" / KEY_FILE_NAME).stat().st_mode & 0o777) == "0o600"


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    load_secret_key(None, tmp_path)
    key_file = tmp_path / KEY_FILE_NAME
    os.chmod(key_file, 0o644)
    with pytest.raises(SecretKeyError) as refused:
        load_secret_key(None, tmp_path)
    assert str(refused.value) == f"{key_file} must be readable by its owner only (chmod 600 {key_file})"


def test_malformed_configured_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyError) as refused:
        load_secret_key("not base64!", tmp_path)
    assert str(refused.value) == (
        "OPENMAAS_SECRET_KEY must be a base64 string of 32 random bytes "
        "(for example the output of `openssl rand -base64 32`)"
    )


def test_processes_starting_together_agree_on_one_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several starts on one data folder at the same moment: every one gets the same key, and none
    reads a key file that another is still writing (the key's random bytes take a while here)."""
    make_random = secrets.token_bytes

    def slow_random(count: int) -> bytes:
        time.sleep(0.05)
        return make_random(count)

    monkeypatch.setattr(crypto.secrets, "token_bytes", slow_random)
    starts = 4
    together = threading.Barrier(starts)

    def start(_: int) -> bytes:
        together.wait(timeout=10)
        return load_secret_key(None, tmp_path)

    with ThreadPoolExecutor(max_workers=starts) as pool:
        keys = list(pool.map(start, range(starts)))
    assert len(set(keys)) == 1
    assert len(keys[0]) == 32
    assert [path.name for path in tmp_path.iterdir()] == [KEY_FILE_NAME]
