"""The notice sender: email over SMTP, SMS through the provider. A channel that is not configured
records the notice as skipped; addresses and phone numbers never reach a log line or an error text."""

from __future__ import annotations

from services.notify.channels.email import EmailSender, SmtpSettings
from services.notify.channels.errors import ChannelError
from services.notify.channels.sms import SmsSender, SmsSettings
from services.notify.domain.retry import next_attempt_at
from services.notify.metrics import NOTICES
from services.notify.store import notices as store
from services.notify.store import queued
from services.notify.workers.loop import PollingWorker, log


class NoticeWorker(PollingWorker):
    name = queued.NOTICES

    claim_due = staticmethod(store.claim_due)

    async def lock_rows(self, session, claims: list[store.NoticeClaim]) -> store.NoticeRecords:
        return await store.NoticeRecords.lock(session, (c.notice_id for c in claims))

    async def attempt(self, claim: store.NoticeClaim) -> tuple[str, str | None, bool]:
        """(status, error, retryable) of one send."""
        try:
            return await self.send(claim), None, False
        except ChannelError as exc:
            return "failed", str(exc), exc.retryable

    async def send(self, claim: store.NoticeClaim) -> str:
        settings = self.rt.settings
        if not claim.address:
            raise ChannelError("the party has no contact for this channel", retryable=False)
        if claim.channel == "email":
            if not settings.smtp_host:
                return "skipped"
            await EmailSender(self.smtp_settings()).send(claim.address, claim.subject, claim.body,
                                                         self.rt.wall_clock.now())
            return "sent"
        if not settings.sms_url:
            return "skipped"
        sms = SmsSettings(settings.sms_url, settings.sms_api_key, settings.sms_api_key_header,
                          settings.http_timeout_seconds)
        await SmsSender(sms, self.rt.http).send(claim.address, claim.sms_template, claim.sms_params)
        return "sent"

    def smtp_settings(self) -> SmtpSettings:
        s = self.rt.settings
        return SmtpSettings(host=s.smtp_host, port=s.smtp_port, sender=s.smtp_sender, sender_name=s.smtp_sender_name,
                            starttls=s.smtp_starttls, use_tls=s.smtp_use_tls, username=s.smtp_username,
                            password=s.smtp_password, timeout=s.http_timeout_seconds)

    def record(self, records: store.NoticeRecords, claim: store.NoticeClaim,
               result: tuple[str, str | None, bool]) -> None:
        rt = self.rt
        now = rt.clock.now()
        status, error, retryable = result
        notice = records.open(claim.notice_id)
        if notice is None:
            return
        notice.attempts = max(notice.attempts, claim.attempt_no)
        notice.last_error = error
        if status in ("sent", "skipped"):
            notice.status = status
            notice.sent_at = now if status == "sent" else None
            if status == "skipped":
                notice.last_error = f"the {claim.channel} channel is not configured"
        else:
            retry_at = next_attempt_at(notice.attempts, now, None, rt.rng) if retryable else None
            if retry_at is None:
                notice.status = "failed"
            else:
                notice.due_at = retry_at
        outcome = status if status != "failed" or not retryable else "retry"
        NOTICES.labels(channel=claim.channel, outcome=outcome).inc()
        log.info("notice " + outcome, notice_id=claim.notice_id, channel=claim.channel)
