"""Policy packs: modes, periods and extensions as dated data."""

from __future__ import annotations

from datetime import date

import pytest

from services.routing.domain.case import InvalidRoutingCase, RoutingCase, RoutingParty
from services.routing.domain.policy import (
    PACKS,
    SPC_2016,
    SPC_2025,
    PolicyPackNotInForce,
    UnknownPolicyPack,
    mode_for_stage,
    pack_in_force,
    period_days,
    return_to_court,
)
from services.routing.domain.roster import Partner
from services.routing.domain.vocabulary import Mode, Procedure, Stage

BODY = Partner(id="X", kind="commercial", name_zh="某中心", name_en="A centre", categories=frozenset({"other"}),
               districts=None, modes=frozenset(Mode), capacity=1, self_period_days=45)


def test_mode_follows_from_the_stage():
    assert [mode_for_stage(s) for s in Stage] == [Mode.DELEGATION, Mode.ENTRUSTMENT, Mode.INVITATION, Mode.SELF]
    assert mode_for_stage("in_litigation") is Mode.INVITATION


@pytest.mark.parametrize(("mode", "procedure", "days"), [
    (Mode.DELEGATION, None, 30),
    (Mode.ENTRUSTMENT, Procedure.ORDINARY, 15),
    (Mode.ENTRUSTMENT, Procedure.SUMMARY, 7),
    (Mode.INVITATION, Procedure.ORDINARY, 15),
    (Mode.INVITATION, Procedure.SUMMARY, 7),
    (Mode.SELF, None, 45),
])
def test_spc2016_statutory_periods(mode, procedure, days):
    assert period_days(SPC_2016, mode, procedure, BODY) == days


def test_spc2025_keeps_15_7_after_filing_and_has_no_delegation_period():
    assert period_days(SPC_2025, Mode.ENTRUSTMENT, Procedure.SUMMARY, BODY) == 7
    with pytest.raises(ValueError, match="no period for delegation"):
        period_days(SPC_2025, Mode.DELEGATION, None, BODY)


def test_entrustment_period_needs_the_procedure():
    with pytest.raises(ValueError):
        period_days(SPC_2016, Mode.ENTRUSTMENT, None, BODY)


def test_spc2025_forbids_delegation_and_keeps_the_other_modes():
    assert not SPC_2025.allows(Mode.DELEGATION)
    assert all(SPC_2025.allows(m) for m in (Mode.ENTRUSTMENT, Mode.INVITATION, Mode.SELF))
    assert all(SPC_2016.allows(m) for m in Mode)


def test_art27_2016_extension_of_any_length_needs_every_party():
    rule = SPC_2016.extension
    assert rule.refusal(days=90, granted_before=3, every_party_consents=True) is None
    assert "every party" in rule.refusal(days=5, granted_before=0, every_party_consents=False)


def test_spc2025_allows_one_extension_of_at_most_30_days():
    rule = SPC_2025.extension
    assert rule.refusal(days=30, granted_before=0, every_party_consents=True) is None
    assert "at most 30 days" in rule.refusal(days=31, granted_before=0, every_party_consents=True)
    assert "only 1 extension" in rule.refusal(days=10, granted_before=1, every_party_consents=True)


def test_extension_must_add_days():
    assert SPC_2016.extension.refusal(days=0, granted_before=0, every_party_consents=True)


def test_pack_in_force_defaults_to_spc2016():
    assert pack_in_force(None, date(2026, 3, 1)) is SPC_2016
    assert pack_in_force("spc-2025", date(2025, 1, 1)) is SPC_2025
    assert set(PACKS) == {"spc-2016", "spc-2025"}


def test_spc2025_is_not_in_force_before_2025():
    with pytest.raises(PolicyPackNotInForce, match="2025-01-01"):
        pack_in_force("spc-2025", date(2024, 12, 31))


def test_unknown_pack_is_refused():
    with pytest.raises(UnknownPolicyPack):
        pack_in_force("spc-1999", date(2026, 1, 1))


def test_unmediated_case_returns_to_docketing_or_trial():
    assert return_to_court(Stage.PRE_FILING) == "docket"
    assert return_to_court("post_filing") == return_to_court("in_litigation") == "resume_trial"
    assert return_to_court(Stage.DIRECT) is None


def parties():
    return (RoutingParty("applicant", "370202199503124012", True), RoutingParty("respondent", "x", True))


@pytest.mark.parametrize(("changes", "message"), [
    ({"stage": "post_filing"}, "needs a procedure"),
    ({"stage": "direct"}, "needs the partner_id"),
    ({"category": "gardening"}, "unknown category"),
    ({"district": "Qingdao"}, "6-digit"),
    ({"parties": (RoutingParty("applicant", "370202199503124012", True),)}, "one respondent"),
])
def test_routing_case_refuses_what_cannot_be_routed(changes, message):
    fields = {"case_id": "c", "stage": "pre_filing", "category": "other", "district": "370202",
              "parties": parties(), **changes}
    with pytest.raises(InvalidRoutingCase, match=message):
        RoutingCase(**fields)


def test_only_an_explicit_yes_is_consent():
    body = {"stage": "pre_filing", "category": "other", "district": "370202", "parties": [
        {"role": "applicant", "id_number": "a", "consents_to_mediation": "yes"},
        {"role": "respondent", "id_number": "b", "consents_to_mediation": True}]}
    assert RoutingCase.from_case_body("c", body).refusing_parties() == (0,)


def test_malformed_case_body_is_refused():
    with pytest.raises(InvalidRoutingCase):
        RoutingCase.from_case_body("c", {"stage": "pre_filing"})
