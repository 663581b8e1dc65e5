"""Acceptance 3: with the clock past the deadline the sweeper expires each case exactly once, even
with two replicas sweeping the same PostgreSQL database at the same time, and the expiry carries
the hand-off type of the mode (docket / resume_trial / none for self, which closes at the partner)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from services.mediation.app import Runtime
from services.mediation.settings import Settings
from shared.bus import InMemoryBus
from tests.integration.mediation.helpers import audit_actions, case_facts, emitted, put_many, row, snapshot

EXPECTED_HANDOFF = {"delegation": "docket", "entrustment": "resume_trial", "invitation": "resume_trial",
                    "self": None}


def _replica(p, clock, batch: int) -> Runtime:
    """A second mediation process: its own engine and pool on the same database."""
    first = p.runtimes["mediation"]
    settings = Settings(database_url=first.settings.database_url, env="test", sweep_batch_size=batch,
                        sweep_interval_seconds=3600)
    replica = Runtime(settings, InMemoryBus(), clock=clock)
    return replica


async def test_two_sweepers_expire_each_overdue_case_exactly_once(platform, clock):
    p = platform
    now = clock.now()
    modes = list(EXPECTED_HANDOFF) * 10
    states = []
    for index, mode in enumerate(modes):
        accepted = now - timedelta(days=40)
        states.append({"status": "in_mediation" if index % 2 else "accepted", "mode": mode,
                       "case_snapshot": case_facts(mode), "accepted_at": accepted,
                       "due_at": accepted + timedelta(days=31), "mediator_id": "P12-M02" if index % 2 else None})
    # one that is not yet due and one paused: neither may be touched
    states.append({"status": "accepted", "accepted_at": now, "due_at": now + timedelta(days=30)})
    states.append({"status": "paused", "accepted_at": now - timedelta(days=40), "due_at": None,
                   "pauses": [{"paused_at": (now - timedelta(days=20)).isoformat(), "resumed_at": None}]})
    cases = await put_many(p, states)

    first, second = _replica(p, clock, batch=3), _replica(p, clock, batch=3)
    try:
        moved = await asyncio.gather(first.deadline_sweeper.sweep(), second.deadline_sweeper.sweep(),
                                     p.runtimes["mediation"].deadline_sweeper.sweep())
    finally:
        await first.db.dispose()
        await second.db.dispose()
    assert sum(moved) == len(modes)

    expiries = Counter(e["case_id"] for e in await emitted(p, type="mediation.expired"))
    assert set(expiries.values()) == {1} and len(expiries) == len(modes)
    rows, _, _ = await snapshot(p)
    for case, mode in zip(cases, modes):
        actions = await audit_actions(p, case.case_id)
        assert actions.count("expire") == 1
        [event] = await emitted(p, case.case_id, "mediation.expired")
        assert event["data"]["handoff_type"] == EXPECTED_HANDOFF[mode]
        assert event["data"]["mode"] == mode and event["data"]["court_code"] == "370202"
        assert rows[case.case_id].outcome == "expired"
        assert rows[case.case_id].status == ("closed" if mode == "self" else "expired")
    assert (await row(p, cases[-2].case_id)).status == "accepted"
    assert (await row(p, cases[-1].case_id)).status == "paused"
    # a further pass finds nothing
    assert await p.runtimes["mediation"].deadline_sweeper.sweep() == 0


async def test_the_notify_hand_off_reads_what_the_expiry_carries(platform, clock):
    from services.notify.domain.handoff import build_handoff

    p = platform
    now = clock.now()
    [case] = await put_many(p, [{"status": "in_mediation", "mode": "entrustment",
                                 "case_snapshot": case_facts("entrustment"), "accepted_at": now - timedelta(days=20),
                                 "due_at": now - timedelta(minutes=1), "mediator_id": "P12-M02"}])
    assert await p.runtimes["mediation"].deadline_sweeper.sweep() == 1
    [event] = await emitted(p, case.case_id, "mediation.expired")
    handoff = build_handoff(event["type"], event)
    assert handoff.type.value == "resume_trial"
    assert handoff.court_case_number == "(2026)鲁0202民初1号" and handoff.court_code == "370202"
