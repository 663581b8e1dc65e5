"""Notify's outbound HTTP: the one client pool (webhooks, hand-offs, SMS) and one attempt of a
webhook delivery or a hand-off, recorded for the delivery log.

aiohttp rather than httpx: posting a webhook through httpx cost about 0.7 ms of CPU at 10 requests
in flight and 1.2 ms at 50 (its pool scans every connection on each request), a fifth of notify's
CPU per case; aiohttp about 0.07 ms (docs/BENCHMARKS.md, "Posting a webhook")."""

from __future__ import annotations

import codecs
import time
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp

from services.notify.domain.retry import Verdict, classify_response

# Enough of the receiver's answer to diagnose a failure, not enough to fill the database.
MAX_LOGGED_BODY = 1024

# What the delivery log says of a request that got no answer; the most specific class first.
_FAILURES: tuple[tuple[type[BaseException], str], ...] = (
    (aiohttp.ConnectionTimeoutError, "ConnectTimeout"),
    (aiohttp.SocketTimeoutError, "ReadTimeout"),
    (TimeoutError, "Timeout"),
    (aiohttp.ClientConnectorCertificateError, "CertificateError"),
    (aiohttp.ClientConnectorError, "ConnectError"),
    (aiohttp.ServerDisconnectedError, "ServerDisconnected"),
)


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    retry_after: str | None
    error: str | None
    response_body: str
    duration_ms: int

    @property
    def verdict(self) -> Verdict:
        return classify_response(self.status_code)


def outbound_client(timeout_seconds: float, connections: int) -> aiohttp.ClientSession:
    """One pool per process. No cookies are kept: a partner's cookie must never reach another
    partner (two of them may share an address), nor come back on a later webhook."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections, limit_per_host=0),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=timeout_seconds),
        trust_env=False,
    )


async def post_json(
    client: aiohttp.ClientSession,
    url: str,
    body: str,
    headers: Mapping[str, str],
    timeout: float = 10.0,
    server_hostname: str | None = None,
) -> AttemptResult:
    """POST `body` exactly as signed; never raises for an HTTP or network failure.

    Redirects are not followed: a redirect could lead to an address the SSRF check never saw.
    `server_hostname` is the TLS server name (and the name the certificate must carry) when `url`
    holds the pinned address instead of the name (channels/pinned.py).
    """
    started = time.perf_counter()
    try:
        async with client.post(
            url,
            data=body.encode("utf-8"),
            headers={"content-type": "application/json", **headers},
            timeout=aiohttp.ClientTimeout(total=timeout),
            allow_redirects=False,
            server_hostname=server_hostname,
        ) as response:
            logged = await _head_of(response)
            return AttemptResult(response.status, response.headers.get("retry-after"), None, logged,
                                 _ms_since(started))
    except (aiohttp.ClientError, TimeoutError) as exc:
        return AttemptResult(None, None, _failure_name(exc), "", _ms_since(started))


def _failure_name(exc: BaseException) -> str:
    return next((name for kind, name in _FAILURES if isinstance(exc, kind)), type(exc).__name__)


async def _head_of(response: aiohttp.ClientResponse) -> str:
    """The first MAX_LOGGED_BODY bytes of the answer, read no further (a receiver's answer may be
    of any size)."""
    head = bytearray()
    async for chunk in response.content.iter_any():
        head += chunk
        if len(head) >= MAX_LOGGED_BODY:
            break
    try:
        decoder = codecs.getincrementaldecoder(response.charset or "utf-8")(errors="replace")
    except LookupError:  # a charset Python does not know
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    # Not final: a character the cut splits is left out rather than logged as garbage.
    return decoder.decode(bytes(head[:MAX_LOGGED_BODY]), final=False)


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
