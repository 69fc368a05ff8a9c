"""CONTRACT 6.5: the latest content-moderation disclaimer, in English and Chinese, versioned."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from openmaas.agreements.catalogue import agreement_book
from tests.conftest import OTHER, Account

AGREEMENT_KEYS = ["id", "agreement_id", "agreement_data", "open_notice", "close_notice"]
CJK = re.compile(r"[\u4e00-\u9fa5]")


def _url(project_id: str) -> str:
    return f"/v1/{project_id}/maas/compliance/agreements"


def test_there_are_several_versions_so_latest_means_the_newest() -> None:
    book = agreement_book()
    assert len(book.versions) >= 2
    assert book.latest.version == max(version.version for version in book.versions)
    assert len({version.agreement_id for version in book.versions}) == len(book.versions)


def test_default_language_is_english_and_serves_the_latest(client: TestClient, admin: Account) -> None:
    response = client.get(_url(admin.project()), headers=admin.headers())
    assert response.status_code == 200
    body = response.json()
    assert list(body) == AGREEMENT_KEYS
    assert all(isinstance(body[key], str) and body[key] for key in AGREEMENT_KEYS)
    latest = agreement_book().latest
    assert body["agreement_id"] == latest.agreement_id
    assert body["id"] == latest.texts["en"].id
    assert CJK.search(body["agreement_data"]) is None
    assert client.get(_url(admin.project()), params={"lang": "en"}, headers=admin.headers()).json() == body


def test_chinese_text_shares_the_agreement_id(client: TestClient, admin: Account) -> None:
    english = client.get(_url(admin.project()), params={"lang": "en"}, headers=admin.headers()).json()
    response = client.get(_url(admin.project()), params={"lang": "zh"}, headers=admin.headers())
    assert response.status_code == 200
    chinese = response.json()
    assert list(chinese) == AGREEMENT_KEYS
    assert chinese["agreement_id"] == english["agreement_id"]
    assert chinese["id"] != english["id"]
    for key in ("agreement_data", "open_notice", "close_notice"):
        assert CJK.search(chinese[key]) is not None


@pytest.mark.parametrize("lang", ["fr", "EN", "zh-CN", ""])
def test_unknown_language_is_0101_naming_lang(client: TestClient, admin: Account, lang: str) -> None:
    response = client.get(_url(admin.project()), params={"lang": lang}, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0101",
        "error_msg": "Invalid parameter: lang must be one of en, zh.",
    }


def test_outside_the_home_region_is_unpublished_d3(client: TestClient, admin: Account) -> None:
    response = client.get(_url(admin.project(OTHER)), headers=admin.headers(OTHER))
    assert response.status_code == 404
    assert response.json() == {
        "error_code": "APIG.0101",
        "error_msg": "The API does not exist or has not been published in the environment.",
    }


def test_invalid_token_is_0104_d5(client: TestClient, admin: Account) -> None:
    response = client.get(_url(admin.project()), headers={"X-Auth-Token": "forged"})
    assert response.status_code == 400
    assert response.json() == {"error_code": "ModelArts.0104", "error_msg": "Invalid token."}
