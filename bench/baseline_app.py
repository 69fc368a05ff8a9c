"""The benchmark's baseline: an ASGI app that answers every request with fixed bytes.

It runs on the same server software and settings as openmaas, with no auth and no store, so the
ratio openmaas/baseline says what openmaas costs beyond the HTTP stack itself.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import uvicorn


def make_app(body: bytes) -> Any:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body-file", type=Path, required=True)
    args = parser.parse_args()
    body = args.body_file.read_bytes()
    uvicorn.run(make_app(body), host="127.0.0.1", port=args.port, access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
