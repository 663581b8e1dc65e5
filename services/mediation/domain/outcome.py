"""How a mediation ends, and validation of the outcome a mediator records.

Grounds for ending are those of the 2021 online mediation rules, Art 25. The API body is the
contract's `{"result", "agreement", "note"}`, with two added fields: `ground` (required for
`failed`) and `undisputed_facts` (`[{"text", "signed_by": [party ids]}]`, optional for `failed`).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Result(StrEnum):
    SETTLED = "settled"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


class EndingGround(StrEnum):
    AGREEMENT = "agreement"
    WITHDRAWAL = "withdrawal"
    PARTY_UNREACHABLE = "party_unreachable"
    PARTY_REFUSES = "party_refuses"
    POSITIONS_TOO_FAR_APART = "positions_too_far_apart"
    PERIOD_EXPIRED = "period_expired"
    REFUSAL_TO_SIGN = "refusal_to_sign"
    OTHER = "other"


# period_expired belongs to the sweeper's `expire`, agreement and withdrawal to the other results
FAILURE_GROUNDS = frozenset(
    {
        EndingGround.PARTY_UNREACHABLE,
        EndingGround.PARTY_REFUSES,
        EndingGround.POSITIONS_TOO_FAR_APART,
        EndingGround.REFUSAL_TO_SIGN,
        EndingGround.OTHER,
    }
)
_IMPLIED_GROUND = {Result.SETTLED: EndingGround.AGREEMENT, Result.WITHDRAWN: EndingGround.WITHDRAWAL}


@dataclass(frozen=True)
class Agreement:
    terms: tuple[str, ...]
    signed_by: frozenset[str]
    apply_for_judicial_confirmation: bool = False  # 民诉法 Art 205, within 30 days
    concerns_personal_status: bool = False  # marriage, adoption, parentage (民诉法解释 Art 355)
    decides_ownership: bool = False  # ownership of property or IP rights (民诉法解释 Art 355)
    withdraw_suit: bool = False  # entrustment: the applicant withdraws (撤诉) instead of a 调解书


@dataclass(frozen=True)
class UndisputedFact:
    text: str
    signed_by: frozenset[str]


@dataclass(frozen=True)
class Outcome:
    result: Result
    ground: EndingGround
    agreement: Agreement | None = None
    undisputed_facts: tuple[UndisputedFact, ...] = ()
    note: str | None = None  # the mediator's own note: stays at the partner (2016 Art 22)


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class InvalidOutcome(ValueError):
    """Answered as 422 with `errors` in the problem document."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


# Categories whose agreements may settle status (marriage, adoption, parentage) or decide ownership
# of property or IP rights: judicial confirmation is excluded for those (民诉法解释 Art 355), so the
# mediator must say which it is rather than let a default decide.
ART355_FLAG_REQUIRED: Mapping[str, str] = {
    "family": "concerns_personal_status",
    "inheritance": "decides_ownership",
    "real_estate": "decides_ownership",
    "intellectual_property": "decides_ownership",
}


def parse_outcome(payload: Mapping[str, Any], party_ids: Iterable[str], category: str | None = None) -> Outcome:
    """The Outcome of an API body, or InvalidOutcome listing every problem found."""
    parties = frozenset(party_ids)
    errors: list[FieldError] = []
    result = _enum(Result, payload.get("result"), "result", errors)
    ground = _ground(result, payload.get("ground"), errors)
    agreement = _agreement(result, payload.get("agreement"), parties, errors)
    _require_art355_flag(category, payload.get("agreement"), agreement, errors)
    facts = _facts(result, payload.get("undisputed_facts"), parties, errors)
    note = _note(payload.get("note"), ground, errors)
    if errors:
        raise InvalidOutcome(errors)
    assert result is not None and ground is not None  # guaranteed by the empty error list
    return Outcome(result=result, ground=ground, agreement=agreement, undisputed_facts=facts, note=note)


def _require_art355_flag(category: str | None, raw: Any, agreement: Agreement | None,
                         errors: list[FieldError]) -> None:
    flag = ART355_FLAG_REQUIRED.get(category or "")
    if flag is None or agreement is None or not isinstance(raw, Mapping) or flag in raw:
        return
    errors.append(FieldError(f"agreement.{flag}",
                             f"a {category} agreement must state {flag} (true or false): judicial "
                             "confirmation cannot cover status or decide ownership (民诉法解释 Art 355)"))


def _enum(kind: type[StrEnum], value: Any, field: str, errors: list[FieldError]) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        errors.append(FieldError(field, f"must be one of: {allowed}"))
        return None


def _ground(result: Result | None, value: Any, errors: list[FieldError]) -> EndingGround | None:
    if result is None:
        return None
    if result is Result.FAILED:
        if value is None:
            errors.append(FieldError("ground", "a failed mediation needs its ground (2021 Art 25)"))
            return None
        ground = _enum(EndingGround, value, "ground", errors)
        if ground is not None and ground not in FAILURE_GROUNDS:
            errors.append(FieldError("ground", f"{ground} is not a ground for failure"))
        return ground
    implied = _IMPLIED_GROUND[result]
    if value is not None and value != implied.value:
        errors.append(FieldError("ground", f"a {result} mediation ends on the ground {implied}"))
    return implied


