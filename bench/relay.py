"""A byte relay: every connection accepted on --port is piped, both ways, to --upstream (host:port).

The floor for any gateway in bench/gateway.py: what one more process between the client and the model
server costs on this machine (two more hops through the kernel and the scheduler), with no HTTP at all.

    python bench/relay.py --port 9001 --upstream 127.0.0.1:9000
"""

from __future__ import annotations

import argparse
import asyncio


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def serve(port: int, host: str, upstream_port: int) -> None:
    async def relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(host, upstream_port)
        both = (pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))
        await asyncio.gather(*both, return_exceptions=True)

    server = await asyncio.start_server(relay, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="host:port")
    args = parser.parse_args()
    host, _, port = args.upstream.rpartition(":")
    asyncio.run(serve(args.port, host, int(port)))


if __name__ == "__main__":
    main()
