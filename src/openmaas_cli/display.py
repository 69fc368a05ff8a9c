"""All CLI output goes through here: tables and messages for people, errors on stderr."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """An expected failure: a message on stderr and a non-zero exit, never a traceback."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)
