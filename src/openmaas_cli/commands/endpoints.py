"""`openmaas endpoints`: MaaS custom endpoints and the disclaimer they may need (CONTRACT §6.4-§6.5)."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from openmaas_cli import display
from openmaas_cli.application import Application, ListingOutputOption, OutputOption, ProfileOption
from openmaas_cli.display import Output
from openmaas_client import Client, EndpointChanges, EndpointFields

app = typer.Typer(no_args_is_help=True, help="MaaS custom endpoints.")

COLUMNS = ["id", "endpoint_name", "status", "source", "served_model_name", "region", "rpm", "tpm"]
SHOW_KEYS = [
    "id",
    "endpoint_name",
    "status",
    "source",
    "served_model_name",
    "region",
    "workspace_id",
    "infer_service_id",
    "rpm",
    "tpm",
    "moderation",
    "remark",
    "create_at",
    "update_at",
]
EndpointId = Annotated[str, typer.Argument(help="Custom endpoint id.")]
Rpm = Annotated[
    int | None, typer.Option(min=1, help="Requests per minute (none: no throttling).", show_default=False)
]
Tpm = Annotated[
    int | None, typer.Option(min=1, help="Tokens per minute (none: no throttling).", show_default=False)
]
Remark = Annotated[str | None, typer.Option(help="Remark, up to 256 characters.", show_default=False)]
Moderation = Annotated[
    bool | None,
    typer.Option(
        "--moderation/--no-moderation",
        help="Content moderation (off needs the agreement).",
        show_default=False,
    ),
]
AgreementId = Annotated[str | None, typer.Option(help="Id of the accepted disclaimer.", show_default=False)]
Accept = Annotated[
    bool, typer.Option("--accept-agreement", help="Accept the latest disclaimer (see `endpoints agreement`).")
]


def _agreement(client: Client, agreement_id: str | None, accept: bool) -> str | None:
    return client.show_agreement().agreement_id if accept and not agreement_id else agreement_id


@app.command("create")
def create_endpoint(
    name: Annotated[str, typer.Argument(help="Endpoint name, unique in your account forever.")],
    service: Annotated[
        str | None, typer.Option(help="Id of a ModelArts service to front.", show_default=False)
    ] = None,
    region: Annotated[str | None, typer.Option(help="Region of that service.", show_default=False)] = None,
    workspace: Annotated[str, typer.Option(help="Workspace of that service.")] = "0",
    model_name: Annotated[
        str | None, typer.Option(help="A preset model instead of a service.", show_default=False)
    ] = None,
    rpm: Rpm = None,
    tpm: Tpm = None,
    remark: Remark = None,
    moderation: Moderation = None,
    agreement_id: AgreementId = None,
    accept_agreement: Accept = False,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Create an endpoint on a ModelArts service (--service, --region) or a preset model (--model-name)."""
    if (service is None) == (model_name is None):
        display.fail("give exactly one of --service (with --region) or --model-name", display.USAGE_FAILURE)
    if service is not None and region is None:
        display.fail("--service needs --region", display.USAGE_FAILURE)
    fields = EndpointFields(source="custom_from_maas")
    if service is not None and region is not None:
        fields = EndpointFields(
            source="custom_from_modelarts_v2", region=region, workspace_id=workspace, infer_service_id=service
        )
    elif model_name is not None:
        fields["model_name"] = model_name
    cli = Application(profile, output)
    with cli.client() as client:
        _options(fields, rpm, tpm, remark, moderation, _agreement(client, agreement_id, accept_agreement))
        cli.show(client.create_endpoint(name, **fields), SHOW_KEYS)


def _options(
    changes: EndpointFields | EndpointChanges,
    rpm: int | None,
    tpm: int | None,
    remark: str | None,
    moderation: bool | None,
    agreement_id: str | None,
) -> None:
    """Add the options that were given: an option left out is not sent, so it keeps its value."""
    if rpm is not None:
        changes["rpm"] = rpm
    if tpm is not None:
        changes["tpm"] = tpm
    if remark is not None:
        changes["remark"] = remark
    if moderation is not None:
        changes["moderation"] = moderation
    if agreement_id is not None:
        changes["agreement_id"] = agreement_id


