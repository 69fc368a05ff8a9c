"""Client behaviour that needs no server: error mapping of every body shape, transport failures,
and model parsing."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from openmaas_client import Client, Token, TokenAuth, TransportError
from openmaas_client._errors import error_from

REQUEST = httpx.Request("GET", "http://127.0.0.1/v2/p/services")


def _response(status: int, content: bytes, request_id: str | None = "abc") -> httpx.Response:
    headers = {"X-Request-Id": request_id} if request_id else {}
    return httpx.Response(status, content=content, headers=headers, request=REQUEST)


def test_modelarts_body_maps_code_and_message() -> None:
    body = b'{"error_code": "ModelArts.0101", "error_msg": "Invalid parameter: x."}'
    error = error_from(_response(400, body))
    assert (error.status_code, error.error_code, error.error_msg, error.request_id) == (
        400,
        "ModelArts.0101",
        "Invalid parameter: x.",
        "abc",
    )


def test_iam_body_maps_the_http_code_as_the_sdk_does() -> None:
    """§4.4 bodies: huaweicloudsdkcore reports error.code (the HTTP status) and error.message."""
    body = b'{"error": {"code": 404, "message": "The token could not be found.", "title": "Not Found"}}'
    error = error_from(_response(404, body, request_id=None))
    assert (error.status_code, error.error_code, error.error_msg, error.request_id) == (
        404,
        "404",
        "The token could not be found.",
        None,
    )


def test_a_body_that_is_not_json_keeps_its_text() -> None:
    error = error_from(_response(502, b"Bad Gateway from a proxy"))
    assert (error.status_code, error.error_code, error.error_msg) == (502, "502", "Bad Gateway from a proxy")
    assert error.body is None


def test_unreachable_server_is_a_transport_error() -> None:
    port = 9  # discard: nothing listens there on the loopback of a test machine
    client = Client(f"http://127.0.0.1:{port}", TokenAuth("t"), project_id="0" * 32)
    with client, pytest.raises(TransportError) as caught:
        client.list_regions()
    assert str(caught.value).startswith(f"GET http://127.0.0.1:{port}/v1/{'0' * 32}/maas/services/")


def test_endpoint_must_be_an_http_url() -> None:
    with pytest.raises(ValueError, match="endpoint must be an http"):
        Client("ftp://example.invalid")


def test_token_model_parses_iam_times() -> None:
    body = {
        "expires_at": "2030-01-01T00:00:00.000000Z",
        "issued_at": "2029-12-31T00:00:00.000000Z",
        "user": {"id": "u", "name": "n", "domain": {"id": "d", "name": "dn"}},
    }
    token = Token.from_wire(body)
    assert token.expires_at == datetime(2030, 1, 1, tzinfo=UTC)
    assert token.raw == body
