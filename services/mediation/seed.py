"""Accounts for the mediator web client: every mediator of the roster. Only `make run` (demo=True)
gives them the published demo password "mediator-demo"; elsewhere an account waits for ops to issue
its initial password (`python -m services.mediation.accounts`). Either way the mediator chooses
their own password at the first sign-in;
and the holiday table, from the years the code ships (chinese-calendar's, then 2027's statutory
holidays), for any year it does not hold yet.

The roster is routing's data file; mediation reads the file (not routing's database) only to know
whom to give a demo sign-in. Existing accounts are left alone, so running the seed again keeps any
password changed since."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from sqlalchemy import select

from services.mediation.store.accounts import hash_password, unusable_hash
from services.mediation.store.holidays import seed_shipped
from services.mediation.store.models import MediatorAccount
from shared.clock import SystemClock

ROSTER = Path(__file__).resolve().parent.parent / "routing" / "data" / "roster.yaml"
DEMO_PASSWORD = "mediator-demo"


@functools.cache
def _demo_hash() -> str:
    # the demo password is published, so one salt for all demo accounts loses nothing, and hashing
    # a hundred accounts at argon2's cost would take half a minute at every start of `make run`
    return hash_password(DEMO_PASSWORD)


def roster_mediators(path: Path = ROSTER) -> list[tuple[str, str, str]]:
    roster = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(m["id"], p["id"], m.get("name") or m["id"])
            for p in roster.get("partners", []) for m in p.get("mediators") or []]


async def seed(session, db, demo: bool = False) -> str:
    existing = set((await session.scalars(select(MediatorAccount.mediator_id))).all())
    added = 0
    for mediator_id, partner_id, name in roster_mediators():
        if mediator_id in existing:
            continue
        session.add(MediatorAccount(mediator_id=mediator_id, partner_id=partner_id, name=name,
                                    password_hash=_demo_hash() if demo else unusable_hash(), active=True,
                                    must_set_password=True))
        added += 1
    years = await seed_shipped(session, SystemClock().now())
    return (f"{added} mediator accounts added "
            f"({f'password {DEMO_PASSWORD!r}' if demo else 'no password until ops issue one'}), {len(existing)} kept; "
            f"{years} holiday years added")
