"""`openmaas cluster`: N `openmaas serve` processes on one PostgreSQL behind Debian's nginx, with a
Redis for the data plane's shared counters, on this host.

`up` migrates and bootstraps the store once (`openmaas bootstrap`), starts the servers on free
loopback ports with the same settings, a private redis-server unless a Redis URL is given, and nginx
with a config rendered from ``nginx.conf.template``; it waits until each answers, writes
``cluster.json`` and returns. `status` and `down` read that file, from any shell. Every process is
started in a session of its own, so it outlives the command that started it.

This module runs the server only as child processes: it imports nothing of it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from importlib.resources import files
from pathlib import Path

import httpx

from openmaas_cli import display

STATE_FILE = "cluster.json"
TEMPLATE = "nginx.conf.template"
STARTUP_SECONDS = 60.0
# uvicorn's graceful drain is 30 s (openmaas serve); past that a process is killed.
STOP_SECONDS = 35.0
DATABASE_SCHEMES = ("postgresql://", "postgresql+psycopg://")
# The servers' largest body cap (the data plane's) and some room, so that they answer it themselves.
DEFAULT_BODY_CAP = 16 * 1024 * 1024
BODY_CAP_ROOM = 1024 * 1024
# nginx first, gracefully (SIGQUIT: it finishes the requests it has), so that no new request reaches
# a stopping server; then the servers, which drain theirs; Redis last, as servers use it until then.
STOP_ORDER = (("nginx", signal.SIGQUIT), ("server-", signal.SIGTERM), ("redis", signal.SIGTERM))


class ClusterError(Exception):
    """An expected failure of a cluster command: its message, and the exit code it ends with."""

    def __init__(self, message: str, code: int = display.CONFIGURATION_FAILURE) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Member:
    """One process of the cluster: what it is, where it listens, and how to recognise it again."""

    role: str
    pid: int
    port: int
    # The kernel's start time of the process (/proc/<pid>/stat), so a reused pid is not mistaken for it.
    started: int | None
    log: str

    def alive(self) -> bool:
        return process_started(self.pid) == self.started if self.started is not None else _exists(self.pid)


@dataclass
class ClusterState:
    dir: str
    port: int
    redis_url: str
    members: list[Member] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def save(self, folder: Path) -> None:
        path = folder / STATE_FILE
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, folder: Path) -> ClusterState:
        path = folder / STATE_FILE
        try:
            raw = json.loads(path.read_text())
            members = [Member(**member) for member in raw.pop("members")]
            return cls(**raw, members=members)
        except FileNotFoundError:
            raise ClusterError(f"no cluster was started from {folder} (no {STATE_FILE})") from None
        except (ValueError, TypeError, KeyError) as error:
            raise ClusterError(f"{path} is not a cluster state file: {error}") from None


@dataclass(frozen=True)
class UpOptions:
    servers: int
    database_url: str
    port: int
    redis_url: str
    folder: Path


# ---- processes ------------------------------------------------------------------------------


def process_started(pid: int) -> int | None:
    """The start time of a live process, None when there is none (or only its zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: fields are counted after it.
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def openmaas_command(*args: str) -> list[str]:
    """The console script beside this interpreter, else the same entry point through it."""
    script = Path(sys.executable).with_name("openmaas")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from openmaas_cli.main import app; app()", *args]


def spawn(role: str, command: Sequence[str], port: int, log: Path, env: dict[str, str]) -> Member:
    """Start a process in a session of its own (it outlives this command), output to ``log``."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    # The handle is not kept: `status` and `down` find the process again by pid and start time.
    return Member(role, process.pid, port, process_started(process.pid), str(log))


def stop(
    members: Sequence[Member], wait_seconds: float = STOP_SECONDS, signum: int = signal.SIGTERM
) -> list[Member]:
    """Signal every live member, wait for them, SIGKILL the rest; the members that were running."""
    running = [member for member in members if member.alive()]
    for member in running:
        _signal(member, signum)
    deadline = time.monotonic() + wait_seconds
    while any(member.alive() for member in running) and time.monotonic() < deadline:
        time.sleep(0.1)
    for member in running:
        if member.alive():
            _signal(member, signal.SIGKILL)
    _reap()
    return running


def _signal(member: Member, signum: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(member.pid, signum)


def _reap() -> None:
    """Collect the children this process started itself (a failed `up`), so none stays a zombie."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def wait_until(probe: Callable[[], bool], member: Member, what: str) -> None:
    """Poll ``probe`` until it holds; the member's death or the start-up bound ends it with a message."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while not probe():
        if not member.alive():
            raise ClusterError(
                f"{what} exited while starting:\n{_tail(Path(member.log))}", display.API_FAILURE
            )
        if time.monotonic() > deadline:
            raise ClusterError(
                f"{what} did not answer within {STARTUP_SECONDS:.0f} s:\n{_tail(Path(member.log))}"
            )
        time.sleep(0.1)


def _tail(log: Path, lines: int = 15) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


# ---- ports and probes -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def pongs(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def binary(name: str) -> str:
    """A Debian tool: on the PATH, or in /usr/sbin and /usr/bin (a user's PATH may lack /usr/sbin)."""
    found = shutil.which(name) or next(
        (str(path) for path in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if path.exists()), None
    )
    if found is None:
        raise ClusterError(f"{name} is not installed (Debian: apt-get install {name})")
    return found


# ---- nginx ----------------------------------------------------------------------------------


def render(values: dict[str, str]) -> str:
    """The nginx config template with each ``{{name}}`` replaced; a name not given is an error."""
    text = files("openmaas_cli").joinpath(TEMPLATE).read_text()
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        raise ValueError(f"{TEMPLATE}: a placeholder has no value: {text[text.index('{{') :][:40]}")
    return text


def upstream_lines(addresses: Sequence[str]) -> str:
    # One failure takes a server out for 5 s; the retried request goes to the next one meanwhile.
    return "\n".join(f"        server {address} max_fails=1 fail_timeout=5s;" for address in addresses)


def body_cap() -> str:
    """client_max_body_size: above the data plane's body cap, as the servers are configured."""
    configured = os.environ.get("OPENMAAS_DATA_PLANE_MAX_BODY_BYTES", "")
    cap = int(configured) if configured.isdigit() else DEFAULT_BODY_CAP
    return str(max(cap, DEFAULT_BODY_CAP) + BODY_CAP_ROOM)


def local_values(folder: Path, port: int, server_ports: Sequence[int]) -> dict[str, str]:
    """The template's values for nginx on this host: files in the cluster folder, loopback servers."""
    # As root, nginx's workers would run as nobody, who may not reach the cluster folder.
    user = f"user {_user_name()};" if os.geteuid() == 0 else ""
    return {
        "user": user,
        "pid_file": str(folder / "nginx.pid"),
        "error_log": str(folder / "logs" / "nginx-error.log"),
        "access_log": str(folder / "logs" / "nginx-access.log"),
        "temp_dir": str(folder / "nginx-temp"),
        "client_max_body_size": body_cap(),
        "servers": upstream_lines([f"127.0.0.1:{server}" for server in server_ports]),
        "listen": f"127.0.0.1:{port}",
    }


def _user_name() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def nginx_command(nginx: str, folder: Path) -> list[str]:
    # -e: the error log before the config is read (the compiled-in one is /var/log/nginx's).
    error_log = str(folder / "logs" / "nginx-error.log")
    return [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", error_log]


def check_nginx_config(command: Sequence[str]) -> None:
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, timeout=30, check=False)
    if checked.returncode != 0:
        raise ClusterError(f"nginx refuses the rendered config: {checked.stderr.strip()}")


# ---- up, status, down -----------------------------------------------------------------------


def check_database_url(url: str) -> None:
    if not url.startswith(DATABASE_SCHEMES):
        raise ClusterError(
            "a cluster shares one PostgreSQL database: give --database-url "
            "postgresql+psycopg://user@host:5432/openmaas (or OPENMAAS_DATABASE_URL)"
        )


def check_not_running(folder: Path) -> None:
    if not (folder / STATE_FILE).exists():
        return
    state = ClusterState.load(folder)
    if any(member.alive() for member in state.members):
        raise ClusterError(f"a cluster started from {folder} is running: `openmaas cluster down` first")


def prepare_folder(folder: Path) -> Path:
    """The cluster folder, with an empty metrics folder (stale files would add old counts)."""
    for sub in ("logs", "data", "nginx-temp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    metrics = folder / "metrics"
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir()
    return metrics


def server_env(options: UpOptions, redis_url: str, metrics: Path) -> dict[str, str]:
    """The caller's environment (its OPENMAAS_* settings apply to every server) and the cluster's own."""
    env = dict(os.environ)
    env.setdefault("OPENMAAS_PUBLIC_URL", f"http://127.0.0.1:{options.port}")
    env.update(
        OPENMAAS_DATABASE_URL=options.database_url,
        OPENMAAS_REDIS_URL=redis_url,
        PROMETHEUS_MULTIPROC_DIR=str(metrics),
    )
    return env


def bootstrap(folder: Path, env: dict[str, str]) -> str:
    """Migrate the store and bootstrap it, once, before any server starts; what it printed."""
    command = openmaas_command("bootstrap", "--data-dir", str(folder / "data"))
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    except subprocess.TimeoutExpired:
        raise ClusterError("migrating the store took more than 300 s", display.UNREACHABLE) from None
    if done.returncode != 0:
        reason = done.stderr.strip().removeprefix("error:").strip() or done.stdout.strip()
        raise ClusterError(f"cannot prepare the store: {reason}", done.returncode)
    return done.stdout.strip()


def start_redis(folder: Path, nginx_port: int) -> Member:
    [port] = free_ports(1, avoid=nginx_port)
    (folder / "redis").mkdir(exist_ok=True)
    command = [
        binary("redis-server"),
        *("--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
        *("--dir", str(folder / "redis"), "--daemonize", "no"),
    ]
    return spawn("redis", command, port, folder / "logs" / "redis.log", dict(os.environ))


def free_ports(count: int, avoid: int) -> list[int]:
    """``count`` distinct free loopback ports, none of them ``avoid`` (nginx's, not yet bound)."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports and port != avoid:
            ports.append(port)
    return ports


def start_servers(folder: Path, count: int, nginx_port: int, env: dict[str, str]) -> list[Member]:
    members = []
    for index, port in enumerate(free_ports(count, avoid=nginx_port)):
        command = openmaas_command(
            "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(folder / "data")
        )
        members.append(spawn(f"server-{index}", command, port, folder / "logs" / f"server-{index}.log", env))
    return members


def wait_ready(servers: Sequence[Member]) -> None:
    for server in servers:
        wait_until(_ready_probe(server.port), server, f"openmaas {server.role}")


def _ready_probe(port: int) -> Callable[[], bool]:
    # /ready, not /health: the server has its store too.
    return lambda: answers(f"http://127.0.0.1:{port}/ready")


def start_nginx(folder: Path, port: int, servers: Sequence[Member]) -> Member:
    nginx = binary("nginx")
    config = render(local_values(folder, port, [server.port for server in servers]))
    (folder / "nginx.conf").write_text(config)
    command = nginx_command(nginx, folder)
    check_nginx_config(command)
    return spawn("nginx", command, port, folder / "logs" / "nginx-error.log", dict(os.environ))


@contextmanager
def stopped_on_failure(state: ClusterState, folder: Path) -> Iterator[None]:
    """What `up` started is stopped again if it cannot finish (an interrupt included)."""
    try:
        yield
    except BaseException:
        stop(state.members, wait_seconds=10)
        (folder / STATE_FILE).unlink(missing_ok=True)
        raise


def join(state: ClusterState, folder: Path, *members: Member) -> None:
    """Record started members at once, so that `down` finds them even if `up` itself is killed."""
    state.members.extend(members)
    state.save(folder)


def up(options: UpOptions) -> tuple[ClusterState, str]:
    """Start the cluster; its state (saved in the folder) and what the bootstrap printed."""
    folder = options.folder.resolve()
    check_database_url(options.database_url)
    binary("nginx")
    check_not_running(folder)
    if not port_is_free(options.port):
        raise ClusterError(f"port {options.port} on 127.0.0.1 is taken: choose another with --port")
    metrics = prepare_folder(folder)
    state = ClusterState(str(folder), options.port, options.redis_url)
    with stopped_on_failure(state, folder):
        if not state.redis_url:
            redis = start_redis(folder, options.port)
            join(state, folder, redis)
            wait_until(lambda: pongs(redis.port), redis, "redis-server")
            state.redis_url = f"redis://127.0.0.1:{redis.port}/0"
        env = server_env(options, state.redis_url, metrics)
        printed = bootstrap(folder, env)
        servers = start_servers(folder, options.servers, options.port, env)
        join(state, folder, *servers)
        wait_ready(servers)
        nginx = start_nginx(folder, options.port, servers)
        join(state, folder, nginx)
        wait_until(lambda: answers(f"http://127.0.0.1:{options.port}/health"), nginx, "nginx")
    return state, printed


def down(folder: Path) -> list[Member]:
    """Stop every process of the cluster; the ones that were running. The metrics folder goes too."""
    folder = folder.resolve()
    state = ClusterState.load(folder)
    stopped: list[Member] = []
    for role, signum in STOP_ORDER:
        group = [member for member in state.members if member.role.startswith(role)]
        stopped += stop(group, signum=signum)
    shutil.rmtree(folder / "metrics", ignore_errors=True)
    (folder / STATE_FILE).unlink()
    return stopped
