"""Sign test requests with the official SDK's own signer, so the server is checked against it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.testclient import TestClient
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

HOST = "testserver"


def signed(
    method: str,
    path: str,
    ak: str,
    sk: str,
    *,
    query: Sequence[tuple[str, Any]] = (),
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[str, dict[str, str]]:
    """The URI (path and canonical query) and headers the SDK would send for this request."""
    header_params = {"Content-Type": "application/json", "Host": HOST, **(headers or {})}
    request = SdkRequest(
        method=method,
        schema="http",
        host=HOST,
        resource_path=path,
        query_params=list(query),
        header_params=header_params,
        body=body,
    )
    Signer(BasicCredentials(ak, sk)).sign(request)
    return request.uri, dict(request.header_params)


def send_signed(
    client: TestClient,
    method: str,
    path: str,
    key: tuple[str, str],
    *,
    query: Sequence[tuple[str, Any]] = (),
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """Send it as the SDK would; the TestClient's response."""
    uri, sent_headers = signed(method, path, *key, query=query, body=body, headers=headers)
    return client.request(method, uri, content=body, headers=sent_headers)
