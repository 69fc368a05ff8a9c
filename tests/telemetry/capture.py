"""The log as an operator's collector reads it: a handler on the root logger, for a test."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from httpx import Response

from openmaas.telemetry.batches import Answers
from openmaas.telemetry.logs import TEXT_FORMAT, AccessLines, JsonLines, RequestIdText


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

    def line_of(self, answer: Response) -> dict[str, Any]:
        """The access line of ``answer``: written at the end of the server loop's turn, so waited for
        (a few milliseconds at most; 5 s before the test fails)."""
        request_id = answer.headers["X-Request-Id"]
        deadline = time.monotonic() + 5
        while True:
            mine = [line for line in self.access() if line["request_id"] == request_id]
            if mine or time.monotonic() > deadline:
                assert len(mine) == 1, f"{len(mine)} access lines of {request_id}:\n{self.text}"
                return mine[0]
            time.sleep(0.005)


def _capture(formatter: logging.Formatter, monkeypatch: pytest.MonkeyPatch) -> Iterator[CapturedLog]:
    """The root logger's records and the access lines (which bypass ``logging``) into one stream."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    monkeypatch.setattr(AccessLines, "sink", staticmethod(lambda data: stream.write(data.decode())))
    # Each batch at the end of the loop's turn, so a test reads a request's line as it is answered.
    # The wait itself is test_logs' test_access_lines_are_made_and_written_within_their_flush_period...
    monkeypatch.setattr(Answers, "FLUSH_SECONDS", 0)
    try:
        yield CapturedLog(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def json_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[CapturedLog]:
    yield from _capture(JsonLines(), monkeypatch)


@pytest.fixture
def text_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[CapturedLog]:
    yield from _capture(RequestIdText(TEXT_FORMAT), monkeypatch)
