"""`SDK-HMAC-SHA256` request signing, as the Huawei Cloud SDKs sign (CONTRACT §3).

The canonical request is: method, canonical URI (every segment percent-encoded, trailing ``/``),
sorted and encoded query, the signed headers as ``name:value`` lines, their names joined with
``;``, and the SHA-256 of the body. Its hash is signed with HMAC-SHA256 keyed by the secret key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_BODY_HASH = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True, slots=True)
class SignableRequest:
    """What the signature covers: ``path`` as sent (percent-encoded), ``query`` as key/value pairs."""

    method: str
    path: str
    query: Sequence[tuple[str, str]]
    headers: Mapping[str, str]
    body: bytes


def encode(text: str) -> str:
    """Percent-encode everything but unreserved characters, as the SDK's ``quote(s, safe='~')``."""
    return quote(text, safe="~")


def canonical_query(query: Sequence[tuple[str, str]]) -> str:
    """Pairs sorted by key then value (a repeated key keeps every value), each part encoded."""
    return "&".join(f"{encode(key)}={encode(value)}" for key, value in sorted(query))


def canonical_uri(path: str) -> str:
    uri = "/".join(encode(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def signed_header_names(headers: Mapping[str, str]) -> list[str]:
    # The SDK leaves out any header whose name holds an underscore.
    return sorted(name.lower() for name in headers if "_" not in name)


def canonical_request(request: SignableRequest, signed_names: Sequence[str]) -> str:
    values = {name.lower(): value.strip() for name, value in request.headers.items()}
    header_lines = "".join(f"{name}:{values[name]}\n" for name in signed_names)
    body_hash = hashlib.sha256(request.body).hexdigest() if request.body else EMPTY_BODY_HASH
    return "\n".join(
        [
            request.method.upper(),
            canonical_uri(request.path),
            canonical_query(request.query),
            header_lines,
            ";".join(signed_names),
            body_hash,
        ]
    )


def signature(request: SignableRequest, secret_key: str, signed_names: Sequence[str], when: datetime) -> str:
    canonical = canonical_request(request, signed_names)
    string_to_sign = "\n".join(
        [ALGORITHM, when.strftime(DATE_FORMAT), hashlib.sha256(canonical.encode()).hexdigest()]
    )
    return hmac.new(secret_key.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def authorization(request: SignableRequest, access_key: str, secret_key: str) -> str:
    """The ``Authorization`` value; ``request.headers`` must already hold ``X-Sdk-Date`` and ``Host``."""
    when = datetime.strptime(_header(request.headers, DATE_HEADER), DATE_FORMAT)
    names = signed_header_names(request.headers)
    signed = signature(request, secret_key, names, when)
    return f"{ALGORITHM} Access={access_key}, SignedHeaders={';'.join(names)}, Signature={signed}"


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    raise ValueError(f"the request to sign has no {name} header")
