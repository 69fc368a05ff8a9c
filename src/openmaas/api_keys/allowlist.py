"""The client-IP allowlist of an API key (data-plane facts §3, D-23, D-27): the grammar of its
entries, checked when a key is created or changed, and the match the gateway makes on every call.

An entry is a single IPv4 address (``192.168.1.1``), a range (``192.168.1.10-192.168.1.100``) or a
CIDR block with a contiguous mask (``192.168.10.0/24``, ``192.168.10.0/255.255.255.0``). Each
becomes the span of addresses it covers, as two integers, so matching a client is integer compares.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterable, Iterator

# The first and the last address an entry covers, as integers.
IpSpan = tuple[int, int]

ENTRY_SHAPES = "an IPv4 address, a range a.b.c.d-e.f.g.h or a CIDR block a.b.c.d/n"


def parse_entry(entry: str) -> IpSpan:
    """The span of one entry; ValueError saying why when it is none of the three shapes."""
    if "-" in entry:
        return _range(entry)
    if "/" in entry:
        return _block(entry)
    address = _address(entry)
    return address, address


def _address(text: str) -> int:
    try:
        # Leading zeros are refused (``010.0.0.1`` could be read as octal), as is any whitespace.
        return int(ipaddress.IPv4Address(text))
    except ValueError:
        raise ValueError(f"must be {ENTRY_SHAPES}") from None


def _range(entry: str) -> IpSpan:
    first, _, last = entry.partition("-")
    start, end = _address(first), _address(last)
    if start > end:
        raise ValueError("must be a range whose first address is not after its last")
    return start, end


def _block(entry: str) -> IpSpan:
    try:
        network = ipaddress.IPv4Network(entry, strict=False)
    except ValueError:
        raise ValueError(f"must be {ENTRY_SHAPES}, with a contiguous mask") from None
    if int(network.network_address) != int(ipaddress.IPv4Address(entry.partition("/")[0])):
        # 10.0.0.1/24 most likely means 10.0.0.0/24, but it could be a typo for 10.0.1.0/24: ask.
        raise ValueError(f"has host bits set: the block is {network.with_prefixlen}")
    return int(network.network_address), int(network.broadcast_address)


class IpAllowlist:
    """Entries parsed once; ``allows`` is then one address parse and a few integer compares."""

    __slots__ = ("_spans",)

    def __init__(self, entries: Iterable[str]) -> None:
        self._spans = tuple(sorted(_spans(entries)))

    def allows(self, client_ip: str) -> bool:
        """Whether the client address falls in an entry. An IPv6 client matches no entry, except an
        IPv4-mapped one (``::ffff:10.0.0.1``, what a dual-stack socket reports for an IPv4 client),
        which is that IPv4 client; an address that does not parse matches nothing."""
        address = _client_ipv4(client_ip)
        return address is not None and any(start <= address <= end for start, end in self._spans)


def _spans(entries: Iterable[str]) -> Iterator[IpSpan]:
    for entry in entries:
        # Every stored entry was checked when written; one edited into the store by hand that no
        # longer parses lets nobody in (fail closed) rather than fail every call with the key.
        with contextlib.suppress(ValueError):
            yield parse_entry(entry)


def _client_ipv4(client_ip: str) -> int | None:
    try:
        parsed = ipaddress.ip_address(client_ip)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address):
        mapped = parsed.ipv4_mapped
        return int(mapped) if mapped is not None else None
    return int(parsed)
