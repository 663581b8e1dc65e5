"""The ruleset document: validated as a whole, refused with every reason (issue 4)."""

from __future__ import annotations

import copy

import pytest

from services.routing.domain.ruleset import (
    DEFAULT_RULESET,
    DEFAULT_RULESET_DOCUMENT,
    FILTERS,
    RulesetInvalid,
    validate_ruleset,
)


def doc(**changes):
    base = copy.deepcopy(dict(DEFAULT_RULESET_DOCUMENT))
    base.update(changes)
    return base


def fields_of(error: RulesetInvalid) -> set[str]:
    return {e["field"] for e in error.errors}


def test_default_ruleset_is_valid_and_round_trips():
    assert DEFAULT_RULESET.version == 1
    assert set(DEFAULT_RULESET.filters) == set(FILTERS)
    assert validate_ruleset(DEFAULT_RULESET.to_document()) == DEFAULT_RULESET


def test_negative_weight_is_refused_naming_the_field():
    with pytest.raises(RulesetInvalid) as caught:
        validate_ruleset(doc(weights={"preferred_choice": 100, "specialisation": -1, "locality": 1, "load": 1}))
    assert fields_of(caught.value) == {"weights.specialisation"}


def test_non_finite_weight_is_refused():
    with pytest.raises(RulesetInvalid) as caught:
        validate_ruleset(doc(weights={"preferred_choice": float("inf"), "specialisation": 1,
                                      "locality": 1, "load": float("nan")}))
    assert fields_of(caught.value) == {"weights.preferred_choice", "weights.load"}


def test_art12_2016_joint_choice_weight_must_dominate_the_others():
    with pytest.raises(RulesetInvalid) as caught:
        validate_ruleset(doc(weights={"preferred_choice": 5, "specialisation": 4, "locality": 3, "load": 2}))
    assert "joint choice" in str(caught.value) and "2016 Art 12" in str(caught.value)


def test_unknown_filter_is_refused():
    with pytest.raises(RulesetInvalid, match="unknown filters \\['postcode'\\]"):
        validate_ruleset(doc(filters=[*FILTERS, "postcode"]))


def test_art15_2016_conflict_filter_cannot_be_switched_off():
    with pytest.raises(RulesetInvalid, match="'conflict'.*cannot be switched off"):
        validate_ruleset(doc(filters=[f for f in FILTERS if f != "conflict"]))


def test_optional_filters_may_be_switched_off():
    loose = validate_ruleset(doc(filters=[f for f in FILTERS if f not in ("district", "claim_amount")]))
    assert not loose.enabled("district") and not loose.enabled("claim_amount")


def test_duplicate_filter_is_refused():
    with pytest.raises(RulesetInvalid, match="listed twice"):
        validate_ruleset(doc(filters=[*FILTERS, "district"]))


def test_missing_and_extra_fields_are_all_listed():
    bad = doc(colour="blue")
    del bad["weights"]
    del bad["version"]
    with pytest.raises(RulesetInvalid) as caught:
        validate_ruleset(bad)
    assert fields_of(caught.value) == {"weights", "version", "colour"}


@pytest.mark.parametrize("version", [0, -3, True, "2", 1.5])
def test_version_must_be_a_positive_whole_number(version):
    with pytest.raises(RulesetInvalid) as caught:
        validate_ruleset(doc(version=version))
    assert fields_of(caught.value) == {"version"}


def test_negative_or_malformed_threshold_is_refused():
    for value in ("-1", "lots"):
        with pytest.raises(RulesetInvalid) as caught:
            validate_ruleset(doc(locality={"small_claim_threshold": value}))
        assert fields_of(caught.value) == {"locality.small_claim_threshold"}


def test_document_that_is_not_an_object_is_refused():
    with pytest.raises(RulesetInvalid, match="JSON object"):
        validate_ruleset(["version", 1])


def test_errors_are_problem_json_ready():
    with pytest.raises(RulesetInvalid) as caught:
        validate_ruleset(doc(version=0, filters=["bogus"]))
    assert all(set(e) == {"field", "message"} and e["message"] for e in caught.value.errors)
    assert len(caught.value.errors) == 2
