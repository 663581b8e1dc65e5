"""Send a webhook to the very address the SSRF check approved, not to a fresh DNS lookup.

Between the check and the connection a host name could be re-pointed at an internal address (DNS
rebinding). Connecting to the checked IP while keeping the Host header and, for https, the TLS
server name (which is also what the certificate is verified against) closes that gap.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from services.notify.channels.safe_url import CheckedTarget


def pinned_request(target: CheckedTarget) -> tuple[str, dict[str, str], Mapping[str, object]]:
    """(URL to connect to, extra headers, httpx extensions)."""
    original = httpx.URL(target.url)
    address = target.addresses[0]
    if str(address) == target.host.strip("[]"):
        return target.url, {}, {}
    pinned = original.copy_with(host=str(address))
    headers = {"host": original.netloc.decode("ascii")}
    extensions: dict[str, object] = {"sni_hostname": target.host} if original.scheme == "https" else {}
    return str(pinned), headers, extensions
