"""Idempotency-Key on POST .../sessions and .../extensions (optional there): the same key and body
answer the first answer again without a second effect, even when the retries race; another body
under the same key is a 409 problem; the key is the caller's own."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from services.mediation.store.models import IDEMPOTENCY_KEYS, Extension, Session
from tests.integration.mediation.helpers import PARTIES, emitted, put

MEDIATOR = {"partner_id": "P12", "mediator_id": "P12-M02"}


async def _in_mediation(p, clock):
    now = clock.now()
    return await put(p, status="in_mediation", accepted_at=now - timedelta(days=1), mediator_id="P12-M02",
                     due_at=now + timedelta(days=29), contact_due_at=now + timedelta(days=2))


async def _count(p, model) -> int:
    async with p.runtimes["mediation"].db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_the_same_key_and_body_schedule_one_session_and_answer_it_again(platform, clock):
    p = platform
    case = await _in_mediation(p, clock)
    url = f"/v1/mediations/{case.case_id}/sessions"
    body = {"scheduled_at": "2026-03-10T09:00:00+08:00", "location": "市南区调解中心 3 号室"}
    headers = {**p.auth("mediator", **MEDIATOR), "Idempotency-Key": "session-1"}

    first = await p.client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text
    clock.advance(timedelta(minutes=5))
    retries = await asyncio.gather(*(p.client.post(url, json=body, headers=headers) for _ in range(5)))
    for retry in retries:
        assert retry.status_code == 201 and retry.json() == first.json()
        assert retry.headers["idempotent-replayed"] == "true"
    assert await _count(p, Session) == 1
    assert len(await emitted(p, case.case_id, "mediation.session_scheduled")) == 1

    other = await p.client.post(url, json={**body, "location": "另一个地点"}, headers=headers)
    assert other.status_code == 409
    assert other.headers["content-type"].startswith("application/problem+json")
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    # the same key on another path is another request too
    extension = await p.client.post(f"/v1/mediations/{case.case_id}/extensions", headers=headers,
                                    json={"days": 10, "consents": PARTIES})
    assert extension.status_code == 409
    assert await _count(p, Session) == 1 and await _count(p, Extension) == 0

    # keys are the caller's: the partner's system using the same key schedules its own session
    partner = await p.client.post(url, json=body, headers={**p.auth("partner", partner_id="P12"),
                                                           "Idempotency-Key": "session-1"})
    assert partner.status_code == 201 and "idempotent-replayed" not in partner.headers
    # without a key every POST acts
    assert (await p.client.post(url, json=body, headers=p.auth("mediator", **MEDIATOR))).status_code == 201
    assert await _count(p, Session) == 3


async def test_racing_retries_of_one_key_create_one_session(platform, clock):
    p = platform
    case = await _in_mediation(p, clock)
    headers = {**p.auth("mediator", **MEDIATOR), "Idempotency-Key": "race-1"}
    body = {"scheduled_at": "2026-03-10T09:00:00+08:00", "online": True}
    answers = await asyncio.gather(*(p.client.post(f"/v1/mediations/{case.case_id}/sessions", json=body,
                                                   headers=headers) for _ in range(8)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["session"]["id"] for a in answers}) == 1
    assert await _count(p, Session) == 1 and await _count(p, IDEMPOTENCY_KEYS.table) == 1


async def test_extensions_replay_and_a_refusal_leaves_the_key_free(platform, clock):
    p = platform
    case = await _in_mediation(p, clock)
    url = f"/v1/mediations/{case.case_id}/extensions"
    headers = {**p.auth("mediator", **MEDIATOR), "Idempotency-Key": "extend-1"}
    refused = await p.client.post(url, json={"days": 10, "consents": PARTIES[:1]}, headers=headers)
    assert refused.status_code == 422 and await _count(p, IDEMPOTENCY_KEYS.table) == 0
    granted = await p.client.post(url, json={"days": 10, "consents": PARTIES}, headers=headers)
    assert granted.status_code == 201, granted.text
    again = await p.client.post(url, json={"days": 10, "consents": PARTIES}, headers=headers)
    assert again.status_code == 201 and again.json()["new_deadline"] == granted.json()["new_deadline"]
    assert await _count(p, Extension) == 1
    assert len(await emitted(p, case.case_id, "mediation.extended")) == 1
