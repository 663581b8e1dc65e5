"""The year ops load reaches routing (#10): a joint-choice window (2021 Art 10) that reaches the 2027
Spring Festival is counted on its fixed statutory holidays only, `calendar_provisional`; ops load the
State Council's notice through mediation's `PUT /v1/calendar/years/2027`; mediation emits
`calendar.year_loaded` in the same transaction, routing keeps its own copy of the year and counts the
window again on it: later, and no longer provisional, on the clerk's timeline and in `GET`."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from services.routing.actions.calendar import refresh_calendar
from services.routing.store.models import HolidayYear, RoutedCase
from shared.clock import BEIJING, ManualClock, end_of_beijing_day
from shared.events import Envelope, calendar_key
from shared.holidays import arrangement_fields, shipped_calendar
from tests.integration.mediation.helpers import emitted
from tests.integration.mediation.test_mediation_calendar_api import notice_body
from tests.integration.routing.helpers import deliver, install_ruleset, received, routing_service, sent
from tests.support.cases import case_body
from tests.support.platform import running
from tests.unit.routing.test_routing_calendar import notice_2027

# Thursday before the Spring Festival: on the statutory holidays alone (5 and 8 February off) the two
# working days are 9 and 10 February; the notice gives 5-11 February off, so they are 12 and 15
THURSDAY = datetime(2027, 2, 4, 10, tzinfo=BEIJING)
PROVISIONAL_CLOSE = end_of_beijing_day(date(2027, 2, 10))
NOTICE_CLOSE = end_of_beijing_day(date(2027, 2, 15))
QUIET = {"routing": {"choice_sweep_seconds": 3600}, "mediation": {"sweep_interval_seconds": 3600}}


@pytest.fixture(params=["postgresql", "sqlite"])
async def urls(request, pg_database, sqlite_urls) -> dict[str, str]:
    names = ("intake", "routing", "mediation")
    if request.param == "sqlite":
        return {name: sqlite_urls[name] for name in names}
    return {name: await pg_database(name) for name in names}


async def test_art10_2021_loading_2027_counts_the_open_window_again_on_the_notice(urls, bus_url):
    clock = ManualClock(THURSDAY)
    async with running(urls, bus_url=bus_url, clock=clock, settings=QUIET, redeliver_first=True) as p:
        await install_ruleset(p, joint_choice={"working_days": 2})
        clerk, ops = p.auth("clerk", court_code="370202"), p.auth("ops")
        filed = await p.client.post("/v1/cases", json=case_body(),
                                    headers={**clerk, "Idempotency-Key": str(uuid.uuid4())})
        assert filed.status_code == 201, filed.text
        case_id = filed.json()["id"]
        await p.settle(timeout=30)  # every first delivery is redelivered through the retry queues
        before = (await p.client.get(f"/v1/routing/choices/{case_id}", headers=clerk)).json()["window"]
        assert datetime.fromisoformat(before["closes_at"]) == PROVISIONAL_CLOSE
        assert (before["calendar_provisional"], before["status"], before["working_days"]) == (True, "open", 2)

        clock.advance(timedelta(hours=1))  # the timeline is in time order
        loaded = await p.client.put("/v1/calendar/years/2027", json=notice_body(), headers=ops)
        assert loaded.status_code == 200, loaded.text
        await p.settle(timeout=30)  # every first delivery is redelivered through the retry queues

        after = (await p.client.get(f"/v1/routing/choices/{case_id}", headers=clerk)).json()["window"]
        assert datetime.fromisoformat(after["closes_at"]) == NOTICE_CLOSE
        assert (after["calendar_provisional"], after["status"]) == (False, "open")
        assert after["opened_at"] == before["opened_at"]
        rt = p.runtimes["routing"]
        assert rt.calendar.arrangement(2027).version == 2 and not rt.calendar.arrangement(2027).provisional
        # the clerk's timeline: the window as it opened, then as it was counted again
        timeline = (await p.client.get(f"/v1/cases/{case_id}", headers=clerk)).json()["timeline"]
        windows = [e["data"] for e in timeline if e["type"] == "case.choice_window_opened"]
        assert [(datetime.fromisoformat(w["closes_at"]), w["calendar_provisional"], w.get("recomputed"))
                for w in windows] == [(PROVISIONAL_CLOSE, True, None), (NOTICE_CLOSE, False, True)]
        # mediation said so once, keyed by the year, with what its table holds
        [event] = await emitted(p, calendar_key(2027), "calendar.year_loaded")
        assert event["data"] == {**notice_body_fields(), "version": 2}
        assert await emitted(p, case_id, "calendar.year_loaded") == []

        # counted on the right days: on Friday 12 February the parties may still choose
        clock.set(datetime(2027, 2, 12, 10, tzinfo=BEIJING))
        assert await rt.choice_sweeper.sweep() == 0
        chose = await p.client.post(f"/v1/routing/choices/{case_id}", headers=clerk, json={"partner_id": "P35"})
        assert chose.status_code == 200, chose.text
        assert (await p.client.get(f"/v1/routing/choices/{case_id}", headers=clerk)).json()["window"]["status"] == \
            "chosen"


def notice_body_fields() -> dict:
    body = notice_body()
    return {"year": 2027, "holidays": body["holidays"], "make_up_working_days": body["make_up_working_days"],
            "source": "ops", "notice": body["notice"], "provisional": False}


def year_loaded(version: int) -> Envelope:
    return Envelope.new("calendar.year_loaded", calendar_key(2027), "mediation",
                        arrangement_fields(notice_2027(version=version)))


async def _routed(p, case_id: str) -> RoutedCase:
    async with p.runtimes["routing"].db.read() as session:
        return await session.get(RoutedCase, case_id)


async def test_each_version_is_kept_once_an_older_one_never_wins_and_a_stale_replica_catches_up(pg_database):
    async with routing_service(pg_database) as p:
        rt = p.runtimes["routing"]
        rt.clock = ManualClock(THURSDAY)
        await install_ruleset(p, joint_choice={"working_days": 2})
        first = received()
        await deliver(p, first)
        assert (await _routed(p, first.case_id)).choice_calendar_provisional is True

        newer, older = year_loaded(3), year_loaded(2)
        await deliver(p, newer)
        await deliver(p, older)
        async with rt.db.read() as session:
            kept = [(r.year, r.version) for r in (await session.scalars(select(HolidayYear)
                                                                        .order_by(HolidayYear.version))).all()]
        assert kept == [(2027, 2), (2027, 3)]
        assert rt.calendar.arrangement(2027).version == 3
        row = await _routed(p, first.case_id)
        assert (row.choice_closes_at, row.choice_calendar_provisional) == (NOTICE_CLOSE, False)
        assert [d.get("recomputed") for kind, d in await sent(p, first.case_id)
                if kind == "case.choice_window_opened"] == [None, True]

        # a replica that has not refreshed yet opens a window on the shipped calendar; its refresh
        # reads the table and counts that window again
        rt.calendar = shipped_calendar()
        stale = received()
        await deliver(p, stale)
        assert (await _routed(p, stale.case_id)).choice_calendar_provisional is True
        assert await refresh_calendar(rt) == 1
        row = await _routed(p, stale.case_id)
        assert (row.choice_closes_at, row.choice_calendar_provisional) == (NOTICE_CLOSE, False)
        assert rt.calendar.arrangement(2027).version == 3
        assert await refresh_calendar(rt) == 0
