"""The parties' joint choice (2021 Art 10), through intake, routing and mediation on PostgreSQL: a
ruleset gives the parties 2 working days to choose a partner (and a mediator there) before the rules
designate one; the window, the choice and the designation are on the clerk's timeline."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from services.routing.sweepers import ChoiceSweeper
from shared.clock import ManualClock
from tests.integration.routing.helpers import install_ruleset
from tests.support.cases import case_body
from tests.support.platform import running

BJ = timezone(timedelta(hours=8))
MONDAY = datetime(2026, 3, 2, 10, tzinfo=BJ)
QUIET = {"routing": {"choice_sweep_seconds": 3600}, "mediation": {"sweep_interval_seconds": 3600}}


async def _file(p, clerk) -> str:
    answer = await p.client.post("/v1/cases", json=case_body(), headers={**clerk, "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    await p.settle()
    return answer.json()["id"]


async def _timeline(p, clerk, case_id) -> list[dict]:
    await p.settle()
    return (await p.client.get(f"/v1/cases/{case_id}", headers=clerk)).json()["timeline"]


def _types(timeline: list[dict]) -> list[str]:
    return [entry["type"] for entry in timeline]


async def test_art10_2021_the_parties_choose_within_two_working_days_or_the_rules_designate(pg_database):
    urls = {name: await pg_database(name) for name in ("intake", "routing", "mediation")}
    clock = ManualClock(MONDAY)
    async with running(urls, clock=clock, settings=QUIET) as p:
        await install_ruleset(p, joint_choice={"working_days": 2})
        clerk = p.auth("clerk", court_code="370202")

        chosen_case = await _file(p, clerk)
        opened = await _timeline(p, clerk, chosen_case)
        window = next(e for e in opened if e["type"] == "case.choice_window_opened")
        # Monday 10:00: two working days are Tuesday and Wednesday; the window ends with Wednesday
        assert window["data"]["closes_at"] == "2026-03-05T00:00:00+08:00" and window["data"]["working_days"] == 2
        assert "case.routed" not in _types(opened)

        wrong_mediator = await p.client.post(f"/v1/routing/choices/{chosen_case}", headers=clerk,
                                             json={"partner_id": "P35", "mediator_id": "P12-M01"})
        other_court = await p.client.post(f"/v1/routing/choices/{chosen_case}",
                                          headers=p.auth("clerk", court_code="370203"), json={"partner_id": "P35"})
        clock.advance(timedelta(days=1))  # Tuesday: still open
        chose = await p.client.post(f"/v1/routing/choices/{chosen_case}", headers=clerk,
                                    json={"partner_id": "P35", "mediator_id": "P35-M02"})
        again = await p.client.post(f"/v1/routing/choices/{chosen_case}", headers=clerk, json={"partner_id": "P24"})
        assert wrong_mediator.status_code == 422 and wrong_mediator.json()["errors"][0]["field"] == "mediator_id"
        assert other_court.status_code == 404
        assert chose.status_code == 200, chose.text
        assert chose.json()["partner_id"] == "P35" and "joint choice" in chose.json()["explanation"]
        assert again.status_code == 409

        # at the partner, accepting assigns the mediator the parties chose
        await p.settle()
        accepted = await p.client.post(f"/v1/mediations/{chosen_case}/accept",
                                       headers=p.auth("partner", partner_id="P35"))
        assert accepted.status_code == 200, accepted.text
        timeline = await _timeline(p, clerk, chosen_case)
        # the timeline is in time order; routing records the choice and the decision it leads to in one
        # transaction, at one instant (the test's clock stands still between requests)
        at = {e["type"]: e["occurred_at"] for e in timeline}
        assert at["case.choice_window_opened"] < at["case.jointly_chosen"] <= at["case.routed"]
        chosen = next(e for e in timeline if e["type"] == "case.jointly_chosen")["data"]
        assert (chosen["partner_id"], chosen["mediator_id"]) == ("P35", "P35-M02")
        routed = next(e for e in timeline if e["type"] == "case.routed")["data"]
        assert routed["joint_choice"]["outcome"] == "followed"
        assigned = next(e for e in timeline if e["type"] == "mediation.mediator_assigned")["data"]
        assert assigned["mediator_id"] == "P35-M02"

        # no choice: at the end of Wednesday the rules designate
        clock.set(MONDAY)
        designated_case = await _file(p, clerk)
        sweeper: ChoiceSweeper = p.runtimes["routing"].choice_sweeper
        clock.set(datetime(2026, 3, 4, 23, 59, tzinfo=BJ))
        assert await sweeper.sweep() == 0
        assert "case.routed" not in _types(await _timeline(p, clerk, designated_case))
        clock.set(datetime(2026, 3, 5, 0, 0, tzinfo=BJ))
        assert await sweeper.sweep() == 1
        late = await p.client.post(f"/v1/routing/choices/{designated_case}", headers=clerk, json={"partner_id": "P35"})
        timeline = await _timeline(p, clerk, designated_case)
        routed = next(e for e in timeline if e["type"] == "case.routed")["data"]
    assert late.status_code == 409
    assert routed["joint_choice"]["outcome"] == "designated" and routed["partner_id"]
    assert "Designated by the rules (2021 Art 10)" in routed["explanation"]
