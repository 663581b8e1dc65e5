"""What goes back to the court when a mediation ends (domain.md, "Outcomes and the hand-off").

| mode        | settled                                              | failed / expired / refused / withdrawn |
|-------------|------------------------------------------------------|----------------------------------------|
| delegation  | judicial_confirmation if the parties apply, else agreement_filed | docket                     |
| entrustment | mediation_document, or withdrawal (撤诉)              | resume_trial                           |
| invitation  | mediation_document                                   | resume_trial                           |
| self        | judicial_confirmation if the parties apply, else none | none (closed at the partner)          |

A party withdrawing from mediation (`withdrawn`) leaves the dispute unresolved, so the court takes
it up again exactly as after a failure. When the case itself was withdrawn at the court
(`court_withdrawn`, case.withdrawn), the court already knows: no hand-off.

民诉法解释 Art 355: judicial confirmation cannot cover status (marriage, adoption, parentage) or
decide ownership of property or IP rights; such an agreement is filed instead. The agreement's
flags decide, not the category: a family agreement about maintenance payments can be confirmed,
and a family agreement flagged as concerning status is excluded whatever its category says.

What the hand-off carries (2016 Art 22; 2021 Art 18): after a settlement, the agreement; after any
other ending, only the facts every party signed as undisputed. Never the mediator's note, nor what a
party conceded while trying to settle: `HandoffContent` has no field that could hold them.
"""

from dataclasses import dataclass
from enum import StrEnum

from services.mediation.domain.modes import Mode
from services.mediation.domain.outcome import Agreement, Outcome, Result, UndisputedFact


class HandoffType(StrEnum):
    JUDICIAL_CONFIRMATION = "judicial_confirmation"  # 司法确认
    AGREEMENT_FILED = "agreement_filed"
    DOCKET = "docket"  # 登记立案
    MEDIATION_DOCUMENT = "mediation_document"  # 调解书
    WITHDRAWAL = "withdrawal"  # 撤诉
    RESUME_TRIAL = "resume_trial"
    NONE = "none"


class Ending(StrEnum):
    SETTLED = "settled"
    FAILED = "failed"
    EXPIRED = "expired"
    REFUSED = "refused"  # a party refused mediation: it never started
    WITHDRAWN = "withdrawn"  # a party withdrew from mediation
    COURT_WITHDRAWN = "court_withdrawn"  # the applicant withdrew the case at the court


_UNRESOLVED = {
    Mode.DELEGATION: HandoffType.DOCKET,
    Mode.ENTRUSTMENT: HandoffType.RESUME_TRIAL,
    Mode.INVITATION: HandoffType.RESUME_TRIAL,
    Mode.SELF: HandoffType.NONE,
}


def handoff_type(mode: Mode, ending: Ending, agreement: Agreement | None = None) -> HandoffType:
    if ending is Ending.COURT_WITHDRAWN:
        return HandoffType.NONE
    if ending is not Ending.SETTLED:
        return _UNRESOLVED[mode]
    if agreement is None:
        raise ValueError("a settled mediation hands off its agreement")
    return _settled(mode, agreement)


def _settled(mode: Mode, agreement: Agreement) -> HandoffType:
    if mode is Mode.ENTRUSTMENT:
        return HandoffType.WITHDRAWAL if agreement.withdraw_suit else HandoffType.MEDIATION_DOCUMENT
    if mode is Mode.INVITATION:
        return HandoffType.MEDIATION_DOCUMENT
    if not agreement.apply_for_judicial_confirmation:
        return HandoffType.AGREEMENT_FILED if mode is Mode.DELEGATION else HandoffType.NONE
    if excluded_from_confirmation(agreement):
        return HandoffType.AGREEMENT_FILED
    return HandoffType.JUDICIAL_CONFIRMATION


def excluded_from_confirmation(agreement: Agreement) -> bool:
    """民诉法解释 Art 355: status matters and ownership of property or IP rights."""
    return agreement.concerns_personal_status or agreement.decides_ownership


@dataclass(frozen=True)
class HandoffContent:
    handoff_type: HandoffType
    agreement: Agreement | None
    undisputed_facts: tuple[UndisputedFact, ...]


def ending_of(outcome: Outcome) -> Ending:
    return Ending(outcome.result.value)


def handoff_content(mode: Mode, outcome: Outcome | None, ending: Ending | None = None) -> HandoffContent:
    """The hand-off for a recorded outcome, or for an ending without one (expired, court_withdrawn).

    Undisputed facts travel only if every signatory set is complete; `parse_outcome` already
    refuses others, and this keeps the rule where the data leaves the partner.
    """
    ending = ending or (ending_of(outcome) if outcome is not None else None)
    if ending is None:
        raise ValueError("either an outcome or an ending is needed")
    agreement = outcome.agreement if outcome is not None and ending is Ending.SETTLED else None
    kind = handoff_type(mode, ending, agreement)
    facts = ()
    if outcome is not None and outcome.result is not Result.SETTLED and kind is not HandoffType.NONE:
        facts = outcome.undisputed_facts
    return HandoffContent(handoff_type=kind, agreement=agreement, undisputed_facts=facts)
