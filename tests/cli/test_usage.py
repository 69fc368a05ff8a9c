"""`openmaas endpoints usage NAME` (D-19): an endpoint's calls, errors and tokens per minute, read by name,
after real data-plane calls through the live server; and the client call behind it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from openmaas.mock_model import MockOptions, create_mock_app
from openmaas_client import Client, PasswordAuth
from tests.cli.conftest import Cli
from tests.conftest import ADMIN_PASSWORD, HOME, service_body
from tests.gateway.upstreams import served
from tests.live import wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def model_server() -> Iterator[str]:
    with served(create_mock_app(MockOptions(default_max_tokens=4))) as url:
        yield url


def _called_endpoint(url: str, model_server: str, name: str, calls: int) -> str:
    """An endpoint on a RUNNING service on the mock model, called ``calls`` times with a fresh key."""
    with Client(url, PasswordAuth("openmaas", "admin", ADMIN_PASSWORD)) as client:
        service = client.create_service(service_body(f"svc-{name}", upstream_url=f"{model_server}/health"))
        wait_for(lambda: client.show_service(service.id).status == "RUNNING" or None, 30, "RUNNING")
        endpoint = client.create_endpoint(
            name,
            source="custom_from_modelarts_v2",
            region=HOME,
            workspace_id="0",
            infer_service_id=service.id,
        )
        key = client.create_api_key(allow_all=True).api_key
    body = {"model": name, "messages": [{"role": "user", "content": "one two"}]}
    for _ in range(calls):
        answer = httpx.post(
            f"{url}/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"}
        )
        assert answer.status_code == 200, answer.text
    return endpoint.id


def test_usage_by_name_as_a_table_and_as_json(cli: Cli, model_server: str) -> None:
    endpoint_id = _called_endpoint(cli.server.url, model_server, "usage-ep", 3)

    def counted() -> dict[str, int] | None:
        result = cli("endpoints", "usage", "usage-ep", "-o", "json")
        assert result.exit_code == 0, result.output
        totals: dict[str, int] = json.loads(result.stdout)["totals"]
        return totals if totals["calls"] == 3 else None

    # Each prompt: 2 words + 3 (the mock's rule); each answer 4 words.
    totals = wait_for(counted, 20, "the usage batch to be written")
    assert totals == {
        "calls": 3,
        "errors": 0,
        "prompt_tokens": 15,
        "completion_tokens": 12,
        "total_tokens": 27,
    }
    table = cli("endpoints", "usage", endpoint_id, "--minutes", "5")
    assert table.exit_code == 0, table.output
    assert "usage-ep: the last 5 minutes" in table.stdout
    assert "│ total" in table.stdout


def test_usage_of_an_unknown_name_fails_with_a_message(cli: Cli) -> None:
    result = cli("endpoints", "usage", "no-such-ep")
    assert result.exit_code == 1
    assert "no custom endpoint named no-such-ep" in result.stderr
