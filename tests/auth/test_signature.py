"""The AK/SK verifier against signatures made by the official SDK's signer (CONTRACT 3, D-5).

The vectors were computed once with ``huaweicloudsdkcore.signer.signer.Signer`` 3.1.219 (AK, SK and
X-Sdk-Date fixed) and pasted here, so these tests need neither the SDK nor a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest

from openmaas.auth.signature import (
    SignatureRejected,
    SignedRequest,
    canonical_query,
    canonical_request,
    canonical_uri,
    compute_signature,
    is_signed,
    parse_authorization,
    verify,
)

AK = "QTWAOYTTINDUT2QVKYUC"
SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
DATE = "20261130T040627Z"
SIGNED_AT = datetime(2026, 11, 30, 4, 6, 27, tzinfo=UTC)
NOW = SIGNED_AT + timedelta(minutes=1)
PROJECT = "0123456789abcdef0123456789abcdef"
AGENT = "huaweicloud-usdk-python/3.0"


@dataclass(frozen=True)
class Vector:
    method: str
    uri: str
    headers: dict[str, str]
    body: bytes
    signed_headers: str
    signature: str

    @property
    def authorization(self) -> str:
        return f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders={self.signed_headers}, Signature={self.signature}"


# A path segment ("my svc:é") and a query value ("a b&c=d/é") that need percent-encoding, a
# repeated query key (tags, signed sorted by value) and an integer value.
GET_WITH_QUERY = Vector(
    method="GET",
    uri=(
        f"/v2/{PROJECT}/services/my%20svc%3A%C3%A9"
        "?limit=10&name=a%20b%26c%3Dd%2F%C3%A9&tags=k1%7Cv&tags=k2%7Cv"
    ),
    headers={
        "X-Sdk-Date": DATE,
        "Host": "127.0.0.1:8080",
        "Content-Type": "application/json",
        "User-Agent": AGENT,
        "X-Project-Id": PROJECT,
    },
    body=b"",
    signed_headers="content-type;host;user-agent;x-project-id;x-sdk-date",
    signature="66b6696909c812104453e00d2541b0462bcb22a181a806588d67eca2888e79df",
)

# A JSON body as the SDK serializes it (ASCII-escaped).
POST_JSON = Vector(
    method="POST",
    uri=f"/v2/{PROJECT}/services",
    headers={
        "X-Sdk-Date": DATE,
        "Host": "127.0.0.1:8080",
        "Content-Type": "application/json",
        "User-Agent": AGENT,
        "X-Project-Id": PROJECT,
    },
    body=(b'{"name": "svc-1", "description": "\\u4e2d\\u6587 & <x>", "tags": [{"key": "k", "value": "v"}]}'),
    signed_headers="content-type;host;user-agent;x-project-id;x-sdk-date",
    signature="ea0fcb6cb521b5d3b5aaa69568bc2426a9ca35e978f1f0fb3c9f4b65f26b55eb",
)

# A raw UTF-8 body, a non-ASCII path segment beside the unreserved "~_.-", a bool and an empty value.
PUT_UTF8 = Vector(
    method="PUT",
    uri=f"/v1/{PROJECT}/workspaces/%E5%B7%A5%E4%BD%9C~a_b.c-d?empty=&flag=true",
    headers={
        "X-Sdk-Date": DATE,
        "Host": "127.0.0.1:8080",
        "Content-Type": "application/json;charset=UTF-8",
        "User-Agent": AGENT,
    },
    body='{"description": "新版本 ünïcode", "weight": 100}'.encode(),
    signed_headers="content-type;host;user-agent;x-sdk-date",
    signature="34622f47dad64508add7dece6863f551e319356006ed7431bc27cadd3e59d993",
)

VECTORS = [GET_WITH_QUERY, POST_JSON, PUT_UTF8]


def as_received(vector: Vector, *, extra: dict[str, str] | None = None) -> SignedRequest:
    """The request as an ASGI server hands it over: decoded path, raw query, lower-case raw headers."""
    raw_path, _, query = vector.uri.partition("?")
    headers = [
        (name.lower().encode(), value.encode()) for name, value in {**vector.headers, **(extra or {})}.items()
    ]
    return SignedRequest(
        method=vector.method,
        path=unquote(raw_path),
        query_string=query.encode(),
        headers=headers,
        body=vector.body,
    )


def check(request: SignedRequest, vector: Vector, now: datetime = NOW, secret: str = SK) -> datetime:
    return verify(request, parse_authorization(vector.authorization), secret, now)


@pytest.mark.parametrize("vector", VECTORS, ids=["get-query", "post-json", "put-utf8"])
def test_sdk_signature_is_reproduced_and_accepted(vector: Vector) -> None:
    """CONTRACT 3: the canonical request is rebuilt exactly as the SDK builds it."""
    request = as_received(vector)
    canonical = canonical_request(request, vector.signed_headers.split(";"))
    assert compute_signature(SK, canonical, DATE) == vector.signature
    assert check(request, vector) == SIGNED_AT


def test_canonical_parts_match_the_sdk_encoding() -> None:
    """Every segment re-encoded with only A-Za-z0-9_.-~ kept, a trailing slash; sorted, encoded query."""
    assert canonical_uri(f"/v2/{PROJECT}/services/my svc:é") == (f"/v2/{PROJECT}/services/my%20svc%3A%C3%A9/")
    assert canonical_uri("/v1/p/workspaces/工作~a_b.c-d/") == "/v1/p/workspaces/%E5%B7%A5%E4%BD%9C~a_b.c-d/"
    assert canonical_query(b"tags=k2%7Cv&limit=10&tags=k1%7Cv&name=a+b") == (
        "limit=10&name=a%20b&tags=k1%7Cv&tags=k2%7Cv"
    )
    assert canonical_query(b"") == ""


def test_unsigned_extra_headers_do_not_matter() -> None:
    """Headers outside SignedHeaders (added by proxies or the HTTP library) are not covered."""
    request = as_received(POST_JSON, extra={"Accept-Encoding": "gzip", "Connection": "keep-alive"})
    assert check(request, POST_JSON) == SIGNED_AT


def _flip(text: str, index: int) -> str:
    return text[:index] + chr(ord(text[index]) ^ 1) + text[index + 1 :]


def _mutations(vector: Vector) -> list[tuple[str, SignedRequest]]:
    """Each single-character change to the method, path, query, a signed header value and the body."""
    base = as_received(vector)
    raw_path, _, query = vector.uri.partition("?")
    cases: list[tuple[str, SignedRequest]] = []
    for i in range(len(vector.method)):
        cases.append((f"method[{i}]", replace(base, method=_flip(vector.method, i))))
    for i in range(len(raw_path)):
        cases.append((f"path[{i}]", replace(base, path=unquote(_flip(raw_path, i)))))
    for i in range(len(query)):
        cases.append((f"query[{i}]", replace(base, query_string=_flip(query, i).encode())))
    for name in vector.signed_headers.split(";"):
        value = next(v for k, v in vector.headers.items() if k.lower() == name)
        for i in range(len(value)):
            changed = {k: (_flip(v, i) if k.lower() == name else v) for k, v in vector.headers.items()}
            cases.append((f"{name}[{i}]", as_received(replace(vector, headers=changed))))
    for i in range(len(vector.body)):
        body = bytearray(vector.body)
        body[i] ^= 1
        cases.append((f"body[{i}]", replace(base, body=bytes(body))))
    return cases


@pytest.mark.parametrize("vector", [GET_WITH_QUERY, POST_JSON], ids=["get-query", "post-json"])
def test_every_single_character_change_is_rejected(vector: Vector) -> None:
    """D-5: a change to the method, path, query, any signed header value or the body breaks the signature."""
    cases = _mutations(vector)
    parts = {label.split("[")[0] for label, _ in cases}
    assert {"method", "path", "host", "x-sdk-date", "x-project-id", "content-type"} <= parts
    assert ("query" in parts) == bool(vector.uri.partition("?")[2])
    assert ("body" in parts) == bool(vector.body)
    accepted = []
    for label, request in cases:
        try:
            check(request, vector)
        except SignatureRejected:
            continue
        accepted.append(label)
    assert accepted == []


def test_wrong_secret_is_rejected() -> None:
    with pytest.raises(SignatureRejected) as rejected:
        check(as_received(POST_JSON), POST_JSON, secret=_flip(SK, 0))
    assert rejected.value.reason == "the signature does not match the request"


def test_clock_window_is_15_minutes() -> None:
    """CONTRACT 3: X-Sdk-Date more than 15 minutes from the server clock is rejected, either way."""
    request = as_received(POST_JSON)
    assert check(request, POST_JSON, now=SIGNED_AT + timedelta(minutes=15)) == SIGNED_AT
    assert check(request, POST_JSON, now=SIGNED_AT - timedelta(minutes=15)) == SIGNED_AT
    for now in (SIGNED_AT + timedelta(minutes=15, seconds=1), SIGNED_AT - timedelta(minutes=15, seconds=1)):
        with pytest.raises(SignatureRejected) as rejected:
            check(request, POST_JSON, now=now)
        assert rejected.value.reason == "the X-Sdk-Date is more than 15 minutes away from the server clock"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"X-Sdk-Date": None}, "the X-Sdk-Date header is missing"),
        (
            {"X-Sdk-Date": "2026-11-30T04:06:27Z"},
            "the X-Sdk-Date header must be formatted as YYYYMMDDTHHMMSSZ",
        ),
        ({"X-Sdk-Date": "20261330T040627Z"}, "the X-Sdk-Date header is not a valid date"),
        ({"X-Project-Id": None}, "the signed header x-project-id is missing"),
    ],
)
def test_missing_or_malformed_headers_are_rejected(change: dict[str, str | None], reason: str) -> None:
    headers = {k: v for k, v in {**POST_JSON.headers, **change}.items() if v is not None}
    with pytest.raises(SignatureRejected) as rejected:
        check(as_received(replace(POST_JSON, headers=headers)), POST_JSON)
    assert rejected.value.reason == reason


def test_repeated_signed_header_is_rejected() -> None:
    request = as_received(POST_JSON)
    doubled = replace(
        request, headers=[*request.headers, (b"x-project-id", b"ffffffffffffffffffffffffffffffff")]
    )
    with pytest.raises(SignatureRejected) as rejected:
        check(doubled, POST_JSON)
    assert rejected.value.reason == "the header x-project-id is sent more than once"


def test_unsigned_payload_is_refused() -> None:
    """The SDK's UNSIGNED-PAYLOAD escape hatch would leave the body unsigned: openmaas refuses it."""
    request = as_received(POST_JSON, extra={"X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD"})
    with pytest.raises(SignatureRejected) as rejected:
        check(request, POST_JSON)
    assert rejected.value.reason == (
        "X-Sdk-Content-Sha256 must be the SHA-256 of the body (no unsigned payloads)"
    )


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (
            f"SDK-HMAC-SM3 Access={AK}, SignedHeaders=host, Signature={'0' * 64}",
            "the Authorization algorithm must be SDK-HMAC-SHA256",
        ),
        (
            f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host",
            "the Authorization header needs Access, SignedHeaders and Signature",
        ),
        (
            f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host, Signature=XYZ",
            "the Signature must be 64 lower-case hex digits",
        ),
        (
            f"SDK-HMAC-SHA256 Access=A/B, SignedHeaders=host, Signature={'0' * 64}",
            "the Access key id is malformed",
        ),
        (
            f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=Host;x-sdk-date, Signature={'0' * 64}",
            "SignedHeaders must list lower-case header names separated by ';'",
        ),
    ],
)
def test_malformed_authorization_is_rejected(header: str, reason: str) -> None:
    with pytest.raises(SignatureRejected) as rejected:
        parse_authorization(header)
    assert rejected.value.reason == reason


def test_only_access_key_schemes_count_as_signed() -> None:
    assert is_signed(POST_JSON.authorization)
    assert is_signed(f"SDK-HMAC-SM3 Access={AK}, SignedHeaders=host, Signature={'0' * 64}")
    assert not is_signed("Bearer abc")
    assert not is_signed(None)


def test_parsed_authorization_fields() -> None:
    parsed = parse_authorization(POST_JSON.authorization)
    assert parsed.access == AK
    assert parsed.signed_headers == ("content-type", "host", "user-agent", "x-project-id", "x-sdk-date")
    assert parsed.signature == POST_JSON.signature
