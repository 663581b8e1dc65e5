"""Notices by SMS, through an HTTP provider: POST {phone, template, params} with an API key."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import aiohttp

from services.notify.channels.errors import ChannelError
from services.notify.channels.http_delivery import AttemptResult, outbound_client, post_json


@dataclass(frozen=True)
class SmsSettings:
    url: str
    api_key: str = field(repr=False)
    api_key_header: str = "X-Api-Key"
    timeout: float = 10.0


class SmsSender:
    """`client` is injectable so tests and the service can share one connection pool."""

    def __init__(self, settings: SmsSettings, client: aiohttp.ClientSession | None = None) -> None:
        self.settings = settings
        self._client = client

    async def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        """Raise ChannelError unless the provider answers 2xx; its text never contains the phone."""
        payload = {"phone": phone, "template": template, "params": params}
        headers = {self.settings.api_key_header: self.settings.api_key}
        if self._client is not None:
            result = await self._post(self._client, payload, headers)
        else:
            async with outbound_client(self.settings.timeout, connections=1) as client:
                result = await self._post(client, payload, headers)
        status = result.status_code
        if status is None:
            raise ChannelError(f"SMS provider unreachable: {result.error}")
        if not 200 <= status < 300:
            # 4xx other than 429 means the request itself is wrong: retrying cannot help.
            retryable = status >= 500 or status == 429
            raise ChannelError(f"SMS provider answered {status}", retryable=retryable, status_code=status)

    async def _post(self, client: aiohttp.ClientSession, payload: dict, headers: dict[str, str]) -> AttemptResult:
        return await post_json(client, self.settings.url, json.dumps(payload, ensure_ascii=False), headers,
                               timeout=self.settings.timeout)
