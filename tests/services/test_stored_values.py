"""What a service stores must be readable afterwards by both stores, by the JSON writer and by the
official SDK. A value none of them can handle is refused up front with 400 ModelArts.0101 naming its
path (D-7); otherwise it is stored and every later list, show or batch delete of the project fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import huaweicloudsdkmodelarts.v1.model as sdk_models
import pytest
from fastapi.testclient import TestClient
from huaweicloudsdkcore.client import Client as SdkClient

from tests.conftest import Account, service_body
from tests.services.conftest import create, delete, invalid, listing, services_url, show

Settle = Callable[[], int]
INT64_RANGE = "must be within the signed 64-bit integer range"
NOT_UTF8 = "must be valid UTF-8 text"
VERSION_SHAPE = "must look like N.N.N with each part from 0 to 99"
SCHEDULE = {"type": "STOP", "time_unit": "HOURS", "duration": 2}


def _nested(levels: int) -> Any:
    """``levels`` arrays, one inside the other, around a number."""
    value: Any = 0
    for _ in range(levels):
        value = [value]
    return value


def _runtime_config(**extra: Any) -> dict[str, Any]:
    return {"service_invoke": {"port": 8080, "protocol": "HTTP", "auth_type": "NONE"}, **extra}


def _send(client: TestClient, admin: Account, body: dict[str, Any], service_id: str | None = None) -> Any:
    """POST (create) or PUT (update) ``body`` as JSON text: escapes such as a lone surrogate go out as
    sent, as they would from any JSON library."""
    content = json.dumps(body).encode()
    if service_id is None:
        return client.post(services_url(admin), content=content, headers=admin.headers())
    return client.put(services_url(admin, f"/{service_id}"), content=content, headers=admin.headers())


# Each case is (fields of the body, the message). Before, each was stored, and then answered 500 at
# once or on every later read (orjson refuses lone surrogates, integers beyond 64 bits and nesting
# beyond 255 levels, which the list puts deeper than it was sent); a NUL key was named in the message.
UNSTORABLE = [
    (
        {"runtime_config": _runtime_config(x=_nested(33))},
        "runtime_config.x must not nest deeper than 32 levels",
    ),
    (
        {"group_configs": [{"count": 1, "x": {"deep": _nested(300)}}]},
        "group_configs[0].x must not nest deeper than 32 levels",
    ),
    (
        {"runtime_config": {"service_invoke": {"auth_type": "NONE", "x": [2**63]}}},
        f"runtime_config.service_invoke.x[0] {INT64_RANGE}",
    ),
    ({"runtime_config": _runtime_config(x={"low": -(2**63) - 1})}, f"runtime_config.x.low {INT64_RANGE}"),
    ({"runtime_config": _runtime_config(x=["ok", "\ud83d"])}, f"runtime_config.x[1] {NOT_UTF8}"),
    ({"runtime_config": _runtime_config(x={"\udc00": 1})}, f"runtime_config.x keys {NOT_UTF8}"),
    (
        {"runtime_config": _runtime_config(**{"a\u0000": 1})},
        "runtime_config keys must not contain NUL characters",
    ),
    (
        {"runtime_config": _runtime_config(x={"k\u0000": 1})},
        "runtime_config.x keys must not contain NUL characters",
    ),
]


@pytest.mark.parametrize(("fields", "message"), UNSTORABLE)
def test_d7_create_refuses_what_no_store_or_serializer_can_keep(
    client: TestClient, admin: Account, fields: dict[str, Any], message: str
) -> None:
    response = _send(client, admin, service_body(**fields))
    assert response.status_code == 400, response.text
    assert response.json() == invalid(message)
    assert listing(client, admin)["total"] == 0


@pytest.mark.parametrize(("fields", "message"), UNSTORABLE)
def test_d7_update_refuses_what_no_store_or_serializer_can_keep(
    client: TestClient, admin: Account, settle: Settle, fields: dict[str, Any], message: str
) -> None:
    created = create(client, admin)
    settle()
    response = _send(client, admin, fields, created["id"])
    assert response.status_code == 400, response.text
    assert response.json() == invalid(message)
    assert show(client, admin, created["id"])["version"]["version"] == "1.0.0"
    [item] = listing(client, admin)["data"]
    assert (item["status"], item["version_count"]) == ("RUNNING", 1)


def test_d7_free_form_nesting_limit_is_32_levels(client: TestClient, admin: Account) -> None:
    """32 levels inside a free-form value are kept and read back; one more is refused, and the
    project's list and batch delete keep working."""
    deep = create(
        client,
        admin,
        "deep",
        group_configs=[{"count": 1, "x": _nested(32)}],
        runtime_config=_runtime_config(x={"y": _nested(31)}),
    )
    assert deep["version"]["runtime_config"]["x"] == {"y": _nested(31)}
    assert deep["version"]["instance_groups"][0]["x"] == _nested(32)
    response = _send(client, admin, service_body("deeper", runtime_config=_runtime_config(x=[_nested(32)])))
    assert response.status_code == 400
    assert response.json() == invalid("runtime_config.x must not nest deeper than 32 levels")
    assert [item["name"] for item in listing(client, admin)["data"]] == ["deep"]
    [deleted] = delete(client, admin, deep["id"])["service_responses"]
    assert deleted["status"] == "DELETING"


