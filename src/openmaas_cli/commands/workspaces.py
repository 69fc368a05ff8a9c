"""`openmaas workspaces`: ModelArts workspaces of a project (CONTRACT §5.1)."""

from __future__ import annotations

from typing import Annotated

import typer

from openmaas_cli.application import (
    Application,
    ListingOutputOption,
    OutputOption,
    ProfileOption,
    RegionOption,
)
from openmaas_cli.display import Output

app = typer.Typer(no_args_is_help=True, help="ModelArts workspaces.")

COLUMNS = ["id", "name", "auth_type", "owner", "description", "update_time"]
Name = Annotated[str | None, typer.Option(help="Workspace name.", show_default=False)]
Description = Annotated[str | None, typer.Option(help="Description.", show_default=False)]
AuthType = Annotated[str | None, typer.Option(help="PUBLIC, PRIVATE or INTERNAL.", show_default=False)]
WorkspaceId = Annotated[str, typer.Argument(help="Workspace id.")]


@app.command("list")
def list_workspaces(
    name: Annotated[str | None, typer.Option(help="Names containing this text.", show_default=False)] = None,
    page_size: Annotated[int, typer.Option(min=1, max=1000, help="Items per request.")] = 100,
    region: RegionOption = None,
    profile: ProfileOption = None,
    output: ListingOutputOption = Output.table,
) -> None:
    """List the project's workspaces (every page)."""
    cli = Application(profile, output)
    with cli.client(region) as client:
        cli.show_pages(client.iter_workspaces(name=name, page_size=page_size).pages(), COLUMNS, "workspaces")


@app.command("show")
def show_workspace(
    workspace_id: WorkspaceId,
    region: RegionOption = None,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Show one workspace."""
    cli = Application(profile, output)
    with cli.client(region) as client:
        cli.show(client.show_workspace(workspace_id))


@app.command("create")
def create_workspace(
    name: Annotated[str, typer.Argument(help="4-64 letters, digits, - or _.")],
    description: Description = None,
    auth_type: AuthType = None,
    region: RegionOption = None,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Create a workspace."""
    cli = Application(profile, output)
    with cli.client(region) as client:
        cli.show(client.create_workspace(name, description=description, auth_type=auth_type))


@app.command("update")
def update_workspace(
    workspace_id: WorkspaceId,
    name: Name = None,
    description: Description = None,
    auth_type: AuthType = None,
    region: RegionOption = None,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Rename a workspace or change its description or auth type."""
    cli = Application(profile, output)
    with cli.client(region) as client:
        result = client.update_workspace(
            workspace_id, name=name, description=description, auth_type=auth_type
        )
    cli.done(f"workspace {result.workspace_id} updated", result)


@app.command("delete")
def delete_workspace(
    workspace_id: WorkspaceId,
    region: RegionOption = None,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Delete an empty workspace."""
    cli = Application(profile, output)
    with cli.client(region) as client:
        result = client.delete_workspace(workspace_id)
    cli.done(f"workspace {result.workspace_id} deleted", result)
