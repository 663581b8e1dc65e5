"""Request and response bodies of the clerk's API (`/v1/cases`), with the validation a court trusts.

Every rule reports the field at fault, so problem+json can say `parties[1].id_number`:
- per-field rules raise `PydanticCustomError` inside a validator of that field;
- rules that depend on the stage (`procedure`, `court_case_number`, `partner_id`) are validators
  of the dependent field, run even when it is absent (`validate_default=True`), reading the stage
  from the fields validated before it;
- rules over all parties (roles present, nobody twice) raise a `ValidationError` whose line errors
  carry their own location inside `parties` (e.g. `parties[2].id_number`), which pydantic prefixes.
So one request answers all its faults at once, not one per round trip.

Choices where the contract is silent: `claim_amount` is a JSON string (never a float), at most two
decimals, below 10^12 CNY, and may be null for a non-monetary claim; `external_ref` is required;
`preferred_partner_id` and `partner_id` are checked for form (P01...) only, eligibility being
routing's call; a `direct` case names its partner in `partner_id` and has no `preferred_partner_id`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from services.intake.domain.identity import (
    InvalidIdentity,
    validate_mobile,
    validate_resident_id,
    validate_uscc,
)
from services.intake.domain.read_model import STATUSES
from services.intake.domain.reference import (
    CATEGORY_CODES,
    COURT_CODES,
    DISTRICT_CODES,
    DOCKETED_STAGES,
    mode_for_stage,
)
from shared import vocabulary
from shared.clock import SystemClock, beijing_date
from shared.inputs import SingleLine as Line
from shared.inputs import Text
from shared.masking import mask_id_number
from shared.openapi import ResponseModel
from shared.problems import field_path
from shared.vocabulary import values

MAX_PARTIES = 50
PARTNER_ID_PATTERN = r"^P(0[1-9]|[1-9][0-9]{1,3})$"
_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")

# The reference codes and the vocabulary's values as Literals: the OpenAPI document lists them inline,
# as the contract does. Built from tuples at run time, so a type checker sees the strings they are.
if TYPE_CHECKING:
    CourtCode = str
    CategoryCode = str
    DistrictCode = str
    Stage = str
    Procedure = str
    Role = str
    Kind = str
    Mode = str
    Status = str
else:
    CourtCode = Literal[COURT_CODES]
    CategoryCode = Literal[CATEGORY_CODES]
    DistrictCode = Literal[DISTRICT_CODES]
    Stage = Literal[values(vocabulary.Stage)]
    Procedure = Literal[values(vocabulary.Procedure)]
    Role = Literal[values(vocabulary.PartyRole)]
    Kind = Literal[values(vocabulary.PartyKind)]
    Mode = Literal[values(vocabulary.Mode)]
    Status = Literal[STATUSES]


PartnerId = Annotated[str, StringConstraints(pattern=PARTNER_ID_PATTERN, max_length=5)]
Money = Annotated[
    Decimal,
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,12}(\.\d{1,2})?$", "examples": ["12500.00"]}),
]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=10_000)


def today_in_china(info: ValidationInfo | None = None) -> date:
    """The date a birth date is checked against: from the validation context if the caller gives
    one (tests, replays), else today in China."""
    context = info.context if info is not None and isinstance(info.context, Mapping) else {}
    today = context.get("today")
    return today if isinstance(today, date) else beijing_date(SystemClock().now())


def _custom_error(problem: InvalidIdentity) -> PydanticCustomError:
    return PydanticCustomError(problem.code, problem.message)


# --- request ---------------------------------------------------------------------------------

class Representative(StrictModel):
    """The party's agent (委托代理人); law_firm names the firm if the agent is a lawyer."""

    name: Annotated[str, Line(100)]
    law_firm: Annotated[str, Line(200)] | None = None


