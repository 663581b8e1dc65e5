"""Routing's consumer: decide on received cases, route again on a decline, and keep capacity counts
true as cases finish."""

from __future__ import annotations

import time

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.routing.domain import choice
from services.routing.domain.case import InvalidRoutingCase, RoutingCase
from services.routing.domain.engine import RoutingDecision, considered_partner_ids, decide
from services.routing.domain.policy import PACKS, PolicyPack
from services.routing.domain.roster import normalise_firm
from services.routing.domain.ruleset import Ruleset
from services.routing.store import roster as roster_store
from services.routing.metrics import DECISION_SECONDS, DECISIONS
from services.routing.store.models import DecisionRow, RoutedCase
from services.topology import OUTCOMES
from shared.clock import beijing_date
from shared.events import Envelope
from shared.messaging import ConsumerHandler
from shared.logging import get_logger

log = get_logger("routing.decide")

# Personal data routing does not need to keep: contacts stay with intake (and notify, for notices).
_DROPPED_PARTY_KEYS = {"phone", "email", "address"}
CAPACITY_RACE_RETRIES = 3
_DECISIONS = DecisionRow.__table__
_DECIDED = select(_DECISIONS.c.id).where(_DECISIONS.c.case_id == bindparam("case_id"),
                                         _DECISIONS.c.attempt == bindparam("attempt"))


class CapacityRace(RuntimeError):
    """The partners chosen kept filling up under concurrent decisions; the message is retried."""


def _facts(data: dict) -> dict:
    facts = {k: v for k, v in data.items() if k != "parties"}
    facts["parties"] = [{k: v for k, v in p.items() if k not in _DROPPED_PARTY_KEYS} for p in data.get("parties", [])]
    return facts


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


def extension_rule(pack: PolicyPack) -> dict:
    """The pack's limits on extensions, as mediation applies them (2016 Art 27): the pack is routing's
    data, so mediation takes the rule from the decision rather than keeping a copy."""
    return {"max_extensions": pack.extension.max_extensions, "max_days": pack.extension.max_days}


