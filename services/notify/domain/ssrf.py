"""Is a webhook URL safe to call from inside our network? (server-side request forgery)

Only the pure part lives here: the URL's shape and the verdict on one IP address. Resolving the
host name is done by `services.notify.channels.safe_url`, at registration and again before every
delivery, because a name can be re-pointed at an internal address after it was registered.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

# Named explicitly because Python's `is_private` does not cover the carrier-grade NAT block.
CGNAT = ipaddress.ip_network("100.64.0.0/10")
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(net) for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class UnsafeUrl(ValueError):
    """The URL may not be called; `reason` is shown to whoever registered it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class UrlTarget:
    url: str
    scheme: str
    host: str
    port: int
    # Set when the host is an IP literal, so no resolution is needed.
    literal_ip: IPAddress | None


def check_url_syntax(url: str) -> UrlTarget:
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise UnsafeUrl("the URL contains whitespace or control characters")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeUrl("only http and https URLs are accepted")
    if "@" in parts.netloc:
        raise UnsafeUrl("credentials in the URL are not accepted; the signature authenticates us")
    host = parts.hostname
    if not host:
        raise UnsafeUrl("the URL has no host")
    try:
        explicit = parts.port
    except ValueError as exc:
        raise UnsafeUrl("the URL's port is not a valid port number") from exc
    if explicit == 0:
        raise UnsafeUrl("the URL's port is not a valid port number")
    port = explicit if explicit is not None else DEFAULT_PORTS[scheme]
    return UrlTarget(url=url, scheme=scheme, host=host, port=port, literal_ip=_ip_literal(host))


def check_address(ip: str | IPAddress, allow_private: bool) -> None:
    """Raise UnsafeUrl unless `ip` is a public unicast address (or a private one when allowed)."""
    address = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        check_address(embedded, allow_private)
        return
    forbidden = _always_forbidden(address)
    if forbidden:
        raise UnsafeUrl(f"{address} is {forbidden}")
    internal = _internal(address)
    if internal:
        # Development allows loopback only (contract: "webhook URLs on loopback are allowed"); the
        # metadata service, link-local and the private ranges stay refused everywhere.
        if allow_private and address.is_loopback:
            return
        raise UnsafeUrl(f"{address} is {internal}")
    if not address.is_global:
        raise UnsafeUrl(f"{address} is not a public address")


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """IPv6 forms that carry an IPv4 destination: judge them by that destination."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _internal(address: IPAddress) -> str | None:
    """Addresses of our own or a neighbour's network: allowed only in development."""
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if isinstance(address, ipaddress.IPv4Address) and address in CGNAT:
        return "a carrier-grade NAT address"
    if any(address in net for net in PRIVATE_NETWORKS if net.version == address.version):
        return "a private address"
    return None


def _always_forbidden(address: IPAddress) -> str | None:
    """Never a webhook receiver, not even in development."""
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved and not address.is_loopback:
        return "a reserved address"
    return None
