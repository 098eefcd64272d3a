"""The host policy: address classes, metadata endpoints (also in IPv6 forms that reach them),
and the start-URL verdicts the register and ad-hoc crawls give."""

from __future__ import annotations

import ipaddress

import pytest

from pipeline.hostpolicy import (
    address_block_reason,
    embedded_ipv4,
    host_block_reason,
    is_private_host,
    start_url_problem,
)


@pytest.mark.parametrize(("host", "allow_private", "expected"), [
    ("93.184.216.34", False, None),
    ("2606:2800:220:1:248:1893:25c8:1946", False, None),
    ("example.org", False, None),  # a name: judged after resolution
    ("127.0.0.1", False, "loopback"),
    ("127.8.9.10", False, "loopback"),
    ("[::1]", False, "loopback"),
    ("localhost", False, "loopback"),
    ("LOCALHOST.", False, "loopback"),
    ("api.localhost", False, "loopback"),
    ("0.0.0.0", False, "unspecified"),
    ("10.1.2.3", False, "private"),
    ("172.16.0.1", False, "private"),
    ("192.168.1.1", False, "private"),
    ("fd12:3456::1", False, "private"),
    ("169.254.1.1", False, "link-local"),
    ("fe80::1", False, "link-local"),
    ("100.64.0.1", False, "CGNAT"),
    ("100.127.255.254", False, "CGNAT"),
    ("224.0.0.1", False, "multicast"),
    ("ff02::1", False, "multicast"),
    ("240.0.0.1", False, "reserved"),
    ("::ffff:127.0.0.1", False, "loopback"),  # IPv4-mapped IPv6
    ("::ffff:10.0.0.1", False, "private"),
    ("169.254.169.254", False, "cloud metadata endpoint"),
    ("[fd00:ec2::254]", False, "cloud metadata endpoint"),
    ("metadata.google.internal", False, "cloud metadata host"),
    ("metadata.google.internal.", True, "cloud metadata host"),
    # local sources may fetch private addresses, never metadata
    ("127.0.0.1", True, None),
    ("localhost", True, None),
    ("10.0.0.1", True, None),
    ("169.254.169.254", True, "cloud metadata endpoint"),
    ("::ffff:169.254.169.254", True, "cloud metadata endpoint"),
    ("fd00:ec2::254", True, "cloud metadata endpoint"),
    ("100.100.100.200", True, "cloud metadata endpoint"),
    # IPv6 forms that reach an IPv4 address are judged as that address
    ("64:ff9b::a9fe:a9fe", True, "cloud metadata endpoint"),  # NAT64 of 169.254.169.254
    ("[64:ff9b::169.254.169.254]", False, "cloud metadata endpoint"),
    ("64:ff9b:1::a9fe:a9fe", True, "cloud metadata endpoint"),  # local-use NAT64 prefix
    ("2002:a9fe:a9fe::1", True, "cloud metadata endpoint"),  # 6to4
    ("64:ff9b::7f00:1", False, "loopback"),
    ("64:ff9b::a00:1", False, "private"),
    ("2002:7f00:1::1", False, "loopback"),
    ("64:ff9b::808:808", False, None),  # NAT64 of a public address: DNS64 networks need it
    ("64:ff9b::7f00:1", True, None),
])
def test_host_block_reason(host: str, allow_private: bool, expected: str | None) -> None:
    assert host_block_reason(host, allow_private=allow_private) == expected


def test_metadata_rule_can_be_switched_off_explicitly() -> None:
    ip = ipaddress.ip_address("169.254.169.254")
    assert address_block_reason(ip, allow_private=True, block_metadata=False) is None
    assert address_block_reason(ip, allow_private=False, block_metadata=False) == "link-local"


@pytest.mark.parametrize(("host", "private"), [
    ("127.0.0.1", True), ("100.64.1.1", True), ("::ffff:192.168.0.1", True), ("localhost", True),
    ("8.8.8.8", False), ("example.org", False), ("64:ff9b::7f00:1", True), ("224.0.0.1", True),
    ("169.254.169.254", True),
])
def test_is_private_host_as_written(host: str, private: bool) -> None:
    assert is_private_host(host) is private


@pytest.mark.parametrize(("address", "inner"), [
    ("::ffff:10.1.2.3", "10.1.2.3"), ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
    ("64:ff9b:1::a9fe:a9fe", "169.254.169.254"), ("2002:a9fe:a9fe::", "169.254.169.254"),
    ("2606:4700::1111", None), ("10.1.2.3", None),
])
def test_embedded_ipv4(address: str, inner: str | None) -> None:
    got = embedded_ipv4(ipaddress.ip_address(address))
    assert (str(got) if got else None) == inner


@pytest.mark.parametrize(("host", "allow_private", "expected"), [
    ("jobs.example.com", False, None),
    ("127.0.0.1", True, None),
    ("127.0.0.1", False, "is a loopback/private address (loopback); set local: true"),
    ("169.254.169.254", True, "is a cloud metadata endpoint, which is never crawled"),
    ("64:ff9b::a9fe:a9fe", True, "is a cloud metadata endpoint, which is never crawled"),
    ("metadata.google.internal", True, "is a cloud metadata host, which is never crawled"),
])
def test_start_url_problem(host: str, allow_private: bool, expected: str | None) -> None:
    assert start_url_problem(host, allow_private=allow_private, hint="set local: true") == expected