def test_d7_free_form_integers_are_signed_64_bit(client: TestClient, admin: Account) -> None:
    for value in (2**63, -(2**63) - 1, 10**30):
        response = _send(client, admin, service_body(runtime_config=_runtime_config(x=value)))
        assert response.status_code == 400
        assert response.json() == invalid(f"runtime_config.x {INT64_RANGE}")
    assert listing(client, admin)["total"] == 0
    extremes = {"max": 2**63 - 1, "min": -(2**63)}
    created = create(client, admin, runtime_config=_runtime_config(x=extremes))
    assert created["version"]["runtime_config"]["x"] == extremes
    assert listing(client, admin)["total"] == 1


# ---- schedule and upgrade_config, typed as the official SDK reads them back ----------------------

BAD_SCHEDULES = [
    (
        [{"type": "STOP", "time_unit": "HOURS", "duration": "abc"}],
        "schedule[0].duration input should be a valid integer",
    ),
    (
        [{"type": "STOP", "time_unit": "HOURS", "duration": "2"}],
        "schedule[0].duration input should be a valid integer",
    ),
    (
        [{"type": "STOP", "time_unit": "HOURS", "duration": 1.5}],
        "schedule[0].duration input should be a valid integer",
    ),
    (
        [{"type": "STOP", "time_unit": "HOURS", "duration": 0}],
        "schedule[0].duration input should be greater than or equal to 1",
    ),
    (
        [{"type": "STOP", "time_unit": "DAYS", "duration": 8}],
        "schedule[0].duration must be at most 7 DAYS (7 days)",
    ),
    (
        [{"type": "STOP", "time_unit": "HOURS", "duration": 169}],
        "schedule[0].duration must be at most 168 HOURS (7 days)",
    ),
    (
        [SCHEDULE, {"type": "STOP", "time_unit": "MINUTES", "duration": 10**30}],
        "schedule[1].duration must be at most 10080 MINUTES (7 days)",
    ),
    (
        [{"type": "START", "time_unit": "HOURS", "duration": 2}],
        "schedule[0].type input should be 'STOP' or 'stop'",
    ),
    (
        [{"type": "STOP", "time_unit": "SECONDS", "duration": 2}],
        "schedule[0].time_unit input should be 'DAYS', 'HOURS' or 'MINUTES'",
    ),
    ([{"time_unit": "HOURS", "duration": 2}], "schedule[0].type is required"),
    ([{"type": "STOP", "duration": 2}], "schedule[0].time_unit is required"),
    ([{"type": "STOP", "time_unit": "HOURS"}], "schedule[0].duration is required"),
    ([["type"]], "schedule[0] input should be a valid dictionary or object to extract fields from"),
]
BAD_UPGRADE_CONFIGS = [
    ({"type": "RECREATE"}, "upgrade_config.type input should be 'ROLLING'"),
    (
        {"rolling_update": ["max_surge"]},
        "upgrade_config.rolling_update input should be a valid dictionary or object to extract fields from",
    ),
    (
        {"rolling_update": {"max_surge": 7}},
        "upgrade_config.rolling_update.max_surge input should be a valid string",
    ),
    (
        {"rolling_update": {"max_surge": "0%"}},
        "upgrade_config.rolling_update.max_surge must be a percentage from 1% to 100%",
    ),
    (
        {"rolling_update": {"max_unavailable": "101%"}},
        "upgrade_config.rolling_update.max_unavailable must be a percentage from 1% to 100%",
    ),
    (
        {"rolling_update": {"max_unavailable": "5"}},
        "upgrade_config.rolling_update.max_unavailable must be a percentage from 1% to 100%",
    ),
    (["type"], "upgrade_config input should be a valid dictionary or object to extract fields from"),
]
BAD_TYPED_FIELDS = [
    *((("schedule", value), message) for value, message in BAD_SCHEDULES),
    *((("upgrade_config", value), message) for value, message in BAD_UPGRADE_CONFIGS),
]


