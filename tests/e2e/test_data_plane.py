"""The data plane on live `openmaas serve` processes (issue 10), called with the official `openai` SDK as
applications call it: answers, streams, embeddings, models, each error with its exact status and body
(D-13 to D-18); rpm exact across two processes sharing one PostgreSQL and one Redis; usage kept
through a SIGTERM (D-19)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from openmaas.mock_model import MockOptions, create_mock_app
from tests.conftest import HOME, service_body
from tests.e2e.conftest import Server, Session, Store, wait_for
from tests.gateway.upstreams import served

pytestmark = pytest.mark.e2e

HELLO: Any = [{"role": "user", "content": "hello from the sdk"}]


@pytest.fixture(scope="module")
def model_server() -> Iterator[str]:
    with served(create_mock_app(MockOptions(default_max_tokens=8))) as url:
        yield url


@dataclass
class Tenant:
    """The admin of a live server, with what the data plane needs made through the wire."""

    http: httpx.Client
    session: Session

    def service(self, upstream: str, name: str = "llm") -> str:
        body = service_body(name, upstream_url=f"{upstream}/health")
        made = self.http.post(
            f"/v2/{self.session.project()}/services", json=body, headers=self.session.headers()
        )
        assert made.status_code == 200, made.text
        service_id = str(made.json()["id"])
        wait_for(lambda: self._running(service_id), 30, f"service {service_id} to run")
        return service_id

    def _running(self, service_id: str) -> bool | None:
        url = f"/v2/{self.session.project()}/services/{service_id}"
        return self.http.get(url, headers=self.session.headers()).json()["status"] == "RUNNING" or None

    def endpoint(self, name: str, service_id: str, **fields: Any) -> str:
        body = {"endpoint_name": name, "source": "custom_from_modelarts_v2", "region": HOME}
        body |= {"infer_service_id": service_id, **fields}
        made = self.http.post(self._endpoints(), json=body, headers=self.session.headers())
        assert made.status_code == 200, made.text
        return str(made.json()["id"])

    def key(self, **fields: Any) -> str:
        url = f"/v2/{self.session.project()}/maas/api-auth/api-keys"
        made = self.http.post(url, json={"allow_all": True, **fields}, headers=self.session.headers())
        assert made.status_code == 200, made.text
        return str(made.json()["api_key"])

    def deactivate(self, endpoint_id: str) -> None:
        url = f"/v1/{self.session.project()}/maas/services/custom-endpoint/control/{endpoint_id}"
        assert (
            self.http.put(url, json={"action": "deactivate"}, headers=self.session.headers()).status_code
            == 204
        )

    def usage(self, endpoint_id: str) -> dict[str, int]:
        answer = self.http.get(f"{self._endpoints()}/{endpoint_id}/usage", headers=self.session.headers())
        assert answer.status_code == 200, answer.text
        totals: dict[str, int] = answer.json()["totals"]
        return totals

    def _endpoints(self) -> str:
        return f"/v1/{self.session.project()}/maas/services/custom-endpoint/endpoint"


@pytest.fixture
def tenant(store: Store, launch: Callable[..., Server]) -> Iterator[tuple[Server, Tenant]]:
    server = launch(store)
    with server.client() as http:
        yield server, Tenant(http, Session(http, server.admin_password()))


def sdk(server: Server, key: str, base: str = "/v1", **options: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}{base}", api_key=key, max_retries=0, timeout=30, **options)


def test_the_openai_sdk_calls_a_custom_endpoint_d13_d17(
    tenant: tuple[Server, Tenant], model_server: str
) -> None:
    server, admin = tenant
    admin.endpoint("sdk-ep", admin.service(model_server))
    key = admin.key()
    for base in ("/v1", "/v2", "/openai/v1"):
        with sdk(server, key, base) as client:
            answer = client.chat.completions.create(model="sdk-ep", messages=HELLO, max_tokens=3)
            assert answer.object == "chat.completion"
            assert answer.choices[0].finish_reason == "length"
            assert answer.usage is not None
            assert answer.usage.completion_tokens == 3
    with sdk(server, key) as client:
        chunks = list(client.chat.completions.create(model="sdk-ep", messages=HELLO, stream=True))
        # D-17: usage is on by default, in a final chunk with no choices.
        assert chunks[-1].choices == []
        assert chunks[-1].usage is not None
        assert chunks[-1].usage.completion_tokens == 8
        text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
        assert len(text.split()) == 8
        quiet = list(
            client.chat.completions.create(
                model="sdk-ep", messages=HELLO, stream=True, stream_options={"include_usage": False}
            )
        )
        assert all(chunk.choices for chunk in quiet)
        vectors = client.embeddings.create(model="sdk-ep", input=["a b", "c"])
        assert [len(item.embedding) for item in vectors.data] == [16, 16]
        assert [model.id for model in client.models.list()] == ["sdk-ep"]


def test_each_error_through_the_sdk_d13_d18(tenant: tuple[Server, Tenant], model_server: str) -> None:
    server, admin = tenant
    service_id = admin.service(model_server)
    admin.endpoint("open-ep", service_id)
    admin.endpoint("tight-ep", service_id, rpm=1)
    admin.deactivate(admin.endpoint("off-ep", service_id))
    key = admin.key()
    expectations: list[tuple[Callable[[], object], type[openai.APIStatusError], int, str, str]] = []

    def call(model: str, client_key: str = key, **options: Any) -> Callable[[], object]:
        def make() -> object:
            with sdk(server, client_key, **options) as client:
                return client.chat.completions.create(model=model, messages=HELLO)

        return make

    expectations += [
        (
            call("open-ep", default_headers={"Authorization": "Basic eDp5"}),
            openai.BadRequestError,
            400,
            "ModelArts.81002",
            "Failed to get the authorization header.",
        ),
        (
            call("open-ep", "not-a-key"),
            openai.AuthenticationError,
            401,
            "ModelArts.81003",
            "Invalid authorization header.",
        ),
        (
            call("open-ep", admin.key(endpoint_whitelist=["tight-ep"])),
            openai.AuthenticationError,
            401,
            "ModelArts.81015",
            "Invalid custom endpoint open-ep, rejected by api key custom endpoint allowlist setting.",
        ),
        (call("nope"), openai.NotFoundError, 404, "ModelArts.81009", "Invalid model."),
        (
            call("off-ep"),
            openai.PermissionDeniedError,
            403,
            "ModelArts.81004",
            "Invalid request because you do not have access to it.",
        ),
    ]
    for make, kind, status, code, message in expectations:
        with pytest.raises(kind) as raised:
            make()
        assert raised.value.status_code == status
        assert raised.value.body == {
            "code": code,
            "message": message,
            "param": None,
            "type": raised.value.body["type"],
        }
        assert raised.value.response.json()["error_code"] == code
    with sdk(server, key) as client:
        with pytest.raises(openai.BadRequestError) as bad_body:
            client.chat.completions.create(model="open-ep", messages=[])
        assert (
            bad_body.value.response.json()["error_msg"] == "Failed to format request body, messages is empty."
        )
        client.chat.completions.create(model="tight-ep", messages=HELLO)
        with pytest.raises(openai.RateLimitError) as limited:
            client.chat.completions.create(model="tight-ep", messages=HELLO)
    assert limited.value.status_code == 429
    assert limited.value.body["code"] == "ModelArts.81101"
    assert limited.value.body["message"] == "Too many requests, exceeded rate limit is 1 times per minute."
    assert int(limited.value.response.headers["retry-after"]) >= 1


def test_rpm_is_exact_across_two_processes_and_the_next_window_admits_again_d18(
    pg_store: Store, tmp_path: Path, launch: Callable[..., Server], redis_url: str, model_server: str
) -> None:
    window = 6
    env = {"OPENMAAS_REDIS_URL": redis_url, "OPENMAAS_RATE_LIMIT_WINDOW_SECONDS": str(window)}
    first = launch(pg_store, tmp_path / "a", **env)
    second = launch(pg_store, tmp_path / "b", **env)
    with first.client() as http:
        admin = Tenant(http, Session(http, first.admin_password()))
        endpoint_id = admin.endpoint("burst-ep", admin.service(model_server), rpm=7)
        key = admin.key()
    _start_of_a_window(window)
    statuses = _burst([first, second] * 15, key, "burst-ep")
    assert sorted(statuses) == [200] * 7 + [429] * 23
    _start_of_a_window(window)
    assert _burst([second], key, "burst-ep") == [200]
    assert first.stop() == 0
    assert second.stop() == 0
    # D-19: both processes wrote what they counted when they stopped.
    restarted = launch(pg_store, tmp_path / "a")
    with restarted.client() as http:
        totals = Tenant(http, Session(http, restarted.admin_password())).usage(endpoint_id)
    assert (totals["calls"], totals["errors"]) == (31, 23)


def test_tpm_across_two_processes_with_streamed_answers_d18(
    pg_store: Store, tmp_path: Path, launch: Callable[..., Server], redis_url: str, model_server: str
) -> None:
    env = {"OPENMAAS_REDIS_URL": redis_url, "OPENMAAS_RATE_LIMIT_WINDOW_SECONDS": "3600"}
    servers = [launch(pg_store, tmp_path / "a", **env), launch(pg_store, tmp_path / "b", **env)]
    with servers[0].client() as http:
        admin = Tenant(http, Session(http, servers[0].admin_password()))
        admin.endpoint("tpm-ep", admin.service(model_server), tpm=100)
        key = admin.key()
    used, last, refused = 0, 0, None
    for turn in range(100):
        with sdk(servers[turn % 2], key) as client:
            try:
                chunks = list(client.chat.completions.create(model="tpm-ep", messages=HELLO, stream=True))
            except openai.RateLimitError as error:
                refused = error
                break
        usage = chunks[-1].usage
        assert usage is not None
        last = usage.total_tokens
        used += last
    assert refused is not None
    assert refused.body["code"] == "ModelArts.81103"
    # Admitted while below the limit, so past it by at most the last call's tokens.
    assert 100 <= used < 100 + last


def _start_of_a_window(window: int) -> None:
    """Wait for a window to begin, so that a burst fits in one."""
    time.sleep(window - time.time() % window + 0.05)


def _burst(servers: list[Server], key: str, model: str) -> list[int]:
    """One request per entry of ``servers``, all at once; their statuses."""
    statuses: list[int] = []
    lock = threading.Lock()
    body = {"model": model, "messages": HELLO}

    def one(server: Server) -> None:
        response = httpx.post(
            f"{server.url}/v1/chat/completions",
            json=body,
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=one, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses
