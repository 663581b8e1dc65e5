"""Acceptance 1: the table of transitions through the API. Every status x every API action x every
role: the allowed ones succeed and land where the state machine says; the others answer 403 or 409
and change nothing (status, row version, audit trail, outbox)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from services.mediation.domain.machine import Forbidden, IllegalTransition, apply
from services.mediation.domain.states import Action, MediationStatus, Role
from tests.integration.mediation.helpers import PARTIES, RESPONDENT, put, put_many, row, snapshot

S = MediationStatus

# API call for each action: (path suffix, body)
CALLS = {
    Action.ACCEPT: ("accept", None),
    Action.DECLINE: ("decline", {"reason": "no capacity this month"}),
    Action.ASSIGN_MEDIATOR: ("mediator", {"mediator_id": "P12-M02"}),
    Action.SCHEDULE_SESSION: ("sessions", {"scheduled_at": "2026-03-20T09:00:00+08:00", "online": True}),
    Action.RECORD_CONTACT: ("contacts", {"party_id": RESPONDENT, "channel": "phone"}),
    Action.EXTEND: ("extensions", {"days": 10, "consents": PARTIES}),
    Action.PAUSE: ("pause", {"reason": "appraisal of the building defects"}),
    Action.RESUME: ("resume", None),
    Action.RECORD_SETTLED: ("outcome", {"result": "settled",
                                        "agreement": {"terms": ["respondent pays 10000 by April"],
                                                      "signed_by": PARTIES}}),
    Action.RECORD_FAILED: ("outcome", {"result": "failed", "ground": "positions_too_far_apart"}),
    Action.RECORD_WITHDRAWN: ("outcome", {"result": "withdrawn"}),
    Action.CLOSE: ("close", None),
}
ROLES = {
    "partner": {"partner_id": "P12"},
    "mediator": {"partner_id": "P12", "mediator_id": "P12-M02"},
    "ops": {},
    "clerk": {"court_code": "370202"},
}


def _state(status: MediationStatus, now) -> dict:
    """The row fields of a case that reached `status` the ordinary way."""
    if status in (S.OFFERED, S.DECLINED):
        return {"status": status.value}
    accepted = now - timedelta(days=2)
    fields = {"status": status.value, "accepted_at": accepted,
              "due_at": accepted + timedelta(days=31), "mediator_id": None}
    if status is not S.ACCEPTED:
        fields["mediator_id"] = "P12-M01"
    if status is S.PAUSED:
        fields.update(pauses=[{"paused_at": (now - timedelta(hours=5)).isoformat(), "resumed_at": None}], due_at=None)
    if status in (S.SETTLED, S.FAILED, S.WITHDRAWN, S.EXPIRED, S.HANDED_OFF, S.CLOSED):
        fields.update(outcome="failed", outcome_at=now - timedelta(hours=1), handoff_type="docket")
    return fields


def _expected(status: MediationStatus, action: Action, role: str) -> tuple[int, MediationStatus | None]:
    if role == "clerk":
        return 403, None
    try:
        return 200, apply(status, action, Role(role))
    except Forbidden:
        return 403, None
    except IllegalTransition:
        return 409, None


async def test_every_status_action_and_role(platform):
    p = platform
    rt = p.runtimes["mediation"]
    headers = {role: p.auth(role, **claims) for role, claims in ROLES.items()}
    now = rt.clock.now()
    combos = [(status, action, role) for status in MediationStatus for action in CALLS for role in ROLES]
    # one row per combination, so every answer is checked against an untouched starting state
    cases = await put_many(p, [_state(status, now) for status, _, _ in combos])
    gate = asyncio.Semaphore(8)  # rows are independent: answer them side by side to keep the test quick

    async def call(action: Action, role: str, case_id: str):
        suffix, body = CALLS[action]
        async with gate:
            return await p.client.post(f"/v1/mediations/{case_id}/{suffix}", json=body, headers=headers[role])

    answers = await asyncio.gather(*(call(action, role, case.case_id)
                                     for (_, action, role), case in zip(combos, cases)))
    rows, audits, events = await snapshot(p)
    failures, allowed = [], 0
    for (status, action, role), case, answer in zip(combos, cases, answers):
        code, target = _expected(status, action, role)
        after, label = rows[case.case_id], f"{status}/{action}/{role}"
        if code == 200:
            allowed += 1
            if answer.status_code not in (200, 201) or after.status != target.value:
                failures.append(f"{label}: {answer.status_code} {after.status} {answer.text[:200]}")
            elif not audits.get(case.case_id):
                failures.append(f"{label}: not audited")
            continue
        unchanged = (after.status == status.value and after.version == 1
                     and not audits.get(case.case_id) and not events.get(case.case_id))
        is_problem = answer.headers.get("content-type", "").startswith("application/problem+json")
        if answer.status_code != code or not unchanged or not is_problem:
            failures.append(f"{label}: expected {code}, got {answer.status_code}, unchanged={unchanged}")
    assert not failures, "\n".join(failures)
    assert allowed > 40  # the table is not vacuous


async def test_another_partners_case_is_not_found(platform):
    p = platform
    case = await put(p)
    for role, claims in (("partner", {"partner_id": "P13"}),
                         ("mediator", {"partner_id": "P13", "mediator_id": "P13-M01"})):
        auth = p.auth(role, **claims)
        assert (await p.client.get(f"/v1/mediations/{case.case_id}", headers=auth)).status_code == 404
        assert (await p.client.post(f"/v1/mediations/{case.case_id}/accept", headers=auth)).status_code == 404
        listed = (await p.client.get("/v1/mediations", headers=auth)).json()
        assert listed["items"] == []
    assert (await row(p, case.case_id)).status == "offered"
    assert (await p.client.get(f"/v1/mediations/{case.case_id}")).status_code == 401
