"""Benchmark the service listing path against a baseline measured in the same run (issue 5).

    .venv/bin/python bench/list_services.py [--sizes 1000,1000000] [--backend sqlite|postgresql]

For each size N it bootstraps a fresh store, bulk-seeds N services into workspace "0" of the home
region (see bench/seed.py), starts `openmaas serve` (one process) and drives it with wrk
(16 connections, after a warm-up). Each size is measured twice ("answers"): as the server runs by
default, keeping answers while the store is unchanged (SQLite), and with that switched off
(OPENMAAS_LISTING_CACHE_ENTRIES=0), so that every request reads the store and renders.
The baseline is a bare ASGI app on the same uvicorn settings that answers the exact bytes of the
real response for the same page. Prints one table and writes JSON under bench/results/.

``--without-telemetry`` also measures this tree's server with /metrics switched off ("metric off"), and
with /metrics and the access log switched off ("telem off"), alternating with the default, to show what
each costs. ``--rounds R`` measures every build R times in turn, each round starting one build later
(one row each): on a machine whose speed drifts, a difference is only read from rows that alternate.

``--compare-with REV`` also measures the server as it was at git revision REV (checked out into a
temporary worktree and run from there on the same store), alternating with this tree's, so that a
change's effect is read from one run on one machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import psycopg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.harness import Build, free_port, in_turn, revision_build, rss_mb, start, stop, wrk  # noqa: E402
from bench.seed import home_project, seed_services  # noqa: E402
from openmaas.db.engine import make_engine  # noqa: E402

BIN = Path(sys.executable).parent
PASSWORD = "bench-Passw0rd"
HOME = "ap-southeast-1"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


# "kept": the default server, which keeps answers on SQLite while the store is unchanged;
# "uncached": the same server with that switched off, so every request reads and renders.
MODES = {"kept": "1024", "uncached": "0"}


THIS_TREE = Build("this tree", [str(BIN / "openmaas")], {})
# The same server with /metrics switched off, then also the access log (``--without-telemetry``): what
# each costs on the hot listings, read from one run.
NO_METRICS = Build("metric off", [str(BIN / "openmaas")], {"OPENMAAS_METRICS": "false"})
NO_TELEMETRY = Build(
    "telem off", [str(BIN / "openmaas")], {"OPENMAAS_METRICS": "false", "OPENMAAS_ACCESS_LOG": "false"}
)


@dataclass
class Row:
    build: str
    path: str
    mode: str
    n: int
    backend: str
    rps: float
    p50_ms: float
    p99_ms: float
    baseline_rps: float
    ratio: float
    rss_mb: float


@contextmanager
def store(backend: str) -> Iterator[tuple[Path, dict[str, str], str]]:
    data_dir = Path(tempfile.mkdtemp(prefix="openmaas-bench-"))
    env = {**os.environ, "OPENMAAS_ADMIN_PASSWORD": PASSWORD}
    database = ""
    if backend == "postgresql":
        database = f"openmaas_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        env["OPENMAAS_DATABASE_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    url = env.get("OPENMAAS_DATABASE_URL") or f"sqlite:///{data_dir / 'openmaas.db'}"
    try:
        yield data_dir, env, url
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if database:
            with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def token(port: int) -> str:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "admin", "password": PASSWORD, "domain": {"name": "openmaas"}}},
            },
            "scope": {"project": {"name": HOME}},
        }
    }
    response = httpx.post(f"http://127.0.0.1:{port}/v3/auth/tokens?nocatalog=true", json=body, timeout=30)
    response.raise_for_status()
    return response.headers["X-Subject-Token"]


def measure(url: str, headers: dict[str, str], args: argparse.Namespace) -> tuple[float, float, float]:
    wrk(url, headers, args.warmup, args.connections)
    return wrk(url, headers, args.duration, args.connections)


def paths(project_id: str) -> dict[str, str]:
    maas = f"/v1/{project_id}/maas/services/custom-endpoint/services/{HOME}?workspace_id=0"
    return {
        "maas §6.3 limit=10": maas,
        "maas §6.3 limit=100": maas + "&limit=100",
        "v2 list limit=10": f"/v2/{project_id}/services?limit=10",
    }


def run_size(
    n: int, args: argparse.Namespace, builds: list[Build], baselines: dict[str, float]
) -> tuple[list[Row], float]:
    with store(args.backend) as (data_dir, env, url):
        subprocess.run(
            [str(BIN / "openmaas"), "bootstrap", "--data-dir", str(data_dir)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        engine = make_engine(url)
        project_id = home_project(engine, HOME)
        seeded = time.monotonic()
        seed_services(engine, project_id, "0", n)
        engine.dispose()
        print(f"  seeded {n} services in {time.monotonic() - seeded:.1f}s", file=sys.stderr)
        rows: list[Row] = []
        ready_seconds = 0.0
        for mode in args.modes.split(","):
            for build in in_turn(builds, args.rounds):
                mode_env = {**env, **build.env, "OPENMAAS_LISTING_CACHE_ENTRIES": MODES[mode]}
                mode_rows, ready = run_server(n, mode, build, data_dir, mode_env, project_id, args, baselines)
                rows.extend(mode_rows)
                ready_seconds = ready_seconds or ready
        return rows, ready_seconds


def run_server(
    n: int,
    mode: str,
    build: Build,
    data_dir: Path,
    env: dict[str, str],
    project_id: str,
    args: argparse.Namespace,
    baselines: dict[str, float],
) -> tuple[list[Row], float]:
    """One `openmaas serve` on the seeded store, every path measured against its baseline."""
    port = free_port()
    command = [*build.command, "serve", "--port", str(port), "--data-dir", str(data_dir)]
    server, ready_seconds = start(command, env, port, "/ready")
    try:
        headers = {"X-Auth-Token": token(port)}
        rows = []
        for name, path in paths(project_id).items():
            rps, p50, p99 = measure(f"http://127.0.0.1:{port}{path}", headers, args)
            if name not in baselines:
                body = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers).content
                baselines[name] = baseline(body, args)
            ratio = rps / baselines[name]
            rows.append(
                Row(
                    build.label,
                    name,
                    mode,
                    n,
                    args.backend,
                    rps,
                    p50,
                    p99,
                    baselines[name],
                    ratio,
                    rss_mb(server.pid),
                )
            )
        return rows, ready_seconds
    finally:
        stop(server)


def baseline(body: bytes, args: argparse.Namespace) -> float:
    with tempfile.NamedTemporaryFile(suffix=".json") as handle:
        handle.write(body)
        handle.flush()
        port = free_port()
        command = [
            sys.executable,
            str(HERE / "baseline_app.py"),
            "--port",
            str(port),
            "--body-file",
            handle.name,
        ]
        process, _ = start(command, dict(os.environ), port, "/")
        try:
            rps, _, _ = measure(f"http://127.0.0.1:{port}/", {}, args)
            return rps
        finally:
            stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,1000000")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--modes", default="kept,uncached", help="kept, uncached or both (comma-separated)")
    parser.add_argument("--compare-with", metavar="REV", help="also measure the server at git revision REV")
    parser.add_argument(
        "--without-telemetry", action="store_true", help="also measure with metrics, then the access log, off"
    )
    parser.add_argument("--rounds", type=int, default=1, help="measure every build this many times in turn")
    args = parser.parse_args()
    if set(args.modes.split(",")) - MODES.keys():
        parser.error(f"--modes takes {', '.join(MODES)}")
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    with ExitStack() as stack:
        builds = [THIS_TREE, NO_METRICS, NO_TELEMETRY] if args.without_telemetry else [THIS_TREE]
        if args.compare_with:
            builds.append(stack.enter_context(revision_build(args.compare_with)))
        baselines: dict[str, float] = {}
        rows: list[Row] = []
        ready: dict[int, float] = {}
        for n in (int(size) for size in args.sizes.split(",")):
            print(f"N={n} ({args.backend})", file=sys.stderr)
            size_rows, ready[n] = run_size(n, args, builds, baselines)
            rows.extend(size_rows)
    report(rows, ready, args)


def report(rows: list[Row], ready: dict[int, float], args: argparse.Namespace) -> None:
    header = (
        f"{'build':<10} {'path':<22} {'answers':<9} {'backend':<10} {'N':>9} {'req/s':>9} "
        f"{'p50 ms':>8} {'p99 ms':>8} "
        f"{'baseline':>9} {'ratio':>6} {'RSS MB':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.build:<10} {row.path:<22} {row.mode:<9} {row.backend:<10} {row.n:>9} {row.rps:>9.0f} "
            f"{row.p50_ms:>8.2f} "
            f"{row.p99_ms:>8.2f} {row.baseline_rps:>9.0f} {row.ratio:>6.2f} {row.rss_mb:>7.1f}"
        )
    for n, seconds in ready.items():
        print(f"ready after start with N={n}: {seconds:.2f}s")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = HERE / "results" / f"list_services-{args.backend}-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "args": vars(args),
                "rows": [asdict(r) for r in rows],
                "ready_seconds": {str(k): v for k, v in ready.items()},
            },
            indent=2,
        )
    )
    print(f"written {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
