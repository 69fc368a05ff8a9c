"""Every validation rule of the create body, CONTRACT 5.2 (D-7): 400 ModelArts.0101 naming the field."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Account, service_body
from tests.services.conftest import assert_service_object, create, invalid, listing, services_url

LITERALS = {
    "type": "'REAL_TIME' or 'ASYNC_REAL_TIME'",
    "deploy_type": "'SINGLE' or 'MULTI'",
    "task_type": "'TEXT_GENERATION', 'IMAGE_UNDERSTANDING', 'VIDEO_GENERATION', 'IMAGE_GENERATION', "
    "'RERANK', 'VECTOR_MODEL' or 'EMBEDDING'",
    "workload_type": "'DEPLOYMENT' or 'LWS'",
    "framework": "'COMMON', 'VLLM' or 'MINDIE'",
    "protocol": "'HTTP', 'HTTPS', 'WS' or 'WSS'",
    "auth_type": "'TOKEN', 'API_KEY' or 'NONE'",
    "unit": "'SECONDS' or 'MINUTES'",
}
NAME_CHARSET = "may contain only letters, Chinese characters, digits, hyphens and underscores"
VERSION_SHAPE = "must look like N.N.N with each part from 0 to 99"
INVOKE = "runtime_config.service_invoke"
LIMIT = "runtime_config.service_limit"
HUGE = "x" * 100_000


def _with(path: str, value: Any) -> dict[str, Any]:
    """A valid body with the dotted ``path`` set to ``value`` (``[0]`` indexes a list)."""
    body = copy.deepcopy(
        service_body(
            runtime_config={
                "service_invoke": {"port": 8080, "protocol": "HTTP", "auth_type": "NONE"},
                "service_limit": {"rate_limit": {"num": 10, "unit": "SECONDS"}},
            }
        )
    )
    *parents, leaf = path.replace("[0]", ".0").split(".")
    target: Any = body
    for part in parents:
        target = target[int(part)] if part.isdigit() else target.setdefault(part, {})
    if leaf.isdigit():
        target[int(leaf)] = value
    else:
        target[leaf] = value
    return body


def _body_text(**overrides: Any) -> bytes:
    return json.dumps(service_body(**overrides)).encode()


def _without(field: str) -> dict[str, Any]:
    body = service_body()
    del body[field]
    return body


def _post(client: TestClient, admin: Account, body: Any) -> Any:
    return client.post(services_url(admin), json=body, headers=admin.headers())


@pytest.mark.parametrize("field", ["name", "type", "deploy_type", "group_configs", "runtime_config"])
def test_d7_each_required_field_missing(client: TestClient, admin: Account, field: str) -> None:
    response = _post(client, admin, _without(field))
    assert response.status_code == 400
    assert response.json() == invalid(f"{field} is required")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        # name: 1-64 letters, Chinese, digits, - and _
        ("name", "", "name string should have at least 1 character"),
        ("name", "n" * 65, "name string should have at most 64 characters"),
        ("name", HUGE, "name string should have at most 64 characters"),
        ("name", "has space", f"name {NAME_CHARSET}"),
        ("name", "dot.ted", f"name {NAME_CHARSET}"),
        ("name", "nul\u0000", f"name {NAME_CHARSET}"),
        ("name", "newline\n", f"name {NAME_CHARSET}"),
        ("name", 42, "name input should be a valid string"),
        ("name", None, "name input should be a valid string"),
        # version: N.N.N, each part 0-99
        ("version", "1.0", f"version {VERSION_SHAPE}"),
        ("version", "1.0.100", f"version {VERSION_SHAPE}"),
        ("version", "100.0.0", f"version {VERSION_SHAPE}"),
        ("version", "a.b.c", f"version {VERSION_SHAPE}"),
        ("version", "-1.0.0", f"version {VERSION_SHAPE}"),
        ("version", "1.0.0.0", f"version {VERSION_SHAPE}"),
        ("version", "1.0.0\n", f"version {VERSION_SHAPE}"),
        ("version", "10.10.100", "version string should have at most 8 characters"),
        ("version", 1, "version input should be a valid string"),
        # description: <= 512, no < or >
        ("description", "d" * 513, "description string should have at most 512 characters"),
        ("description", HUGE, "description string should have at most 512 characters"),
        ("description", "a <b> tag", "description must not contain < or >"),
        ("description", "arrow >", "description must not contain < or >"),
        ("description", "nul\u0000", "description must not contain NUL characters"),
        ("description", ["x"], "description input should be a valid string"),
        # enums
        ("type", "BATCH", f"type input should be {LITERALS['type']}"),
        ("type", "real_time", f"type input should be {LITERALS['type']}"),
        ("type", 1, f"type input should be {LITERALS['type']}"),
        ("deploy_type", "DOUBLE", f"deploy_type input should be {LITERALS['deploy_type']}"),
        ("task_type", "CHAT", f"task_type input should be {LITERALS['task_type']}"),
        ("workload_type", "POD", f"workload_type input should be {LITERALS['workload_type']}"),
        # group_configs: <= 1 element, count 1-128, weight 0-100, priority 1-3, framework enum
        (
            "group_configs",
            [{"count": 1}, {"count": 1}],
            "group_configs list should have at most 1 item after validation, not 2",
        ),
        ("group_configs", "all", "group_configs input should be a valid list"),
        (
            "group_configs",
            [1],
            "group_configs[0] input should be a valid dictionary or object to extract fields from",
        ),
        ("group_configs[0].count", 0, "group_configs[0].count input should be greater than or equal to 1"),
        ("group_configs[0].count", 129, "group_configs[0].count input should be less than or equal to 128"),
        ("group_configs[0].count", "1", "group_configs[0].count input should be a valid integer"),
        ("group_configs[0].count", 1.5, "group_configs[0].count input should be a valid integer"),
        # names the SDK reads back typed from instance_groups (GroupConfigResponse)
        (
            "group_configs[0].running_count",
            "abc",
            "group_configs[0].running_count input should be a valid integer",
        ),
        ("group_configs[0].update_at", "today", "group_configs[0].update_at input should be a valid integer"),
        (
            "group_configs[0].unit_configs",
            {"a": 1},
            "group_configs[0].unit_configs input should be a valid list",
        ),
        (
            "group_configs[0].model",
            "qwen",
            "group_configs[0].model input should be a valid dictionary",
        ),
        (
            "group_configs[0].advanced_config",
            [1],
            "group_configs[0].advanced_config input should be a valid dictionary",
        ),
        ("group_configs[0].count", True, "group_configs[0].count input should be a valid integer"),
        ("group_configs[0].weight", -1, "group_configs[0].weight input should be greater than or equal to 0"),
        ("group_configs[0].weight", 101, "group_configs[0].weight input should be less than or equal to 100"),
        (
            "group_configs[0].priority",
            0,
            "group_configs[0].priority input should be greater than or equal to 1",
        ),
        ("group_configs[0].priority", 4, "group_configs[0].priority input should be less than or equal to 3"),
        (
            "group_configs[0].framework",
            "TF",
            f"group_configs[0].framework input should be {LITERALS['framework']}",
        ),
        # runtime_config.service_invoke: port 1-65535, protocol and auth_type enums
        (
            "runtime_config",
            [],
            "runtime_config input should be a valid dictionary or object to extract fields from",
        ),
        (f"{INVOKE}.port", 0, f"{INVOKE}.port input should be greater than or equal to 1"),
        (f"{INVOKE}.port", 65536, f"{INVOKE}.port input should be less than or equal to 65535"),
        (f"{INVOKE}.port", "80", f"{INVOKE}.port input should be a valid integer"),
        (f"{INVOKE}.protocol", "FTP", f"{INVOKE}.protocol input should be {LITERALS['protocol']}"),
        (f"{INVOKE}.auth_type", "AKSK", f"{INVOKE}.auth_type input should be {LITERALS['auth_type']}"),
        # runtime_config.service_limit
        (f"{LIMIT}.rate_limit.num", 0, f"{LIMIT}.rate_limit.num input should be greater than or equal to 1"),
        (
            f"{LIMIT}.rate_limit.num",
            10001,
            f"{LIMIT}.rate_limit.num input should be less than or equal to 10000",
        ),
        (f"{LIMIT}.rate_limit.num", None, f"{LIMIT}.rate_limit.num input should be a valid integer"),
        (f"{LIMIT}.rate_limit.unit", "HOURS", f"{LIMIT}.rate_limit.unit input should be {LITERALS['unit']}"),
        (f"{LIMIT}.rate_limit", {"unit": "SECONDS"}, f"{LIMIT}.rate_limit.num is required"),
        (
            f"{LIMIT}.request_size_limit",
            0,
            f"{LIMIT}.request_size_limit input should be greater than or equal to 1",
        ),
        (
            f"{LIMIT}.request_size_limit",
            51,
            f"{LIMIT}.request_size_limit input should be less than or equal to 50",
        ),
        (
            f"{LIMIT}.request_timeout",
            0,
            f"{LIMIT}.request_timeout input should be greater than or equal to 1",
        ),
        (
            f"{LIMIT}.request_timeout",
            7201,
            f"{LIMIT}.request_timeout input should be less than or equal to 7200",
        ),
        # tags: <= 20 of {key 1-128, value <= 256}
        (
            "tags",
            [{"key": f"k{i}", "value": "v"} for i in range(21)],
            "tags list should have at most 20 items after validation, not 21",
        ),
        ("tags", [{"key": "", "value": "v"}], "tags[0].key string should have at least 1 character"),
        ("tags", [{"key": "k" * 129, "value": "v"}], "tags[0].key string should have at most 128 characters"),
        (
            "tags",
            [{"key": "k", "value": "v" * 257}],
            "tags[0].value string should have at most 256 characters",
        ),
        ("tags", [{"value": "v"}], "tags[0].key is required"),
        ("tags", [{"key": "k\u0000", "value": "v"}], "tags[0].key must not contain NUL characters"),
        ("tags", [{"key": "k", "value": "a"}, {"key": "k", "value": "b"}], "tags must not repeat a key"),
        ("tags", "k|v", "tags input should be a valid list"),
        # deploy_timeout_minutes 0-300
        ("deploy_timeout_minutes", -1, "deploy_timeout_minutes input should be greater than or equal to 0"),
        ("deploy_timeout_minutes", 301, "deploy_timeout_minutes input should be less than or equal to 300"),
        (
            "deploy_timeout_minutes",
            10**30,
            "deploy_timeout_minutes input should be less than or equal to 300",
        ),
        ("deploy_timeout_minutes", "5", "deploy_timeout_minutes input should be a valid integer"),
        # workspace_id is text; its existence is checked separately (ModelArts.0104)
        ("workspace_id", 0, "workspace_id input should be a valid string"),
        # the openmaas extension (D-8)
        ("upstream_url", "ftp://x", "upstream_url string should match pattern '^https?://'"),
        ("upstream_url", "http://", "upstream_url must name a host"),
        ("upstream_url", "https://:8080/health", "upstream_url must name a host"),
        ("upstream_url", "http://\u0001host/", "upstream_url must be a valid URL"),
        ("upstream_url", "http://xn--/", "upstream_url must be a valid URL"),
        # stored free-form objects must be storable JSON on both stores
        # (schedule is typed now, so unknown fields in it are dropped rather than stored)
        ("group_configs[0].note", "nul\u0000", "group_configs[0].note must not contain NUL characters"),
        (
            "runtime_config.extra",
            {"deep": ["ok", "nul\u0000"]},
            "runtime_config.extra.deep[1] must not contain NUL characters",
        ),
    ],
)
def test_d7_each_rule_names_the_field(
    client: TestClient, admin: Account, path: str, value: Any, message: str
) -> None:
    response = _post(client, admin, _with(path, value))
    assert response.status_code == 400, response.text
    assert response.json() == invalid(message)
    assert listing(client, admin)["total"] == 0


@pytest.mark.parametrize(
    "workspace_id", ["0123456789abcdef0123456789abcdef", "missing", "", "w" * 100_000, "00"]
)
def test_workspace_must_exist(client: TestClient, admin: Account, workspace_id: str) -> None:
    response = _post(client, admin, service_body(workspace_id=workspace_id))
    assert response.status_code == 400
    assert response.json() == {"error_code": "ModelArts.0104", "error_msg": "Invalid workspace ID."}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"name": "svc-1", ', "body is not valid JSON"),
        (b"not json at all", "body is not valid JSON"),
        (b'{"name": NaN}', "name input should be a valid string"),
        (
            _body_text(runtime_config={"w": "NAN"}).replace(b'"NAN"', b"NaN"),
            "runtime_config.w must be a finite number",
        ),
        (
            _body_text(group_configs=[{"count": 1, "at": "INF"}]).replace(b'"INF"', b"-Infinity"),
            "group_configs[0].at must be a finite number",
        ),
        (
            _body_text(description="ONE").replace(b'"ONE"', b"1e999"),
            "description input should be a valid string",
        ),
        (b"[]", "body input should be a valid dictionary or object to extract fields from"),
        (b'"text"', "body input should be a valid dictionary or object to extract fields from"),
        (b"null", "body input should be a valid dictionary or object to extract fields from"),
        (b"", "body is required"),
    ],
)
def test_malformed_json(client: TestClient, admin: Account, content: bytes, message: str) -> None:
    response = client.post(services_url(admin), content=content, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == invalid(message)


def test_deeply_nested_json(client: TestClient, admin: Account) -> None:
    response = client.post(services_url(admin), content=b"[" * 100_000, headers=admin.headers())
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0101",
        "error_msg": "There was an error parsing the body",
    }


def test_non_json_content_type(client: TestClient, admin: Account) -> None:
    headers = {**admin.headers(), "Content-Type": "application/x-www-form-urlencoded"}
    response = client.post(services_url(admin), content=b"name=svc-1", headers=headers)
    assert response.status_code == 400
    assert response.json() == invalid("body must be JSON (Content-Type application/json)")


def test_duplicate_name(client: TestClient, admin: Account) -> None:
    create(client, admin, "twin")
    response = _post(client, admin, service_body("twin", workspace_id="0"))
    assert response.status_code == 400
    assert response.json() == {
        "error_code": "ModelArts.0103",
        "error_msg": "Service name twin already exists.",
    }
    assert listing(client, admin)["total"] == 1


def test_duplicate_name_across_workspaces_of_one_project(client: TestClient, admin: Account) -> None:
    workspace = client.post(
        f"/v1/{admin.project()}/workspaces", json={"name": "second"}, headers=admin.headers()
    ).json()
    create(client, admin, "twin")
    response = _post(client, admin, service_body("twin", workspace_id=workspace["id"]))
    assert response.status_code == 400
    assert response.json()["error_code"] == "ModelArts.0103"


def test_same_name_in_another_project(client: TestClient, admin: Account) -> None:
    create(client, admin, "twin")
    other_region = "cn-southwest-2"
    response = client.post(
        f"/v2/{admin.project(other_region)}/services",
        json=service_body("twin"),
        headers=admin.headers(other_region),
    )
    assert response.status_code == 200
    assert response.json()["name"] == "twin"


def test_boundaries_are_accepted(client: TestClient, admin: Account) -> None:
    body = service_body(
        "名" * 64,
        version="99.99.99",
        description="d" * 512,
        task_type="EMBEDDING",
        workload_type="LWS",
        deploy_type="MULTI",
        type="ASYNC_REAL_TIME",
        group_configs=[{"count": 128, "weight": 0, "priority": 3, "framework": "MINDIE"}],
        runtime_config={
            "service_invoke": {"port": 65535, "protocol": "WSS", "auth_type": "API_KEY"},
            "service_limit": {
                "rate_limit": {"num": 10000, "unit": "MINUTES"},
                "request_size_limit": 50,
                "request_timeout": 7200,
            },
        },
        tags=[{"key": "k" * 128, "value": "v" * 256}] + [{"key": f"t{i}", "value": ""} for i in range(19)],
        deploy_timeout_minutes=300,
        unknown_field="ignored",
    )
    response = _post(client, admin, body)
    assert response.status_code == 200, response.text
    created = response.json()
    assert_service_object(created)
    assert created["name"] == "名" * 64
    assert created["version"]["version"] == "99.99.99"
    assert created["deploy_timeout_minutes"] == 300
    assert len(created["tags"]) == 20
    assert created["version"]["runtime_config"]["service_limit"]["request_timeout"] == 7200
    lower = _post(
        client,
        admin,
        service_body(
            "a",
            version="0.0.0",
            group_configs=[{"count": 1, "weight": 100, "priority": 1}],
            runtime_config={"service_invoke": {"port": 1}},
            deploy_timeout_minutes=0,
        ),
    )
    assert lower.status_code == 200, lower.text
    assert lower.json()["deploy_timeout_minutes"] == 0


def test_empty_group_configs_is_allowed(client: TestClient, admin: Account) -> None:
    created = create(client, admin, group_configs=[])
    assert created["version"]["instance_groups"] == []
