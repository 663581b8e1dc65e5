"""Send a webhook to the very address the SSRF check approved, not to a fresh DNS lookup.

Between the check and the connection a host name could be re-pointed at an internal address (DNS
rebinding). Connecting to the checked IP while keeping the Host header and, for https, the TLS
server name (which is also what the certificate is verified against) closes that gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yarl import URL

from services.notify.channels.safe_url import CheckedTarget


@dataclass(frozen=True)
class PinnedRequest:
    """Where to connect, the headers that keep the original name, and the TLS server name."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    server_hostname: str | None = None


def pinned_request(target: CheckedTarget) -> PinnedRequest:
    original = URL(target.url)
    address = target.addresses[0]
    if str(address) == target.host.strip("[]"):
        return PinnedRequest(target.url)
    pinned = original.with_host(str(address))
    return PinnedRequest(str(pinned), {"host": original.host_port_subcomponent or target.host},
                         target.host if original.scheme == "https" else None)