class DecideConsumer:
    def __init__(self, runtime) -> None:
        self.rt = runtime

    def handlers(self) -> dict[str, ConsumerHandler]:
        """Routing's handler table: the events it acts on, and what it does with each."""
        return {"case.received": self.on_received, "mediation.declined": self.on_declined,
                "case.withdrawn": self.on_finished, **{outcome: self.on_finished for outcome in OUTCOMES}}

    async def on_received(self, session: AsyncSession, envelope: Envelope) -> None:
        if await session.get(RoutedCase, envelope.case_id) is not None:
            return
        now = self.rt.clock.now()
        version, rules = await roster_store.ruleset(session)
        # The ruleset's schedule names the pack by the case's filing date (its Beijing date).
        pack = rules.pack_for(beijing_date(envelope.occurred_at))
        routed = RoutedCase(case_id=envelope.case_id, facts=_facts(envelope.data), policy_pack=pack.code,
                            ruleset_version=version, attempt=0, declined=[], closed=False, received_at=now)
        session.add(routed)
        try:
            case = RoutingCase.from_case_body(routed.case_id, routed.facts)
        except InvalidRoutingCase as exc:
            log.error("case cannot be routed", case_id=routed.case_id, error=str(exc))
            raise
        if choice.opens_window(case, rules, pack):
            await self.open_choice_window(session, routed, rules, now)
            return
        await self.route(session, routed, rules)

    async def open_choice_window(self, session: AsyncSession, routed: RoutedCase, rules: Ruleset, now) -> None:
        """The parties may choose a partner (and a mediator there) jointly before the rules
        designate one (2021 Art 10); the case waits, and the timeline shows until when."""
        window = choice.window(now, rules, self.rt.calendar)
        routed.choice_closes_at = window.closes_at
        await self.rt.outbox.add(session, Envelope.new("case.choice_window_opened", routed.case_id, "routing", {
            "working_days": window.working_days, "closes_at": window.closes_at.isoformat(),
            "calendar_provisional": window.calendar_provisional, "policy_pack": routed.policy_pack,
            "ruleset_version": routed.ruleset_version}, occurred_at=now))
        log.info("joint choice window opened", case_id=routed.case_id, closes_at=window.closes_at.isoformat())

    async def record_choice(self, session: AsyncSession, routed: RoutedCase, partner_id: str,
                            mediator_id: str | None, recorded_by: str) -> RoutingDecision | None:
        """The parties' joint choice, recorded within the window: the rules follow it when the
        partner is eligible and say why not otherwise (2016 Art 12)."""
        now = self.rt.clock.now()
        routed.facts = {**routed.facts, "preferred_partner_id": partner_id, "preferred_mediator_id": mediator_id}
        await self.rt.outbox.add(session, Envelope.new("case.jointly_chosen", routed.case_id, "routing", {
            "partner_id": partner_id, "mediator_id": mediator_id, "recorded_by": recorded_by,
            "chosen_at": now.isoformat()}, occurred_at=now))
        return await self.route(session, routed)

    async def designate_after_window(self, session: AsyncSession, routed: RoutedCase) -> RoutingDecision | None:
        """The window closed without a joint choice: the rules designate (2021 Art 10)."""
        log.info("joint choice window closed without a choice", case_id=routed.case_id)
        return await self.route(session, routed)

    async def on_declined(self, session: AsyncSession, envelope: Envelope) -> None:
        routed = await session.get(RoutedCase, envelope.case_id, with_for_update=True)
        partner_id = envelope.data.get("partner_id")
        attempt = int(envelope.data.get("attempt") or 0)
        if routed is None or routed.closed or (attempt and attempt != routed.attempt):
            return  # a stale decline of an earlier round
        if partner_id and routed.holder_partner_id and partner_id != routed.holder_partner_id:
            return  # a decline without its attempt, from a partner that no longer holds the case
        if routed.holder_partner_id:
            await roster_store.release_capacity(session, routed.holder_partner_id)
            routed.holder_partner_id = None
        if partner_id and partner_id not in routed.declined:
            routed.declined = [*routed.declined, partner_id]
        await self.route(session, routed)

    async def on_finished(self, session: AsyncSession, envelope: Envelope) -> None:
        routed = await session.get(RoutedCase, envelope.case_id, with_for_update=True)
        if routed is None and envelope.type == "case.withdrawn":
            # Withdrawn before routing saw it (events of one case are handled concurrently): keep a
            # closed record, so the case.received still to come routes nothing.
            now = self.rt.clock.now()
            _, rules = await roster_store.ruleset(session)
            session.add(RoutedCase(case_id=envelope.case_id, facts={"withdrawn_before_routing": True},
                                   policy_pack=rules.pack_for(beijing_date(now)).code,
                                   ruleset_version=0, attempt=0, declined=[], closed=True, received_at=now))
            return
        if routed is None or routed.closed:
            return
        if routed.holder_partner_id:
            await roster_store.release_capacity(session, routed.holder_partner_id)
            routed.holder_partner_id = None
        routed.closed = True

    async def route(self, session: AsyncSession, routed: RoutedCase,
                    rules: Ruleset | None = None) -> RoutingDecision | None:
        """Decide the next attempt; `rules` is the case's pinned ruleset when the caller has it at hand."""
        attempt = routed.attempt + 1
        exists = await session.scalar(_DECIDED, {"case_id": routed.case_id, "attempt": attempt})
        if exists:
            return None  # decisions are idempotent per (case, attempt)
        try:
            case = RoutingCase.from_case_body(routed.case_id, routed.facts)
        except InvalidRoutingCase as exc:
            log.error("case cannot be routed", case_id=routed.case_id, error=str(exc))
            raise
        if rules is None:
            _, rules = await roster_store.ruleset(session, routed.ruleset_version)
        pack = PACKS[routed.policy_pack]
        decision = None
        started = time.perf_counter()
        for _ in range(CAPACITY_RACE_RETRIES):
            index = await self.rt.roster.index(session)
            pool = set(considered_partner_ids(case, index, rules))
            load = await roster_store.loads(session, pool)
            decision = decide(case, index, rules, pack, load, frozenset(routed.declined), attempt)
            if decision.partner_id is None or await roster_store.take_capacity(session, decision.partner_id):
                break
        else:
            # Concurrent decisions kept filling the chosen partners: roll back and let the bus retry,
            # rather than record a partner whose place was never taken.
            raise CapacityRace(f"case {routed.case_id}: capacity taken concurrently {CAPACITY_RACE_RETRIES} times")
        await self.record(session, routed, decision, index)
        # Counted before the commit: a batch that rolls back is decided again and counted again,
        # which over-counts only what the bus retried (bus_messages_consumed_total shows those).
        outcome = decision.outcome.value
        DECISION_SECONDS.labels(outcome=outcome).observe(time.perf_counter() - started)
        DECISIONS.labels(outcome=outcome, mode=decision.mode.value).inc()
        return decision

    async def record(self, session: AsyncSession, routed: RoutedCase, decision: RoutingDecision, index) -> None:
        now = self.rt.clock.now()
        document = {**decision.to_dict(), "decided_at": now.isoformat()}
        session.add(DecisionRow(case_id=routed.case_id, attempt=decision.attempt, outcome=decision.outcome.value,
                                partner_id=decision.partner_id, document=document, decided_at=now))
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
            envelope = Envelope.new("case.routed", routed.case_id, "routing", summary, occurred_at=now)
        else:
            routed.closed = True
            summary |= {"return_to_court": decision.return_to_court, "court_code": routed.facts.get("court_code"),
                        "stage": routed.facts.get("stage"), "case": _routed_case(routed.facts)}
            envelope = Envelope.new("case.unroutable", routed.case_id, "routing", summary, occurred_at=now)
        await self.rt.outbox.add(session, envelope)
        log.info("case routed" if decision.partner_id else "case unroutable", case_id=routed.case_id,
                 attempt=decision.attempt, partner_id=decision.partner_id, reason=document["reason"])
