"""The log as an operator's collector reads it: a handler on the root logger, for a test."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from openmaas.telemetry.logs import TEXT_FORMAT, JsonLines, RequestIdText


class CapturedLog:
    """What the server wrote to its log handler, formatted at the moment of writing (so a record made
    under a request carries that request's id), as the server's own handler formats it."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in self.text.splitlines() if line]

    def access(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["logger"] == "openmaas.access"]


def _capture(formatter: logging.Formatter) -> Iterator[CapturedLog]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield CapturedLog(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def json_log() -> Iterator[CapturedLog]:
    yield from _capture(JsonLines())


@pytest.fixture
def text_log() -> Iterator[CapturedLog]:
    yield from _capture(RequestIdText(TEXT_FORMAT))
