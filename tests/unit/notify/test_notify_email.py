import asyncio
import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from services.notify.channels.email import EmailSender, SmtpSettings
from services.notify.channels.errors import ChannelError
from services.notify.domain.notices import NoticeKind, Recipient, render_notice


class Inbox:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


async def test_smtp_server_receives_the_chinese_notice_for_a_routed_case(smtp_server):
    inbox, port = smtp_server
    recipient = Recipient("a1", "张三", "zhangsan@example.cn")
    subject, body = render_notice(NoticeKind.CASE_ROUTED, {
        "recipient_name": recipient.name, "case_number": "(2026)鲁0202民诉前调123号",
        "category": "property_service", "partner_name": "市南区人民调解中心", "mode": "delegation",
        "period_days": 30,
    })
    sender = EmailSender(SmtpSettings(host="127.0.0.1", port=port, sender="notice@court.example.cn"))
    await sender.send(recipient.email, subject, body)

    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.rcpt_tos == ["zhangsan@example.cn"]
    message = message_from_bytes(envelope.content, policy=default_policy)
    assert message["Subject"] == "【诉调对接】您的纠纷已分派至市南区人民调解中心调解"
    assert "诉调对接中心" in str(message["From"])
    text = message.get_content()
    assert "张三，您好" in text
    assert "已分派至市南区人民调解中心进行立案前委派调解" in text
    assert "(2026)鲁0202民诉前调123号" in text


async def test_unreachable_server_raises_without_the_address():
    sender = EmailSender(SmtpSettings(host="127.0.0.1", port=free_port(), sender="n@court.example.cn",
                                      timeout=2))
    with pytest.raises(ChannelError) as info:
        await sender.send("secret.person@example.cn", "s", "b")
    assert "secret.person" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


async def test_refused_recipient_is_not_retryable():
    class Refuser:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 no such user"

    controller = Controller(Refuser(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        sender = EmailSender(SmtpSettings(host="127.0.0.1", port=controller.port, sender="n@court.example.cn"))
        with pytest.raises(ChannelError) as info:
            await sender.send("gone@example.cn", "主题", "正文")
    finally:
        await asyncio.to_thread(controller.stop)
    assert info.value.retryable is False
    assert "gone@" not in str(info.value)


def test_password_is_not_in_settings_repr():
    settings = SmtpSettings(host="smtp", port=25, sender="n@x.cn", username="u", password="hunter2")
    assert "hunter2" not in repr(settings)
