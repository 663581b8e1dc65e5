"""Which worker a transaction gave work: the commit wakes only those (services/notify/app.py).

Every commit used to wake all three workers, and each woken worker runs a claim query: a consumer's
batch that queued only notices, or a webhook worker recording its pass, set the hand-off worker
claiming nothing. A write that makes a row due now names its worker here. One not named is no loss:
each worker still polls every `NOTIFY_WORKER_POLL_SECONDS`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

# Set in a session's `info`, like the outbox's OUTBOX_WRITTEN: the names of the workers to wake.
WORK_QUEUED = "notify_work_queued"
WEBHOOKS, HANDOFFS, NOTICES = "webhooks", "handoffs", "notices"


def queue_work(session: AsyncSession, worker: str) -> None:
    session.info.setdefault(WORK_QUEUED, set()).add(worker)


def queued_workers(info: dict) -> set[str]:
    """The workers a committed transaction (its session's info) gave work."""
    return set(info.get(WORK_QUEUED, ()))
