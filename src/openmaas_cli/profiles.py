"""Profiles: where a server is and who to be there, in ``config.toml``; the secrets that go with them
(password, secret key, cached tokens) in ``secrets.toml``, readable by the owner only (0600).

Both live in ``$XDG_CONFIG_HOME/openmaas`` (default ``~/.config/openmaas``).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from openmaas_client import Token, problem_text

DEFAULT_PROFILE = "default"
DEFAULT_REGION = "ap-southeast-1"
PROFILE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")
BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+\Z")
SECRET_MODE = 0o600


class ProfileError(Exception):
    """A profile file that cannot be used as it is: the message says which and how to fix it."""


class CorruptToken(Exception):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where, self.problem = where, problem


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "openmaas"


@dataclass
class Profile:
    name: str
    endpoint: str
    domain: str = ""
    user: str = ""
    region: str = DEFAULT_REGION
    project_id: str = ""
    access_key: str = ""

    def settings(self) -> dict[str, str]:
        """What goes to config.toml: the non-empty fields but the name (the table's key)."""
        return {key: value for key, value in asdict(self).items() if key != "name" and value}


@dataclass
class CachedToken:
    value: str
    body: dict[str, Any]

    def token(self) -> Token:
        parsed = Token.model_validate({**self.body["token"], "value": self.value})
        return parsed

    @classmethod
    def from_toml(cls, entry: Any) -> CachedToken:
        """An entry of ``tokens``, parsed through to its token, so that a corrupt one fails here."""
        body = json.loads(entry["body"])
        if not isinstance(body, dict):
            raise TypeError("the body is not a JSON object")
        cached = cls(str(entry["value"]), body)
        cached.token()
        return cached


@dataclass
class Secrets:
    password: str = ""
    secret_key: str = ""
    tokens: dict[str, CachedToken] = field(default_factory=dict)

    def to_toml(self) -> dict[str, Any]:
        table: dict[str, Any] = {
            key: value for key in ("password", "secret_key") if (value := getattr(self, key))
        }
        if self.tokens:
            table["tokens"] = {
                region: {"value": cached.value, "body": json.dumps(cached.body, separators=(",", ":"))}
                for region, cached in self.tokens.items()
            }
        return table

    @classmethod
    def from_toml(cls, table: dict[str, Any], name: str) -> Secrets:
        """The secrets of profile ``name``; raises :class:`CorruptToken` for a token entry that
        does not parse."""
        entries = table.get("tokens", {})
        if not isinstance(entries, dict):
            raise CorruptToken(f"{name}.tokens", "not a table")
        tokens = {}
        for region, entry in entries.items():
            try:
                tokens[region] = CachedToken.from_toml(entry)
            except (LookupError, TypeError, ValueError) as error:
                raise CorruptToken(f"{name}.tokens.{region}", problem_text(error)) from error
        return cls(str(table.get("password", "")), str(table.get("secret_key", "")), tokens)


class ProfileStore:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or config_dir()
        self.config_path = self.directory / "config.toml"
        self.secrets_path = self.directory / "secrets.toml"

    def profile(self, name: str) -> Profile | None:
        table = _read(self.config_path).get(name)
        if not isinstance(table, dict):
            return None
        known = {key: str(value) for key, value in table.items() if key in Profile.__dataclass_fields__}
        return Profile(name=name, **{"endpoint": "", **known})

    def save_profile(self, profile: Profile) -> None:
        document = _read(self.config_path)
        document[profile.name] = profile.settings()
        _write(self.config_path, document, mode=None)

    def secrets(self, name: str) -> Secrets:
        table = _read(self.secrets_path).get(name)
        if not isinstance(table, dict):
            return Secrets()
        try:
            return Secrets.from_toml(table, name)
        except CorruptToken as error:
            raise ProfileError(
                f"{self.secrets_path} holds a corrupt cached token at {error.where}: {error.problem}; "
                "run `openmaas login` again"
            ) from error

    def save_secrets(self, name: str, secrets: Secrets) -> None:
        document = _read(self.secrets_path)
        document[name] = secrets.to_toml()
        _write(self.secrets_path, document, mode=SECRET_MODE)

    def check(self) -> None:
        """Refuse now, not after a login, files that saving would have to refuse: rewriting a file
        that does not parse would lose every other profile in it."""
        _read(self.config_path)
        _read(self.secrets_path)


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ProfileError(f"{path} is not valid TOML: {error}") from error
    except OSError as error:
        raise ProfileError(f"cannot read {path}: {error.strerror}") from error


def _write(path: Path, document: dict[str, Any], mode: int | None) -> None:
    """Write atomically; a secrets file is created 0600 before a byte is written to it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(dump_toml(document))
        os.chmod(temporary, mode if mode is not None else 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def dump_toml(document: dict[str, Any], prefix: tuple[str, ...] = ()) -> str:
    """A TOML writer for what profiles hold: tables of strings, numbers and booleans."""
    scalars = [
        f"{_key(key)} = {_value(value)}\n" for key, value in document.items() if not isinstance(value, dict)
    ]
    text = (f"[{'.'.join(_key(part) for part in prefix)}]\n" if prefix and scalars else "") + "".join(scalars)
    for key, value in document.items():
        if isinstance(value, dict):
            text += ("\n" if text else "") + dump_toml(value, (*prefix, key))
    return text


def _key(key: str) -> str:
    return key if BARE_KEY.match(key) else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    # A JSON string is a valid TOML basic string (same escapes, \uXXXX included).
    return json.dumps(str(value))
