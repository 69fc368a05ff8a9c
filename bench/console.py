"""Benchmark the web console's pages at 1,000 services in one workspace, beside the raw JSON API
listing of the same data measured in the same run (issue 12: each page within 50 ms).

    .venv/bin/python bench/console.py [--services 1000] [--endpoints 50] [--requests 200]

It bootstraps a fresh SQLite store, starts `openmaas serve` (one process) on a loopback port, creates
the services and custom endpoints through the public API, logs in to the console as a browser would
(its cookie), then asks each page and its baseline ``--requests`` times, one request at a time, with
httpx (after a warm-up), and prints p50 and p99. The console pages show 50 rows a page.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.harness import free_port, start, stop  # noqa: E402

BIN = Path(sys.executable).parent
HOME = "ap-southeast-1"
PASSWORD = "Bench-Passw0rd!"
WARMUP = 20


@contextmanager
def server(endpoints: int) -> Iterator[str]:
    data_dir = Path(tempfile.mkdtemp(prefix="openmaas-bench-console-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith("OPENMAAS_")}
    env.update(
        OPENMAAS_ADMIN_PASSWORD=PASSWORD,
        OPENMAAS_CUSTOM_ENDPOINT_QUOTA=str(endpoints),
        OPENMAAS_ACCESS_LOG="false",
        OPENMAAS_DEPLOY_DELAY_SECONDS="0",
    )
    port = free_port()
    try:
        subprocess.run(
            [str(BIN / "openmaas"), "bootstrap", "--data-dir", str(data_dir)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        command = [str(BIN / "openmaas"), "serve", "--host", "127.0.0.1", "--port", str(port)]
        process, _ = start([*command, "--data-dir", str(data_dir)], env, port, "/health")
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def api_session(base: str) -> tuple[httpx.Client, str]:
    """A client with the admin's home-region token, and the project id."""
    password = {"user": {"name": "admin", "password": PASSWORD, "domain": {"name": "openmaas"}}}
    body = {
        "auth": {
            "identity": {"methods": ["password"], "password": password},
            "scope": {"project": {"name": HOME}},
        }
    }
    answer = httpx.post(f"{base}/v3/auth/tokens?nocatalog=true", json=body, timeout=30)
    answer.raise_for_status()
    client = httpx.Client(
        base_url=base, headers={"X-Auth-Token": answer.headers["X-Subject-Token"]}, timeout=30
    )
    return client, str(answer.json()["token"]["project"]["id"])


def populate(api: httpx.Client, project_id: str, services: int, endpoints: int) -> None:
    invoke = {"port": 8080, "protocol": "HTTP", "auth_type": "NONE"}
    ids: list[str] = []
    for index in range(services):
        body = {
            "name": f"bench-svc-{index:05d}",
            "type": "REAL_TIME",
            "deploy_type": "SINGLE",
            "workspace_id": "0",
            "group_configs": [{"count": 1}],
            "runtime_config": {"service_invoke": invoke},
        }
        answer = api.post(f"/v2/{project_id}/services", json=body)
        answer.raise_for_status()
        ids.append(answer.json()["id"])
    for index in range(endpoints):
        endpoint: dict[str, object] = {
            "endpoint_name": f"bench-ep-{index:03d}",
            "source": "custom_from_modelarts_v2",
            "region": HOME,
            "workspace_id": "0",
            "infer_service_id": ids[index],
            "rpm": 60,
            "tpm": 100000,
        }
        api.post(f"/v1/{project_id}/maas/services/custom-endpoint/endpoint", json=endpoint).raise_for_status()


def console_session(base: str) -> httpx.Client:
    browser = httpx.Client(base_url=base, timeout=30, follow_redirects=True)
    login = {"domain": "openmaas", "user": "admin", "password": PASSWORD}
    answer = browser.post("/console/login", data=login)
    answer.raise_for_status()
    assert "Inference services" in answer.text, answer.text[:500]
    return browser


def timed(client: httpx.Client, path: str, count: int, needle: str) -> tuple[float, float]:
    """p50 and p99 (ms) of ``count`` sequential GETs of ``path``, each checked for ``needle``."""
    for _ in range(WARMUP):
        client.get(path).raise_for_status()
    took: list[float] = []
    for _ in range(count):
        began = time.perf_counter()
        answer = client.get(path)
        took.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200 or needle not in answer.text:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")
    cuts = statistics.quantiles(took, n=100)
    return statistics.median(took), cuts[98]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--endpoints", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with server(args.endpoints) as base:
        api, project = api_session(base)
        began = time.monotonic()
        populate(api, project, args.services, args.endpoints)
        print(f"created {args.services} services and {args.endpoints} endpoints through the API "
              f"in {time.monotonic() - began:.1f}s", file=sys.stderr)  # fmt: skip
        browser = console_session(base)
        maas = f"/v1/{project}/maas/services/custom-endpoint"
        cases = [
            ("services, page 1", "/console/services?region=ap-southeast-1&workspace=0",
             f"/v2/{project}/services?workspace_id=0&limit=50", "bench-svc-", "bench-svc-"),
            ("services, page 11", "/console/services?region=ap-southeast-1&workspace=0&page=10",
             f"/v2/{project}/services?workspace_id=0&limit=50&offset=500", "bench-svc-", "bench-svc-"),
            ("founding listing §6.3", "/console/founding?region=ap-southeast-1&workspace=0",
             f"{maas}/services/{HOME}?workspace_id=0&limit=50", "bench-svc-", "bench-svc-"),
            ("custom endpoints", "/console/endpoints", f"{maas}/endpoint?limit=50", "bench-ep-", "bench-ep-"),
            ("API keys (none)", "/console/api-keys", f"/v2/{project}/maas/api-auth/api-keys", "API keys",
             "quantity_limit"),
        ]  # fmt: skip
        print(f"\n{args.services} services in workspace 0, {args.requests} sequential requests each (ms)")
        print(
            f"{'page':<24} {'console p50':>12} {'console p99':>12} {'JSON API p50':>13} {'JSON API p99':>13}"
        )
        for name, page, raw, needle, raw_needle in cases:
            page_p50, page_p99 = timed(browser, page, args.requests, needle)
            raw_p50, raw_p99 = timed(api, raw, args.requests, raw_needle)
            print(f"{name:<24} {page_p50:>12.2f} {page_p99:>12.2f} {raw_p50:>13.2f} {raw_p99:>13.2f}")
        browser.close()
        api.close()


if __name__ == "__main__":
    main()
