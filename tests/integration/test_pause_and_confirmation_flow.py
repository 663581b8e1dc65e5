"""The four services on PostgreSQL (with the in-process bus), one case from filing to the judicial-confirmation
reminder, for #10 items 7 and 8:

- 2021 Art 26: `mediation.paused` / `mediation.resumed` (with the new deadline) go through the outbox;
  the clerk's timeline shows them, the parties' "deadline near" notice is voided by the pause and
  planned again on the moved deadline, and the partner's webhook endpoint gets both events;
- 民事诉讼法 Art 85: the 30-day period accepted on 2026-12-02 would end on 元旦 2027 and ends with
  Monday 4 January; moved by a five-day pause it ends with Wednesday 6 January;
- 民事诉讼法 Art 205: the settlement opens the 30 days to apply for judicial confirmation (ending on
  Saturday 9 January 2027, so with Monday 11 January by Art 85), shown on the mediation and
  reminded to the parties five days before."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from services.notify.store.models import Delivery, Notice
from shared.clock import BEIJING, ManualClock
from tests.support.cases import case_body
from tests.support.platform import running


def bj(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


async def notices(p, case_id: str, kind: str) -> list[tuple[str, datetime]]:
    async with p.runtimes["notify"].db.read() as session:
        rows = (await session.scalars(select(Notice).where(Notice.case_id == case_id, Notice.kind == kind,
                                                            Notice.channel == "sms")
                                      .order_by(Notice.created_at, Notice.id))).all()
    return [(n.status, n.due_at) for n in rows]


async def test_art26_pause_and_resume_events_and_the_art205_reminder(pg_urls):
    clock = ManualClock(bj(2026, 12, 1, 10))
    quiet = {"mediation": {"sweep_interval_seconds": 3600}}
    async with running(pg_urls, clock=clock, settings=quiet) as p:
        clerk = p.auth("clerk", court_code="370202")
        filed = await p.client.post("/v1/cases", json=case_body(), headers={**clerk, "Idempotency-Key": "pause-1"})
        assert filed.status_code == 201, filed.text
        case_id = filed.json()["id"]
        await p.settle()
        partner_id = (await p.client.get(f"/v1/cases/{case_id}", headers=clerk)).json()["partner_id"]
        assert partner_id
        partner = p.auth("partner", partner_id=partner_id)
        hook = await p.client.post("/v1/webhook-endpoints", headers=partner, json={
            "url": "http://127.0.0.1:9/hook", "event_types": ["mediation.paused", "mediation.resumed"]})
        assert hook.status_code == 201, hook.text

        clock.set(bj(2026, 12, 2, 10))
        accepted = await p.client.post(f"/v1/mediations/{case_id}/accept", headers=partner)
        assert accepted.status_code == 200, accepted.text
        assert datetime.fromisoformat(accepted.json()["deadline"]["due_at"]) == bj(2027, 1, 5)  # Art 85
        mediator_id = accepted.json()["mediators"][-1]["id"]
        assigned = await p.client.post(f"/v1/mediations/{case_id}/mediator", headers=partner,
                                       json={"mediator_id": mediator_id})
        assert assigned.status_code == 200, assigned.text
        await p.settle()
        assert await notices(p, case_id, "deadline_near") == [("pending", bj(2027, 1, 2))]

        clock.set(bj(2026, 12, 3, 10))
        paused = await p.client.post(f"/v1/mediations/{case_id}/pause", headers=partner, json={"reason": "鉴定评估"})
        assert paused.status_code == 200, paused.text
        await p.settle()
        view = (await p.client.get(f"/v1/cases/{case_id}", headers=clerk)).json()
        assert view["paused"] is True and view["deadline"] is None
        assert await notices(p, case_id, "deadline_near") == [("cancelled", bj(2027, 1, 2))]

        clock.set(bj(2026, 12, 8, 10))
        resumed = await p.client.post(f"/v1/mediations/{case_id}/resume", headers=partner)
        assert resumed.status_code == 200, resumed.text
        new_deadline = bj(2027, 1, 7)  # five days later: the last day is Wednesday 6 January, a working day
        assert datetime.fromisoformat(resumed.json()["deadline"]["due_at"]) == new_deadline
        await p.settle()

        view = (await p.client.get(f"/v1/cases/{case_id}", headers=clerk)).json()
        assert view["paused"] is False and datetime.fromisoformat(view["deadline"]) == new_deadline
        types = [e["type"] for e in view["timeline"]]
        assert types.index("mediation.paused") < types.index("mediation.resumed")
        resumed_event = next(e for e in view["timeline"] if e["type"] == "mediation.resumed")
        assert datetime.fromisoformat(resumed_event["data"]["deadline"]) == new_deadline
        assert resumed_event["data"]["paused_seconds"] == 5 * 24 * 3600
        assert await notices(p, case_id, "deadline_near") == [("cancelled", bj(2027, 1, 2)),
                                                              ("pending", new_deadline - timedelta(days=3))]
        async with p.runtimes["notify"].db.read() as session:
            hooked = set((await session.scalars(select(Delivery.event_type).where(Delivery.case_id == case_id))).all())
        assert hooked == {"mediation.paused", "mediation.resumed"}

        # the settlement, both parties asking for judicial confirmation (a delegation: Art 205 applies)
        clock.set(bj(2026, 12, 10, 10))
        party_ids = [party["party_id"] for party in resumed.json()["parties"]]
        settled = await p.client.post(f"/v1/mediations/{case_id}/outcome", headers=partner, json={
            "result": "settled", "agreement": {"terms": ["被申请人于2027年1月31日前支付物业费12500元"],
                                               "signed_by": party_ids, "apply_for_judicial_confirmation": True}})
        assert settled.status_code == 200, settled.text
        window = settled.json()["judicial_confirmation"]
        # 30 days from 10 December end on Saturday 9 January 2027: Art 85 runs them to Monday 11 January
        assert datetime.fromisoformat(window["applies_until"]) == bj(2027, 1, 12)
        assert window["days"] == 30 and window["calendar_provisional"] is True  # 2027: statutory holidays only
        await p.settle()
        assert await notices(p, case_id, "confirmation_closing") == [("pending", bj(2027, 1, 7))]
        assert [s for s, _ in await notices(p, case_id, "deadline_near")] == ["cancelled", "cancelled"]
