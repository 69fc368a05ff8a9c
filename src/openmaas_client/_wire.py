"""Requests as data: a :class:`Call` says what to send and how to read the answer; :class:`Wire`
turns one into an ``httpx.Request``. Nothing here does I/O, so sync and async clients share it all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from openmaas_client._errors import InvalidEndpoint, unexpected_answer
from openmaas_client._signer import canonical_query

T = TypeVar("T")

# A conversation with the server: yields the requests to send, receives each response, returns T.
Flow = Generator[httpx.Request, httpx.Response, T]

PROJECT = "{project_id}"
USER_AGENT = "openmaas-client/0.1"


@dataclass(frozen=True)
class Call(Generic[T]):
    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    query: tuple[tuple[str, str], ...] = ()
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    authenticated: bool = True

    @property
    def needs_project(self) -> bool:
        return PROJECT in self.path

    def read(self, response: httpx.Response) -> T:
        """The answer parsed; a body of another shape is an ``OpenMaasError`` naming the URL."""
        try:
            return self.parse(response)
        except (LookupError, TypeError, ValueError) as error:
            raise unexpected_answer(response, error) from error


def json_object(response: httpx.Response) -> dict[str, Any]:
    body = json.loads(response.content)
    if not isinstance(body, dict):
        raise TypeError("the body is not a JSON object")
    return body


def json_list(body: Mapping[str, Any], key: str) -> list[Any]:
    found = body[key]
    if not isinstance(found, list):
        raise TypeError(f"{key!r} is not a list")
    return found


def segment(value: str) -> str:
    """A path parameter, percent-encoded like the SDKs encode theirs (nothing is safe)."""
    return quote(value, safe="")


def query(**params: Any) -> tuple[tuple[str, str], ...]:
    """Query pairs without the ``None`` ones; booleans as ``true``/``false``."""
    pairs = []
    for key, value in params.items():
        if value is None:
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        pairs.append((key, text))
    return tuple(pairs)


def encode_body(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class Outgoing:
    """A request being prepared: authentication adds its headers here before it is built."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]
    body: bytes


class Wire:
    """Where the server is, and how a prepared request becomes an ``httpx.Request``."""

    def __init__(self, endpoint: str) -> None:
        try:
            url = httpx.URL(endpoint)
        except httpx.InvalidURL as error:
            raise InvalidEndpoint(f"endpoint {endpoint!r} is not a valid URL: {error}") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise InvalidEndpoint(f"endpoint must be an http(s) URL with a host, got {endpoint!r}")
        parts = urlsplit(endpoint)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = parts.path.rstrip("/")
        self.host = parts.netloc

    def outgoing(self, call: Call[Any], project_id: str | None) -> Outgoing:
        path = call.path.replace(PROJECT, segment(project_id or ""))
        headers = {
            "Host": self.host,
            "User-Agent": USER_AGENT,
            # Sent on every call, so that a server with the strict Content-Type check (D-2) accepts GETs.
            "Content-Type": "application/json",
            **call.headers,
        }
        body = encode_body(call.body) if call.body is not None else b""
        return Outgoing(call.method, self.prefix + path, call.query, headers, body)

    def build(self, outgoing: Outgoing) -> httpx.Request:
        # The query is sent in its canonical form, so the signed text is exactly what goes out.
        text = canonical_query(outgoing.query)
        url = self.origin + outgoing.path + (f"?{text}" if text else "")
        return httpx.Request(outgoing.method, url, headers=outgoing.headers, content=outgoing.body or None)
