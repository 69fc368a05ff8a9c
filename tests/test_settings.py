"""Settings (issue 2; CONTRACT 2, 4.1, 4.2, D-3, D-6): defaults, the environment, and refusals at start-up."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from openmaas.config import InvalidSettings, Settings

HOME, OTHER = "ap-southeast-1", "cn-southwest-2"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("OPENMAAS_"):
            monkeypatch.delenv(name)


def test_defaults_are_the_documented_ones() -> None:
    settings = Settings.load()
    assert [(r.id, r.en_us, r.zh_cn) for r in settings.regions] == [
        (HOME, "CN-Hong Kong", "中国-香港"),
        (OTHER, "CN Southwest-Guiyang1", "西南-贵阳一"),
    ]
    assert settings.maas_home_region == HOME  # D-3
    assert settings.token_lifetime_seconds == 24 * 3600  # 4.1
    assert settings.revocation_poll_seconds <= 5  # 4.2
    assert (settings.lockout_attempts, settings.lockout_seconds) == (5, 15 * 60)  # D-6
    assert (settings.admin_domain, settings.admin_user, settings.admin_password) == ("openmaas", "admin", "")
    assert settings.data_dir == Path(".openmaas")
    assert settings.effective_database_url == f"sqlite:///{Path('.openmaas/openmaas.db').resolve()}"


def test_the_environment_sets_everything(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    regions = [{"id": "la-south-2", "en_us": "LA-Sao Paulo1", "zh_cn": "拉美-圣保罗一"}]
    monkeypatch.setenv("OPENMAAS_REGIONS", json.dumps(regions))
    monkeypatch.setenv("OPENMAAS_MAAS_HOME_REGION", "la-south-2")
    monkeypatch.setenv("OPENMAAS_TOKEN_LIFETIME_SECONDS", "3600")
    monkeypatch.setenv("OPENMAAS_DATA_DIR", str(tmp_path))
    settings = Settings.load()
    assert settings.region_ids == frozenset({"la-south-2"})
    assert settings.maas_home_region == "la-south-2"
    assert settings.token_lifetime_seconds == 3600
    assert settings.effective_database_url == f"sqlite:///{tmp_path.resolve() / 'openmaas.db'}"


def test_an_explicit_database_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENMAAS_DATABASE_URL", "postgresql+psycopg://127.0.0.1/openmaas")
    assert Settings.load().effective_database_url == "postgresql+psycopg://127.0.0.1/openmaas"


def test_a_plain_postgresql_url_means_the_psycopg_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    """psycopg (3) is the driver openmaas ships: a URL that names no driver is given that one."""
    monkeypatch.setenv("OPENMAAS_DATABASE_URL", "postgresql://maas:pw@127.0.0.1:5432/openmaas")
    assert Settings.load().database_url == "postgresql+psycopg://maas:pw@127.0.0.1:5432/openmaas"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"OPENMAAS_MAAS_HOME_REGION": "eu-west-0"},
            "invalid settings: OPENMAAS_MAAS_HOME_REGION 'eu-west-0' is not in OPENMAAS_REGIONS "
            f"({HOME}, {OTHER})",
        ),
        (
            {"OPENMAAS_MAAS_HOME_REGION": ""},
            "invalid setting OPENMAAS_MAAS_HOME_REGION: must name a configured region",
        ),
        (
            {"OPENMAAS_REGIONS": json.dumps([{"id": HOME, "en_us": "a", "zh_cn": "b"}] * 2)},
            "invalid settings: OPENMAAS_REGIONS lists a region id twice",
        ),
        (
            {"OPENMAAS_REGIONS": json.dumps([{"id": "Bad Region", "en_us": "a", "zh_cn": "b"}])},
            "invalid setting OPENMAAS_REGIONS[0].id: String should match pattern '^[a-z0-9][a-z0-9-]*$'",
        ),
        (
            {"OPENMAAS_REVOCATION_POLL_SECONDS": "30"},
            "invalid setting OPENMAAS_REVOCATION_POLL_SECONDS: Input should be less than or equal to 5",
        ),
        (
            {"OPENMAAS_TOKEN_LIFETIME_SECONDS": "10"},
            "invalid setting OPENMAAS_TOKEN_LIFETIME_SECONDS: Input should be greater than or equal to 60",
        ),
        (
            {"OPENMAAS_LOCKOUT_ATTEMPTS": "0"},
            "invalid setting OPENMAAS_LOCKOUT_ATTEMPTS: Input should be greater than or equal to 1",
        ),
        (
            {"OPENMAAS_DATABASE_URL": "foo"},
            "invalid setting OPENMAAS_DATABASE_URL: must be a URL like postgresql+psycopg://user@host:5432/openmaas",
        ),
        (
            {"OPENMAAS_DATABASE_URL": "mysql://root@127.0.0.1/openmaas"},
            "invalid setting OPENMAAS_DATABASE_URL: must be a sqlite:/// or postgresql+psycopg:// URL like "
            "postgresql+psycopg://user@host:5432/openmaas",
        ),
        (
            {"OPENMAAS_DATABASE_URL": "sqlite://"},
            "invalid setting OPENMAAS_DATABASE_URL: must name a database file, like "
            "sqlite:////var/lib/openmaas/openmaas.db",
        ),
        (
            {"OPENMAAS_DATABASE_URL": "sqlite:///file:om.db?mode=rwc&uri=true"},
            "invalid setting OPENMAAS_DATABASE_URL: must be a plain sqlite:///path URL, not a file: URI",
        ),
        (
            {"OPENMAAS_PUBLIC_URL": "maas.example.com"},
            "invalid setting OPENMAAS_PUBLIC_URL: must be an http:// or https:// URL with a host, like "
            "http://127.0.0.1:8080",
        ),
        (
            {"OPENMAAS_ADMIN_DOMAIN": ""},
            "invalid setting OPENMAAS_ADMIN_DOMAIN: String should have at least 1 character",
        ),
    ],
    ids=[
        "home-not-configured",
        "home-empty",
        "region-twice",
        "region-id",
        "poll-over-5s",
        "lifetime",
        "lockout",
        "database-url-not-a-url",
        "database-url-other-store",
        "database-url-in-memory",
        "database-url-file-uri",
        "public-url",
        "admin-domain-empty",
    ],
)
def test_invalid_settings_are_one_clear_message(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InvalidSettings) as raised:
        Settings.load()
    assert str(raised.value) == message


def test_invalid_regions_json_is_a_message_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENMAAS_REGIONS", "{not json")
    with pytest.raises(InvalidSettings) as raised:
        Settings.load()
    assert str(raised.value).startswith("invalid setting OPENMAAS_REGIONS: must be a JSON list like [")


def test_keyword_values_are_checked_like_the_environment() -> None:
    with pytest.raises(InvalidSettings) as raised:
        Settings.load(maas_home_region="nowhere")
    assert "OPENMAAS_MAAS_HOME_REGION 'nowhere' is not in OPENMAAS_REGIONS" in str(raised.value)