def _agreement(
    result: Result | None, value: Any, parties: frozenset[str], errors: list[FieldError]
) -> Agreement | None:
    if result is not Result.SETTLED:
        if value is not None:
            errors.append(FieldError("agreement", "only a settled mediation has an agreement"))
        return None
    if not isinstance(value, Mapping):
        errors.append(FieldError("agreement", "a settled mediation needs the agreement's terms"))
        return None
    terms = _terms(value.get("terms"), errors)
    # an agreement binds on signing; one not signed by all is a failure on refusal_to_sign
    signed_by = _signatures(value.get("signed_by"), "agreement.signed_by", parties, errors)
    flags = {name: _flag(value, name, errors) for name in _AGREEMENT_FLAGS}
    if terms is None or signed_by is None:
        return None
    return Agreement(terms=terms, signed_by=signed_by, **flags)


_AGREEMENT_FLAGS = (
    "apply_for_judicial_confirmation",
    "concerns_personal_status",
    "decides_ownership",
    "withdraw_suit",
)


def _terms(value: Any, errors: list[FieldError]) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        errors.append(FieldError("agreement.terms", "the agreement needs at least one term"))
        return None
    terms = tuple(term.strip() for term in value if isinstance(term, str) and term.strip())
    if len(terms) != len(value):
        errors.append(FieldError("agreement.terms", "every term must be non-empty text"))
        return None
    return terms


def _flag(value: Mapping[str, Any], name: str, errors: list[FieldError]) -> bool:
    flag = value.get(name, False)
    if not isinstance(flag, bool):
        errors.append(FieldError(f"agreement.{name}", "must be true or false"))
        return False
    return flag


def _signatures(
    value: Any, field: str, parties: frozenset[str], errors: list[FieldError]
) -> frozenset[str] | None:
    """The signers, if they are exactly every party; else an error and None."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.append(FieldError(field, "must be a list of party ids"))
        return None
    signers = frozenset(value)
    if signers - parties:
        errors.append(FieldError(field, f"not parties: {', '.join(sorted(signers - parties))}"))
        return None
    if parties - signers:
        errors.append(FieldError(field, f"not signed by: {', '.join(sorted(parties - signers))}"))
        return None
    return signers


def _facts(
    result: Result | None, value: Any, parties: frozenset[str], errors: list[FieldError]
) -> tuple[UndisputedFact, ...]:
    if value is None:
        return ()
    if result is not Result.FAILED:
        errors.append(FieldError("undisputed_facts", "only a failed mediation records undisputed facts"))
        return ()
    if not isinstance(value, list):
        errors.append(FieldError("undisputed_facts", "must be a list"))
        return ()
    facts = []
    for index, item in enumerate(value):
        fact = _fact(item, f"undisputed_facts[{index}]", parties, errors)
        if fact is not None:
            facts.append(fact)
    return tuple(facts)


def parse_undisputed_facts(value: Any, parties: Iterable[str]) -> tuple[UndisputedFact, ...]:
    """Facts recorded during the mediation as signed by every party (2016 Art 22; 2021 Art 18), kept
    for an ending that records none itself (the period expiring, the contact window closing);
    InvalidOutcome names every fault as `facts[i]...`."""
    errors: list[FieldError] = []
    if not isinstance(value, list) or not value:
        raise InvalidOutcome([FieldError("facts", "a non-empty list of facts")])
    signers = frozenset(parties)  # once: a one-shot iterable would leave the second fact no parties
    facts = [_fact(item, f"facts[{index}]", signers, errors) for index, item in enumerate(value)]
    if errors:
        raise InvalidOutcome(errors)
    return tuple(f for f in facts if f is not None)


def _fact(
    item: Any, field: str, parties: frozenset[str], errors: list[FieldError]
) -> UndisputedFact | None:
    if not isinstance(item, Mapping) or not isinstance(item.get("text"), str) or not item["text"].strip():
        errors.append(FieldError(f"{field}.text", "a fact needs its text"))
        return None
    # only facts every party signed may reach the court (2016 Art 22; 2021 Art 18)
    signed_by = _signatures(item.get("signed_by"), f"{field}.signed_by", parties, errors)
    if signed_by is None:
        return None
    return UndisputedFact(text=item["text"].strip(), signed_by=signed_by)


def _note(value: Any, ground: EndingGround | None, errors: list[FieldError]) -> str | None:
    if value is not None and not isinstance(value, str):
        errors.append(FieldError("note", "must be text"))
        return None
    note = value.strip() if isinstance(value, str) and value.strip() else None
    if ground is EndingGround.OTHER and note is None:
        errors.append(FieldError("note", "the ground 'other' needs a note saying what it was"))
    return note
