"""`openmaas services`: ModelArts real-time inference services (CONTRACT §5.2-§5.4)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from openmaas_cli import display
from openmaas_cli.application import (
    Application,
    ListingOutputOption,
    OutputOption,
    ProfileOption,
    RegionOption,
)
from openmaas_cli.display import Output
from openmaas_client import Client, Service, ServiceFilters

app = typer.Typer(no_args_is_help=True, help="ModelArts inference services.")

LIST_COLUMNS = ["id", "name", "status", "version", "workspace_id", "auth_type", "update_at"]
SHOW_KEYS = [
    "id",
    "name",
    "status",
    "workspace_id",
    "type",
    "deploy_type",
    "task_type",
    "failure_reason",
    "predict_url",
    "tags",
    "create_at",
    "update_at",
]
VERSION_COLUMNS = ["version", "version_status", "description", "create_at"]

ServiceId = Annotated[str, typer.Argument(help="Service id.")]
Flag = Annotated[str | None, typer.Option(show_default=False)]
Tags = Annotated[
    list[str] | None, typer.Option("--tag", help="key=value; repeat for several.", show_default=False)
]
BodyFile = Annotated[
    Path | None,
    typer.Option(
        "--file",
        "-f",
        help="JSON request body ('-' for stdin); flags given too override it.",
        show_default=False,
        allow_dash=True,
    ),
]


def _tags(pairs: list[str] | None) -> dict[str, str]:
    tags = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            display.fail(f"--tag {pair!r} must look like key=value", display.USAGE_FAILURE)
        tags[key] = value
    return tags


def _read_body(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        body = json.loads(text)
    except (OSError, ValueError) as error:
        display.fail(f"cannot read a JSON body from {path}: {error}", display.USAGE_FAILURE)
    if not isinstance(body, dict):
        display.fail(f"{path} must hold a JSON object", display.USAGE_FAILURE)
    return body


@app.command("list")
def list_services(
    name: Flag = None,
    status: Annotated[str | None, typer.Option(help="RUNNING, STOPPED, ...", show_default=False)] = None,
    workspace: Annotated[str | None, typer.Option(help="Workspace id.", show_default=False)] = None,
    service_type: Annotated[
        str | None, typer.Option("--type", help="REAL_TIME or ASYNC_REAL_TIME.", show_default=False)
    ] = None,
    auth_type: Annotated[str | None, typer.Option(help="TOKEN, API_KEY or NONE.", show_default=False)] = None,
    description: Annotated[
        str | None, typer.Option(help="Descriptions containing this.", show_default=False)
    ] = None,
    user_name: Flag = None,
    tag: Tags = None,
    sort_key: Annotated[str | None, typer.Option(help="update_at or create_at.", show_default=False)] = None,
    sort_dir: Annotated[str | None, typer.Option(help="DESC or ASC.", show_default=False)] = None,
    page_size: Annotated[int, typer.Option(min=1, max=500, help="Items per request.")] = 100,
    region: RegionOption = None,
    profile: ProfileOption = None,
    output: ListingOutputOption = Output.table,
) -> None:
    """List services with filters, following every page."""
    cli = Application(profile, output)
    given = {
        "name": name,
        "status": status,
        "workspace_id": workspace,
        "type": service_type,
        "auth_type": auth_type,
        "description": description,
        "user_name": user_name,
        "sort_key": sort_key,
        "sort_dir": sort_dir,
    }
    filters = cast(ServiceFilters, {key: value for key, value in given.items() if value is not None})
    if tag:
        filters["tags"] = _tags(tag)
    with cli.client(region) as client:
        cli.show_pages(client.iter_services(page_size=page_size, **filters).pages(), LIST_COLUMNS, "services")


def _show_after(
    profile: str | None, output: Output, region: str | None, call: Callable[[Client], Service]
) -> None:
    """One call on one service, then the service as the API answered it."""
    cli = Application(profile, output)
    with cli.client(region) as client:
        cli.show(call(client), SHOW_KEYS)


def _set_count(body: dict[str, Any], count: int | None) -> None:
    """--count sets the instances of the body's group config and keeps its other fields."""
    if count is None:
        return
    groups = body.get("group_configs") or [{}]
    if not isinstance(groups, list) or len(groups) != 1 or not isinstance(groups[0], dict):
        display.fail(
            '--count needs "group_configs" in --file to hold exactly one object', display.USAGE_FAILURE
        )
    body["group_configs"] = [{**groups[0], "count": count}]


def _create_body(
    file: Path | None, flags: dict[str, Any], invoke: dict[str, Any], count: int | None
) -> dict[str, Any]:
    body = _read_body(file)
    if file is None:
        body = {
            "type": "REAL_TIME",
            "deploy_type": "SINGLE",
            "group_configs": [{"count": 1}],
            "runtime_config": {"service_invoke": {"port": 8080, "protocol": "HTTP", "auth_type": "TOKEN"}},
        }
    body.update({key: value for key, value in flags.items() if value is not None})
    if any(value is not None for value in invoke.values()):
        runtime = body.setdefault("runtime_config", {}).setdefault("service_invoke", {})
        runtime.update({key: value for key, value in invoke.items() if value is not None})
    _set_count(body, count)
    if "name" not in body:
        display.fail('a name is required: --name, or "name" in --file', display.USAGE_FAILURE)
    return body


