"""The host policy: which hosts and addresses LureWatch may fetch. No Scrapy here.

One policy for every place that judges a host: the source register and ad-hoc crawls judge
start URLs as written (:func:`host_block_reason`, :func:`is_private_host`); the spiders' SSRF
guard (``spiders/ssrf.py``) judges every request's host as written, every address it
resolves to and again at connect time (:func:`address_block_reason`).

* Private, loopback, link-local, CGNAT, multicast, reserved and other non-global addresses
  are refused unless ``allow_private`` (a ``local: true`` source, ``--allow-private``).
* Cloud instance-metadata endpoints (:data:`METADATA_ADDRESSES`, :data:`METADATA_HOSTS`) are
  refused whenever ``block_metadata`` (the default), even under ``allow_private``.
* An IPv6 address that carries an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, NAT64
  ``64:ff9b::a.b.c.d`` and the local-use ``64:ff9b:1::/48``, 6to4 ``2002:AABB:CCDD::``) is
  judged as the IPv4 address it reaches, so ``64:ff9b::a9fe:a9fe`` is the metadata endpoint.
"""

from __future__ import annotations

import ipaddress

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Cloud instance-metadata endpoints: refused even for ``local`` sources (LUREWATCH_BLOCK_METADATA).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean…
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.170.23",  # AWS EKS pod identity
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "fd00:ec2::23",
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (classic)
    )
)
METADATA_HOSTS = frozenset(
    {
        "metadata.google.internal",
        "metadata.goog",
        "metadata",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.azure.com",
    }
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
#: NAT64 prefixes (RFC 6052 well-known, RFC 8215 local-use): the last 32 bits are the IPv4 address.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def embedded_ipv4(ip: IpAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address reaches (IPv4-mapped, NAT64, 6to4), or None."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def address_block_reason(ip: IpAddress, *, allow_private: bool, block_metadata: bool = True) -> str | None:
    """Why ``ip`` must not be fetched, or None. Metadata addresses are refused whenever
    ``block_metadata``; every other non-global class only when not ``allow_private``."""
    inner = embedded_ipv4(ip)
    if inner is not None:
        return address_block_reason(inner, allow_private=allow_private, block_metadata=block_metadata)
    if block_metadata and ip in METADATA_ADDRESSES:
        return "cloud metadata endpoint"
    if allow_private:
        return None
    for label, hit in (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("CGNAT", isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("non-global", not ip.is_global),
    ):
        if hit:
            return label
    return None


def host_block_reason(host: str, *, allow_private: bool, block_metadata: bool = True) -> str | None:
    """Why ``host`` as written (a name or an IP literal) must not be fetched, or None.
    Names are not resolved here: the spiders check resolved addresses too."""
    name = host.strip("[]").lower().rstrip(".")
    if block_metadata and name in METADATA_HOSTS:
        return "cloud metadata host"
    try:
        ip = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        if not allow_private and (name == "localhost" or name.endswith(".localhost")):
            return "loopback"
        return None
    return address_block_reason(ip, allow_private=allow_private, block_metadata=block_metadata)


def is_private_host(host: str) -> bool:
    """True for ``localhost`` names and non-global IP literals (loopback, private, link-local,
    CGNAT, multicast, reserved, and IPv6 forms carrying these), as written: no DNS lookup."""
    return host_block_reason(host, allow_private=False, block_metadata=False) is not None


def start_url_problem(host: str, *, allow_private: bool, hint: str) -> str | None:
    """What is wrong with a start URL's ``host`` under this policy, or None. ``hint`` says how
    to allow a private host (``set local: true``, ``pass --allow-private``)."""
    why = host_block_reason(host, allow_private=allow_private)
    if why is None:
        return None
    if "metadata" in why:
        return f"is a {why}, which is never crawled"
    return f"is a loopback/private address ({why}); {hint}"
