"""`openmaas cluster`: start, watch and stop N servers behind nginx on this host; the work is
``openmaas_cli.cluster``'s."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from openmaas_cli import cluster, display
from openmaas_cli.application import OutputOption
from openmaas_cli.display import Output

app = typer.Typer(
    no_args_is_help=True, help="N openmaas servers on one PostgreSQL behind nginx, on this host."
)

DirOption = Annotated[Path, typer.Option("--dir", help="The cluster's folder: config, logs, state file.")]
DEFAULT_DIR = Path(".openmaas/cluster")


@contextmanager
def _expected() -> Iterator[None]:
    try:
        yield
    except cluster.ClusterError as error:
        display.fail(str(error), error.code)
    except OSError as error:
        display.fail(f"cannot use the cluster folder: {error}", display.CONFIGURATION_FAILURE)


@app.command()
def up(
    servers: Annotated[int, typer.Option("--servers", min=1, max=64, help="How many server processes.")] = 2,
    database_url: Annotated[
        str,
        typer.Option(
            "--database-url",
            envvar="OPENMAAS_DATABASE_URL",
            show_envvar=True,
            help="The PostgreSQL they share.",
        ),
    ] = "",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="nginx's port on 127.0.0.1.")] = 8080,
    redis_url: Annotated[
        str,
        typer.Option(
            "--redis-url",
            envvar="OPENMAAS_REDIS_URL",
            show_envvar=True,
            help="The Redis of the rate-limit counters (default: a private redis-server).",
        ),
    ] = "",
    folder: DirOption = DEFAULT_DIR,
) -> None:
    """Migrate the store once, start the servers, Redis and nginx, and return once all answer."""
    options = cluster.UpOptions(servers, database_url, port, redis_url, folder)
    with _expected():
        state, printed = cluster.up(options)
    if printed:
        display.done(printed)
    display.done(
        f"openmaas cluster of {servers} servers at {state.url} (stop: openmaas cluster down --dir {folder})"
    )


def _rows(state: cluster.ClusterState) -> list[dict[str, Any]]:
    return [
        {
            "role": member.role,
            "pid": member.pid,
            "port": member.port,
            "state": "running" if member.alive() else "dead",
            "log": member.log,
        }
        for member in state.members
    ]


@app.command()
def status(folder: DirOption = DEFAULT_DIR, output: OutputOption = Output.table) -> None:
    """Each process of the cluster: its pid, port and whether it runs; exit 1 when one does not."""
    with _expected():
        state = cluster.ClusterState.load(folder.resolve())
    rows = _rows(state)
    if output is Output.json:
        display.emit_json({"url": state.url, "redis_url": state.redis_url, "members": rows})
    else:
        display.table(["role", "pid", "port", "state", "log"], rows, title=f"openmaas cluster at {state.url}")
    if any(row["state"] != "running" for row in rows):
        raise typer.Exit(display.API_FAILURE)


@app.command()
def down(folder: DirOption = DEFAULT_DIR) -> None:
    """Stop every process of the cluster (SIGTERM, then SIGKILL after 35 s)."""
    with _expected():
        stopped = cluster.down(folder)
    display.done(f"stopped {len(stopped)} processes")
