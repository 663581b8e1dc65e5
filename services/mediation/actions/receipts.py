"""What mediation keeps of every case the court sent, for the statistics and for the offer: the case
as filed (parties, for recusal and first contact), a case no partner could take, and a withdrawal
that came before any offer (no offer may open after it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.actions.core import Runtime
from services.mediation.store import receipts
from services.mediation.store.models import Receipt


async def record_filing(session: AsyncSession, rt: Runtime, case_id: str, filed: dict[str, Any],
                        received_at: datetime) -> None:
    facts = {"received_at": received_at, "court_code": filed.get("court_code"), "category": filed.get("category"),
             "district": filed.get("district"), "mode": filed.get("mode"), "case_snapshot": filed}
    await receipts.record_filed(session, rt.db, case_id, facts)
    await receipts.fill_offer_snapshot(session, case_id, filed)


async def record_unroutable(session: AsyncSession, rt: Runtime, case_id: str, decision: dict[str, Any],
                            at: datetime) -> None:
    """No partner could take the case (at once, or after every eligible one declined): the
    statistics count it, and the court it went back to."""
    case = decision.get("case") or {}
    facts = {"category": case.get("category"), "district": case.get("district"),
             "mode": decision.get("mode") or case.get("mode")}
    await receipts.record_unroutable(session, rt.db, case_id, at, facts, decision.get("return_to_court"))


async def remember_withdrawal(session: AsyncSession, case_id: str, at: datetime) -> None:
    """Withdrawn before any offer: events of one case are handled concurrently, so it is remembered,
    and a case.routed that comes later opens nothing."""
    receipt = await receipts.locked(session, case_id)
    if receipt is None:
        receipt = Receipt(case_id=case_id, received_at=at)
        session.add(receipt)
    receipt.withdrawn_at = at
