"""`openmaas`: the one app object. The server's own commands (serve, bootstrap, db upgrade) are
here; the client commands live one group per module in ``openmaas_cli.commands``.

Those three administer a store directly and so import the server; every other command talks to a
server only through ``openmaas_client``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from openmaas_cli.commands import api_keys, endpoints, login, maas, regions, services, workspaces
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
app.add_typer(api_keys.app, name="api-keys")

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


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Bring the store's schema up to date."""
    from openmaas_cli import server

    server.upgrade(server.load_settings(data_dir))
    console.print("store is up to date")


__all__ = ["app", "fail"]
