"""Resolve a webhook URL's host and refuse it if any address it resolves to is internal."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from services.notify.domain.ssrf import IPAddress, UnsafeUrl, check_address, check_url_syntax

Resolver = Callable[[str, int], Awaitable[list[str]]]


@dataclass(frozen=True)
class CheckedTarget:
    url: str
    host: str
    port: int
    # Connect to one of these (not to a fresh lookup of `host`) to leave no room for DNS rebinding.
    addresses: tuple[IPAddress, ...]


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def resolve_and_check(
    url: str, allow_private: bool, resolver: Resolver = system_resolver
) -> CheckedTarget:
    """Raise UnsafeUrl unless every address the host resolves to is acceptable.

    Every address, not just the first: a name with one public and one internal record must not
    get through because the client happened to pick the public one during the check.
    """
    target = check_url_syntax(url)
    if target.literal_ip is not None:
        check_address(target.literal_ip, allow_private)
        return CheckedTarget(url, target.host, target.port, (target.literal_ip,))
    try:
        raw = await resolver(target.host, target.port)
    except (OSError, UnicodeError) as exc:
        raise UnsafeUrl(f"the host {target.host!r} does not resolve") from exc
    addresses = tuple(dict.fromkeys(_parse(ip) for ip in raw))
    if not addresses:
        raise UnsafeUrl(f"the host {target.host!r} does not resolve")
    for address in addresses:
        check_address(address, allow_private)
    return CheckedTarget(url, target.host, target.port, addresses)


def _parse(ip: str) -> IPAddress:
    # getaddrinfo gives scoped IPv6 link-local addresses as "fe80::1%eth0".
    return ipaddress.ip_address(ip.split("%", 1)[0])
