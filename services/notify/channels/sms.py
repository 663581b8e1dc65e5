"""Notices by SMS, through an HTTP provider: POST {phone, template, params} with an API key."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from services.notify.channels.errors import ChannelError


@dataclass(frozen=True)
class SmsSettings:
    url: str
    api_key: str = field(repr=False)
    api_key_header: str = "X-Api-Key"
    timeout: float = 10.0


class SmsSender:
    """`client` is injectable so tests and the service can share one connection pool."""

    def __init__(self, settings: SmsSettings, client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self._client = client

    async def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        """Raise ChannelError unless the provider answers 2xx; its text never contains the phone."""
        payload = {"phone": phone, "template": template, "params": params}
        headers = {self.settings.api_key_header: self.settings.api_key}
        try:
            if self._client is not None:
                response = await self._post(self._client, payload, headers)
            else:
                async with httpx.AsyncClient() as client:
                    response = await self._post(client, payload, headers)
        except httpx.HTTPError as exc:
            raise ChannelError(f"SMS provider unreachable: {type(exc).__name__}") from None
        if not response.is_success:
            # 4xx other than 429 means the request itself is wrong: retrying cannot help.
            retryable = response.status_code >= 500 or response.status_code == 429
            raise ChannelError(
                f"SMS provider answered {response.status_code}",
                retryable=retryable,
                status_code=response.status_code,
            )

    async def _post(self, client: httpx.AsyncClient, payload: dict, headers: dict[str, str]) -> httpx.Response:
        return await client.post(self.settings.url, json=payload, headers=headers, timeout=self.settings.timeout)
