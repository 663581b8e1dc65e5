import json
from datetime import datetime, timezone

import httpx
from standardwebhooks.webhooks import Webhook

from services.notify.channels.http_delivery import MAX_LOGGED_BODY, post_json
from services.notify.domain.retry import Verdict
from services.notify.domain.signing import new_secret, sign


async def test_signed_body_arrives_byte_for_byte_and_verifies():
    secret = new_secret()
    body = json.dumps({"type": "case.routed", "data": {"partner": "市南区人民调解中心"}}, ensure_ascii=False)
    received: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        received.append(request)
        Webhook(secret).verify(request.content, dict(request.headers))
        return httpx.Response(204)

    headers = sign([secret], "msg_1", datetime.now(timezone.utc), body)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        result = await post_json(client, "https://partner.example.cn/hooks", body, headers)
    assert result.status_code == 204 and result.verdict is Verdict.SUCCESS
    assert received[0].content.decode() == body


async def test_failure_status_retry_after_and_truncated_body_are_recorded():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": "30"}, text="x" * 5000)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        result = await post_json(client, "https://p.example.cn/", "{}", {})
    assert result.status_code == 503 and result.retry_after == "30"
    assert len(result.response_body) == MAX_LOGGED_BODY and result.verdict is Verdict.RETRY


async def test_redirect_is_not_followed():
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        result = await post_json(client, "https://p.example.cn/", "{}", {})
    assert calls == ["https://p.example.cn/"] and result.verdict is Verdict.RETRY


async def test_network_error_is_a_result_not_an_exception():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        result = await post_json(client, "https://p.example.cn/", "{}", {})
    assert result.status_code is None and result.error == "ConnectTimeout"
    assert result.verdict is Verdict.RETRY
