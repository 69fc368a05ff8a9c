"""`openmaas`: the one app object. The server's own commands (serve, bootstrap, db upgrade) are
here; the client commands live one group per module in ``openmaas_cli.commands``.

Those three administer a store directly and so import the server; every other command talks to a
server only through ``openmaas_client``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openmaas_cli.commands import (
    admin,
    api_keys,
    cluster,
    endpoints,
    login,
    maas,
    regions,
    services,
    users,
    workspaces,
)
from openmaas_cli.display import console, fail

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="openmaas: a self-hosted ModelArts MaaS API."
)
db_app = typer.Typer(no_args_is_help=True, help="Manage the store.")
app.add_typer(db_app, name="db")
app.command()(login.login)
app.command()(login.logout)
app.add_typer(regions.app, name="regions")
app.add_typer(workspaces.app, name="workspaces")
app.add_typer(services.app, name="services")
app.add_typer(maas.app, name="maas")
app.add_typer(endpoints.app, name="endpoints")
app.add_typer(admin.app, name="admin")
app.add_typer(api_keys.app, name="api-keys")
app.add_typer(users.app, name="users")
app.add_typer(cluster.app, name="cluster")

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Folder for the embedded store [./.openmaas].")
]


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    data_dir: DataDir = None,
) -> None:
    """Migrate the store, bootstrap it if empty, and serve the API."""
    from openmaas_cli import server

    server.serve(host, port, data_dir)


@app.command()
def bootstrap(data_dir: DataDir = None) -> None:
    """Migrate and bootstrap the store without serving."""
    from openmaas_cli import server

    server.prepare(server.load_settings(data_dir))


@app.command("mock-model")
def mock_model(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    model: Annotated[str, typer.Option(help="The model name it serves.")] = "mock-llm",
    latency_ms: Annotated[float, typer.Option(min=0, help="Wait before each answer or first chunk.")] = 0,
    tokens_per_second: Annotated[
        float, typer.Option(min=0, help="Pace of streamed answers (0: as fast as possible).")
    ] = 0,
    default_max_tokens: Annotated[int, typer.Option(min=1, help="Tokens in an answer.")] = 16,
    embedding_dimensions: Annotated[int, typer.Option(min=1, max=8192, help="Length of embeddings.")] = 16,
    no_usage: Annotated[
        bool, typer.Option("--no-usage", help="Never report usage, as some servers.")
    ] = False,
) -> None:
    """Serve a small deterministic OpenAI-compatible model, to try the data plane with offline."""
    from openmaas_cli import server

    server.mock_model(
        host,
        port,
        model=model,
        latency_ms=latency_ms,
        tokens_per_second=tokens_per_second,
        default_max_tokens=default_max_tokens,
        embedding_dimensions=embedding_dimensions,
        usage=not no_usage,
    )


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Bring the store's schema up to date."""
    from openmaas_cli import server

    server.upgrade(server.load_settings(data_dir))
    console.print("store is up to date")


__all__ = ["app", "fail"]
