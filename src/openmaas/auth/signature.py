"""AK/SK request signatures (``SDK-HMAC-SHA256``, CONTRACT 3), checked as the official SDK signs.

The canonical request mirrors ``huaweicloudsdkcore/signer/signer.py``: the method; every path
segment percent-decoded then encoded again (only ``A-Za-z0-9_.-~`` kept) with a trailing ``/``; the
query pairs sorted and encoded the same way; each signed header as ``name:value`` trimmed and
newline-terminated; the signed header names; the SHA-256 of the body. The server rebuilds it from
what it will actually serve (the decoded path and the query pairs the route reads), so a signature
covers exactly the request the handler sees.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "x-sdk-date"
CONTENT_HASH_HEADER = "x-sdk-content-sha256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_CLOCK_SKEW = timedelta(minutes=15)
EMPTY_BODY_HASH = hashlib.sha256(b"").hexdigest()

_DATE = re.compile(r"^\d{8}T\d{6}Z\Z")
_SIGNATURE = re.compile(r"^[0-9a-f]{64}\Z")
_HEADER_NAME = re.compile(r"^[a-z0-9-]+\Z")
# The SDK's AKs are 20 upper-case alphanumerics; accept a little more, never anything odd.
_ACCESS = re.compile(r"^[A-Za-z0-9]{1,64}\Z")


class SignatureRejected(Exception):
    """The request's AK/SK signature does not hold; ``reason`` is safe to show the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SignedAuthorization:
    access: str
    signed_headers: tuple[str, ...]
    signature: str


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What the canonical request is built from, as received."""

    method: str
    path: str
    query_string: bytes
    headers: Sequence[tuple[bytes, bytes]]
    body: bytes


def is_signed(authorization: str | None) -> bool:
    # Any AK/SK scheme counts, so an unsupported algorithm (SM3, derived keys) gets the AK/SK answer.
    return authorization is not None and "Access=" in authorization


def parse_authorization(value: str) -> SignedAuthorization:
    """``SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex``."""
    algorithm, _, rest = value.partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureRejected(f"the Authorization algorithm must be {ALGORITHM}")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, separator, field_value = part.strip().partition("=")
        if separator:
            fields[name] = field_value
    access, names, signature = fields.get("Access"), fields.get("SignedHeaders"), fields.get("Signature")
    if not access or not names or not signature:
        raise SignatureRejected("the Authorization header needs Access, SignedHeaders and Signature")
    if not _ACCESS.match(access):
        raise SignatureRejected("the Access key id is malformed")
    if not _SIGNATURE.match(signature):
        raise SignatureRejected("the Signature must be 64 lower-case hex digits")
    signed_headers = tuple(names.split(";"))
    if any(not _HEADER_NAME.match(name) for name in signed_headers):
        raise SignatureRejected("SignedHeaders must list lower-case header names separated by ';'")
    return SignedAuthorization(access, signed_headers, signature)


def signing_time(date_value: str, now: datetime) -> datetime:
    """The ``X-Sdk-Date`` instant, refused when malformed or over 15 minutes off ``now``."""
    if not _DATE.match(date_value):
        raise SignatureRejected("the X-Sdk-Date header must be formatted as YYYYMMDDTHHMMSSZ")
    try:
        signed_at = datetime.strptime(date_value, DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureRejected("the X-Sdk-Date header is not a valid date") from None
    if abs(now - signed_at) > MAX_CLOCK_SKEW:
        raise SignatureRejected("the X-Sdk-Date is more than 15 minutes away from the server clock")
    return signed_at


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_uri(path: str) -> str:
    """``path`` is already percent-decoded, as the SDK decodes its resource path before encoding."""
    encoded = "/".join(_encode(segment) for segment in path.split("/"))
    return encoded if encoded.endswith("/") else encoded + "/"


def canonical_query(query_string: bytes) -> str:
    # Parsed exactly as Starlette parses it for the route, so the signature covers what is served.
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in sorted(pairs))


def _header_text(raw: bytes) -> str:
    # The SDK signs the str value and sends its UTF-8 bytes; surrogateescape keeps odd bytes exact.
    return raw.decode("utf-8", "surrogateescape").strip()


def optional_header(headers: Iterable[tuple[bytes, bytes]], name: str) -> str | None:
    """One header's trimmed value; a signed request must not repeat a header it relies on."""
    values = [_header_text(value) for raw, value in headers if raw.decode("latin-1").lower() == name]
    if len(values) > 1:
        raise SignatureRejected(f"the header {name} is sent more than once")
    return values[0] if values else None


def header_values(headers: Sequence[tuple[bytes, bytes]], names: Sequence[str]) -> dict[str, str]:
    """The values of the signed headers, each sent exactly once."""
    values: dict[str, str] = {}
    for name in names:
        value = optional_header(headers, name)
        if value is None:
            raise SignatureRejected(f"the signed header {name} is missing")
        values[name] = value
    return values


def payload_hash(body: bytes, declared: str | None) -> str:
    actual = hashlib.sha256(body).hexdigest() if body else EMPTY_BODY_HASH
    # The SDK would sign a declared X-Sdk-Content-Sha256 instead of the body; openmaas accepts it
    # only when it is the body's true hash, so the payload is always covered by the signature.
    if declared is not None and body and declared != actual:
        raise SignatureRejected("X-Sdk-Content-Sha256 must be the SHA-256 of the body (no unsigned payloads)")
    return actual


def canonical_request(request: SignedRequest, signed_headers: Sequence[str]) -> str:
    values = header_values(request.headers, signed_headers)
    declared = optional_header(request.headers, CONTENT_HASH_HEADER)
    canonical_headers = "".join(f"{name}:{values[name]}\n" for name in signed_headers)
    return "\n".join(
        [
            request.method.upper(),
            canonical_uri(request.path),
            canonical_query(request.query_string),
            canonical_headers,
            ";".join(signed_headers),
            payload_hash(request.body, declared),
        ]
    )


def string_to_sign(canonical: str, date_value: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{ALGORITHM}\n{date_value}\n{digest}"


def compute_signature(secret: str, canonical: str, date_value: str) -> str:
    message = string_to_sign(canonical, date_value).encode("utf-8", "surrogateescape")
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    request: SignedRequest, authorization: SignedAuthorization, secret: str, now: datetime
) -> datetime:
    """Check the signature (in constant time) and the clock window; answer the signing time."""
    date_value = optional_header(request.headers, DATE_HEADER)
    if date_value is None:
        raise SignatureRejected("the X-Sdk-Date header is missing")
    signed_at = signing_time(date_value, now)
    expected = compute_signature(secret, canonical_request(request, authorization.signed_headers), date_value)
    if not hmac.compare_digest(expected.encode(), authorization.signature.encode()):
        raise SignatureRejected("the signature does not match the request")
    return signed_at
