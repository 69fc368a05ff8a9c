"""The log: one JSON object per line (the default) or plain text, and one line per request.

JSON lines are written with orjson, already the server's JSON writer, through a ``logging``
formatter: every logger (uvicorn's, SQLAlchemy's, ours) goes through the same handler, and an
operator can still reroute them with the standard library. A record made while a request is served
carries that request's id, so an error's stack (which only the log ever shows) is found from the
``X-Request-Id`` the client got."""

from __future__ import annotations

import logging
import sys
import time
import traceback
from typing import Any, Literal

import orjson

from openmaas.telemetry.exchange import current

LogFormat = Literal["json", "text"]
ACCESS_LOGGER = "openmaas.access"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The standard attributes of a LogRecord: anything else on a record came through ``extra``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


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
    """Plain text: a request's line ends with its fields as ``name=value``; any other record made
    while a request is served, with that request's id after its message."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if record.name == ACCESS_LOGGER:
            fields = (f"{name}={value}" for name, value in record.__dict__.items() if name not in _STANDARD)
            return f"{text} {' '.join(fields)}"
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
