"""What goes back to the court when a mediation ends: the one hand-off table (`shared/handoff_table.py`,
which notify builds the court's document with) applied to a recorded outcome.

民诉法解释 Art 355: judicial confirmation cannot cover status (marriage, adoption, parentage) or
decide ownership of property or IP rights; such an agreement is filed instead. The agreement's
flags decide, not the category: a family agreement about maintenance payments can be confirmed,
and a family agreement flagged as concerning status is excluded whatever its category says.

What the hand-off carries (2016 Art 22; 2021 Art 18): after a settlement, the agreement; after any
other ending, only the facts every party signed as undisputed. Never the mediator's note, nor what a
party conceded while trying to settle: `HandoffContent` has no field that could hold them.
"""

from dataclasses import dataclass

from services.mediation.domain.outcome import Agreement, Outcome, Result, UndisputedFact
from shared import handoff_table as table
from shared.handoff_table import Ending, HandoffType
from shared.vocabulary import Mode

__all__ = ["Ending", "HandoffContent", "HandoffType", "ending_of", "excluded_from_confirmation", "handoff_content",
           "handoff_type"]


def handoff_type(mode: Mode, ending: Ending, agreement: Agreement | None = None) -> HandoffType:
    if ending is Ending.SETTLED and agreement is None:
        raise ValueError("a settled mediation hands off its agreement")
    if agreement is None:
        return table.handoff_type(mode.value, ending)
    return table.handoff_type(mode.value, ending, applies_for_confirmation=agreement.apply_for_judicial_confirmation,
                              withdraws_suit=agreement.withdraw_suit,
                              confirmable=not excluded_from_confirmation(agreement))


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
    facts: tuple[UndisputedFact, ...] = ()
    if outcome is not None and outcome.result is not Result.SETTLED and kind is not HandoffType.NONE:
        facts = outcome.undisputed_facts
    return HandoffContent(handoff_type=kind, agreement=agreement, undisputed_facts=facts)
