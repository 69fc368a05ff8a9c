"""All CLI output goes through here: tables and messages for people, JSON for scripts, progress and
errors on stderr."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

console = Console()
errors = Console(stderr=True, soft_wrap=True)

# Exit codes of expected failures.
API_FAILURE = 1
USAGE_FAILURE = 2  # as click exits on a bad option
CONFIGURATION_FAILURE = 3
UNREACHABLE = 4

# Keys whose integer values are epoch milliseconds (D-1), shown as UTC times to people.
TIME_KEYS = frozenset(
    {"create_at", "update_at", "create_time", "update_time", "minute", "start_time", "end_time"}
)


class Output(StrEnum):
    table = "table"
    json = "json"


def fail(message: str, code: int = API_FAILURE) -> NoReturn:
    """An expected failure: a message on stderr and a non-zero exit, never a traceback."""
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def note(message: str) -> None:
    """Something for people that is not the command's result (goes to stderr, so stdout stays data)."""
    errors.print(message, highlight=False, markup=False)


def emit_json(body: Any) -> None:
    """One JSON document on one line, exactly as the API sent it."""
    console.out(_dumps(body), highlight=False)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _write(text: str) -> None:
    console.out(text, end="", highlight=False)


class JsonListing:
    """One JSON document on one line, ``{"<items key>": [...], "<total key>": N}``, written item by
    item as a listing's pages arrive, so that no listing is ever held whole in memory."""

    def __init__(self, items_key: str) -> None:
        self._empty = True
        _write("{" + _dumps(items_key) + ":[")

    def add(self, item: Any) -> None:
        _write(("" if self._empty else ",") + _dumps(item))
        self._empty = False

    def close(self, total_key: str, total: int) -> None:
        _write("]," + _dumps(total_key) + ":" + _dumps(total) + "}\n")


def cell(key: str, value: Any) -> str:
    if value is None:
        return ""
    if key in TIME_KEYS and isinstance(value, int | str) and str(value).isdigit():
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def table(columns: Sequence[str], rows: Iterable[dict[str, Any]], title: str | None = None) -> None:
    """Rows (wire objects) as a table of the given keys."""
    view = Table(title=title, header_style="bold")
    for column in columns:
        # Ids are copied into the next command: never fold them across lines.
        is_id = column == "id" or column.endswith("_id")
        view.add_column(
            column.upper(), overflow="fold", no_wrap=is_id, min_width=36 if column == "id" else None
        )
    for row in rows:
        view.add_row(*(cell(column, row.get(column)) for column in columns))
    console.print(view)


def record(body: dict[str, Any], keys: Sequence[str] | None = None) -> None:
    """One object as a two-column table of field and value."""
    view = Table(show_header=False)
    view.add_column("field", style="bold")
    view.add_column("value", overflow="fold")
    for key in keys or list(body):
        if key in body:
            view.add_row(key, cell(key, body[key]))
    console.print(view)


def done(message: str) -> None:
    console.print(message, highlight=False, markup=False)


def secret(name: str, value: str) -> None:
    """A secret shown once: on a line of its own that is never folded, so that it copies whole."""
    console.print(f"{name}: {value}", highlight=False, markup=False, soft_wrap=True)


class Tracker:
    """Progress of a listing fetched page by page."""

    def __init__(self, progress: Progress | None = None, task: TaskID | None = None) -> None:
        self._progress, self._task = progress, task

    def advance(self, items: int, total: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total, advance=items)


@contextmanager
def progress(label: str) -> Iterator[Tracker]:
    """Drawn on stderr only when it is an interactive terminal, so redirected output stays clean."""
    if not errors.is_interactive:
        yield Tracker()
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    # stdout is the command's data: never let the progress display capture it onto stderr.
    with Progress(
        *columns, console=errors, transient=True, redirect_stdout=False, redirect_stderr=False
    ) as view:
        yield Tracker(view, view.add_task(label, total=None))
