"""`openmaas maas`: what a MaaS custom endpoint can front (CONTRACT §6.2-§6.3)."""

from __future__ import annotations

from typing import Annotated

import typer

from openmaas_cli.application import Application, ListingOutputOption, OutputOption, ProfileOption
from openmaas_cli.display import Output

app = typer.Typer(
    no_args_is_help=True, help="MaaS listings (the profile's region must be the MaaS home region)."
)

SERVICE_COLUMNS = ["id", "name", "status", "version", "version_count", "auth_type", "update_at"]
WORKSPACE_COLUMNS = ["id", "name", "auth_type", "owner", "description"]
TargetRegion = Annotated[str, typer.Option("--region", "-r", help="Region whose services to list.")]


@app.command("services")
def list_services(
    region: TargetRegion,
    workspace: Annotated[str, typer.Option("--workspace", "-w", help="Workspace id.")] = "0",
    page_size: Annotated[int, typer.Option(min=1, max=500, help="Items per request.")] = 100,
    profile: ProfileOption = None,
    output: ListingOutputOption = Output.table,
) -> None:
    """Obtaining Inference Service Information: the services of one region and workspace."""
    cli = Application(profile, output)
    with cli.client() as client:
        pager = client.iter_infer_services(region, workspace_id=workspace, page_size=page_size)
        cli.show_pages(pager.pages(), SERVICE_COLUMNS, "services")


@app.command("workspaces")
def list_workspaces(
    region: TargetRegion, profile: ProfileOption = None, output: OutputOption = Output.table
) -> None:
    """The workspaces of your project in a region, workspace 0 first."""
    cli = Application(profile, output)
    with cli.client() as client:
        cli.show_page(client.list_region_workspaces(region), WORKSPACE_COLUMNS)
