"""The one way a case gets a decision: the next attempt decided on the roster's current load, the
partner's place taken, the decision recorded and `case.routed` or `case.unroutable` emitted, all in
the caller's transaction. Filing, a decline, a lapse and the parties' joint choice all end here."""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.domain.case import InvalidRoutingCase, RoutingCase
from services.routing.domain.engine import RoutingDecision, considered_partner_ids, decide
from services.routing.domain.policy import PACKS, PolicyPack
from services.routing.domain.roster import normalise_firm
from services.routing.domain.ruleset import Ruleset
from services.routing.metrics import DECISION_SECONDS, DECISIONS
from services.routing.store import roster as roster_store
from services.routing.store import routed_cases
from services.routing.store.models import RoutedCase
from shared.events import Envelope
from shared.logging import get_logger

log = get_logger("routing.decide")

SOURCE = "routing"
CAPACITY_RACE_RETRIES = 3


class CapacityRace(RuntimeError):
    """The partners chosen kept filling up under concurrent decisions; the message is retried."""


def routing_case(routed: RoutedCase) -> RoutingCase:
    try:
        return RoutingCase.from_case_body(routed.case_id, routed.facts)
    except InvalidRoutingCase as exc:
        log.error("case cannot be routed", case_id=routed.case_id, error=str(exc))
        raise


async def route(session: AsyncSession, rt, routed: RoutedCase, rules: Ruleset | None = None, *,
                kept_now: bool = False) -> RoutingDecision | None:
    """Decide the next attempt; `rules` is the case's pinned ruleset when the caller has it at hand.
    None when that attempt was decided already (decisions are idempotent per case and attempt).
    `kept_now`: this transaction inserted the case (routed_cases.keep_new), so no decision of it
    can exist yet (decisions are written with their case's row, never without one)."""
    attempt = routed.attempt + 1
    if not kept_now and await routed_cases.decided(session, routed.case_id, attempt):
        return None
    case = routing_case(routed)
    if rules is None:
        _, rules = await rt.rulesets.read(session, routed.ruleset_version)
    pack = PACKS[routed.policy_pack]
    decision = None
    started = time.perf_counter()
    for _ in range(CAPACITY_RACE_RETRIES):
        index = await rt.roster.index(session)
        pool = set(considered_partner_ids(case, index, rules))
        load = await roster_store.loads(session, pool)
        decision = decide(case, index, rules, pack, load, frozenset(routed.declined), attempt)
        if decision.partner_id is None or await roster_store.take_capacity(session, decision.partner_id):
            break
    else:
        # Concurrent decisions kept filling the chosen partners: roll back and let the bus retry,
        # rather than record a partner whose place was never taken.
        raise CapacityRace(f"case {routed.case_id}: capacity taken concurrently {CAPACITY_RACE_RETRIES} times")
    await _record(session, rt, routed, decision, index)
    # Counted before the commit: a batch that rolls back is decided again and counted again,
    # which over-counts only what the bus retried (bus_messages_consumed_total shows those).
    outcome = decision.outcome.value
    DECISION_SECONDS.labels(outcome=outcome).observe(time.perf_counter() - started)
    DECISIONS.labels(outcome=outcome, mode=decision.mode.value).inc()
    return decision


async def release_holder(session: AsyncSession, routed: RoutedCase) -> None:
    """The partner holding the case gives its place back (a decline, the case's end)."""
    if routed.holder_partner_id:
        await roster_store.release_capacity(session, routed.holder_partner_id)
        routed.holder_partner_id = None


