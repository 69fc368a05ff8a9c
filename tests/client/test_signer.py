"""Our SDK-HMAC-SHA256 signer gives the official SDK's signature (huaweicloudsdkcore 3.1.219,
``signer/signer.py``) for the same request, byte for byte (CONTRACT §3)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from openmaas_client import _signer

AK, SK = "HPUAEXAMPLEACCESSKEY", "example/secret+key=="
HOST = "127.0.0.1:8080"
DATE = "20261130T041500Z"


@dataclass(frozen=True)
class _SdkCredentials:
    ak: str
    sk: str


CASES = {
    "get without body or query": ("GET", "/v1/0123abcd/maas/services/custom-endpoint/regions", [], b""),
    "path segment needing percent-encoding": ("GET", "/v2/p/services/a%20b%C3%BC%3A~x", [], b""),
    "query value needing encoding and a repeated key": (
        "GET",
        "/v2/p/services",
        [("tags", "team|blue,env|x y"), ("name", "é/ü"), ("status", "RUNNING"), ("status", "FAILED")],
        b"",
    ),
    "json body": ("POST", "/v2/p/services", [], '{"name": "svc-1", "description": "中文"}'.encode()),
    "delete with query": ("DELETE", "/v3.0/OS-CREDENTIAL/credentials/AK1", [("user_id", "u 1")], b""),
}


def _headers(body: bytes) -> dict[str, str]:
    headers = {"X-Sdk-Date": DATE, "User-Agent": "openmaas-client/0.1", "X-Project-Id": "0123abcd"}
    if body:
        headers["Content-Type"] = "application/json;charset=UTF-8"
    return headers


def _sdk_sign(method: str, path: str, query: list[tuple[str, str]], body: bytes) -> SdkRequest:
    request = SdkRequest(
        method, "http", HOST, path, query_params=list(query), header_params=_headers(body), body=body
    )
    signed: SdkRequest = Signer(_SdkCredentials(AK, SK)).sign(request)
    return signed


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_signature_equals_the_sdk_signers(case: tuple[str, str, list[tuple[str, str]], bytes]) -> None:
    method, path, query, body = case
    sdk_request = _sdk_sign(method, path, query, body)
    ours = _signer.authorization(
        _signer.SignableRequest(method, path, query, {**_headers(body), "Host": HOST}, body), AK, SK
    )
    assert ours == sdk_request.header_params["Authorization"]


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_query_is_sent_in_the_sdks_canonical_form(
    case: tuple[str, str, list[tuple[str, str]], bytes],
) -> None:
    """The SDK sends the canonical query string as the URL's query; so do we (what is signed is sent)."""
    method, path, query, body = case
    sdk_uri = _sdk_sign(method, path, query, body).uri
    ours = _signer.canonical_query(query)
    assert sdk_uri == (f"{path}?{ours}" if ours else path)


def test_a_changed_body_changes_the_signature() -> None:
    request = _signer.SignableRequest("POST", "/v2/p/services", [], {"Host": HOST, "X-Sdk-Date": DATE}, b"{}")
    changed = _signer.SignableRequest("POST", "/v2/p/services", [], {"Host": HOST, "X-Sdk-Date": DATE}, b"[]")
    assert _signer.authorization(request, AK, SK) != _signer.authorization(changed, AK, SK)


def test_underscore_headers_are_not_signed() -> None:
    headers = {"Host": HOST, "X-Sdk-Date": DATE, "X_Custom": "v"}
    assert _signer.signed_header_names(headers) == ["host", "x-sdk-date"]
