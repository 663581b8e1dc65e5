"""RoutingCase: what the router needs to know about a dispute, and nothing more.

Names and phone numbers stay with intake; the router sees id numbers only to check declared
conflicts, and its explanations refer to parties by position and role, never by identity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from services.routing.domain.roster import normalise_firm
from services.routing.domain.vocabulary import CATEGORIES, PartyRole, Procedure, Stage, is_area_code

_COURT_STAGES = frozenset({Stage.POST_FILING, Stage.IN_LITIGATION})


class InvalidRoutingCase(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class RoutingParty:
    role: PartyRole
    id_number: str
    consents_to_mediation: bool
    law_firm: str | None = None  # of the party's representative, if any

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", PartyRole(self.role))
        object.__setattr__(self, "id_number", self.id_number.strip().upper())


@dataclass(frozen=True, slots=True)
class RoutingCase:
    case_id: str
    stage: Stage
    category: str
    district: str
    parties: tuple[RoutingParty, ...]
    procedure: Procedure | None = None
    claim_amount: Decimal | None = None
    preferred_partner_id: str | None = None  # the parties' joint choice (2021 Art 10)
    partner_id: str | None = None  # stage direct: the partner the party went to

    def __post_init__(self) -> None:
        object.__setattr__(self, "stage", Stage(self.stage))
        if self.procedure is not None:
            object.__setattr__(self, "procedure", Procedure(self.procedure))
        object.__setattr__(self, "parties", tuple(self.parties))
        problems = self._problems()
        if problems:
            raise InvalidRoutingCase("; ".join(problems))

    def _problems(self) -> list[str]:
        problems = []
        if self.category not in CATEGORIES:
            problems.append(f"unknown category {self.category!r}")
        if not is_area_code(self.district):
            problems.append(f"district {self.district!r} is not a 6-digit area code")
        roles = {p.role for p in self.parties}
        if not {PartyRole.APPLICANT, PartyRole.RESPONDENT} <= roles:
            problems.append("a dispute needs at least one applicant and one respondent")
        if self.stage in _COURT_STAGES and self.procedure is None:
            problems.append(f"stage {self.stage.value} needs a procedure (ordinary or summary)")
        if self.stage is Stage.DIRECT and not self.partner_id:
            problems.append("stage direct needs the partner_id the party went to")
        if self.claim_amount is not None and (not self.claim_amount.is_finite() or self.claim_amount < 0):
            problems.append("claim_amount must be a non-negative amount")
        return problems

    @property
    def id_numbers(self) -> frozenset[str]:
        return frozenset(p.id_number for p in self.parties)

    @property
    def law_firms(self) -> frozenset[str]:
        return frozenset(normalise_firm(p.law_firm) for p in self.parties if p.law_firm)

    def refusing_parties(self) -> tuple[int, ...]:
        """Positions of the parties who have not consented to mediation."""
        return tuple(i for i, p in enumerate(self.parties) if not p.consents_to_mediation)

    @classmethod
    def from_case_body(cls, case_id: str, body: Mapping[str, Any]) -> RoutingCase:
        """Build from the contract's case body (POST /v1/cases, the case.received event)."""
        try:
            return cls(
                case_id=case_id,
                stage=body["stage"],
                category=body["category"],
                district=body["district"],
                parties=tuple(_party(p) for p in body["parties"]),
                procedure=body.get("procedure"),
                claim_amount=None if body.get("claim_amount") is None else Decimal(str(body["claim_amount"])),
                preferred_partner_id=body.get("preferred_partner_id"),
                partner_id=body.get("partner_id"),
            )
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            if isinstance(exc, InvalidRoutingCase):
                raise
            raise InvalidRoutingCase(f"case body cannot be routed: {exc!r}") from exc


def _party(body: Mapping[str, Any]) -> RoutingParty:
    representative = body.get("represented_by") or {}
    return RoutingParty(
        role=body["role"],
        id_number=body["id_number"],
        consents_to_mediation=body.get("consents_to_mediation") is True,  # only an explicit yes is consent
        law_firm=representative.get("law_firm"),
    )
