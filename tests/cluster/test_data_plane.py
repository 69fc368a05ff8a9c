"""The data plane through the cluster: a stream relayed chunk by chunk through nginx, and one rpm limit
counted exactly across the three servers through the cluster's private Redis."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from openmaas.mock_model import MockOptions, create_mock_app
from tests.cluster.conftest import SERVERS, Cluster
from tests.conftest import ADMIN_PASSWORD
from tests.e2e.conftest import Session
from tests.e2e.test_data_plane import Tenant
from tests.gateway.upstreams import served

pytestmark = pytest.mark.e2e

HELLO: Any = [{"role": "user", "content": "hello through nginx"}]
WINDOW_SECONDS = 3600
RPM = 5


@pytest.fixture(scope="module")
def paced_model() -> Iterator[str]:
    # Ten chunks at 20 tokens a second: a stream that lasts about half a second.
    with served(create_mock_app(MockOptions(default_max_tokens=10, tokens_per_second=20))) as url:
        yield url


def _clear_of_the_window_end() -> None:
    """Wait out the last minute of a rate-limit window, so that the calls below share one."""
    into = time.time() % WINDOW_SECONDS
    if into > WINDOW_SECONDS - 60:
        time.sleep(WINDOW_SECONDS - into + 1)


def test_a_stream_through_nginx_arrives_chunk_by_chunk_and_rpm_is_exact_across_servers(
    cluster: Cluster, paced_model: str
) -> None:
    with cluster.client() as front:
        admin = Tenant(front, Session(front, ADMIN_PASSWORD))
        admin.endpoint("cluster-ep", admin.service(paced_model), rpm=RPM)
        key = admin.key()
    _clear_of_the_window_end()
    sdk = openai.OpenAI(base_url=f"{cluster.url}/v1", api_key=key, max_retries=0, timeout=30)
    arrivals = []
    for chunk in sdk.chat.completions.create(model="cluster-ep", messages=HELLO, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append(time.monotonic())
    assert len(arrivals) == 10
    # Relayed as the model paced it, not gathered into one answer by nginx.
    assert arrivals[-1] - arrivals[0] > 0.25

    body = {"model": "cluster-ep", "messages": HELLO}
    with httpx.Client(base_url=cluster.url, timeout=30) as http:
        calls = [
            http.post("/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"})
            for _ in range(3 * SERVERS)
        ]
    # The stream took one of the RPM calls; the servers share the count through Redis.
    assert sorted(call.status_code for call in calls) == [200] * (RPM - 1) + [429] * (3 * SERVERS - RPM + 1)
    assert len({call.headers["X-OpenMaaS-Upstream"] for call in calls}) == SERVERS
