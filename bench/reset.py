"""How long the admin API takes to put a small store back to a known state (issue 11).

    .venv/bin/python bench/reset.py [--backend sqlite|postgresql] [--services 20] [--rounds 20]

It starts `openmaas serve` with an admin API key on a fresh store, makes a few tenants' worth of data
(services, a custom endpoint, an API key), saves a snapshot, and times, over several rounds, a restore of it,
a reset to the bootstrap state, and, as the baseline measured in the same run, a plain authenticated listing
(GET /openmaas/v1/snapshots): p50 and max, in ms, as the client sees them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.harness import free_port, start, stop  # noqa: E402

BIN = Path(sys.executable).parent
KEY = "bench-operator-key-0123456789abcdef"
PASSWORD = "bench-Passw0rd"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def timed(call: httpx.Client, method: str, path: str, rounds: int, **options: object) -> list[float]:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        call.request(method, path, **options).raise_for_status()  # type: ignore[arg-type]
        times.append((time.perf_counter() - began) * 1000)
    return times


def seed(base: str, services: int) -> None:
    user = {"name": "admin", "password": PASSWORD, "domain": {"name": "openmaas"}}
    login = {
        "auth": {
            "identity": {"methods": ["password"], "password": {"user": user}},
            "scope": {"project": {"name": "ap-southeast-1"}},
        }
    }
    with httpx.Client(base_url=base, timeout=30) as http:
        answer = http.post("/v3/auth/tokens", json=login).raise_for_status()
        headers = {"X-Auth-Token": answer.headers["X-Subject-Token"]}
        project = answer.json()["token"]["project"]["id"]
        for n in range(services):
            body = {
                "name": f"svc-{n}",
                "type": "REAL_TIME",
                "deploy_type": "SINGLE",
                "group_configs": [],
                "runtime_config": {"service_invoke": {"auth_type": "NONE"}},
            }
            http.post(f"/v2/{project}/services", json=body, headers=headers).raise_for_status()
        http.post(f"/v2/{project}/maas/api-auth/api-keys", json={"allow_all": True}, headers=headers)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    env = {**os.environ, "OPENMAAS_ADMIN_API_KEY": KEY, "OPENMAAS_ADMIN_PASSWORD": PASSWORD}
    database = ""
    if args.backend == "postgresql":
        database = f"openmaas_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        env["OPENMAAS_DATABASE_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            port = free_port()
            command = [str(BIN / "openmaas"), "serve", "--port", str(port), "--data-dir", data_dir]
            server, _ = start(command, env, port, "/ready")
            try:
                run(f"http://127.0.0.1:{port}", args)
            finally:
                stop(server)
    finally:
        if database:
            with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def run(base: str, args: argparse.Namespace) -> None:
    seed(base, args.services)
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=30) as admin:
        admin.post("/openmaas/v1/snapshots", json={"name": "known"}).raise_for_status()
        rows = {
            "baseline: GET snapshots": timed(admin, "GET", "/openmaas/v1/snapshots", args.rounds),
            "restore a snapshot": timed(admin, "POST", "/openmaas/v1/snapshots/known/restore", args.rounds),
            "reset": timed(admin, "POST", "/openmaas/v1/reset", args.rounds, json={}),
        }
    print(f"{args.backend}, {args.services} services in the snapshot, {args.rounds} rounds")
    print(f"{'call':<26} {'p50 ms':>8} {'max ms':>8}")
    for name, times in rows.items():
        print(f"{name:<26} {statistics.median(times):>8.1f} {max(times):>8.1f}")


if __name__ == "__main__":
    main()
