"""The log: one JSON object per line (the default) or plain text, and one line per request.

JSON lines are written with orjson, already the server's JSON writer, through a ``logging``
formatter: every logger (uvicorn's, SQLAlchemy's, ours) goes through the same handler, and an
operator can still reroute them with the standard library. The access lines, one per request, are
the exception: ``logging`` costs about 40 us a record (a record object, the caller's frame, locks, a
flush), as much as a hot listing itself, so ``AccessLines`` writes them in the same shape straight
to the stream, in batches while requests are in flight. A record made while a request is served
carries that request's id, so an error's stack (which only the log ever shows) is found from the
``X-Request-Id`` the client got."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any, ClassVar, Literal

import orjson

from openmaas.telemetry.exchange import current

LogFormat = Literal["json", "text"]
ACCESS_LOGGER = "openmaas.access"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The standard attributes of a LogRecord: anything else on a record came through ``extra``.
# uvicorn's ``color_message`` is its message again, with terminal colours.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _utc(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        exchange = current()
        if exchange is not None and exchange.request_id:
            line["request_id"] = exchange.request_id
        for name, value in record.__dict__.items():
            if name not in _STANDARD:
                line[name] = value
        if record.exc_info:
            line["stack"] = "".join(traceback.format_exception(*record.exc_info))
        return orjson.dumps(line, default=str).decode()


class RequestIdText(logging.Formatter):
    """Plain text, with the request's id after the message of a record made while one is served."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        exchange = current()
        if exchange is not None and exchange.request_id:
            first, newline, rest = text.partition("\n")
            text = f"{first} request_id={exchange.request_id}{newline}{rest}"
        return text


def configure(log_format: LogFormat, level: int = logging.INFO) -> None:
    """One handler on the root logger, to stderr, in the chosen format; replaces any other."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if log_format == "json" else RequestIdText(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic narrates every plugin it loads at INFO; its warnings are what an operator needs.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _utc(created: float) -> str:
    seconds = time.gmtime(created)
    return time.strftime("%Y-%m-%dT%H:%M:%S", seconds) + f".{int(created % 1 * 1000):03d}Z"


def _stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


class AccessLines:
    """The access log: one line per request, in the format of the other records, written in batches.

    A line is written at the end of the event loop's turn that answered it: one write for all the
    requests a busy loop answers in one turn, and at once on an idle server. A batch of ``BATCH``
    lines is written without waiting; ``flush`` writes what is pending (the server calls it as it
    stops)."""

    BATCH = 256
    # Where the batches go: the process's stderr, as the root handler's records.
    sink: ClassVar[Callable[[str], None]] = staticmethod(_stderr)

    def __init__(self, log_format: LogFormat) -> None:
        self._line = _access_json if log_format == "json" else _access_text
        self._pending: list[str] = []
        self._clock = _SecondClock()

    def add(self, fields: dict[str, Any]) -> None:
        """``fields`` starts with the line's ``message``; the line's time and logger are added here."""
        if not self._pending:
            asyncio.get_running_loop().call_soon(self.flush)
        self._pending.append(self._line(self._clock, fields))
        if len(self._pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            type(self).sink(text)


class _SecondClock:
    """Now, as the log writes it, formatted once a second (the milliseconds are added each time)."""

    def __init__(self) -> None:
        self._second = -1
        self._utc = self._local = ""

    def stamps(self) -> tuple[str, str, int]:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._utc = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._local = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return self._utc, self._local, int(now % 1 * 1000)


def _access_json(clock: _SecondClock, fields: dict[str, Any]) -> str:
    utc, _local, millis = clock.stamps()
    head = {"time": f"{utc}.{millis:03d}Z", "level": "info", "logger": ACCESS_LOGGER}
    return orjson.dumps(head | fields, option=orjson.OPT_APPEND_NEWLINE).decode()


def _access_text(clock: _SecondClock, fields: dict[str, Any]) -> str:
    _utc, local, millis = clock.stamps()
    _message, *pairs = (f"{name}={value}" for name, value in fields.items())
    return f"{local},{millis:03d} INFO {ACCESS_LOGGER}: {fields['message']} {' '.join(pairs)}\n"
