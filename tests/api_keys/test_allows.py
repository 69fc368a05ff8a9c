"""What a key lets through (D-23, D-27): client addresses against single, range and CIDR entries,
IPv6 clients, and the endpoint and model allowlists. Pure rules: no store involved."""

from __future__ import annotations

import pytest

from openmaas.api_keys.service import CallerKey, caller_key


def key(
    *ips: str, allow_all: bool = False, endpoints: tuple[str, ...] = (), models: tuple[str, ...] = ()
) -> CallerKey:
    return CallerKey(
        id="00000000-0000-4000-8000-000000000000",
        domain_id="d" * 32,
        project_id="p" * 32,
        label="k",
        allow_all=allow_all,
        ip_whitelist=ips,
        endpoint_whitelist=endpoints,
        model_whitelist=models,
    )


LIST = key("192.168.1.1", "192.168.1.10-192.168.1.100", "10.20.0.0/16", "172.16.4.0/255.255.252.0")


@pytest.mark.parametrize(
    ("client_ip", "allowed"),
    [
        # single address
        ("192.168.1.1", True),
        ("192.168.1.2", False),
        # range, bounds included
        ("192.168.1.9", False),
        ("192.168.1.10", True),
        ("192.168.1.55", True),
        ("192.168.1.100", True),
        ("192.168.1.101", False),
        # CIDR, network and broadcast addresses included
        ("10.19.255.255", False),
        ("10.20.0.0", True),
        ("10.20.255.255", True),
        ("10.21.0.0", False),
        # CIDR written with a netmask: 172.16.4.0-172.16.7.255
        ("172.16.3.255", False),
        ("172.16.4.0", True),
        ("172.16.7.255", True),
        ("172.16.8.0", False),
        # IPv6 clients match no IPv4 entry, except the IPv4-mapped form of an allowed IPv4 client
        ("::1", False),
        ("2001:db8::1", False),
        ("::ffff:192.168.1.1", True),
        ("::ffff:192.168.1.2", False),
        ("::ffff:10.20.1.1", True),
        ("fe80::1%eth0", False),
        # no address at all (a test client's name, a unix socket)
        ("testclient", False),
        ("", False),
        ("192.168.1.1 ", False),
    ],
)
def test_allows_ip_d27(client_ip: str, allowed: bool) -> None:
    assert LIST.allows_ip(client_ip) is allowed


def test_allow_all_lets_every_client_in_ipv6_included() -> None:
    every = key(allow_all=True)
    assert all(every.allows_ip(ip) for ip in ("203.0.113.9", "::1", "2001:db8::7", "not an address"))


def test_an_entry_covering_everything_ipv4_is_still_no_ipv6_entry() -> None:
    assert key("0.0.0.0/0").allows_ip("255.255.255.255")
    assert not key("0.0.0.0/0").allows_ip("2001:db8::1")


def test_a_stored_entry_that_no_longer_parses_lets_nobody_in() -> None:
    """Fail closed: an entry edited into the store by hand neither admits anyone nor breaks the key."""
    tampered = key("not-an-address", "10.0.0.1")
    assert (tampered.allows_ip("10.0.0.1"), tampered.allows_ip("10.0.0.2")) == (True, False)
    assert not key("garbage").allows_ip("10.0.0.1")


def test_empty_endpoint_and_model_allowlists_allow_every_one() -> None:
    open_key = key(allow_all=True)
    assert open_key.allows_endpoint("any-endpoint")
    assert open_key.allows_model("any-model")


def test_endpoint_and_model_allowlists_match_exactly() -> None:
    narrow = key(allow_all=True, endpoints=("ep-a", "ep-b"), models=("DeepSeek-V3",))
    assert [narrow.allows_endpoint(name) for name in ("ep-a", "ep-b", "EP-A", "ep-a ", "ep")] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert [narrow.allows_model(name) for name in ("DeepSeek-V3", "deepseek-v3", "DeepSeek-V3.2")] == [
        True,
        False,
        False,
    ]


def test_caller_key_reads_the_rows_of_key_read() -> None:
    assert caller_key([]) is None
    row = ("id-1", "d" * 32, "p" * 32, "lbl", 1, ["10.0.0.1"], ["ep"], [])
    assert caller_key([row]) == CallerKey(
        id="id-1",
        domain_id="d" * 32,
        project_id="p" * 32,
        label="lbl",
        allow_all=True,
        ip_whitelist=("10.0.0.1",),
        endpoint_whitelist=("ep",),
        model_whitelist=(),
    )


def test_a_caller_key_is_frozen() -> None:
    with pytest.raises(AttributeError):
        LIST.allow_all = True  # type: ignore[misc]
