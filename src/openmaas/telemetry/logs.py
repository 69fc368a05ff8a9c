"""The log: one JSON object per line (the default) or plain text, and one line per request.

JSON lines are written with orjson, already the server's JSON writer, through a ``logging``
formatter: every logger (uvicorn's, SQLAlchemy's, ours) goes through the same handler, and an
operator can still reroute them with the standard library. The access lines, one per request, are
the exception: ``logging`` costs about 40 us a record (a record object, the caller's frame, locks, a
flush), as much as a hot listing itself, so ``AccessLines`` writes them in the same shape straight
to the stream, a batch of requests at a time (``telemetry.batches``). A record made while a request
is served carries that request's id, so an error's stack (which only the log ever shows) is found
from the ``X-Request-Id`` the client got."""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections.abc import Callable
from itertools import islice
from typing import Any, ClassVar, Generic, Literal, TypeVar

import orjson

from openmaas.telemetry.exchange import current

LogFormat = Literal["json", "text"]
# What a request leaves for its access line (the observer's record).
R = TypeVar("R")
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


def _stderr(data: bytes) -> None:
    stream = sys.stderr
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a text-only stream put in place of stderr
        stream.write(data.decode())
    else:
        stream.flush()  # what logging wrote before, first (it flushes each record: nothing, usually)
        buffer.write(data)
        buffer.flush()


class AccessLines(Generic[R]):
    """The access log: one line per request, in the format of the other records, made and written a
    batch at a time (``telemetry.batches.Answers``, which hands ``write`` its batches), each line with
    its request's time. ``line_of(time, record)`` makes a line: a dict that starts with ``time``,
    ``level``, ``logger`` and ``message``, written as it is (JSON) or as ``name=value`` pairs after the
    message (text)."""

    # Where the batches go (UTF-8): the process's stderr, as the root handler's records.
    sink: ClassVar[Callable[[bytes], None]] = staticmethod(_stderr)

    def __init__(self, log_format: LogFormat, line_of: Callable[[str, R], dict[str, Any]]) -> None:
        self._encode = _json if log_format == "json" else _text
        self._clock = _SecondClock(log_format)
        self._line_of = line_of

    def write(self, batch: list[tuple[float, R]]) -> None:
        encode, line_of, stamp = self._encode, self._line_of, self._clock.stamp
        type(self).sink(b"".join([encode(line_of(stamp(when), record)) for when, record in batch]))


class _SecondClock:
    """A time as the log writes it, the second formatted once (the milliseconds are added each time)."""

    def __init__(self, log_format: LogFormat) -> None:
        self._json = log_format == "json"
        self._second = -1
        self._text = ""

    def stamp(self, when: float) -> str:
        second = int(when)
        if second != self._second:
            self._second = second
            if self._json:
                self._text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            else:
                self._text = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        millis = int(when % 1 * 1000)
        return f"{self._text}.{millis:03d}Z" if self._json else f"{self._text},{millis:03d}"


def _json(line: dict[str, Any]) -> bytes:
    return orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE)


def _text(line: dict[str, Any]) -> bytes:
    pairs = " ".join(f"{name}={value}" for name, value in islice(line.items(), 4, None))
    return f"{line['time']} INFO {line['logger']}: {line['message']} {pairs}\n".encode()
