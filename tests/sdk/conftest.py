"""The official SDKs against a live `openmaas serve` (one per module and backend), configured only
through their documented knobs: ``HUAWEICLOUD_SDK_IAM_ENDPOINT``,
``HUAWEICLOUD_SDK_REGION_MODELARTS_<REGION>``, ``with_endpoints`` and ``BasicCredentials``."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from huaweicloudsdkcore.http.http_handler import HttpHandler

from tests.client.live import DOMAIN, USER, LiveServer, live_server
from tests.conftest import ADMIN_PASSWORD, BACKENDS, HOME, password_body

SDK_LOGGERS = ("HuaweiCloud-SDK-ModelArtsClient", "HuaweiCloud-SDK-IamClient")


@dataclass(frozen=True)
class AccessKey:
    access: str
    secret: str
    user_id: str
    domain_id: str
    project_id: str


@pytest.fixture(scope="module", params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(request.param, tmp_path_factory.mktemp(f"sdk-{request.param}")) as server:
        yield server


@pytest.fixture(scope="module")
def access_key(live: LiveServer) -> AccessKey:
    """An AK/SK made as a user would: log in with a token over HTTP and POST the credential."""
    with httpx.Client(base_url=live.url, timeout=30) as http:
        login = http.post(
            "/v3/auth/tokens",
            json=password_body(USER, ADMIN_PASSWORD, DOMAIN, {"project": {"name": HOME}}),
        )
        assert login.status_code == 201, login.text
        token = login.json()["token"]
        created = http.post(
            "/v3.0/OS-CREDENTIAL/credentials",
            json={"credential": {"user_id": token["user"]["id"], "description": "sdk tests"}},
            headers={"X-Auth-Token": login.headers["X-Subject-Token"]},
        )
    assert created.status_code == 201, created.text
    credential = created.json()["credential"]
    return AccessKey(
        credential["access"],
        credential["secret"],
        token["user"]["id"],
        token["user"]["domain"]["id"],
        token["project"]["id"],
    )


@pytest.fixture
def sdk_environment(live: LiveServer, monkeypatch: pytest.MonkeyPatch) -> LiveServer:
    """Point the SDKs' IAM and ModelArts (home region) endpoints at the live server."""
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", live.url)
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION_MODELARTS_" + HOME.replace("-", "_").upper(), live.url)
    return live


class RecordCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Wire:
    """What the SDK saw: every HTTP response (through its own HttpHandler hook) and its log records."""

    responses: list[dict[str, Any]] = field(default_factory=list)
    logs: RecordCollector = field(default_factory=RecordCollector)

    def handler(self) -> HttpHandler:
        def record(**kwargs: Any) -> None:
            response = kwargs["response"]
            self.responses.append(
                {
                    "method": response.request.method,
                    "url": response.request.url,
                    "status": response.status_code,
                    "request_id": response.headers.get("X-Request-Id"),
                }
            )

        return HttpHandler().add_response_handler(record)

    def problems(self) -> list[str]:
        return [
            f"{r.name} {r.levelname}: {r.getMessage()}"
            for r in self.logs.records
            if r.levelno >= logging.WARNING
        ]


@pytest.fixture
def wire() -> Iterator[Wire]:
    """Collects the SDK loggers' records; the test asserts none is a warning or an error."""
    collected = Wire()
    loggers = [logging.getLogger(name) for name in SDK_LOGGERS]
    for logger in loggers:
        logger.addHandler(collected.logs)
    try:
        yield collected
    finally:
        for logger in loggers:
            logger.removeHandler(collected.logs)