@app.command("create")
def create_service(
    file: BodyFile = None,
    name: Flag = None,
    workspace: Annotated[
        str | None, typer.Option(help="Workspace id (default: 0).", show_default=False)
    ] = None,
    service_type: Annotated[
        str | None,
        typer.Option("--type", help="REAL_TIME (the default) or ASYNC_REAL_TIME.", show_default=False),
    ] = None,
    deploy_type: Annotated[
        str | None, typer.Option(help="SINGLE (the default) or MULTI.", show_default=False)
    ] = None,
    version: Annotated[str | None, typer.Option(help="N.N.N (default: 1.0.0).", show_default=False)] = None,
    description: Flag = None,
    task_type: Flag = None,
    port: Annotated[
        int | None, typer.Option(help="Port the model listens on (default: 8080).", show_default=False)
    ] = None,
    protocol: Annotated[
        str | None, typer.Option(help="HTTP (the default), HTTPS, WS or WSS.", show_default=False)
    ] = None,
    auth_type: Annotated[
        str | None,
        typer.Option(
            help="TOKEN (the default), API_KEY or NONE (NONE lets MaaS front it).", show_default=False
        ),
    ] = None,
    count: Annotated[int | None, typer.Option(help="Instances (default: 1).", show_default=False)] = None,
    tag: Tags = None,
    upstream_url: Annotated[
        str | None,
        typer.Option(help="openmaas extension: RUNNING once this URL answers.", show_default=False),
    ] = None,
    region: RegionOption = None,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Create a service from flags or from a JSON body (--file)."""
    cli = Application(profile, output)
    flags: dict[str, Any] = {
        "name": name,
        "workspace_id": workspace,
        "type": service_type,
        "deploy_type": deploy_type,
        "version": version,
        "description": description,
        "task_type": task_type,
        "upstream_url": upstream_url,
    }
    if tag:
        flags["tags"] = [{"key": key, "value": value} for key, value in _tags(tag).items()]
    body = _create_body(file, flags, {"port": port, "protocol": protocol, "auth_type": auth_type}, count)
    with cli.client(region) as client:
        cli.show(client.create_service(body), SHOW_KEYS)


@app.command("show")
def show_service(
    service_id: ServiceId,
    region: RegionOption = None,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Show one service."""
    _show_after(profile, output, region, lambda client: client.show_service(service_id))


@app.command("update")
def update_service(
    service_id: ServiceId,
    file: BodyFile = None,
    description: Flag = None,
    version: Flag = None,
    count: Annotated[int | None, typer.Option(help="Instances.", show_default=False)] = None,
    region: RegionOption = None,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Update a service; anything but the description makes a new version."""
    cli = Application(profile, output)
    body = _read_body(file)
    body.update(
        {
            key: value
            for key, value in {"description": description, "version": version}.items()
            if value is not None
        }
    )
    _set_count(body, count)
    if not body:
        display.fail("nothing to update: give --file or a field flag", display.USAGE_FAILURE)
    with cli.client(region) as client:
        cli.show(client.update_service(service_id, body), SHOW_KEYS)


@app.command("start")
def start_service(
    service_id: ServiceId,
    region: RegionOption = None,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Start a stopped or failed service."""
    _show_after(profile, output, region, lambda client: client.start_service(service_id))


@app.command("stop")
def stop_service(
    service_id: ServiceId,
    region: RegionOption = None,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Stop a service."""
    _show_after(profile, output, region, lambda client: client.stop_service(service_id))


@app.command("delete")
def delete_services(
    service_ids: Annotated[list[str], typer.Argument(help="Service ids.")],
    region: RegionOption = None,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Delete services (they answer DELETING, then disappear)."""
    cli = Application(profile, output)
    with cli.client(region) as client:
        deleted = client.delete_services(service_ids)
    if cli.json:
        display.emit_json(deleted.raw)
    else:
        display.table(["id", "name", "status"], deleted.raw["service_responses"])


@app.command("versions")
def list_versions(
    service_id: ServiceId,
    page_size: Annotated[int, typer.Option(min=1, max=500, help="Items per request.")] = 100,
    region: RegionOption = None,
    profile: ProfileOption = None,
    output: ListingOutputOption = Output.table,
) -> None:
    """List the versions of a service's deployment, newest first."""
    cli = Application(profile, output)
    with cli.client(region) as client:
        deployments = client.list_deployments(service_id)
        if not deployments.items:
            display.fail(f"service {service_id} has no deployment")
        pager = client.iter_versions(service_id, deployments.items[0].id, page_size=page_size)
        cli.show_pages(pager.pages(), VERSION_COLUMNS, "versions")