async def _record(session: AsyncSession, rt, routed: RoutedCase, decision: RoutingDecision, index) -> None:
    now = rt.clock.now()
    document = {**decision.to_dict(), "decided_at": now.isoformat()}
    await routed_cases.add_decision(session, routed.case_id, decision.attempt, decision.outcome.value,
                                    decision.partner_id, document, now)
    routed.attempt = decision.attempt
    summary = {k: document[k] for k in ("attempt", "mode", "partner_id", "policy_pack", "ruleset_version",
                                        "period_days", "reason", "reason_detail", "explanation")}
    summary["extension_rule"] = extension_rule(PACKS[routed.policy_pack])
    if routed.choice_closes_at is not None:
        summary["joint_choice"] = _joint_choice(routed, decision)
    if decision.partner_id:
        routed.holder_partner_id = decision.partner_id
        partner = index.get(decision.partner_id)
        summary |= {"partner_name": partner.name_zh if partner else None, "case": _routed_case(routed.facts),
                    "mediators": _mediators(partner, routed.facts)}
        envelope = Envelope.new("case.routed", routed.case_id, SOURCE, summary, occurred_at=now)
    else:
        routed.closed = True
        summary |= {"return_to_court": decision.return_to_court, "court_code": routed.facts.get("court_code"),
                    "stage": routed.facts.get("stage"), "case": _routed_case(routed.facts)}
        envelope = Envelope.new("case.unroutable", routed.case_id, SOURCE, summary, occurred_at=now)
    await rt.outbox.add(session, envelope)
    log.info("case routed" if decision.partner_id else "case unroutable", case_id=routed.case_id,
             attempt=decision.attempt, partner_id=decision.partner_id, reason=document["reason"])


def extension_rule(pack: PolicyPack) -> dict:
    """The pack's limits on extensions, as mediation applies them (2016 Art 27): the pack is routing's
    data, so mediation takes the rule from the decision rather than keeping a copy."""
    return {"max_extensions": pack.extension.max_extensions, "max_days": pack.extension.max_days}


# The case as routed, for those who hear case.routed before case.received: no party, nothing personal.
_ROUTED_CASE_KEYS = ("court_code", "case_number", "court_case_number", "stage", "mode", "procedure", "category",
                     "district", "claim_amount")


def _routed_case(facts: dict) -> dict:
    return {key: facts.get(key) for key in _ROUTED_CASE_KEYS}


def _mediators(partner, facts: dict) -> list[dict]:
    """The partner's mediators travel with the offer: mediation assigns one and checks recusal.

    A mediator's declared conflicts never leave routing (they name people who are not parties):
    each mediator carries only which parties of this case its declarations touch, and how."""
    if partner is None:
        return []
    # the parties' joint choice of a mediator at this partner (2021 Art 10), for mediation to assign
    chosen = facts.get("preferred_mediator_id") if facts.get("preferred_partner_id") == partner.id else None
    return [{"id": m.id, "name": m.name, "specialties": sorted(m.specialties), "conflicts": _ties(m, facts),
             **({"chosen_by_parties": True} if m.id == chosen else {})}
            for m in partner.mediators]


def _ties(mediator, facts: dict) -> list[dict]:
    ties = []
    for party in facts.get("parties") or ():
        if str(party.get("id_number") or "").strip().upper() in mediator.conflicts.id_numbers:
            ties.append({"kind": "party_id_number", "party_id": party.get("party_id")})
        firm = (party.get("represented_by") or {}).get("law_firm") or party.get("law_firm")
        if firm and normalise_firm(firm) in mediator.conflicts.law_firms:
            ties.append({"kind": "law_firm", "party_id": party.get("party_id")})
    return ties


def _joint_choice(routed: RoutedCase, decision: RoutingDecision) -> dict:
    """How the decision relates to the parties' window (2021 Art 10), for the timeline: their choice
    followed, their choice not followed (and why, in reason_detail), or no choice and a designation."""
    chosen = routed.facts.get("preferred_partner_id")
    if not chosen:
        outcome = "designated"
    else:
        outcome = "followed" if decision.partner_id == chosen else "not_followed"
    return {"window_closed_at": routed.choice_closes_at.isoformat() if routed.choice_closes_at else None,
            "chosen_partner_id": chosen, "chosen_mediator_id": routed.facts.get("preferred_mediator_id"),
            "outcome": outcome}
