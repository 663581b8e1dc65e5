"""The first-contact window (2021 Art 15): accepted on Monday 2 March 2026, the mediator must reach
the other party by the end of Thursday 5 March (Shanghai), the third working day; else the contact
sweeper ends the mediation as failed on party_unreachable, exactly once even with two replicas. A
recorded contact or a scheduled session prevents it; paused cases are left alone."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from services.mediation.app import Runtime
from services.mediation.settings import Settings
from services.mediation.store.models import AuditEntry, Contact
from shared.bus import InMemoryBus
from tests.integration.mediation.helpers import (APPLICANT, RESPONDENT, case_facts, deliver, emitted, new_id,
                                                 put_many, routed, row, snapshot)

SHANGHAI = timezone(timedelta(hours=8))
DUE = datetime(2026, 3, 6, tzinfo=SHANGHAI)  # the end of the third working day after Monday 2 March
PARTNER = {"partner_id": "P12"}
MEDIATOR = {"partner_id": "P12", "mediator_id": "P12-M02"}
EXPECTED_HANDOFF = {"delegation": "docket", "entrustment": "resume_trial", "invitation": "resume_trial",
                    "self": None}


def _replica(p, clock) -> Runtime:
    """A second mediation process: its own engine and pool on the same database."""
    settings = Settings(database_url=p.runtimes["mediation"].settings.database_url, env="test",
                        sweep_batch_size=3, sweep_interval_seconds=3600)
    return Runtime(settings, InMemoryBus(), clock=clock)


async def _accepted(p, clock, mode: str = "delegation") -> str:
    case_id = new_id()
    await deliver(p, routed(case_id, at=clock.now(), mode=mode))
    answer = await p.client.post(f"/v1/mediations/{case_id}/accept", headers=p.auth("partner", **PARTNER))
    assert answer.status_code == 200, answer.text
    return case_id


async def test_acceptance_opens_the_window_and_without_contact_the_sweeper_fails_the_case_once(platform, clock):
    p = platform
    rt = p.runtimes["mediation"]
    case_id = await _accepted(p, clock)
    view = (await p.client.get(f"/v1/mediations/{case_id}", headers=p.auth("partner", **PARTNER))).json()
    assert datetime.fromisoformat(view["contact_due_at"]) == DUE and view["contacted_at"] is None
    [accepted] = await emitted(p, case_id, "mediation.accepted")
    assert datetime.fromisoformat(accepted["data"]["contact_due_at"]) == DUE

    clock.set(DUE - timedelta(seconds=1))
    assert await rt.contact_sweeper.sweep() == 0
    clock.set(DUE)
    first, second = _replica(p, clock), _replica(p, clock)
    try:
        moved = await asyncio.gather(first.contact_sweeper.sweep(), second.contact_sweeper.sweep())
    finally:
        await first.db.dispose()
        await second.db.dispose()
    assert sum(moved) == 1
    assert await rt.contact_sweeper.sweep() == 0

    after = await row(p, case_id)
    assert (after.status, after.outcome, after.handoff_type) == ("failed", "failed", "docket")
    assert after.outcome_detail["ground"] == "party_unreachable"
    [failed] = await emitted(p, case_id, "mediation.failed")
    assert failed["data"]["ground"] == "party_unreachable" and failed["data"]["handoff_type"] == "docket"
    assert "note" not in failed["data"]
    view = (await p.client.get(f"/v1/mediations/{case_id}", headers=p.auth("partner", **PARTNER))).json()
    last = view["audit"][-1]
    assert (last["action"], last["role"], last["actor_id"], last["reason"]) == (
        "record_failed", "system", "contact_sweeper", "party_unreachable")


async def test_two_sweepers_end_each_uncontacted_case_once_with_the_hand_off_of_its_mode(platform, clock):
    p = platform
    now = clock.now()
    modes = list(EXPECTED_HANDOFF) * 4
    states = [{"status": "in_mediation" if index % 2 else "accepted", "mode": mode, "case_snapshot": case_facts(mode),
               "accepted_at": now - timedelta(days=6), "due_at": now + timedelta(days=24),
               "contact_due_at": now - timedelta(minutes=1), "mediator_id": "P12-M02" if index % 2 else None}
              for index, mode in enumerate(modes)]
    spared = [
        # contacted in time, not yet due, paused (its clock is stopped), accepted before windows were recorded
        {"status": "accepted", "accepted_at": now - timedelta(days=6), "due_at": now + timedelta(days=24),
         "contact_due_at": now - timedelta(minutes=1), "contacted_at": now - timedelta(days=5)},
        {"status": "accepted", "accepted_at": now, "due_at": now + timedelta(days=30),
         "contact_due_at": now + timedelta(days=3)},
        {"status": "paused", "accepted_at": now - timedelta(days=6), "due_at": None, "mediator_id": "P12-M02",
         "contact_due_at": now - timedelta(minutes=1),
         "pauses": [{"paused_at": (now - timedelta(days=5)).isoformat(), "resumed_at": None}]},
        {"status": "accepted", "accepted_at": now - timedelta(days=6), "due_at": now + timedelta(days=24)},
    ]
    cases = await put_many(p, states + spared)

    first, second = _replica(p, clock), _replica(p, clock)
    try:
        moved = await asyncio.gather(first.contact_sweeper.sweep(), second.contact_sweeper.sweep(),
                                     p.runtimes["mediation"].contact_sweeper.sweep())
    finally:
        await first.db.dispose()
        await second.db.dispose()
    assert sum(moved) == len(modes)

    failures = Counter(e["case_id"] for e in await emitted(p, type="mediation.failed"))
    assert set(failures.values()) == {1} and len(failures) == len(modes)
    rows, audits, _ = await snapshot(p)
    for case, mode in zip(cases, modes):
        [event] = await emitted(p, case.case_id, "mediation.failed")
        assert event["data"]["handoff_type"] == EXPECTED_HANDOFF[mode] and event["data"]["mode"] == mode
        assert event["data"]["ground"] == "party_unreachable"
        assert rows[case.case_id].status == ("closed" if mode == "self" else "failed")
    for case, state in zip(cases[len(modes):], spared):
        assert rows[case.case_id].status == state["status"] and case.case_id not in audits


async def test_a_recorded_contact_prevents_the_ending_and_emits_no_event(platform, clock):
    p = platform
    case_id = await _accepted(p, clock)
    clock.advance(timedelta(days=1))
    contacted_at = clock.now() - timedelta(hours=2)
    answer = await p.client.post(f"/v1/mediations/{case_id}/contacts", headers=p.auth("partner", **PARTNER),
                                 json={"party_id": RESPONDENT, "channel": "phone",
                                       "contacted_at": contacted_at.isoformat()})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert datetime.fromisoformat(body["contacted_at"]) == contacted_at
    assert [(c["party_id"], c["channel"]) for c in body["contacts"]] == [(RESPONDENT, "phone")]
    assert body["audit"][-1]["action"] == "record_contact" and body["status"] == "accepted"
    # a later contact, at now by default, is kept but does not move the first one
    again = await p.client.post(f"/v1/mediations/{case_id}/contacts", headers=p.auth("partner", **PARTNER),
                                json={"party_id": APPLICANT, "channel": "sms"})
    assert again.status_code == 201 and datetime.fromisoformat(again.json()["contacted_at"]) == contacted_at

    clock.set(DUE + timedelta(days=2))
    assert await p.runtimes["mediation"].contact_sweeper.sweep() == 0
    assert (await row(p, case_id)).status == "accepted"
    assert [e["type"] for e in await emitted(p, case_id)] == ["mediation.accepted"]


async def test_a_scheduled_session_counts_as_contact(platform, clock):
    p = platform
    case_id = await _accepted(p, clock)
    auth = p.auth("mediator", **MEDIATOR)
    assert (await p.client.post(f"/v1/mediations/{case_id}/mediator", json={"mediator_id": "P12-M02"},
                                headers=auth)).status_code == 200
    clock.advance(timedelta(days=2))
    session = await p.client.post(f"/v1/mediations/{case_id}/sessions", headers=auth, json={
        "scheduled_at": (clock.now() + timedelta(days=3)).isoformat(), "online": True})
    assert session.status_code == 201, session.text
    assert datetime.fromisoformat(session.json()["contacted_at"]) == clock.now()
    clock.set(DUE + timedelta(days=1))
    assert await p.runtimes["mediation"].contact_sweeper.sweep() == 0
    assert (await row(p, case_id)).status == "in_mediation"


async def test_contacts_are_refused_to_strangers_bad_bodies_and_after_the_window(platform, clock):
    p = platform
    case_id = await _accepted(p, clock)
    url = f"/v1/mediations/{case_id}/contacts"
    contact = {"party_id": RESPONDENT, "channel": "email"}
    strangers = (("partner", {"partner_id": "P13"}), ("mediator", {"partner_id": "P13", "mediator_id": "P13-M01"}))
    for role, claims in strangers:
        assert (await p.client.post(url, json=contact, headers=p.auth(role, **claims))).status_code == 404
    assert (await p.client.post(url, json=contact, headers=p.auth("ops"))).status_code == 403
    auth = p.auth("partner", **PARTNER)
    unknown = await p.client.post(url, json={"party_id": new_id(), "channel": "phone"}, headers=auth)
    assert unknown.status_code == 422 and unknown.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in unknown.json()["errors"]] == ["party_id"]
    ahead = await p.client.post(url, headers=auth,
                                json={**contact, "contacted_at": (clock.now() + timedelta(hours=1)).isoformat()})
    assert ahead.status_code == 422 and ahead.json()["errors"][0]["field"] == "contacted_at"
    assert (await p.client.post(url, json={**contact, "channel": "pigeon"}, headers=auth)).status_code == 422

    clock.set(DUE)
    late = await p.client.post(url, json=contact, headers=auth)
    assert late.status_code == 409, late.text
    # a contact that happened in time may still be recorded before the sweeper's pass
    in_time = await p.client.post(url, headers=auth,
                                  json={**contact, "contacted_at": (DUE - timedelta(hours=1)).isoformat()})
    assert in_time.status_code == 201, in_time.text
    assert await p.runtimes["mediation"].contact_sweeper.sweep() == 0
    rt = p.runtimes["mediation"]
    async with rt.db.read() as session:
        assert (await session.execute(select(func.count()).select_from(Contact))).scalar_one() == 1
        actions = (await session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id))).all()
    assert actions.count("record_contact") == 1
