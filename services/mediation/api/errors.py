"""Domain refusals as problem+json: 403/409 from the state machine, 409/422 from the rules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from services.mediation.actions.offers import OfferLapsed
from services.mediation.actions.staffing import UnknownMediator
from services.mediation.domain.contact import ContactWindowClosed, InvalidContact
from services.mediation.domain.deadline import ExtensionRefused, InvalidPause, RefusalReason
from services.mediation.domain.machine import Forbidden, TransitionRefused
from services.mediation.domain.outcome import InvalidOutcome
from services.mediation.domain.recusal import AssignmentRefused, ConflictKind
from shared.masking import mask_id_number
from shared.problems import Problem

_EXTENSION_FIELDS = {
    RefusalReason.NOT_POSITIVE: ("days", 422),
    RefusalReason.TOO_LONG: ("days", 422),
    RefusalReason.MISSING_CONSENT: ("consents", 422),
    RefusalReason.CONSENT_FROM_NON_PARTY: ("consents", 422),
    RefusalReason.TOO_MANY_EXTENSIONS: ("days", 409),
    RefusalReason.PERIOD_ENDED: ("days", 409),
    RefusalReason.UNKNOWN_POLICY_PACK: ("days", 409),
}


@contextmanager
def domain_refusals() -> Iterator[None]:
    """Raised inside a unit of work, so the transaction rolls back: a refusal changes nothing."""
    try:
        yield
    except Forbidden as exc:
        raise Problem(403, exc.detail, action=exc.action.value) from None
    except TransitionRefused as exc:
        raise Problem(409, exc.detail, action=exc.action.value, status_now=exc.status.value) from None
    except InvalidOutcome as exc:
        raise Problem(422, "The outcome is not valid.",
                      errors=[{"field": e.field, "message": e.message} for e in exc.errors]) from None
    except ExtensionRefused as exc:
        field, status = _EXTENSION_FIELDS[exc.reason]
        message = exc.detail + (f": {', '.join(exc.party_ids)}" if exc.party_ids else "")
        raise Problem(status, exc.detail, errors=[{"field": field, "message": message}],
                      reason=exc.reason.value, party_ids=list(exc.party_ids)) from None
    except OfferLapsed as exc:
        raise Problem(409, f"The offer lapsed at {exc}; it counts as declined (2021 Art 12).") from None
    except InvalidContact as exc:
        raise Problem(422, "The contact is not valid.", errors=[{"field": exc.field, "message": exc.message}]) from None
    except ContactWindowClosed as exc:
        raise Problem(409, f"The first-contact window closed at {exc.closes_at.isoformat()} without contact; "
                           "the mediation ends as party_unreachable (2021 Art 15).") from None
    except InvalidPause as exc:
        raise Problem(409, str(exc)) from None
    except UnknownMediator as exc:
        raise Problem(422, "No such mediator at the partner holding the case.",
                      errors=[{"field": "mediator_id", "message": f"not a mediator of this partner: {exc}"}]) from None
    except AssignmentRefused as exc:
        raise Problem(409, exc.detail, title="Recusal", type="https://courtmed.example/problems/recusal",
                      conflicts=[_conflict(hit) for hit in exc.hits]) from None


def _conflict(hit) -> dict:
    value = hit.conflict.value
    if hit.conflict.kind is ConflictKind.PARTY_ID_NUMBER:
        value = mask_id_number(value)  # the disclosure names the tie, the answer need not spell the id
    return {"kind": hit.conflict.kind.value, "value": value, "party_ids": list(hit.party_ids),
            "waived_by": list(hit.waived_by), "not_waived_by": list(hit.not_waived_by)}
