"""The SMS channel against a real local provider: what it posts, which answers it retries, and
that no error text carries the phone number."""

import json

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.notify.channels.errors import ChannelError
from services.notify.channels.http_delivery import outbound_client
from services.notify.channels.sms import SmsSender, SmsSettings
from tests.integration.notify.support import serve


def provider(status: int, seen: list) -> Starlette:
    async def send(request: Request) -> JSONResponse:
        seen.append((request, await request.body()))
        return JSONResponse({"ok": status < 300}, status_code=status)
    return Starlette(routes=[Route("/v1/send", send, methods=["POST"])])


def settings(base: str) -> SmsSettings:
    return SmsSettings(url=f"{base}/v1/send", api_key="k-123", timeout=5.0)


async def test_posts_phone_template_params_with_api_key():
    seen: list = []
    async with serve(provider(200, seen)) as base, outbound_client(5.0, connections=10) as client:
        await SmsSender(settings(base), client).send("13800000000", "case_routed",
                                                     {"partner_name": "市南区人民调解中心"})
    [(request, body)] = seen
    assert request.method == "POST" and request.headers["X-Api-Key"] == "k-123"
    assert json.loads(body) == {
        "phone": "13800000000", "template": "case_routed", "params": {"partner_name": "市南区人民调解中心"}}


async def test_without_a_shared_pool_it_opens_its_own():
    seen: list = []
    async with serve(provider(200, seen)) as base:
        await SmsSender(settings(base)).send("13800000000", "case_routed", {})
    assert len(seen) == 1


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (429, True), (400, False), (401, False)])
async def test_non_2xx_raises_without_the_phone(status, retryable):
    async with serve(provider(status, [])) as base, outbound_client(5.0, connections=10) as client:
        with pytest.raises(ChannelError) as info:
            await SmsSender(settings(base), client).send("13800000000", "case_routed", {})
    assert info.value.status_code == status and info.value.retryable is retryable
    assert "13800000000" not in str(info.value)


async def test_network_error_raises_channel_error():
    async with serve(provider(200, [])) as base:
        pass  # the provider is gone: its port refuses
    async with outbound_client(5.0, connections=10) as client:
        with pytest.raises(ChannelError, match="unreachable: ConnectError"):
            await SmsSender(settings(base), client).send("13800000000", "case_routed", {})


def test_api_key_is_not_in_settings_repr():
    assert "k-123" not in repr(SmsSettings(url="https://sms.example.cn/v1/send", api_key="k-123"))
