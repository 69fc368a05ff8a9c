"""Benchmark the data plane (issue 10): the mock model called directly, through a byte relay, through
openmaas, and through the LiteLLM proxy, in one run, with the same client (wrk) and the same connections.

    .venv/bin/python bench/gateway.py [--connections 16,64] [--duration 10] [--soak-seconds 300]
                                      [--paced-ms 20] [--no-litellm] [--compare-with REV] [--rounds R]

It starts `openmaas mock-model` (no latency, 16 tokens an answer), bench/relay.py in front of it (a byte
relay with no HTTP: the floor of what any process in between costs on this machine), `openmaas serve` on a
fresh SQLite store with a RUNNING service on the mock, a custom endpoint on it with an rpm limit (so the
limiter works on every call without refusing any) and an API key, and, unless --no-litellm, the LiteLLM
proxy (PyPI `litellm[proxy]`, installed into bench/.litellm-venv on first use) in front of the same mock
with the same rpm limit. For each target, non-streaming and streaming, at each connection count, it prints
requests/s, p50 and p99, the latency each gateway adds to the direct call, and the CPU time a call costs the
process in front of the mock ("cpu us") and the mock itself ("mock us"), from /proc. With --soak-seconds it
then streams through openmaas for that long and prints the server's RSS every tenth of it. Writes the same
as JSON under bench/results/.

The runs above keep every connection busy, so the machine is saturated and a latency there is mostly the
wait in a queue: on a closed loop, p50 is about connections / throughput, whatever the gateway does. The
"paced" rows measure the latency a gateway adds when it is not the bottleneck: 16 connections that each
wait a random time of mean --paced-ms between calls (non-streaming), an offered load well below every
target's capacity.

``--compare-with REV`` also measures openmaas as it was at git revision REV (from a temporary worktree,
on its own store and the same mock), next to this tree's, so that a change's effect is read from one run.
``--rounds R`` measures every target R times in turn, each round starting one target later, and prints
each target's medians, its ratio and added latency taken against the direct call of the same round: on a
machine whose speed drifts by a fifth within minutes, one run of each target in a row is not enough.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.harness import (  # noqa: E402
    Build,
    cpu_seconds,
    free_port,
    in_turn,
    revision_build,
    rss_mb,
    start,
    stop,
    wrk,
)

BIN = Path(sys.executable).parent
PASSWORD = "bench-Passw0rd"
HOME = "ap-southeast-1"
# High enough never to refuse a call of the run, so that every call still goes through the limiter.
RPM = 1_000_000_000
MESSAGES = [{"role": "user", "content": "benchmark the gateway please"}]
LITELLM_VENV = HERE / ".litellm-venv"
LITELLM_KEY = "sk-bench-master"
THIS_TREE = Build("this tree", [str(BIN / "openmaas")], {})
PACED_CONNECTIONS = 16


@dataclass(frozen=True)
class Target:
    name: str
    url: str
    model: str
    headers: dict[str, str]
    pid: int | None = None  # the process in front of the mock, whose CPU a call is measured


@dataclass
class Row:
    target: str
    mode: str
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    added_p50_ms: float
    added_p99_ms: float
    ratio: float
    # CPU time a call, of the target's own process and of the mock (0: not measured).
    cpu_us: float
    mock_cpu_us: float


@contextmanager
def process(command: list[str], port: int, probe: str, env: dict[str, str] | None = None) -> Iterator[int]:
    """A server process until the block ends; yields its pid."""
    started, seconds = start(command, {**os.environ, **(env or {})}, port, probe)
    print(f"  {Path(command[0]).name} {' '.join(command[1:3])}... ready in {seconds:.1f}s", file=sys.stderr)
    try:
        yield started.pid
    finally:
        stop(started)


def mock_model(stack: ExitStack) -> tuple[str, int]:
    port = free_port()
    command = [str(BIN / "openmaas"), "mock-model", "--port", str(port), "--default-max-tokens", "16"]
    pid = stack.enter_context(process(command, port, "/health"))
    return f"http://127.0.0.1:{port}", pid


def relay(stack: ExitStack, mock: str) -> Target:
    """bench/relay.py in front of the mock: the floor of what a process in between costs here."""
    port = free_port()
    upstream = mock.removeprefix("http://")
    command = [sys.executable, str(HERE / "relay.py"), "--port", str(port), "--upstream", upstream]
    pid = stack.enter_context(process(command, port, "/health"))
    return Target("relay", f"http://127.0.0.1:{port}/v1/chat/completions", "mock-llm", {}, pid)


def openmaas(stack: ExitStack, mock: str, build: Build = THIS_TREE) -> tuple[Target, int]:
    """openmaas of ``build`` on a fresh store, with an endpoint on the mock and an API key."""
    data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="openmaas-gateway-bench-")))
    port = free_port()
    env = {"OPENMAAS_ADMIN_PASSWORD": PASSWORD, "OPENMAAS_DEPLOY_DELAY_SECONDS": "0", **build.env}
    command = [*build.command, "serve", "--port", str(port), "--data-dir", str(data_dir)]
    pid = stack.enter_context(process(command, port, "/ready", env))
    base = f"http://127.0.0.1:{port}"
    key = _endpoint_and_key(base, mock)
    name = "openmaas" if build is THIS_TREE else f"om@{build.label}"
    headers = {"Authorization": f"Bearer {key}"}
    return Target(name, f"{base}/v1/chat/completions", "bench-ep", headers, pid), pid


def _endpoint_and_key(base: str, mock: str) -> str:
    """A RUNNING service on the mock, an endpoint on it with an rpm limit, and an API key."""
    with httpx.Client(base_url=base, timeout=30) as http:
        token, project = _login(http)
        headers = {"X-Auth-Token": token}
        service = {
            "name": "bench-llm",
            "type": "REAL_TIME",
            "deploy_type": "SINGLE",
            "group_configs": [{"count": 1}],
            "runtime_config": {"service_invoke": {"port": 8000, "protocol": "HTTP", "auth_type": "NONE"}},
            "upstream_url": f"{mock}/health",
        }
        service_id = (
            http.post(f"/v2/{project}/services", json=service, headers=headers)
            .raise_for_status()
            .json()["id"]
        )
        _wait_running(http, f"/v2/{project}/services/{service_id}", headers)
        endpoint = {
            "endpoint_name": "bench-ep",
            "source": "custom_from_modelarts_v2",
            "region": HOME,
            "infer_service_id": service_id,
            "rpm": RPM,
        }
        http.post(
            f"/v1/{project}/maas/services/custom-endpoint/endpoint", json=endpoint, headers=headers
        ).raise_for_status()
        made = http.post(f"/v2/{project}/maas/api-auth/api-keys", json={"allow_all": True}, headers=headers)
        return str(made.raise_for_status().json()["api_key"])


def _login(http: httpx.Client) -> tuple[str, str]:
    user = {"name": "admin", "password": PASSWORD, "domain": {"name": "openmaas"}}
    body = {
        "auth": {
            "identity": {"methods": ["password"], "password": {"user": user}},
            "scope": {"project": {"name": HOME}},
        }
    }
    answer = http.post("/v3/auth/tokens?nocatalog=true", json=body).raise_for_status()
    return answer.headers["X-Subject-Token"], answer.json()["token"]["project"]["id"]


def _wait_running(http: httpx.Client, path: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 60
    while http.get(path, headers=headers).json()["status"] != "RUNNING":
        if time.monotonic() > deadline:
            raise RuntimeError("the benchmark's service did not become RUNNING")
        time.sleep(0.1)


def litellm(stack: ExitStack, mock: str) -> Target:
    """The LiteLLM proxy in front of the mock: one model with the same rpm limit, the master key (its
    virtual keys need a database through Prisma, whose engines it downloads at start-up: not here)."""
    binary = _litellm_binary()
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="litellm-bench-")))
    config = folder / "config.yaml"
    config.write_text(
        "model_list:\n"
        "  - model_name: bench-model\n"
        "    litellm_params:\n"
        "      model: openai/mock-llm\n"
        f"      api_base: {mock}/v1\n"
        "      api_key: unused\n"
        f"      rpm: {RPM}\n"
        "general_settings:\n"
        f"  master_key: {LITELLM_KEY}\n"
    )
    port = free_port()
    env = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False", "LITELLM_LOG": "ERROR"}
    command = [
        str(binary),
        "--config",
        str(config),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--num_workers",
        "1",
    ]
    pid = stack.enter_context(process(command, port, "/health/liveliness", env))
    headers = {"Authorization": f"Bearer {LITELLM_KEY}"}
    return Target("litellm", f"http://127.0.0.1:{port}/v1/chat/completions", "bench-model", headers, pid)


def _litellm_binary() -> Path:
    binary = LITELLM_VENV / "bin" / "litellm"
    if not binary.exists():
        print("  installing litellm[proxy] into bench/.litellm-venv (once)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(LITELLM_VENV)], check=True)
        pip = [str(LITELLM_VENV / "bin" / "pip"), "install", "--quiet", "litellm[proxy]"]
        subprocess.run(pip, check=True)
    return binary


def script(folder: Path, target: Target, stream: bool, pause_ms: int = 0) -> Path:
    """The wrk script that POSTs the chat body to ``target``; with ``pause_ms`` each connection waits
    before each call (wrk's ``delay``) a random time of that mean, so that the connections do not fall
    into step and arrive as one burst."""
    body = json.dumps({"model": target.model, "messages": MESSAGES, "stream": stream})
    lines = [
        'wrk.method = "POST"',
        f"wrk.body = {json.dumps(body)}",
        'wrk.headers["Content-Type"] = "application/json"',
    ]
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in target.headers.items()]
    if pause_ms:
        lines.append(f"function delay() return math.random(0, {2 * pause_ms}) end")
    path = folder / f"{target.name}-{'stream' if stream else 'json'}-{pause_ms}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def measure(targets: list[Target], mock_pid: int, args: argparse.Namespace, folder: Path) -> list[Row]:
    """Every target in turn for each (mode, connections), ``--rounds`` times, each round starting one
    target later; a row holds a target's medians over the rounds."""
    runs = [
        (mode, stream, connections, 0)
        for mode, stream in (("json", False), ("stream", True))
        for connections in (int(c) for c in args.connections.split(","))
    ]
    if args.paced_ms:
        runs.append(("paced", False, PACED_CONNECTIONS, args.paced_ms))
    rows: list[Row] = []
    for mode, stream, connections, pause_ms in runs:
        rounds: list[dict[str, Figures]] = [{} for _ in range(args.rounds)]
        for turn, target in enumerate(in_turn(targets, args.rounds)):
            lua = script(folder, target, stream, pause_ms)
            rounds[turn // len(targets)][target.name] = _run(target, mock_pid, args, connections, lua)
        rows += [_row(target.name, mode, connections, rounds) for target in targets]
    return rows


# A target's figures in one run: requests/s, p50 and p99 ms, CPU µs a call of its process and the mock's.
Figures = tuple[float, float, float, float, float]


def _row(name: str, mode: str, connections: int, rounds: list[dict[str, Figures]]) -> Row:
    """The target's medians over the rounds; its ratio and added latencies are taken against the
    direct call of the same round, so that a machine whose speed drifts between rounds shifts both."""
    pairs = [(figures[name], figures["direct"]) for figures in rounds]
    own = [figures for figures, _direct in pairs]
    rps, p50, p99, cpu_us, mock_us = (statistics.median(column) for column in zip(*own, strict=True))
    added_p50 = statistics.median(figures[1] - direct[1] for figures, direct in pairs)
    added_p99 = statistics.median(figures[2] - direct[2] for figures, direct in pairs)
    ratio = statistics.median(figures[0] / direct[0] for figures, direct in pairs)
    return Row(name, mode, connections, rps, p50, p99, added_p50, added_p99, ratio, cpu_us, mock_us)


def _run(target: Target, mock_pid: int, args: argparse.Namespace, connections: int, lua: Path) -> Figures:
    """wrk's figures for ``target`` after a warm-up, and the CPU a call cost its process and the mock."""
    wrk(target.url, {}, args.warmup, connections, lua)
    own_pid = target.pid or mock_pid
    own_before, mock_before = cpu_seconds(own_pid), cpu_seconds(mock_pid)
    rps, p50, p99 = wrk(target.url, {}, args.duration, connections, lua)
    calls = rps * args.duration
    own_us = (cpu_seconds(own_pid) - own_before) / calls * 1e6 if target.pid else 0.0
    return rps, p50, p99, own_us, (cpu_seconds(mock_pid) - mock_before) / calls * 1e6


def soak(target: Target, pid: int, args: argparse.Namespace, folder: Path) -> list[tuple[int, float]]:
    """RSS of the openmaas process while it relays streams for ``--soak-seconds``."""
    lua = script(folder, target, True)
    step = max(1, args.soak_seconds // 10)
    samples = [(0, rss_mb(pid))]
    for elapsed in range(step, args.soak_seconds + 1, step):
        wrk(target.url, {}, step, 16, lua)
        samples.append((elapsed, rss_mb(pid)))
    return samples


def report(rows: list[Row], samples: list[tuple[int, float]], args: argparse.Namespace) -> None:
    header = (
        f"{'target':<10} {'mode':<7} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'+p50 ms':>8} {'+p99 ms':>8} {'ratio':>6} {'cpu us':>7} {'mock us':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.target:<10} {row.mode:<7} {row.connections:>5} {row.rps:>9.0f} {row.p50_ms:>8.2f} "
            f"{row.p99_ms:>8.2f} {row.added_p50_ms:>8.2f} {row.added_p99_ms:>8.2f} {row.ratio:>6.2f} "
            f"{row.cpu_us:>7.0f} {row.mock_cpu_us:>7.0f}"
        )
    if samples:
        print("openmaas RSS while streaming: " + ", ".join(f"{s}s {mb:.1f} MB" for s, mb in samples))
    out = HERE / "results" / f"gateway-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(
        json.dumps({"args": vars(args), "rows": [asdict(r) for r in rows], "rss": samples}, indent=2)
    )
    print(f"written {out.relative_to(HERE.parent)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--soak-seconds", type=int, default=0)
    parser.add_argument("--paced-ms", type=int, default=20, help="0: no paced run")
    parser.add_argument("--no-litellm", action="store_true")
    parser.add_argument("--compare-with", metavar="REV", help="also measure openmaas at git revision REV")
    parser.add_argument("--rounds", type=int, default=1, help="measure every target this many times in turn")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    with ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        mock, mock_pid = mock_model(stack)
        through, pid = openmaas(stack, mock)
        direct = Target("direct", f"{mock}/v1/chat/completions", "mock-llm", {})
        targets = [direct, relay(stack, mock), through]
        if args.compare_with:
            targets.append(openmaas(stack, mock, stack.enter_context(revision_build(args.compare_with)))[0])
        if not args.no_litellm:
            targets.append(litellm(stack, mock))
        rows = measure(targets, mock_pid, args, Path(folder))
        samples = soak(through, pid, args, Path(folder)) if args.soak_seconds else []
    report(rows, samples, args)


if __name__ == "__main__":
    main()