@pytest.mark.parametrize(("field", "message"), BAD_TYPED_FIELDS)
def test_d7_create_types_schedule_and_upgrade_config_like_the_sdk(
    client: TestClient, admin: Account, field: tuple[str, Any], message: str
) -> None:
    name, value = field
    response = _send(client, admin, service_body(**{name: value}))
    assert response.status_code == 400, response.text
    assert response.json() == invalid(message)
    assert listing(client, admin)["total"] == 0


@pytest.mark.parametrize(("field", "message"), BAD_TYPED_FIELDS)
def test_d7_update_types_schedule_and_upgrade_config_like_the_sdk(
    client: TestClient, admin: Account, settle: Settle, field: tuple[str, Any], message: str
) -> None:
    name, value = field
    created = create(client, admin, schedule=[SCHEDULE])
    settle()
    response = _send(client, admin, {name: value}, created["id"])
    assert response.status_code == 400, response.text
    assert response.json() == invalid(message)
    assert show(client, admin, created["id"])["schedule"] == [SCHEDULE]


def _sdk_reads(data: Any, response_type: str) -> Any:
    """What the official SDK makes of an answer body (its own deserializer, as every call uses)."""
    sdk = SdkClient()
    sdk.model_package = sdk_models
    return sdk._deserialize(data, response_type)


def test_stored_schedule_and_upgrade_config_parse_with_the_official_sdk(
    client: TestClient, admin: Account, settle: Settle
) -> None:
    """Fields the SDK does not send are not stored: ``due_time`` is an integer in the SDK's answer
    model, so a stored ``"soon"`` would break every SDK list and show of the project."""
    created = create(
        client,
        admin,
        schedule=[
            {**SCHEDULE, "due_time": "soon", "note": "dropped"},
            {"type": "stop", "time_unit": "DAYS", "duration": 7},
        ],
        upgrade_config={"type": "ROLLING", "rolling_update": {"max_surge": "100%", "extra": [1]}, "x": 1},
    )
    stored = [SCHEDULE, {"type": "stop", "time_unit": "DAYS", "duration": 7}]
    assert created["schedule"] == stored
    assert created["version"]["upgrade_config"] == {
        "type": "ROLLING",
        "rolling_update": {"max_surge": "100%"},
    }
    settle()
    updated = _send(
        client,
        admin,
        {
            "schedule": [{"type": "STOP", "time_unit": "MINUTES", "duration": 10080, "processed": "no"}],
            "upgrade_config": {"rolling_update": {"max_unavailable": "1%"}},
        },
        created["id"],
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["schedule"] == [{"type": "STOP", "time_unit": "MINUTES", "duration": 10080}]
    assert updated.json()["version"]["upgrade_config"] == {"rolling_update": {"max_unavailable": "1%"}}
    shown = _sdk_reads(show(client, admin, created["id"]), "ShowInferServiceResponse")
    assert [(s.type, s.time_unit, s.duration, s.due_time) for s in shown.schedule] == [
        ("STOP", "MINUTES", 10080, None)
    ]
    assert shown.version.upgrade_config.rolling_update.max_unavailable == "1%"
    listed = _sdk_reads(listing(client, admin), "ListInferServicesResponse")
    assert [s.duration for s in listed.data[0].schedule] == [10080]
    # The contract sets no maximum: the ten items allowed before stay allowed.
    ten = _send(client, admin, service_body("ten", schedule=[SCHEDULE] * 10))
    assert ten.status_code == 200, ten.text
    eleven = _send(client, admin, service_body("eleven", schedule=[SCHEDULE] * 11))
    assert eleven.status_code == 400
    assert eleven.json() == invalid("schedule list should have at most 10 items after validation, not 11")


# ---- version: ASCII digits only -------------------------------------------------------------------


@pytest.mark.parametrize("version", ["\u0661.\u0660.\u0660", "1.0.\u0665", "\uff11.0.0", "1.\u0e51.0"])
def test_d7_version_takes_ascii_digits_only(
    client: TestClient, admin: Account, settle: Settle, version: str
) -> None:
    """``\\d`` would also take Arabic-Indic, full-width or other Unicode digits."""
    response = client.post(services_url(admin), json=service_body(version=version), headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == invalid(f"version {VERSION_SHAPE}")
    created = create(client, admin)
    settle()
    response = client.put(
        services_url(admin, f"/{created['id']}"), json={"version": version}, headers=admin.headers()
    )
    assert response.status_code == 400
    assert response.json() == invalid(f"version {VERSION_SHAPE}")
    assert show(client, admin, created["id"])["version"]["version"] == "1.0.0"