@app.command("list")
def list_endpoints(
    page_size: Annotated[int, typer.Option(min=1, max=500, help="Items per request.")] = 100,
    profile: ProfileOption = None,
    output: ListingOutputOption = Output.table,
) -> None:
    """List your custom endpoints."""
    cli = Application(profile, output)
    with cli.client() as client:
        cli.show_pages(client.iter_endpoints(page_size=page_size).pages(), COLUMNS, "endpoints")


@app.command("edit")
def edit_endpoint(
    endpoint_id: EndpointId,
    name: Annotated[str | None, typer.Option(help="New name.", show_default=False)] = None,
    rpm: Rpm = None,
    tpm: Tpm = None,
    remark: Remark = None,
    moderation: Moderation = None,
    agreement_id: AgreementId = None,
    accept_agreement: Accept = False,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Change an endpoint's name, limits, remark or moderation (its service cannot change)."""
    cli = Application(profile, output)
    with cli.client() as client:
        changes = EndpointChanges()
        _options(changes, rpm, tpm, remark, moderation, _agreement(client, agreement_id, accept_agreement))
        if name is not None:
            changes["endpoint_name"] = name
        if not changes:
            display.fail("nothing to change: give at least one option", display.USAGE_FAILURE)
        cli.show(client.edit_endpoint(endpoint_id, **changes), SHOW_KEYS)


@app.command("delete")
def delete_endpoint(
    endpoint_id: EndpointId, profile: ProfileOption = None, output: OutputOption = Output.table
) -> None:
    """Delete an endpoint (its name stays used)."""
    cli = Application(profile, output)
    with cli.client() as client:
        client.delete_endpoint(endpoint_id)
    cli.done(f"endpoint {endpoint_id} deleted")


@app.command("activate")
def activate_endpoint(
    endpoint_id: EndpointId, profile: ProfileOption = None, output: OutputOption = Output.table
) -> None:
    """Enable an endpoint."""
    cli = Application(profile, output)
    with cli.client() as client:
        client.activate_endpoint(endpoint_id)
    cli.done(f"endpoint {endpoint_id} activated")


@app.command("deactivate")
def deactivate_endpoint(
    endpoint_id: EndpointId, profile: ProfileOption = None, output: OutputOption = Output.table
) -> None:
    """Disable an endpoint."""
    cli = Application(profile, output)
    with cli.client() as client:
        client.deactivate_endpoint(endpoint_id)
    cli.done(f"endpoint {endpoint_id} deactivated")


USAGE_COLUMNS = ["minute", "calls", "errors", "prompt_tokens", "completion_tokens", "total_tokens"]
MINUTE_MS = 60_000


@app.command("usage")
def endpoint_usage(
    endpoint: Annotated[str, typer.Argument(help="Custom endpoint name (or id).")],
    minutes: Annotated[int, typer.Option(min=1, max=30 * 24 * 60, help="How far back to look.")] = 60,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Calls, errors and tokens of an endpoint per minute (the data plane's usage)."""
    cli = Application(profile, output)
    with cli.client() as client:
        endpoint_id = _endpoint_id(client, endpoint)
        end = int(time.time() * 1000)
        usage = client.endpoint_usage(endpoint_id, start_time=end - minutes * MINUTE_MS, end_time=end)
    if cli.json:
        display.emit_json(usage.raw)
        return
    title = f"{usage.endpoint_name}: the last {minutes} minutes"
    display.table(USAGE_COLUMNS, [*usage.raw["items"], {"minute": "total", **usage.raw["totals"]}], title)


def _endpoint_id(client: Client, name_or_id: str) -> str:
    """The id of the live endpoint with that name, or the argument itself if one has that id."""
    for page in client.iter_endpoints().pages():
        for item in page.items:
            if name_or_id in (item.endpoint_name, item.id):
                return item.id
    display.fail(f"no custom endpoint named {name_or_id}", display.API_FAILURE)


@app.command("agreement")
def show_agreement(
    lang: Annotated[str, typer.Option(help="en or zh.")] = "en",
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """The latest disclaimer to accept before turning moderation off."""
    cli = Application(profile, output)
    with cli.client() as client:
        cli.show(client.show_agreement(lang))
