import json

import httpx
import pytest

from services.notify.channels.errors import ChannelError
from services.notify.channels.sms import SmsSender, SmsSettings

SETTINGS = SmsSettings(url="https://sms.example.cn/v1/send", api_key="k-123")


def client_answering(status: int, seen: list[httpx.Request]) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json={"ok": status < 300})
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_posts_phone_template_params_with_api_key():
    seen: list[httpx.Request] = []
    async with client_answering(200, seen) as client:
        await SmsSender(SETTINGS, client).send("13800000000", "case_routed", {"partner_name": "市南区人民调解中心"})
    [request] = seen
    assert request.method == "POST" and str(request.url) == SETTINGS.url
    assert request.headers["X-Api-Key"] == "k-123"
    assert json.loads(request.content) == {
        "phone": "13800000000", "template": "case_routed", "params": {"partner_name": "市南区人民调解中心"}}


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (429, True), (400, False), (401, False)])
async def test_non_2xx_raises_without_the_phone(status, retryable):
    async with client_answering(status, []) as client:
        with pytest.raises(ChannelError) as info:
            await SmsSender(SETTINGS, client).send("13800000000", "case_routed", {})
    assert info.value.status_code == status and info.value.retryable is retryable
    assert "13800000000" not in str(info.value)


async def test_network_error_raises_channel_error():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(ChannelError, match="unreachable"):
            await SmsSender(SETTINGS, client).send("13800000000", "case_routed", {})


def test_api_key_is_not_in_settings_repr():
    assert "k-123" not in repr(SETTINGS)
