"""`openmaas regions`: the regions a custom endpoint may front a service in (CONTRACT §6.1)."""

from __future__ import annotations

from typing import Any

import typer

from openmaas_cli import display
from openmaas_cli.application import Application, OutputOption, ProfileOption
from openmaas_cli.display import Output

app = typer.Typer(no_args_is_help=True, help="MaaS regions.")


def _row(item: dict[str, Any]) -> dict[str, Any]:
    locales = item.get("locales") or {}
    return {"region_id": item.get("region_id"), "en_us": locales.get("en_us"), "zh_cn": locales.get("zh_cn")}


@app.command("list")
def list_regions(profile: ProfileOption = None, output: OutputOption = Output.table) -> None:
    """List the configured regions."""
    cli = Application(profile, output)
    with cli.client() as client:
        page = client.list_regions()
    if cli.json:
        display.emit_json(page.raw)
    else:
        display.table(["region_id", "en_us", "zh_cn"], (_row(item.raw) for item in page.items))
