"""Acceptance 1 through the API on the real PostgreSQL: the holiday table ops own.

An offer made 2026-12-30 and a 30-day period accepted then reach 2027, which ships only as its
fixed statutory holidays (全国年节及纪念日放假办法 Art 2): both are `calendar_provisional`, counted in
the metric; ops load 2027 through `PUT /v1/calendar/years/2027` and both are computed again on the
notice (2021 Art 12, Art 15; 民事诉讼法 Art 85), the flag cleared. Bad input changes nothing."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from services.mediation.metrics import CALENDAR_PROVISIONAL
from services.mediation.store.models import HolidayYear
from shared.clock import BEIJING, end_of_beijing_day
from tests.integration.mediation.helpers import deliver, emitted, new_id, routed, row
from tests.unit.shared.test_holidays import NOTICE_2027_HOLIDAYS, NOTICE_2027_MAKE_UP

OPS = {"role": "ops"}


def notice_body(**changes) -> dict:
    body = {"holidays": [d.isoformat() for d in NOTICE_2027_HOLIDAYS],
            "make_up_working_days": [d.isoformat() for d in NOTICE_2027_MAKE_UP],
            "notice": "国办发明电〔2026〕(test)", "version": 1}
    body.update(changes)
    return body


async def versions(p, year: int) -> int:
    async with p.runtimes["mediation"].db.read() as session:
        return await session.scalar(select(func.count()).select_from(HolidayYear).where(HolidayYear.year == year))


async def test_art12_art85_windows_past_the_calendar_are_provisional_until_ops_load_the_year(platform, clock):
    p = platform
    ops = p.auth("ops")
    partner = p.auth("partner", partner_id="P12")
    listed = (await p.client.get("/v1/calendar/years", headers=p.auth("clerk", court_code="370202"))).json()
    assert listed["confirmed_until"] == 2026
    assert next(y for y in listed["items"] if y["year"] == 2027)["provisional"] is True
    shipped = (await p.client.get("/v1/calendar/years/2027", headers=ops)).json()
    assert shipped["provisional"] is True and "warning" in shipped and shipped["version"] == 1
    assert shipped["holidays"][0] == "2027-01-01" and len(shipped["holidays"]) == 13

    counted_before = CALENDAR_PROVISIONAL.labels(window="offer")._value.get()
    offered_at = datetime(2026, 12, 30, 16, tzinfo=BEIJING)
    clock.set(offered_at)
    offered, accepted = new_id(), new_id()
    await deliver(p, routed(offered, at=offered_at), routed(accepted, at=offered_at))
    view = (await p.client.get(f"/v1/mediations/{offered}", headers=partner)).json()
    assert view["offer"]["calendar_provisional"] is True
    assert datetime.fromisoformat(view["offer"]["closes_at"]) == end_of_beijing_day(date(2027, 1, 5))
    assert CALENDAR_PROVISIONAL.labels(window="offer")._value.get() == counted_before + 2

    clock.set(datetime(2026, 12, 31, 10, tzinfo=BEIJING))
    answer = await p.client.post(f"/v1/mediations/{accepted}/accept", headers=partner)
    assert answer.status_code == 200, answer.text
    accepted_view = answer.json()
    # 30 days from 2026-12-31: Saturday 2027-01-30, a rest day: Art 85 runs it to Monday 1 February
    assert datetime.fromisoformat(accepted_view["deadline"]["due_at"]) == end_of_beijing_day(date(2027, 2, 1))
    assert accepted_view["deadline"]["calendar_provisional"] is True
    # 2021 Art 15: Mon 4, Tue 5, Wed 6 January (元旦 and the weekend do not count)
    assert accepted_view["contact_window"]["calendar_provisional"] is True
    assert datetime.fromisoformat(accepted_view["contact_window"]["due_at"]) == end_of_beijing_day(date(2027, 1, 6))

    # bad input: problem+json naming the field, nothing stored, nothing recomputed
    for body, field in [(notice_body(make_up_working_days=["2027-02-22"]), "make_up_working_days[0]"),
                        (notice_body(holidays=[d for d in notice_body()["holidays"] if d != "2027-10-01"]),
                         "holidays"),
                        (notice_body(holidays=["2027-02-30"]), "holidays.0"),
                        (notice_body(holidays=["2026-01-01", *notice_body()["holidays"]]), "holidays[0]")]:
        refused = await p.client.put("/v1/calendar/years/2027", json=body, headers=ops)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert any(e["field"].replace("[", ".").rstrip("]").startswith(field.replace("[", ".").rstrip("]"))
                   for e in refused.json()["errors"]), (field, refused.json())
    stale = await p.client.put("/v1/calendar/years/2027", json=notice_body(version=0), headers=ops)
    assert stale.status_code == 409 and stale.json()["errors"][0]["field"] == "version"
    assert (await p.client.put("/v1/calendar/years/2027", json=notice_body(), headers=partner)).status_code == 403
    assert (await p.client.put("/v1/calendar/years/1999", json=notice_body(), headers=ops)).status_code == 422
    assert await versions(p, 2027) == 1
    assert (await row(p, offered)).offer_calendar_provisional is True

    # ops load the notice: version 2, audited, and both cases computed again on it
    loaded = await p.client.put("/v1/calendar/years/2027", json=notice_body(), headers=ops)
    assert loaded.status_code == 200, loaded.text
    body = loaded.json()
    assert (body["version"], body["provisional"]) == (2, False) and body["loaded_by"].startswith("ops")
    assert body["recomputed"] == 2
    history = (await p.client.get("/v1/calendar/years/2027", headers=ops)).json()["versions"]
    assert [(v["version"], v["provisional"]) for v in history] == [(1, True), (2, False)]

    view = (await p.client.get(f"/v1/mediations/{offered}", headers=partner)).json()
    assert view["offer"]["calendar_provisional"] is False
    assert datetime.fromisoformat(view["offer"]["closes_at"]) == end_of_beijing_day(date(2027, 1, 5))
    after = (await p.client.get(f"/v1/mediations/{accepted}", headers=partner)).json()
    assert after["deadline"]["calendar_provisional"] is False
    assert after["contact_window"]["calendar_provisional"] is False
    assert datetime.fromisoformat(after["deadline"]["due_at"]) == end_of_beijing_day(date(2027, 2, 1))
    # the notice gives 1-3 January off: the contact window still ends with Wednesday 6 January
    assert datetime.fromisoformat(after["contact_window"]["due_at"]) == end_of_beijing_day(date(2027, 1, 6))
    assert (await row(p, accepted)).due_calendar_provisional is False
    # each case says so through the outbox: the clerk's view and the parties' reminder follow
    [event] = await emitted(p, accepted, "mediation.calendar_recomputed")
    assert datetime.fromisoformat(event["data"]["deadline"]) == end_of_beijing_day(date(2027, 2, 1))
    assert event["data"]["calendar_provisional"] is False and event["data"]["partner_id"] == "P12"
    assert len(await emitted(p, offered, "mediation.calendar_recomputed")) == 1

    # another replica learns the year from the table
    rt = p.runtimes["mediation"]
    from services.mediation.actions.calendar import refresh_calendar
    from shared.holidays import shipped_calendar

    rt.calendar = shipped_calendar()
    # before its refresh, that replica opens an offer on the calendar it still has: provisional
    late = new_id()
    await deliver(p, routed(late, at=clock.now()))
    assert (await row(p, late)).offer_calendar_provisional is True
    assert await refresh_calendar(rt) == 1  # its refresh counts that offer again
    assert rt.calendar.arrangement(2027).provisional is False and rt.calendar.arrangement(2027).version == 2
    assert (await row(p, late)).offer_calendar_provisional is False
    assert await refresh_calendar(rt) == 0


async def test_art85_a_notice_that_moves_the_last_day_onto_a_holiday_moves_the_deadline(platform, clock):
    """30 days from 2027-01-07 end on 2027-02-06 (正月初一): on the statutory holidays alone the
    period runs to Tuesday 9 February; the notice gives 5-11 February off, so it runs to Friday 12th."""
    p = platform
    partner = p.auth("partner", partner_id="P12")
    case_id = new_id()
    clock.set(datetime(2027, 1, 7, 9, tzinfo=BEIJING))
    await deliver(p, routed(case_id, at=clock.now()))
    accepted = (await p.client.post(f"/v1/mediations/{case_id}/accept", headers=partner)).json()
    assert datetime.fromisoformat(accepted["deadline"]["due_at"]) == end_of_beijing_day(date(2027, 2, 9))
    assert accepted["deadline"]["calendar_provisional"] is True
    loaded = await p.client.put("/v1/calendar/years/2027", json=notice_body(), headers=p.auth("ops"))
    assert loaded.status_code == 200, loaded.text
    assert (await row(p, case_id)).due_at == end_of_beijing_day(date(2027, 2, 12))
    view = (await p.client.get(f"/v1/mediations/{case_id}", headers=partner)).json()
    assert datetime.fromisoformat(view["deadline"]["due_at"]) == end_of_beijing_day(date(2027, 2, 12))
    assert view["deadline"]["calendar_provisional"] is False
    [event] = await emitted(p, case_id, "mediation.calendar_recomputed")
    assert datetime.fromisoformat(event["data"]["deadline"]) == end_of_beijing_day(date(2027, 2, 12))
