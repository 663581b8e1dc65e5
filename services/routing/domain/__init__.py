"""Routing's pure domain: the roster, policy packs, the ruleset and the decision engine.

No I/O here except read_roster() reading the roster data file; time comes in as arguments.
"""

from services.routing.domain.case import InvalidRoutingCase, RoutingCase, RoutingParty
from services.routing.domain.engine import (
    DecisionOutcome,
    Exclusion,
    Reason,
    RoutingDecision,
    considered_partner_ids,
    decide,
)
from services.routing.domain.index import RosterIndex
from services.routing.domain.policy import (
    DEFAULT_PACK_CODE,
    PACKS,
    SPC_2016,
    SPC_2025,
    PolicyPack,
    PolicyPackNotInForce,
    UnknownPolicyPack,
    mode_for_stage,
    pack_in_force,
    period_days,
    return_to_court,
)
from services.routing.domain.roster import (
    DEFAULT_ROSTER_PATH,
    Conflicts,
    Mediator,
    Partner,
    RosterError,
    load_roster,
    read_roster,
)
from services.routing.domain.ruleset import (
    DEFAULT_RULESET,
    DEFAULT_RULESET_DOCUMENT,
    FILTERS,
    MANDATORY_FILTERS,
    Ruleset,
    RulesetInvalid,
    validate_ruleset,
)
from services.routing.domain.scoring import Candidate

__all__ = [
    "DEFAULT_PACK_CODE", "DEFAULT_ROSTER_PATH", "DEFAULT_RULESET", "DEFAULT_RULESET_DOCUMENT", "FILTERS",
    "MANDATORY_FILTERS", "PACKS", "SPC_2016", "SPC_2025", "Candidate", "Conflicts", "DecisionOutcome", "Exclusion",
    "InvalidRoutingCase", "Mediator", "Partner", "PolicyPack", "PolicyPackNotInForce", "Reason",
    "RosterError", "RosterIndex", "RoutingCase", "RoutingDecision", "RoutingParty", "Ruleset", "RulesetInvalid",
    "UnknownPolicyPack", "considered_partner_ids", "decide", "load_roster", "mode_for_stage", "pack_in_force",
    "period_days", "read_roster", "return_to_court", "validate_ruleset",
]
