"""CONTRACT 6.1: the regions a custom endpoint may front, one item per configured region."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from openmaas.app import create_app
from openmaas.bootstrap import bootstrap
from openmaas.config import Settings
from openmaas.db.store import Store
from tests.conftest import ADMIN_PASSWORD, HOME, OTHER, Account
from tests.maas.conftest import (
    EMPTY_LISTING,
    INVALID_TOKEN,
    NOT_PUBLISHED,
    listing_url,
    regions_url,
    workspaces_url,
)

CUSTOM_REGIONS = [
    {"id": "ap-southeast-1", "en_us": "CN-Hong Kong", "zh_cn": "中国-香港"},
    {"id": "cn-southwest-2", "en_us": "CN Southwest-Guiyang1", "zh_cn": "西南-贵阳一"},
    {"id": "eu-west-101", "en_us": "EU-Dublin", "zh_cn": "欧洲-都柏林"},
]


def test_default_regions_with_both_locales(client: TestClient, admin: Account) -> None:
    response = client.get(regions_url(admin.project()), headers=admin.headers())
    assert response.status_code == 200
    assert response.json() == {
        "region_items": [
            {"region_id": "ap-southeast-1", "locales": {"en_us": "CN-Hong Kong", "zh_cn": "中国-香港"}},
            {
                "region_id": "cn-southwest-2",
                "locales": {"en_us": "CN Southwest-Guiyang1", "zh_cn": "西南-贵阳一"},
            },
        ]
    }


def test_invalid_token_is_400_invalid_token_d5(client: TestClient, admin: Account) -> None:
    response = client.get(regions_url(admin.project()), headers={"X-Auth-Token": "garbage"})
    assert response.status_code == 400
    assert response.json() == INVALID_TOKEN


def test_token_of_another_region_is_404_d3(client: TestClient, admin: Account) -> None:
    response = client.get(regions_url(admin.project(OTHER)), headers=admin.headers(OTHER))
    assert response.status_code == 404
    assert response.json() == NOT_PUBLISHED


@pytest.fixture
def custom_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, engine: Engine
) -> Settings:
    """OPENMAAS_REGIONS as an operator sets it; bootstrap adds the new region's project."""
    monkeypatch.setenv("OPENMAAS_REGIONS", json.dumps(CUSTOM_REGIONS, ensure_ascii=False))
    settings = Settings(
        data_dir=tmp_path / "custom",
        database_url=database_url,
        admin_password=ADMIN_PASSWORD,
        deploy_delay_seconds=0,
        run_worker=False,
    )
    bootstrap(Store(engine), settings)
    return settings


def test_configured_regions_are_listed_in_order(custom_settings: Settings, engine: Engine) -> None:
    with TestClient(create_app(custom_settings, engine), raise_server_exceptions=False) as client:
        admin = Account(client, "admin", ADMIN_PASSWORD, "openmaas")
        response = client.get(regions_url(admin.project()), headers=admin.headers())
        assert response.status_code == 200
        assert response.json() == {
            "region_items": [
                {"region_id": region["id"], "locales": {"en_us": region["en_us"], "zh_cn": region["zh_cn"]}}
                for region in CUSTOM_REGIONS
            ]
        }


def test_a_configured_region_is_usable_in_6_2_and_6_3(custom_settings: Settings, engine: Engine) -> None:
    with TestClient(create_app(custom_settings, engine), raise_server_exceptions=False) as client:
        admin = Account(client, "admin", ADMIN_PASSWORD, "openmaas")
        response = client.get(listing_url(admin.project(), "eu-west-101"), headers=admin.headers())
        assert response.status_code == 200
        assert response.json() == EMPTY_LISTING
        response = client.get(workspaces_url(admin.project(), "eu-west-101"), headers=admin.headers())
        assert response.status_code == 200
        assert [item["id"] for item in response.json()["workspaces"]] == ["0"]


def test_a_region_no_longer_configured_is_unknown_d11(custom_settings: Settings, engine: Engine) -> None:
    """The default settings do not know eu-west-101 even though its project exists in the store."""
    default_settings = Settings(
        **{
            **custom_settings.model_dump(),
            "regions": CUSTOM_REGIONS[:2],
            "data_dir": custom_settings.data_dir,
        }
    )
    with TestClient(create_app(default_settings, engine), raise_server_exceptions=False) as client:
        admin = Account(client, "admin", ADMIN_PASSWORD, "openmaas")
        response = client.get(listing_url(admin.project(HOME), "eu-west-101"), headers=admin.headers())
        assert response.status_code == 400
        assert response.json() == {
            "error_code": "ModelArts.0104",
            "error_msg": "Invalid region ID: eu-west-101.",
        }
