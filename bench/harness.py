"""What the benchmarks share: processes started and stopped, servers of other revisions, wrk driven
and read, memory read."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

REPOSITORY = Path(__file__).resolve().parent.parent

T = TypeVar("T")


def in_turn(items: Sequence[T], rounds: int) -> list[T]:
    """Every item ``rounds`` times, each round starting one item later: a machine that speeds up or
    slows down during a round favours none of them."""
    return [items[(first + index) % len(items)] for first in range(rounds) for index in range(len(items))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(
    command: list[str], env: dict[str, str], port: int, probe: str
) -> tuple[subprocess.Popen[bytes], float]:
    began = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = began + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=1).status_code == 200:
                return process, time.monotonic() - began
        except httpx.HTTPError:
            time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"{command[0]} did not become ready")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """The user and system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    url: str, headers: dict[str, str], seconds: int, connections: int, script: Path | None = None
) -> tuple[float, float, float]:
    """wrk's requests/s, p50 and p99 (ms) for ``url``; ``script`` (Lua) sets method and body."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"non-2xx answers from {url}:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    percentiles = {
        p: float(v) * _UNITS[u] for p, v, u in re.findall(r"\s(\d+)%\s+([\d.]+)(us|ms|s)\b", output)
    }
    return rps, percentiles["50"], percentiles["99"]


@dataclass(frozen=True)
class Build:
    """Which server is measured: this tree's, or an older revision's (``--compare-with``)."""

    label: str
    command: list[str]
    env: dict[str, str]


@contextmanager
def revision_build(revision: str) -> Iterator[Build]:
    """The server of git revision ``revision``, from a temporary worktree (removed afterwards)."""
    folder = Path(tempfile.mkdtemp(prefix="openmaas-bench-rev-"))
    worktree = folder / "tree"
    subprocess.run(
        ["git", "-C", str(REPOSITORY), "worktree", "add", "--detach", str(worktree), revision],
        check=True,
        capture_output=True,
    )
    label = subprocess.run(
        ["git", "-C", str(worktree), "rev-parse", "--short", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    try:
        command = [sys.executable, "-c", "from openmaas_cli.main import app; app()"]
        yield Build(label, command, {"PYTHONPATH": str(worktree / "src")})
    finally:
        subprocess.run(
            ["git", "-C", str(REPOSITORY), "worktree", "remove", "--force", str(worktree)],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)
