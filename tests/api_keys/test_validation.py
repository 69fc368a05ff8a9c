"""Every malformed field of an API-key body is 400 ModelArts.0101 naming it (D-7), an allowlist
entry by its index, and leaves nothing written (D-22, D-23)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api_keys.conftest import create, invalid, keys_url, post, put
from tests.conftest import Account, count_rows

IP_SHAPES = "must be an IPv4 address, a range a.b.c.d-e.f.g.h or a CIDR block a.b.c.d/n"
LABEL_RULE = "must be 1 to 100 letters, digits, underscores (_) or hyphens (-)"
ENDPOINT_RULE = (
    "must be a custom endpoint name: 1 to 64 characters, starting with a letter or a Chinese character, "
    "then letters, Chinese characters, digits, periods (.), underscores (_) or hyphens (-)"
)
MODEL_RULE = "must be a model name of 1 to 128 characters without spaces or control characters"


def closed(*entries: Any) -> dict[str, Any]:
    return {"allow_all": False, "ip_whitelist": list(entries)}


BAD_BODIES: list[tuple[dict[str, Any], str, str]] = [
    ({}, "allow_all", "is required"),
    ({"allow_all": "true"}, "allow_all", "input should be a valid boolean"),
    ({"allow_all": 1}, "allow_all", "input should be a valid boolean"),
    ({"allow_all": True, "label": "with space"}, "label", LABEL_RULE),
    ({"allow_all": True, "label": "点"}, "label", LABEL_RULE),
    ({"allow_all": True, "label": "x" * 101}, "label", LABEL_RULE),
    ({"allow_all": True, "label": "line\n"}, "label", LABEL_RULE),
    ({"allow_all": True, "label": 7}, "label", "input should be a valid string"),
    (
        {"allow_all": True, "description": "x" * 101},
        "description",
        "string should have at most 100 characters",
    ),
    ({"allow_all": True, "description": "a\x00b"}, "description", "must not contain NUL characters"),
    # IP allowlist entries (D-23)
    (closed("1.2.3"), "ip_whitelist[0]", IP_SHAPES),
    (closed("10.0.0.1", "256.0.0.1"), "ip_whitelist[1]", IP_SHAPES),
    (closed("010.0.0.1"), "ip_whitelist[0]", IP_SHAPES),
    (closed(" 10.0.0.1"), "ip_whitelist[0]", IP_SHAPES),
    (closed("::1"), "ip_whitelist[0]", IP_SHAPES),
    (closed("2001:db8::/32"), "ip_whitelist[0]", f"{IP_SHAPES}, with a contiguous mask"),
    (closed("10.0.0.0/33"), "ip_whitelist[0]", f"{IP_SHAPES}, with a contiguous mask"),
    (closed("10.0.0.0/255.0.255.0"), "ip_whitelist[0]", f"{IP_SHAPES}, with a contiguous mask"),
    (closed("10.0.0.1/24"), "ip_whitelist[0]", "has host bits set: the block is 10.0.0.0/24"),
    (
        closed("10.0.0.9-10.0.0.1"),
        "ip_whitelist[0]",
        "must be a range whose first address is not after its last",
    ),
    (closed("10.0.0.1-"), "ip_whitelist[0]", IP_SHAPES),
    (closed("10.0.0.1-10.0.0.2-10.0.0.3"), "ip_whitelist[0]", IP_SHAPES),
    (closed(""), "ip_whitelist[0]", IP_SHAPES),
    (closed(5), "ip_whitelist[0]", "input should be a valid string"),
    ({"allow_all": False, "ip_whitelist": "10.0.0.1"}, "ip_whitelist", "input should be a valid list"),
    (closed("10.0.0.1", "10.0.0.1"), "ip_whitelist", "must not repeat an entry: [1] is the same as [0]"),
    # The same addresses written another way are the same entry.
    (
        closed("10.0.0.0/24", "10.0.1.1", "10.0.0.0/255.255.255.0"),
        "ip_whitelist",
        "must not repeat an entry: [2] is the same as [0]",
    ),
    (closed("10.0.0.7", "10.0.0.7/32"), "ip_whitelist", "must not repeat an entry: [1] is the same as [0]"),
    (
        closed(*(f"10.0.{index // 256}.{index % 256}" for index in range(101))),
        "ip_whitelist",
        "must have at most 100 entries, not 101",
    ),
    (
        {"allow_all": True, "ip_whitelist": ["10.0.0.1"]},
        "ip_whitelist",
        "must be empty when allow_all is true",
    ),
    (closed(), "ip_whitelist", "must list at least one entry when allow_all is false"),
    ({"allow_all": False}, "ip_whitelist", "must list at least one entry when allow_all is false"),
    # Endpoint allowlist
    ({"allow_all": True, "endpoint_whitelist": ["1st"]}, "endpoint_whitelist[0]", ENDPOINT_RULE),
    ({"allow_all": True, "endpoint_whitelist": ["ok", "a" * 65]}, "endpoint_whitelist[1]", ENDPOINT_RULE),
    ({"allow_all": True, "endpoint_whitelist": [""]}, "endpoint_whitelist[0]", ENDPOINT_RULE),
    (
        {"allow_all": True, "endpoint_whitelist": ["ep", "ep"]},
        "endpoint_whitelist",
        "must not repeat an entry: [1] is the same as [0]",
    ),
    (
        {"allow_all": True, "endpoint_whitelist": [f"ep{index}" for index in range(101)]},
        "endpoint_whitelist",
        "must have at most 100 entries, not 101",
    ),
    # Model allowlist
    (
        {"allow_all": True, "resident_model_version_whitelist": ["a b"]},
        "resident_model_version_whitelist[0]",
        MODEL_RULE,
    ),
    (
        {"allow_all": True, "resident_model_version_whitelist": [""]},
        "resident_model_version_whitelist[0]",
        MODEL_RULE,
    ),
    (
        {"allow_all": True, "resident_model_version_whitelist": ["m" * 129]},
        "resident_model_version_whitelist[0]",
        MODEL_RULE,
    ),
    (
        {"allow_all": True, "resident_model_version_whitelist": ["m", "m"]},
        "resident_model_version_whitelist",
        "must not repeat an entry: [1] is the same as [0]",
    ),
    (
        {"allow_all": True, "resident_model_version_whitelist": [f"m{index}" for index in range(101)]},
        "resident_model_version_whitelist",
        "must have at most 100 entries, not 101",
    ),
]


@pytest.mark.parametrize(("body", "field", "reason"), BAD_BODIES)
def test_a_malformed_create_is_refused_and_writes_nothing_d7(
    client: TestClient, admin: Account, engine: Engine, body: dict[str, Any], field: str, reason: str
) -> None:
    assert post(client, admin, body) == (400, invalid(field, reason))
    assert count_rows(engine, "SELECT count(*) FROM api_keys") == 0


# An update may not change allow_all alone into a contradiction, and it ignores labels (D-26).
UPDATE_CASES = [
    case
    for case in BAD_BODIES
    if case[0].get("allow_all") is not False and case[1] not in ("allow_all", "label")
]


@pytest.mark.parametrize(("body", "field", "reason"), UPDATE_CASES)
def test_a_malformed_update_is_refused_and_changes_nothing_d7(
    client: TestClient, admin: Account, body: dict[str, Any], field: str, reason: str
) -> None:
    key = create(client, admin, label="steady")
    assert put(client, admin, key["id"], body) == (400, invalid(field, reason))
    response = client.get(keys_url(admin), headers=admin.headers())
    (item,) = response.json()["items"]
    assert item == {name: value for name, value in key.items() if name != "api_key"}


def test_an_update_ignores_any_label_d26(client: TestClient, admin: Account) -> None:
    key = create(client, admin, label="steady")
    for label in ("with space", "x" * 101, 7, None, "other"):
        status, answer = put(client, admin, key["id"], {"label": label})
        assert (status, answer["label"], answer["update_at"]) == (200, "steady", key["update_at"])


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        (b"{", "body", "is not valid JSON"),
        (b"[]", "body", "input should be a valid dictionary or object to extract fields from"),
        (
            b'{"allow_all": true, "resident_model_version_whitelist": ["\\ud83d"]}',
            "resident_model_version_whitelist[0]",
            "must be valid UTF-8 text",
        ),
        (b'{"allow_all": true, "label": "\\ud83d"}', "label", LABEL_RULE),
    ],
)
def test_bodies_no_store_could_keep_are_refused_d7(
    client: TestClient, admin: Account, engine: Engine, raw: bytes, field: str, reason: str
) -> None:
    response = client.post(keys_url(admin), content=raw, headers=admin.headers())
    assert (response.status_code, response.json()) == (400, invalid(field, reason))
    assert count_rows(engine, "SELECT count(*) FROM api_keys") == 0


def test_a_lone_surrogate_in_a_description_is_refused(
    client: TestClient, admin: Account, engine: Engine
) -> None:
    raw = b'{"allow_all": true, "description": "\\ud83d"}'
    response = client.post(keys_url(admin), content=raw, headers=admin.headers())
    # Refused while the JSON is read, before any rule of ours sees it.
    reason = "input should be a valid string, unable to parse raw data as a unicode string"
    assert (response.status_code, response.json()) == (400, invalid("description", reason))
    assert count_rows(engine, "SELECT count(*) FROM api_keys") == 0


def test_well_formed_allowlists_are_kept_as_sent_d23(client: TestClient, admin: Account) -> None:
    entries = [
        "0.0.0.0/0",
        "10.0.0.0/255.255.255.0",
        "10.1.0.0/16",
        "192.168.1.10-192.168.1.100",
        "172.16.0.5-172.16.0.5",
        "203.0.113.7",
        "203.0.113.8/32",
    ]
    key = create(
        client,
        admin,
        ip_whitelist=entries,
        endpoint_whitelist=["端点-1", "a" * 64, "b.c_d-e"],
        resident_model_version_whitelist=["Qwen/Qwen3-32B", "deepseek-v3.2", "m" * 128],
    )
    assert key["ip_whitelist"] == entries
    assert key["endpoint_whitelist"] == ["端点-1", "a" * 64, "b.c_d-e"]
    assert key["resident_model_version_whitelist"] == ["Qwen/Qwen3-32B", "deepseek-v3.2", "m" * 128]
    many = create(client, admin, ip_whitelist=[f"10.9.0.{index}" for index in range(100)])
    assert len(many["ip_whitelist"]) == 100
