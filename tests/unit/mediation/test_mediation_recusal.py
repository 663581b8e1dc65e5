"""Recusal of mediators: 2016 Art 15; 2021 Art 13."""

from datetime import datetime

import pytest

from services.mediation.domain.calendar import SHANGHAI
from services.mediation.domain.recusal import (
    AssignmentRefused,
    CaseParty,
    Conflict,
    ConflictKind,
    Mediator,
    Waiver,
    check_assignment,
)

APPLICANT = CaseParty(party_id="A1", id_number="37020219800101123X")
RESPONDENT = CaseParty(party_id="R1", id_number="91370200MA3C000000", agent_law_firm="山东某某律师事务所")
PARTIES = (APPLICANT, RESPONDENT)

ID_CONFLICT = Conflict(ConflictKind.PARTY_ID_NUMBER, "37020219800101123x")  # declared in lower case
FIRM_CONFLICT = Conflict(ConflictKind.LAW_FIRM, " 山东某某 律师事务所 ")

CLEAN = Mediator(mediator_id="m-clean", partner_id="P12")
RELATIVE = Mediator(mediator_id="m-relative", partner_id="P12", conflicts=frozenset({ID_CONFLICT}))
FIRM_TIE = Mediator(mediator_id="m-firm", partner_id="P12", conflicts=frozenset({FIRM_CONFLICT}))
UNRELATED = Mediator(
    mediator_id="m-other",
    partner_id="P12",
    conflicts=frozenset({Conflict(ConflictKind.PARTY_ID_NUMBER, "110101199003070011")}),
)

DISCLOSED = datetime(2026, 3, 3, 9, tzinfo=SHANGHAI)
LATER = datetime(2026, 3, 3, 10, tzinfo=SHANGHAI)


def waiver(party: CaseParty, conflict: Conflict, waived_at: datetime = LATER) -> Waiver:
    return Waiver(party_id=party.party_id, conflict=conflict, disclosed_at=DISCLOSED, waived_at=waived_at)


def test_art15_mediator_without_conflicts_may_be_assigned():
    assert check_assignment(CLEAN, "P12", PARTIES) == ()


def test_art15_conflict_on_a_partys_id_number_refuses_the_assignment():
    with pytest.raises(AssignmentRefused) as refused:
        check_assignment(RELATIVE, "P12", PARTIES)
    (hit,) = refused.value.hits
    assert hit.conflict == ID_CONFLICT
    assert hit.party_ids == ("A1",)
    assert hit.not_waived_by == ("A1", "R1")


def test_art13_conflict_with_an_agents_law_firm_refuses_the_assignment():
    with pytest.raises(AssignmentRefused) as refused:
        check_assignment(FIRM_TIE, "P12", PARTIES)
    assert refused.value.hits[0].party_ids == ("R1",)


def test_art15_every_party_waiving_after_disclosure_allows_the_assignment():
    hits = check_assignment(
        RELATIVE, "P12", PARTIES, [waiver(APPLICANT, ID_CONFLICT), waiver(RESPONDENT, ID_CONFLICT)]
    )
    assert len(hits) == 1 and hits[0].waived
    assert hits[0].waived_by == ("A1", "R1")


def test_art15_a_waiver_by_one_party_only_is_not_enough():
    with pytest.raises(AssignmentRefused) as refused:
        check_assignment(RELATIVE, "P12", PARTIES, [waiver(APPLICANT, ID_CONFLICT)])
    assert refused.value.hits[0].not_waived_by == ("R1",)


def test_art15_a_waiver_given_before_disclosure_does_not_count():
    early = datetime(2026, 3, 3, 8, tzinfo=SHANGHAI)
    with pytest.raises(AssignmentRefused):
        check_assignment(
            RELATIVE, "P12", PARTIES, [waiver(APPLICANT, ID_CONFLICT, early), waiver(RESPONDENT, ID_CONFLICT)]
        )


def test_art15_a_waiver_of_another_conflict_does_not_cover_this_one():
    both = Mediator(mediator_id="m-both", partner_id="P12", conflicts=frozenset({ID_CONFLICT, FIRM_CONFLICT}))
    waivers = [waiver(APPLICANT, ID_CONFLICT), waiver(RESPONDENT, ID_CONFLICT)]
    with pytest.raises(AssignmentRefused) as refused:
        check_assignment(both, "P12", PARTIES, waivers)
    assert [hit.conflict.kind for hit in refused.value.hits] == [ConflictKind.LAW_FIRM]


def test_declared_conflict_unrelated_to_this_case_does_not_matter():
    assert check_assignment(UNRELATED, "P12", PARTIES) == ()


def test_mediator_of_another_partner_is_refused():
    with pytest.raises(AssignmentRefused):
        check_assignment(CLEAN, "P01", PARTIES)


def test_inactive_mediator_is_refused():
    with pytest.raises(AssignmentRefused):
        check_assignment(Mediator(mediator_id="m-gone", partner_id="P12", active=False), "P12", PARTIES)