class PartyIn(StrictModel):
    role: Role
    kind: Kind
    name: Annotated[str, Line(200)]
    id_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    phone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)] | None = None
    # At most what the parties table stores (email 200, address 300): a longer value would fail the insert.
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200,
                                            pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    address: Annotated[str, Line(300)] | None = None
    represented_by: Representative | None = None
    consents_to_mediation: StrictBool

    @field_validator("id_number")
    @classmethod
    def _id_number_fits_kind(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        try:
            if kind == "person":
                return _person_id(value, today_in_china(info))
            if kind == "organization":
                return _organization_id(value, today_in_china(info))
        except InvalidIdentity as problem:
            raise _custom_error(problem) from None
        return value  # the kind itself is at fault and reported on its own

    @field_validator("phone")
    @classmethod
    def _mobile(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return validate_mobile(value)
        except InvalidIdentity as problem:
            raise _custom_error(problem) from None


def _person_id(value: str, today: date) -> str:
    try:
        return validate_resident_id(value, today)
    except InvalidIdentity:
        if _is_valid_uscc(value):
            raise InvalidIdentity("person_with_uscc", "a person's id_number must be a resident ID, "
                                  "not a unified social credit code") from None
        raise


def _organization_id(value: str, today: date) -> str:
    try:
        return validate_uscc(value)
    except InvalidIdentity:
        if _is_valid_resident_id(value, today):
            raise InvalidIdentity("organization_with_resident_id", "an organization's id_number must be "
                                  "a unified social credit code, not a resident ID") from None
        raise


def _is_valid_uscc(value: str) -> bool:
    try:
        validate_uscc(value)
    except InvalidIdentity:
        return False
    return True


def _is_valid_resident_id(value: str, today: date) -> bool:
    try:
        validate_resident_id(value, today)
    except InvalidIdentity:
        return False
    return True


class CaseCreate(StrictModel):
    """The body of `POST /v1/cases`. Field order matters: stage-dependent fields follow `stage`."""

    court_code: CourtCode
    external_ref: Annotated[str, Line(64)]
    stage: Stage
    procedure: Procedure | None = Field(default=None, validate_default=True)
    court_case_number: Annotated[str, Line(64)] | None = Field(default=None, validate_default=True)
    category: CategoryCode
    summary: Annotated[str, Text(4000)]
    claim_amount: Money | None = None
    district: DistrictCode
    parties: list[PartyIn] = Field(max_length=MAX_PARTIES)
    preferred_partner_id: PartnerId | None = Field(default=None, validate_default=True)
    partner_id: PartnerId | None = Field(default=None, validate_default=True)

    @property
    def mode(self) -> str:
        return mode_for_stage(self.stage)

    @field_validator("procedure", "court_case_number")
    @classmethod
    def _only_after_filing(cls, value: str | None, info: ValidationInfo) -> str | None:
        stage = info.data.get("stage")
        if stage in DOCKETED_STAGES and value is None:
            raise PydanticCustomError("required_for_stage", "required when stage is {stage}", {"stage": stage})
        if stage is not None and stage not in DOCKETED_STAGES and value is not None:
            raise PydanticCustomError("absent_for_stage", "must be absent when stage is {stage}", {"stage": stage})
        return value

    @field_validator("claim_amount", mode="before")
    @classmethod
    def _decimal_string(cls, value: Any) -> Decimal | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise PydanticCustomError("decimal_string", 'must be a decimal string such as "12500.00"')
        if value.strip().startswith("-"):
            raise PydanticCustomError("negative_amount", "must not be negative")
        if not _AMOUNT.match(value):
            raise PydanticCustomError(
                "decimal_format", "must be digits with at most two decimals, below 1,000,000,000,000")
        return Decimal(value).quantize(Decimal("0.01"))

    @field_validator("parties")
    @classmethod
    def _parties_complete_and_distinct(cls, parties: list[PartyIn]) -> list[PartyIn]:
        errors = _missing_roles(parties) + _duplicate_parties(parties)
        if errors:
            raise ValidationError.from_exception_data("parties", errors)
        return parties

    @field_validator("preferred_partner_id")
    @classmethod
    def _no_preference_for_direct(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("stage") == "direct":
            raise PydanticCustomError(
                "absent_for_stage", "must be absent when stage is direct: the partner is partner_id")
        return value

    @field_validator("partner_id")
    @classmethod
    def _partner_only_for_direct(cls, value: str | None, info: ValidationInfo) -> str | None:
        stage = info.data.get("stage")
        if stage == "direct" and value is None:
            raise PydanticCustomError("required_for_stage", "required when stage is direct")
        if stage is not None and stage != "direct" and value is not None:
            raise PydanticCustomError("absent_for_stage", "must be absent when stage is {stage}", {"stage": stage})
        return value

    def fingerprint(self) -> str:
        """A digest of the validated body, for Idempotency-Key comparison: the same dispute sent
        with other whitespace or key order is the same body."""
        canonical = self.model_dump_json(exclude_none=False).encode()
        return hashlib.sha256(canonical).hexdigest()


def _missing_roles(parties: list[PartyIn]) -> list[InitErrorDetails]:
    roles = {party.role for party in parties}
    missing = [role for role in ("applicant", "respondent") if role not in roles]
    if not missing:
        return []
    return [InitErrorDetails(
        type=PydanticCustomError("missing_role", "needs at least one applicant and one respondent; "
                                 "missing: {missing}", {"missing": ", ".join(missing)}),
        loc=(),
        input=[party.role for party in parties],
    )]


def _duplicate_parties(parties: list[PartyIn]) -> list[InitErrorDetails]:
    return _repeats([party.id_number for party in parties], "id_number", "duplicate_party",
                    "the same party as parties[{earlier}]", shown=mask_id_number)


def _repeats(values: list[str], field: str, code: str, message: str,
             shown: Any = lambda value: value) -> list[InitErrorDetails]:
    """An error at `[index].field` for every value seen before, naming where (`{earlier}` in message)."""
    first_seen: dict[str, int] = {}
    errors: list[InitErrorDetails] = []
    for index, value in enumerate(values):
        earlier = first_seen.setdefault(value, index)
        if earlier != index:
            errors.append(InitErrorDetails(type=PydanticCustomError(code, message, {"earlier": earlier}),
                                           loc=(index, field), input=shown(value)))
    return errors


def validate_case_body(body: Any, *, today: date | None = None) -> CaseCreate:
    """Validate a body outside FastAPI (simulation, replays) with an explicit `today`."""
    return CaseCreate.model_validate(body, context={"today": today} if today else None)


MAX_BATCH_ITEMS = 500
IdempotencyKeyValue = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class CaseBatchItem(StrictModel):
    """One case of `POST /v1/cases/batch`, with the Idempotency-Key it would carry on its own."""

    idempotency_key: IdempotencyKeyValue
    # Checked against CaseCreate item by item, after the envelope, so that one bad case is refused alone.
    # Any JSON value in the schema: a case that is not an object is that item's own 422, not the batch's.
    case: Annotated[Any, WithJsonSchema({"title": "CaseCreate",
                                         "description": "the body of POST /v1/cases (an object)"})]


class CaseBatch(StrictModel):
    """The body of `POST /v1/cases/batch`: 1 to 500 cases, each key once."""

    items: list[CaseBatchItem] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)

    @field_validator("items")
    @classmethod
    def _keys_distinct(cls, items: list[CaseBatchItem]) -> list[CaseBatchItem]:
        errors = _repeats([item.idempotency_key for item in items], "idempotency_key", "duplicate_key",
                          "the same idempotency_key as items[{earlier}]")
        if errors:
            raise ValidationError.from_exception_data("items", errors)
        return items


class WithdrawRequest(StrictModel):
    """`POST /v1/cases/{id}/withdraw`: the applicant withdrew (撤回申请)."""

    reason: Annotated[str, Text(500)] | None = None


# --- errors ----------------------------------------------------------------------------------

class FieldError(BaseModel):
    field: str
    message: str


def field_errors(errors: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    """Pydantic/FastAPI errors as problem+json `errors`; the rejected input is left out, since it
    may be an id number or a phone."""
    return [FieldError(field=field_path(err.get("loc", ())), message=_message(err)) for err in errors]


def _message(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")


class CaseBatchResult(BaseModel):
    """One item of the batch answer, at the position of its case in the request."""

    index: int
    idempotency_key: str
    status: int
    replayed: bool = False
    body: dict[str, Any] = Field(description="What POST /v1/cases would answer: the created case (201, or "
                                             "the first answer of a replayed key) or a problem+json document")


class CaseBatchAnswer(BaseModel):
    """The `200` answer of `POST /v1/cases/batch`."""

    items: list[CaseBatchResult]
    counts: dict[str, int] = Field(description="created, replayed and refused items")


# --- responses: what the routes answer (services/intake/api/views.py builds them) ------------
# Extra keys pass through (shared.openapi.ResponseModel): a view that grows a field must not lose it silently.

class RepresentativeView(ResponseModel):
    name: str
    law_firm: str | None = None


class PartyView(ResponseModel):
    """A party; id number and phone masked unless the filing court's clerk asks."""

    id: str
    role: Role
    kind: Kind
    name: str
    id_number: str
    phone: str | None = None
    address: str | None = None
    represented_by: RepresentativeView | None = None
    consents_to_mediation: bool


class TimelineItem(ResponseModel):
    event_id: str
    type: str = Field(description="The event type, e.g. `case.routed`.")
    occurred_at: datetime
    source: str | None = Field(None, description="The service that emitted the event.")
    data: dict[str, Any] = Field(default_factory=dict, description="The event's facts, personal data left out.")


class CaseCreated(ResponseModel):
    """The `201` answer of `POST /v1/cases` (and each created item of a batch)."""

    id: str = Field(description="The case id (a UUID).")
    case_number: str | None = Field(None, description="`(2026)鲁0202民诉前调1号`; pre-filing cases only.")
    status: Status
    stage: Stage
    mode: Mode | None = None
    court_code: str
    external_ref: str
    created_at: datetime


class CaseView(CaseCreated):
    """A case as it stands: `GET /v1/cases/{id}` (with its timeline) and each item of the list."""

    procedure: Procedure | None = None
    court_case_number: str | None = None
    category: str
    district: str
    summary: str
    claim_amount: str | None = Field(None, examples=["12500.00"])
    preferred_partner_id: str | None = None
    partner_id: str | None = None
    mediator_id: str | None = None
    period_days: int | None = None
    deadline: str | None = Field(None, description="The mediation's due time (RFC 3339), once accepted; "
                                                   "null while an appraisal has paused the clock.")
    paused: bool = Field(False, description="An appraisal (鉴定评估) stopped the clock (2021 Art 26).")
    next_session_at: str | None = None
    outcome: str | None = None
    unroutable_reason: str | None = None
    handoff: dict[str, Any] | None = Field(None, description="The hand-off back to the court, once sent.")
    updated_at: datetime
    parties: list[PartyView]
    timeline: list[TimelineItem] | None = Field(None, description="Every event of the case, oldest first.")


class CaseList(ResponseModel):
    items: list[CaseView]
    next_cursor: str | None = None
