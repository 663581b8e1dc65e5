"""The words of a routing decision, for the ops user and the clerk who read it.

English with the Chinese legal term where that is what a Chinese court office would call it.
Parties are named by position and role only: decisions are shown widely, personal data is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from services.routing.domain.case import RoutingCase
from services.routing.domain.policy import PolicyPack
from services.routing.domain.roster import Partner, normalise_firm
from services.routing.domain.vocabulary import Mode, category_words, district_words, mode_words

_RETURN_WORDS = {
    "docket": "The case goes back to the court to be docketed (登记立案).",
    "resume_trial": "The case goes back to the court and the trial resumes.",
    None: "No mediation takes place; nothing goes to the court.",
}


def party_label(case: RoutingCase, position: int) -> str:
    return f"parties[{position}] ({case.parties[position].role.value})"


def money(amount: Decimal) -> str:
    return f"{amount:,.2f} CNY"


def partner_label(partner: Partner) -> str:
    return f"{partner.id} {partner.name_en} ({partner.name_zh})"


# --- why a partner was excluded -------------------------------------------------------------

def inactive() -> str:
    return "is switched off on the roster (inactive, 停用)"


def mode_not_accepted(partner: Partner, mode: Mode) -> str:
    takes = ", ".join(sorted(m.value for m in partner.modes))
    return f"does not take {mode_words(mode)} cases; it takes {takes}"


def category(category_code: str) -> str:
    return f"does not handle {category_words(category_code)} disputes"


def district(partner: Partner, district_code: str, strict: bool) -> str:
    if partner.districts is None or not strict:
        return f"serves the districts of city {partner.city} only; the dispute is in {district_words(district_code)}"
    served = ", ".join(district_words(d) for d in sorted(partner.districts))
    return f"serves {served} only; the dispute is in {district_words(district_code)}"


def claim_below_minimum(minimum: Decimal, amount: Decimal | None) -> str:
    stated = "states no claim amount" if amount is None else f"claims {money(amount)}"
    return f"takes claims from {money(minimum)}; this dispute {stated}"


def claim_above_maximum(maximum: Decimal, amount: Decimal) -> str:
    return f"takes claims up to {money(maximum)}; this dispute claims {money(amount)}"


def conflict(case: RoutingCase, partner: Partner) -> str:
    return ("declared a conflict with this case and must step aside (回避, 2016 Art 15): "
            + "; ".join(_conflict_ties(case, partner)))


def _conflict_ties(case: RoutingCase, partner: Partner) -> list[str]:
    ties = []
    for position, party in enumerate(case.parties):
        if party.id_number in partner.conflicts.id_numbers:
            ties.append(f"the id number of {party_label(case, position)} is on its conflict list")
        if party.law_firm and normalise_firm(party.law_firm) in partner.conflicts.law_firms:
            ties.append(f"law firm {party.law_firm}, representing {party_label(case, position)}, "
                        "is on its conflict list")
    if not ties:
        ties.append(f"every one of its {len(partner.mediators)} mediators declared a conflict "
                    "with a party or a law firm in this case")
    return ties


def declined_before() -> str:
    return "declined this case on an earlier offer (2021 Art 12), so it is not offered the case again"


def at_capacity(open_cases: int, capacity: int) -> str:
    return f"is at capacity: {open_cases} open cases of {capacity}"


# --- why a decision came out as it did ------------------------------------------------------

def mode_not_allowed(pack: PolicyPack, mode: Mode) -> str:
    why = pack.refused_modes.get(mode, "this mode is not available")
    return f"Policy pack {pack.code} does not allow {mode_words(mode)}: {why}."


def consent_refused(case: RoutingCase, positions: tuple[int, ...], mode: Mode) -> str:
    who = ", ".join(party_label(case, p) for p in positions)
    verb = "has" if len(positions) == 1 else "have"
    return (f"{who} {verb} not consented to mediation; {mode_words(mode)} needs the consent of "
            "every party (2016 Art 11; 2021 Art 4).")


def no_eligible_partner(case: RoutingCase, looked_at: int) -> str:
    where = f"a {category_words(case.category)} dispute in {district_words(case.district)}"
    if looked_at == 0:
        return f"No partner on the roster handles {where}."
    return (f"No partner can take {where}: {looked_at} partner(s) on the roster serve it and every one "
            "is excluded (see excluded).")


def named_partner_unavailable(partner_id: str, why: str | None) -> str:
    reason = why or "is not on the roster"
    return f"The partner the parties went to, {partner_id}, cannot mediate this case: it {reason}."


def preference_not_followed(partner_id: str, why: str | None) -> str:
    reason = why or "is not on the roster"
    return (f"The parties' joint choice {partner_id} was not followed (2016 Art 12): it {reason}. "
            "The rules designated a partner instead.")


def return_to_court(destination: str | None) -> str:
    return _RETURN_WORDS[destination]


def routed(partner: Partner, mode: Mode, days: int, pack: PolicyPack, ruleset_version: int, why: str) -> str:
    return (f"Routed to {partner_label(partner)} as {mode_words(mode)}, with a period of {days} calendar "
            f"days from the partner's acceptance (2021 Art 24); policy pack {pack.code}, ruleset "
            f"version {ruleset_version}. {why}")


def why_joint_choice() -> str:
    return "It is the parties' joint choice from the roster (2016 Art 12; 2021 Art 10)."


def why_direct() -> str:
    return "A party brought the dispute to this partner directly; it mediates under its own rules (自行调解)."


def why_designated(score: float, parts: Mapping[str, float], eligible: int, excluded: int) -> str:
    shown = " + ".join(f"{name} {value}" for name, value in parts.items())
    return (f"Designated by the rules (2021 Art 10) as the best of {eligible} eligible partner(s) "
            f"({excluded} excluded): score {score} = {shown}; equal scores go to the lower partner id.")
