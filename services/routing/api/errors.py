"""Routing's refusals as problem+json, raised inside the unit of work so a refusal changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from services.routing.actions.joint_choice import (
    AlreadyDecided,
    MediatorNotAtPartner,
    NoWindow,
    UnknownPartner,
    WindowClosed,
)
from services.routing.actions.rules import StaleEdit
from services.routing.domain.ruleset import RulesetInvalid
from shared.problems import Problem

DECIDED = "The case is already decided; the parties' choice can no longer be recorded."


@contextmanager
def refusals() -> Iterator[None]:
    try:
        yield
    except NoWindow:
        raise Problem(409, "The ruleset gave this case no joint-choice window; the rules decided.") from None
    except AlreadyDecided:
        raise Problem(409, DECIDED) from None
    except WindowClosed as exc:
        raise Problem(409, f"The joint-choice window closed at {exc.closes_at.isoformat()}; "
                           "the rules designate a partner (2021 Art 10).") from None
    except UnknownPartner:
        raise Problem(422, "The chosen partner is not on the roster.",
                      errors=[{"field": "partner_id", "message": "not a partner of the roster"}]) from None
    except MediatorNotAtPartner as exc:
        raise Problem(422, "The chosen mediator does not mediate for the chosen partner.",
                      errors=[{"field": "mediator_id", "message": f"not a mediator of {exc.partner_id}"}]) from None
    except StaleEdit as exc:
        raise Problem(409, f"The edit is based on version {exc.based_on} but version {exc.in_force} "
                           "is in force; read it again and re-apply the change.",
                      errors=[{"field": "version", "message": f"version {exc.in_force} is in force"}]) from None
    except RulesetInvalid as exc:
        raise Problem(422, "The ruleset is invalid; nothing was changed.", errors=exc.errors) from None
