"""Notices to parties: a real SMTP server (aiosmtpd) receives the Chinese notice of a routed case,
the SMS provider gets its template call, and an unconfigured channel is recorded as skipped."""

from __future__ import annotations

import asyncio
import email
import json
import logging
import socket
import uuid
from datetime import timedelta
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.notify.store.models import Notice
from tests.integration.notify.support import FAST, event, received_event, routed_event, rows, serve, wait_until
from tests.support.platform import running

EMAIL, PHONE = "zhangsan@example.com", "13800000000"


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, _server, _session, envelope) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sms_provider(calls: list[dict]) -> Starlette:
    async def send(request: Request) -> JSONResponse:
        calls.append({"key": request.headers.get("x-api-key"), **json.loads(await request.body())})
        return JSONResponse({"status": "queued"})

    return Starlette(routes=[Route("/sms", send, methods=["POST"])])


async def test_routed_case_notice_reaches_a_real_smtp_server(pg_database, caplog):
    caplog.set_level(logging.DEBUG)
    mailbox, sms_calls = Mailbox(), []
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        async with serve(_sms_provider(sms_calls)) as sms_url:
            settings = {"notify": {**FAST, "smtp_host": "127.0.0.1", "smtp_port": controller.port,
                                   "smtp_sender": "notice@court.example", "sms_url": f"{sms_url}/sms",
                                   "sms_api_key": "k-test"}}
            async with running({"notify": await pg_database("notify")}, settings=settings) as p:
                rt = p.runtimes["notify"]
                case_id = str(uuid.uuid4())
                now = rt.clock.now()
                await p.bus.publish(received_event(case_id, now, email=EMAIL))
                await p.bus.publish(routed_event(case_id, now + timedelta(seconds=1), partner_id="P24"))
                await wait_until(lambda: _settled_notices(rt, 2), what="notices sent")
                notices = await rows(rt, Notice)
    finally:
        controller.stop()

    assert {(n.channel, n.status) for n in notices} == {("email", "sent"), ("sms", "sent")}
    [(recipients, raw)] = mailbox.messages
    assert recipients == [EMAIL]
    message = email.message_from_bytes(raw, policy=default_policy)
    assert message["Subject"] == "【诉调对接】您的纠纷已分派至青岛市律师协会律师调解中心调解"
    body = message.get_content()
    assert body.startswith("张三，您好")
    assert "立案前委派调解" in body and "物业服务合同" in body and "调解期限为30日" in body
    [call] = sms_calls
    assert call["phone"] == PHONE and call["template"] == "case_routed" and call["key"] == "k-test"
    assert call["params"]["partner_name"] == "青岛市律师协会律师调解中心"
    # Contacts are personal data: they never reach a log line (the test's own SMTP server aside).
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert ours and EMAIL not in ours and PHONE not in ours


async def test_unconfigured_channels_are_recorded_as_skipped(sqlite_urls):
    async with running({"notify": sqlite_urls["notify"]}, settings={"notify": FAST}) as p:
        rt = p.runtimes["notify"]
        case_id = str(uuid.uuid4())
        now = rt.clock.now()
        await p.bus.publish(received_event(case_id, now, email=EMAIL))
        await p.bus.publish(routed_event(case_id, now))
        await p.bus.publish(event("mediation.failed", case_id, {"partner_id": "P12"}, now + timedelta(seconds=2)))
        await wait_until(lambda: _settled_notices(rt, 4), what="notices settled")
        notices = await rows(rt, Notice)
    assert {(n.kind, n.channel, n.status) for n in notices} == {
        ("case_routed", "email", "skipped"), ("case_routed", "sms", "skipped"),
        ("outcome_failed", "email", "skipped"), ("outcome_failed", "sms", "skipped")}
    assert all("not configured" in n.last_error for n in notices)


async def _settled_notices(rt, n: int) -> bool:
    await asyncio.sleep(0)
    done = await rows(rt, Notice, Notice.status.in_(("sent", "skipped", "failed")))
    return len(done) == n
