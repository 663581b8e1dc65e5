"""The applicant withdrew: case.withdrawn leaves through the outbox and mediation stops."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.actions.read_model import record_event
from services.intake.store.models import Case
from shared.events import Envelope

# Statuses after which there is nothing left to withdraw from.
CLOSED = frozenset({"settled", "failed", "withdrawn", "expired", "unroutable", "handed_off", "closed"})


class AlreadyClosed(Exception):
    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


async def withdraw(session: AsyncSession, rt: Any, case: Case, *, reason: str | None, by: str) -> None:
    """Withdraw a locked case in the caller's transaction; AlreadyClosed if its mediation is over."""
    if case.status in CLOSED:
        raise AlreadyClosed(case.status)
    envelope = Envelope.new("case.withdrawn", case.id, "intake",
                            {"reason": reason, "withdrawn_by": by, "court_code": case.court_code, "stage": case.stage},
                            occurred_at=rt.clock.now())
    await rt.outbox.add(session, envelope)
    await record_event(session, rt.db, envelope, case)
