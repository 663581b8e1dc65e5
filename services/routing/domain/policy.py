"""Policy packs: the SPC rules as dated, versioned data.

The rules on modes, periods and extensions change over time (the 2025 opinion ended pre-filing
delegation), so they are data and every decision records the pack it used; a case stays pinned to
the pack in force when it was routed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from services.routing.domain.roster import Partner
from services.routing.domain.vocabulary import Mode, Procedure, Stage

DEFAULT_PACK_CODE = "spc-2016"

_MODE_FOR_STAGE = MappingProxyType({
    Stage.PRE_FILING: Mode.DELEGATION,
    Stage.POST_FILING: Mode.ENTRUSTMENT,
    Stage.IN_LITIGATION: Mode.INVITATION,
    Stage.DIRECT: Mode.SELF,
})

# Where a case goes when it cannot be mediated: before filing it is docketed (登记立案); once
# filed the trial resumes; a party who went to a partner directly never involved the court.
_RETURN_TO_COURT = MappingProxyType({
    Stage.PRE_FILING: "docket",
    Stage.POST_FILING: "resume_trial",
    Stage.IN_LITIGATION: "resume_trial",
    Stage.DIRECT: None,
})


@dataclass(frozen=True)
class ExtensionRule:
    """How a mediation period may be extended; every party must consent (2016 Art 27)."""

    max_extensions: int | None
    max_days: int | None

    def refusal(self, days: int, granted_before: int, every_party_consents: bool) -> str | None:
        """Why this extension may not be granted, or None when it may."""
        if days < 1:
            return "an extension must add at least one day"
        if not every_party_consents:
            return "an extension needs the consent of every party (2016 Art 27)"
        if self.max_extensions is not None and granted_before >= self.max_extensions:
            return f"only {self.max_extensions} extension(s) allowed under this policy pack"
        if self.max_days is not None and days > self.max_days:
            return f"an extension may add at most {self.max_days} days under this policy pack"
        return None


@dataclass(frozen=True)
class PolicyPack:
    code: str
    title: str
    valid_from: date
    modes: frozenset[Mode]
    consent_required: frozenset[Mode]
    # Statutory period in calendar days per (mode, procedure); procedure None when it does not matter.
    periods: Mapping[tuple[Mode, Procedure | None], int]
    extension: ExtensionRule
    # Why a mode is not available under this pack, in words for the decision.
    refused_modes: Mapping[Mode, str]

    def allows(self, mode: Mode) -> bool:
        return mode in self.modes

    def in_force_on(self, day: date) -> bool:
        return day >= self.valid_from


_COURT_PERIODS: dict[tuple[Mode, Procedure | None], int] = {
    (Mode.ENTRUSTMENT, Procedure.ORDINARY): 15,
    (Mode.ENTRUSTMENT, Procedure.SUMMARY): 7,
    (Mode.INVITATION, Procedure.ORDINARY): 15,
    (Mode.INVITATION, Procedure.SUMMARY): 7,
}
_NEEDS_CONSENT = frozenset({Mode.DELEGATION, Mode.ENTRUSTMENT, Mode.INVITATION})

SPC_2016 = PolicyPack(
    code="spc-2016",
    title="最高人民法院关于人民法院特邀调解的规定 (2016) + 人民法院在线调解规则 (2021)",
    valid_from=date(2016, 7, 1),
    modes=frozenset(Mode),
    consent_required=_NEEDS_CONSENT,
    periods=MappingProxyType({(Mode.DELEGATION, None): 30, **_COURT_PERIODS}),
    extension=ExtensionRule(max_extensions=None, max_days=None),
    refused_modes=MappingProxyType({}),
)

SPC_2025 = PolicyPack(
    code="spc-2025",
    title="最高人民法院关于严格依法规范民事案件立案与调解工作的意见 (2025)",
    valid_from=date(2025, 1, 1),
    modes=frozenset({Mode.ENTRUSTMENT, Mode.INVITATION, Mode.SELF}),
    consent_required=_NEEDS_CONSENT,
    periods=MappingProxyType(dict(_COURT_PERIODS)),
    extension=ExtensionRule(max_extensions=1, max_days=30),
    refused_modes=MappingProxyType({
        Mode.DELEGATION: "since 2025-01-01 a dispute is docketed (登记立案) before any court-annexed "
                         "mediation, so pre-filing delegation is no longer allowed",
    }),
)

PACKS: Mapping[str, PolicyPack] = MappingProxyType({p.code: p for p in (SPC_2016, SPC_2025)})


class UnknownPolicyPack(ValueError):
    pass


class PolicyPackNotInForce(ValueError):
    pass


def pack_in_force(code: str | None, on: date) -> PolicyPack:
    """The pack to route with on a given day: the configured one, or the default (spc-2016)."""
    pack = PACKS.get(code or DEFAULT_PACK_CODE)
    if pack is None:
        raise UnknownPolicyPack(f"unknown policy pack {code!r}; known: {sorted(PACKS)}")
    if not pack.in_force_on(on):
        raise PolicyPackNotInForce(f"policy pack {pack.code} is in force only from {pack.valid_from.isoformat()}")
    return pack


def mode_for_stage(stage: Stage | str) -> Mode:
    return _MODE_FOR_STAGE[Stage(stage)]


def return_to_court(stage: Stage | str) -> str | None:
    """The hand-off for a case that will not be mediated: 'docket', 'resume_trial' or None."""
    return _RETURN_TO_COURT[Stage(stage)]


def period_days(pack: PolicyPack, mode: Mode, procedure: Procedure | None, partner: Partner) -> int:
    """The statutory period in calendar days, counted from the partner's acceptance (2021 Art 24)."""
    if mode is Mode.SELF:
        return partner.self_period_days
    for key in ((mode, procedure), (mode, None)):
        if key in pack.periods:
            return pack.periods[key]
    raise ValueError(f"policy pack {pack.code} has no period for {mode.value} with procedure {procedure}")
