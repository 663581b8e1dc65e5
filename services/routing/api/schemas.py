"""Request bodies of the routing API. Unknown fields are refused where they would otherwise be
silently ignored (a PATCH that tries to rename a partner must fail, not half-succeed)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints, field_validator

from services.routing.domain.vocabulary import CATEGORIES, is_area_code
from shared import vocabulary
from shared.vocabulary import values

# The vocabulary's values as Literals (the OpenAPI document lists them inline); built from tuples at
# run time, so a type checker sees the strings they are.
if TYPE_CHECKING:
    Stage = str
    PartyRole = str
    Procedure = str
else:
    Stage = Literal[values(vocabulary.Stage)]
    PartyRole = Literal[values(vocabulary.PartyRole)]
    Procedure = Literal[values(vocabulary.Procedure)]
IdNumber = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{18}$")]
PartnerId = Annotated[str, StringConstraints(min_length=1, max_length=20)]
_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


class PartnerPatch(BaseModel):
    """PATCH /v1/partners/{id}: ops may change capacity and the active flag, nothing else."""

    model_config = ConfigDict(extra="forbid")

    capacity: StrictInt | None = Field(default=None, ge=0, le=1_000_000)
    active: StrictBool | None = None

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True, exclude_none=True)


class Representative(BaseModel):
    model_config = ConfigDict(extra="ignore")

    law_firm: Annotated[str, StringConstraints(max_length=200)] | None = None


class SimulatedParty(BaseModel):
    # A clerk's case body carries names and phones; the simulation ignores them rather than refuse.
    model_config = ConfigDict(extra="ignore")

    role: PartyRole
    id_number: IdNumber
    consents_to_mediation: StrictBool
    represented_by: Representative | None = None


class SimulatedCase(BaseModel):
    """POST /v1/routing/simulate: the facts routing needs of a contract case body."""

    model_config = ConfigDict(extra="ignore")

    stage: Stage
    category: str
    district: str
    procedure: Procedure | None = None
    claim_amount: str | None = None
    preferred_partner_id: PartnerId | None = None
    partner_id: PartnerId | None = None
    parties: list[SimulatedParty] = Field(min_length=2, max_length=50)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category; one of {', '.join(CATEGORIES)}")
        return value

    @field_validator("district")
    @classmethod
    def _district(cls, value: str) -> str:
        if not is_area_code(value):
            raise ValueError("a 6-digit district code")
        return value

    @field_validator("claim_amount")
    @classmethod
    def _amount(cls, value: str | None) -> str | None:
        if value is not None and not _AMOUNT.match(value):
            raise ValueError('a decimal string in CNY with at most two decimals, e.g. "12500.00"')
        return value

    def stage_errors(self) -> list[dict[str, str]]:
        """Rules across fields, each reported at the field that is wrong."""
        errors = []
        docketed = self.stage in ("post_filing", "in_litigation")
        if docketed and self.procedure is None:
            errors.append({"field": "procedure", "message": f"required for stage {self.stage}"})
        if not docketed and self.procedure is not None:
            errors.append({"field": "procedure", "message": f"must be absent for stage {self.stage}"})
        if self.stage == "direct" and not self.partner_id:
            errors.append({"field": "partner_id", "message": "stage direct names the partner the party went to"})
        if self.stage != "direct" and self.partner_id:
            errors.append({"field": "partner_id", "message": "only a direct case names partner_id"})
        roles = {p.role for p in self.parties}
        for role in ("applicant", "respondent"):
            if role not in roles:
                errors.append({"field": "parties", "message": f"at least one {role} is required"})
        return errors
