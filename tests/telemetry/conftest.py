"""Fixtures for the telemetry tests: the captured log, and a store that fails under a request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from tests.telemetry.capture import json_log, text_log

__all__ = ["json_log", "text_log"]


@pytest.fixture
def workspaces_away(engine: Engine) -> Iterator[None]:
    """The workspaces table out of the store's reach for a moment (a store that fails under a request),
    then back."""
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE workspaces RENAME TO workspaces_away"))
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE workspaces_away RENAME TO workspaces"))
