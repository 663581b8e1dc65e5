"""Property tests over generated rosters and cases (issue 4, acceptance 1)."""

from __future__ import annotations

import dataclasses
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from services.routing.domain.engine import DecisionOutcome, Reason, decide
from services.routing.domain.index import RosterIndex
from services.routing.domain.policy import SPC_2016, mode_for_stage
from services.routing.domain.roster import Partner
from services.routing.domain.vocabulary import Mode, Procedure, Stage, city_of

from .strategies import Situation, oracle_eligible, oracle_pool, partner, situation

SETTINGS = settings(max_examples=120, deadline=None)


def run(s: Situation, partners=None, attempt: int = 1):
    index = RosterIndex(s.partners if partners is None else partners)
    return decide(s.case, index, s.ruleset, s.pack, load=s.load, declined=s.declined, attempt=attempt)


def gate_open(s: Situation) -> bool:
    mode = mode_for_stage(s.case.stage)
    consent_needed = mode in s.pack.consent_required
    return s.pack.allows(mode) and not (consent_needed and s.case.refusing_parties())


@SETTINGS
@given(situation())
def test_every_routed_case_goes_to_a_partner_passing_every_filter(s: Situation) -> None:
    decision = run(s)
    mode = mode_for_stage(s.case.stage)
    if decision.outcome is DecisionOutcome.ROUTED:
        chosen = next(p for p in s.partners if p.id == decision.partner_id)
        assert oracle_eligible(chosen, s, mode)
        assert decision.period_days is not None and decision.period_days > 0


@SETTINGS
@given(situation())
def test_routed_exactly_when_the_gate_is_open_and_someone_is_eligible(s: Situation) -> None:
    decision = run(s)
    mode = mode_for_stage(s.case.stage)
    eligible = oracle_pool(s, mode)
    if not s.pack.allows(mode):
        assert decision.reason is Reason.MODE_NOT_ALLOWED
    elif mode in s.pack.consent_required and s.case.refusing_parties():
        assert decision.reason is Reason.CONSENT_REFUSED
    elif eligible:
        assert decision.outcome is DecisionOutcome.ROUTED
        assert {c.partner_id for c in decision.candidates} == eligible
    else:
        assert decision.outcome is DecisionOutcome.UNROUTABLE
        assert decision.reason is Reason.NO_ELIGIBLE_PARTNER
    assert not eligible & {e.partner_id for e in decision.excluded}


@SETTINGS
@given(situation())
def test_art12_2016_joint_choice_wins_or_the_decision_says_why_not(s: Situation) -> None:
    decision = run(s)
    wanted = s.case.preferred_partner_id
    if not gate_open(s) or s.case.stage is Stage.DIRECT or wanted is None:
        return
    if wanted in oracle_pool(s, mode_for_stage(s.case.stage)):
        assert decision.partner_id == wanted
        assert decision.reason is None
    elif decision.outcome is DecisionOutcome.ROUTED:
        assert decision.reason is Reason.PREFERENCE_NOT_FOLLOWED
        assert wanted in decision.reason_detail


def with_open_gate(s: Situation) -> Situation:
    """The same situation with consent given, a court stage, and one partner surely eligible."""
    consenting = tuple(dataclasses.replace(p, consents_to_mediation=True) for p in s.case.parties)
    stage = Stage.POST_FILING if s.case.stage in (Stage.DIRECT, Stage.PRE_FILING) else s.case.stage
    case = dataclasses.replace(s.case, parties=consenting, stage=stage, partner_id=None,
                               procedure=s.case.procedure or Procedure.ORDINARY)
    sure = Partner(id="P98", kind="legal_aid", name_zh="兜底调解组织", name_en="Fallback body",
                   categories=frozenset({case.category}), districts=None, modes=frozenset(Mode),
                   capacity=10, city=city_of(case.district))
    return dataclasses.replace(s, case=case, partners=[*s.partners, sure], pack=SPC_2016)


@SETTINGS
@given(situation(), st.data())
def test_art12_2016_joint_choice_of_any_eligible_partner_wins(s: Situation, data: st.DataObject) -> None:
    s = with_open_gate(s)
    eligible = oracle_pool(s, mode_for_stage(s.case.stage))
    wanted = data.draw(st.sampled_from(sorted(eligible)))
    s = dataclasses.replace(s, case=dataclasses.replace(s.case, preferred_partner_id=wanted))
    decision = run(s)
    assert decision.partner_id == wanted
    assert decision.reason is None
    best_other = max((c.score for c in decision.candidates[1:]), default=0.0)
    assert decision.candidates[0].score > best_other


@SETTINGS
@given(situation())
def test_no_partner_over_capacity_is_chosen_while_an_eligible_partner_has_room(s: Situation) -> None:
    decision = run(s)
    if decision.outcome is DecisionOutcome.ROUTED:
        chosen = next(p for p in s.partners if p.id == decision.partner_id)
        assert s.load.get(chosen.id, 0) < chosen.capacity
    # Even a full partner that is the parties' choice and the most specialised loses to one with room.
    s = with_open_gate(s)
    full = dataclasses.replace(s.partners[-1], id="P97", categories=frozenset({s.case.category}))
    s = dataclasses.replace(s, partners=[*s.partners, full], load={**s.load, "P97": full.capacity},
                            case=dataclasses.replace(s.case, preferred_partner_id="P97"))
    decision = run(s)
    assert decision.outcome is DecisionOutcome.ROUTED and decision.partner_id != "P97"
    assert s.load.get(decision.partner_id, 0) < next(p.capacity for p in s.partners if p.id == decision.partner_id)
    assert any(e.partner_id == "P97" and e.reason == "capacity" for e in decision.excluded)


@SETTINGS
@given(situation(), st.randoms(use_true_random=False))
def test_same_inputs_give_the_same_decision_whatever_the_roster_order(s: Situation, rnd: random.Random) -> None:
    shuffled = list(s.partners)
    rnd.shuffle(shuffled)
    assert run(s) == run(s)
    assert run(s, partners=shuffled) == run(s)


@SETTINGS
@given(situation())
def test_candidates_are_ranked_by_score_then_partner_id(s: Situation) -> None:
    decision = run(s)
    for candidate in decision.candidates:
        assert abs(candidate.score - sum(candidate.parts.values())) < 1e-5
    designated = [c for c in decision.candidates if not c.joint_choice]
    keys = [(-c.score, c.partner_id) for c in designated]
    assert keys == sorted(keys)
    if decision.candidates:
        assert decision.partner_id == decision.candidates[0].partner_id


@SETTINGS
@given(situation(), st.data())
def test_patching_a_partner_in_the_index_equals_rebuilding_it(s: Situation, data: st.DataObject) -> None:
    if not s.partners:
        return
    target = data.draw(st.sampled_from(s.partners))
    changed = data.draw(partner(target.id))
    patched = RosterIndex(s.partners).replaced(changed)
    rebuilt_partners = [changed if p.id == target.id else p for p in s.partners]
    direct = decide(s.case, patched, s.ruleset, s.pack, load=s.load, declined=s.declined)
    assert direct == run(s, partners=rebuilt_partners)
