"""One HTTP attempt of a webhook delivery or a hand-off, recorded for the delivery log."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from services.notify.domain.retry import Verdict, classify_response

# Enough of the receiver's answer to diagnose a failure, not enough to fill the database.
MAX_LOGGED_BODY = 1024


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


async def post_json(
    client: httpx.AsyncClient,
    url: str,
    body: str,
    headers: Mapping[str, str],
    timeout: float = 10.0,
    extensions: Mapping[str, object] | None = None,
) -> AttemptResult:
    """POST `body` exactly as signed; never raises for an HTTP or network failure.

    Redirects are not followed: a redirect could lead to an address the SSRF check never saw.
    `extensions` are httpx request extensions (e.g. `sni_hostname` for a pinned address).
    """
    started = time.perf_counter()
    try:
        response = await client.post(
            url,
            content=body.encode("utf-8"),
            headers={"content-type": "application/json", **headers},
            timeout=timeout,
            follow_redirects=False,
            extensions=dict(extensions or {}),
        )
    except httpx.HTTPError as exc:
        return AttemptResult(None, None, type(exc).__name__, "", _ms_since(started))
    return AttemptResult(
        status_code=response.status_code,
        retry_after=response.headers.get("retry-after"),
        error=None,
        response_body=response.text[:MAX_LOGGED_BODY],
        duration_ms=_ms_since(started),
    )


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
