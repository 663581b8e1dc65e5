"""What an operator and the 35 partners do before cases flow, through the public API only: bearer
tokens signed with the development secret, capacity raised, one webhook endpoint per partner."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

from shared.auth import issue_token
from shared.settings import DEV_JWT_SECRET

PARTNERS = tuple(f"P{n:02d}" for n in range(1, 36))  # contract.md: P01-P35 are stable ids
# Nothing finishes during a run, so every routed case keeps its partner's place: with the roster's
# capacities (60-200) the city would be "full" after about 2,500 cases and the rest unroutable.
BENCH_CAPACITY = 1_000_000
WEBHOOK_EVENTS = ["case.routed"]  # exactly one delivery per routed case


def clerk_tokens(courts: set[str]) -> dict[str, str]:
    return {court: issue_token(DEV_JWT_SECRET, role="clerk", court_code=court, subject=f"clerk:{court}:bench")
            for court in courts}


def _check(answer: httpx.Response, what: str) -> dict:
    if answer.status_code not in (200, 201):
        raise RuntimeError(f"{what}: {answer.status_code} {answer.text[:500]}")
    return answer.json()


async def raise_capacity(routing_url: str) -> None:
    ops = {"Authorization": "Bearer " + issue_token(DEV_JWT_SECRET, role="ops", subject="ops:bench")}
    async with httpx.AsyncClient(base_url=routing_url, headers=ops, timeout=30) as client:
        for partner in PARTNERS:
            _check(await client.patch(f"/v1/partners/{partner}", json={"capacity": BENCH_CAPACITY}),
                   f"PATCH /v1/partners/{partner}")


async def register_endpoints(notify_url: str, receiver_url: str, secrets_path: Path) -> dict[str, str]:
    """Each partner registers its own endpoint with its own token; the secret, shown once, goes to a
    file only the receiver reads (mode 600)."""
    secrets: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=notify_url, timeout=30) as client:
        for partner in PARTNERS:
            token = issue_token(DEV_JWT_SECRET, role="partner", partner_id=partner, subject=f"partner:{partner}:bench")
            answer = _check(await client.post(
                "/v1/webhook-endpoints", headers={"Authorization": f"Bearer {token}"},
                json={"url": f"{receiver_url}/hooks/{partner}", "event_types": WEBHOOK_EVENTS}),
                f"POST /v1/webhook-endpoints for {partner}")
            secrets[partner] = answer["secret"]
    descriptor = os.open(secrets_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(secrets, out)
    return secrets
