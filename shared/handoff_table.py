"""The one hand-off table: what goes back to the court when a mediation ends (domain.md, "Outcomes
and the hand-off"). Mediation decides the hand-off with it when an outcome is recorded; notify
builds the court's document with it (and falls back on it for an event that does not name one).

| mode        | settled                                                           | failed / expired / refused / withdrawn |
|-------------|-------------------------------------------------------------------|----------------------------------------|
| delegation  | judicial_confirmation if the parties apply, else agreement_filed  | docket (登记立案)                       |
| entrustment | mediation_document (调解书), or withdrawal (撤诉) of the suit        | resume_trial                           |
| invitation  | mediation_document                                                | resume_trial                           |
| self        | judicial_confirmation if the parties apply, else none             | none (closed at the partner)           |

- A party withdrawing from mediation (`withdrawn`, 2021 Art 25) leaves the dispute unresolved: the
  court takes it up again exactly as after a failure. `withdrawal` (撤诉) is the plaintiff
  withdrawing the suit after settling an entrustment, never a party leaving mediation.
- The case withdrawn at the court (`court_withdrawn`, case.withdrawn): the court knows, no hand-off.
- 民诉法解释 Art 355: judicial confirmation cannot cover status or decide ownership of property or IP
  rights; such an agreement is filed (`agreement_filed`) instead.
- 诉讼费用交纳办法 Art 15: a filed case that ends by mediation (调解结案) or by the plaintiff's
  withdrawal (撤诉) pays half the court fee; so an entrustment or invitation settled is handed off
  with the fee halved.
"""  # noqa: E501 - the table's columns line up on the Chinese terms

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class HandoffType(StrEnum):
    JUDICIAL_CONFIRMATION = "judicial_confirmation"  # 司法确认
    AGREEMENT_FILED = "agreement_filed"  # 调解协议备案
    DOCKET = "docket"  # 登记立案
    MEDIATION_DOCUMENT = "mediation_document"  # 调解书
    WITHDRAWAL = "withdrawal"  # 撤诉
    RESUME_TRIAL = "resume_trial"  # 恢复审理
    NONE = "none"


class Ending(StrEnum):
    SETTLED = "settled"
    FAILED = "failed"
    EXPIRED = "expired"
    REFUSED = "refused"  # a party refused mediation: it never started
    WITHDRAWN = "withdrawn"  # a party withdrew from mediation
    COURT_WITHDRAWN = "court_withdrawn"  # the applicant withdrew the case at the court


UNRESOLVED = MappingProxyType({
    "delegation": HandoffType.DOCKET,
    "entrustment": HandoffType.RESUME_TRIAL,
    "invitation": HandoffType.RESUME_TRIAL,
    "self": HandoffType.NONE,
})
COURT_FEE_BASIS = "诉讼费用交纳办法 第十五条：以调解方式结案或者当事人申请撤诉的，减半交纳案件受理费"
_FEE_HALVED = frozenset({("entrustment", HandoffType.MEDIATION_DOCUMENT), ("entrustment", HandoffType.WITHDRAWAL),
                         ("invitation", HandoffType.MEDIATION_DOCUMENT)})


def handoff_type(mode: str, ending: Ending | str, *, applies_for_confirmation: bool = False,
                 withdraws_suit: bool = False, confirmable: bool = True) -> HandoffType:
    """The hand-off of a mediation of `mode` that ended so; the flags matter for a settlement only."""
    ending = Ending(ending)
    if ending is Ending.COURT_WITHDRAWN:
        return HandoffType.NONE
    if ending is not Ending.SETTLED:
        return UNRESOLVED[mode]
    if mode == "entrustment":
        return HandoffType.WITHDRAWAL if withdraws_suit else HandoffType.MEDIATION_DOCUMENT
    if mode == "invitation":
        return HandoffType.MEDIATION_DOCUMENT
    if not applies_for_confirmation:
        return HandoffType.AGREEMENT_FILED if mode == "delegation" else HandoffType.NONE
    if not confirmable:  # 民诉法解释 Art 355
        return HandoffType.AGREEMENT_FILED
    return HandoffType.JUDICIAL_CONFIRMATION


def court_fee_halved(mode: str | None, kind: HandoffType | str | None) -> bool:
    """诉讼费用交纳办法 Art 15: the court fee is halved for a filed case settled by mediation."""
    return kind is not None and (mode, HandoffType(kind)) in _FEE_HALVED
