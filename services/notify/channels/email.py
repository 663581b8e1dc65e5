"""Notices by email, over SMTP with aiosmtplib."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib

from services.notify.channels.errors import ChannelError
from shared.clock import SystemClock

# aiosmtplib logs the SMTP dialogue (RCPT TO:<address>) at DEBUG: recipients' addresses must not reach logs.
logging.getLogger("aiosmtplib").setLevel(logging.WARNING)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    sender_name: str = "诉调对接中心"
    starttls: bool = False
    use_tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0


def build_message(settings: SmtpSettings, to: str, subject: str, body: str, sent_at: datetime) -> EmailMessage:
    message = EmailMessage()
    local, _, domain = settings.sender.partition("@")
    message["From"] = Address(settings.sender_name, local, domain)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = make_msgid(domain=domain or None)
    message.set_content(body, charset="utf-8")
    return message


class EmailSender:
    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    async def send(self, to: str, subject: str, body: str, sent_at: datetime | None = None) -> None:
        """Raise ChannelError on failure; its text never contains the address."""
        when = sent_at or SystemClock().now()
        message = build_message(self.settings, to, subject, body, when)
        try:
            await aiosmtplib.send(
                message,
                hostname=self.settings.host,
                port=self.settings.port,
                start_tls=self.settings.starttls,
                use_tls=self.settings.use_tls,
                username=self.settings.username,
                password=self.settings.password,
                timeout=self.settings.timeout,
            )
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx is a permanent refusal (bad mailbox); 4xx is worth another try.
            raise ChannelError(
                f"SMTP server answered {exc.code}", retryable=exc.code < 500, status_code=exc.code
            ) from None
        except aiosmtplib.SMTPRecipientsRefused:
            raise ChannelError("SMTP server refused the recipient", retryable=False) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            # `from None`: the chained exception's text can carry the recipient's address.
            raise ChannelError(f"SMTP delivery failed: {type(exc).__name__}") from None
