"""`openmaas api-keys`: the MaaS API keys applications call the data plane with (D-20 to D-26)."""

from __future__ import annotations

from typing import Annotated

import typer

from openmaas_cli import display
from openmaas_cli.application import Application, ListingOutputOption, OutputOption, ProfileOption
from openmaas_cli.display import Output
from openmaas_client import ApiKeyChanges, ApiKeyFields

app = typer.Typer(no_args_is_help=True, help="MaaS API keys, for calling the data plane.")

COLUMNS = ["id", "label", "key_mask", "allow_all", "create_at"]
SHOW_KEYS = [
    "id",
    "label",
    "description",
    "key_mask",
    "allow_all",
    "ip_whitelist",
    "endpoint_whitelist",
    "resident_model_version_whitelist",
    "create_at",
    "update_at",
]
SHOWN_ONCE = "This is the only time the key is shown: store it now, it cannot be retrieved later."

KeyId = Annotated[str, typer.Argument(help="API key id.")]
Description = Annotated[
    str | None, typer.Option(help="Description, up to 100 characters.", show_default=False)
]
Ips = Annotated[
    list[str] | None,
    typer.Option(
        "--ip",
        help="An IPv4 address, range a.b.c.d-e.f.g.h or CIDR block that may call with the key; "
        "repeat for several.",
        show_default=False,
    ),
]
Endpoints = Annotated[
    list[str] | None,
    typer.Option(
        "--endpoint",
        help="A custom endpoint the key may call; repeat for several.",
        show_default=False,
    ),
]
Models = Annotated[
    list[str] | None,
    typer.Option(
        "--model",
        help="A model the key may call; repeat for several (none: every model).",
        show_default=False,
    ),
]


@app.command("create")
def create_api_key(
    label: Annotated[
        str | None,
        typer.Option(help="Label, unique in your account (default: ak- and 6 digits).", show_default=False),
    ] = None,
    description: Description = None,
    ip: Ips = None,
    endpoint: Endpoints = None,
    model: Models = None,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Create an API key; the key is shown now and never again. Without --ip every address may call
    with it, without --endpoint every endpoint, without --model every model."""
    fields = ApiKeyFields()
    if label is not None:
        fields["label"] = label
    if description is not None:
        fields["description"] = description
    _lists(fields, ip, endpoint, model)
    cli = Application(profile, output)
    with cli.client() as client:
        created = client.create_api_key(**fields)
    cli.show(created, SHOW_KEYS)
    if not cli.json:
        display.secret("api_key", created.api_key or "")
        display.note(SHOWN_ONCE)


def _lists(
    fields: ApiKeyFields | ApiKeyChanges,
    ips: list[str] | None,
    endpoints: list[str] | None,
    models: list[str] | None,
) -> None:
    """Add the allowlists that were given: one left out is not sent, so it keeps its value."""
    if ips:
        fields["ip_whitelist"] = ips
    if endpoints is not None:
        fields["endpoint_whitelist"] = endpoints
    if models is not None:
        fields["resident_model_version_whitelist"] = models


@app.command("list")
def list_api_keys(
    page_size: Annotated[int, typer.Option(min=1, max=500, help="Items per request.")] = 100,
    profile: ProfileOption = None,
    output: ListingOutputOption = Output.table,
) -> None:
    """List your API keys (masked)."""
    cli = Application(profile, output)
    with cli.client() as client:
        cli.show_pages(client.iter_api_keys(page_size=page_size).pages(), COLUMNS, "api keys")


@app.command("update")
def update_api_key(
    key_id: KeyId,
    description: Description = None,
    allow_all: Annotated[
        bool | None,
        typer.Option(
            "--allow-all/--no-allow-all",
            help="Every address may call (this empties the address list), or only the --ip ones.",
            show_default=False,
        ),
    ] = None,
    ip: Ips = None,
    endpoint: Endpoints = None,
    any_endpoint: Annotated[
        bool, typer.Option("--any-endpoint", help="Empty the endpoint allowlist.")
    ] = False,
    model: Models = None,
    any_model: Annotated[bool, typer.Option("--any-model", help="Empty the model allowlist.")] = False,
    profile: ProfileOption = None,
    output: OutputOption = Output.table,
) -> None:
    """Change an API key's description or allowlists (its label never changes). A list given replaces
    that list; one left out stays as it is."""
    changes = ApiKeyChanges()
    if description is not None:
        changes["description"] = description
    # Addresses only mean something for a key that does not allow every address.
    if allow_all is not None or ip:
        changes["allow_all"] = bool(allow_all)
    endpoints = _emptied(endpoint, any_endpoint, "--endpoint", "--any-endpoint")
    _lists(changes, ip, endpoints, _emptied(model, any_model, "--model", "--any-model"))
    if not changes:
        display.fail("nothing to change: give at least one option", display.USAGE_FAILURE)
    cli = Application(profile, output)
    with cli.client() as client:
        cli.show(client.update_api_key(key_id, **changes), SHOW_KEYS)


def _emptied(names: list[str] | None, empty: bool, option: str, empty_option: str) -> list[str] | None:
    """The allowlist asked for: the names, [] for the ``--any-...`` flag, None to keep it."""
    if names and empty:
        display.fail(f"give {option} or {empty_option}, not both", display.USAGE_FAILURE)
    return [] if empty else names or None


@app.command("delete")
def delete_api_key(key_id: KeyId, profile: ProfileOption = None, output: OutputOption = Output.table) -> None:
    """Delete an API key: calls with it are refused at once."""
    cli = Application(profile, output)
    with cli.client() as client:
        client.delete_api_key(key_id)
    cli.done(f"api key {key_id} deleted")
