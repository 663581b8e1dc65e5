"""Recusal of mediators (2016 Art 15; 2021 Art 13).

A mediator declares conflicts: the id numbers of people or organisations they are tied to and the
law firms they are tied to. Such a mediator may not be assigned to a case whose parties or agents
match, unless, after disclosure, every party waived that conflict; waivers are recorded per party
and per conflict, so a new conflict is never covered by an old waiver.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ConflictKind(StrEnum):
    PARTY_ID_NUMBER = "party_id_number"
    LAW_FIRM = "law_firm"


@dataclass(frozen=True)
class Conflict:
    kind: ConflictKind
    value: str

    def key(self) -> tuple[ConflictKind, str]:
        return (self.kind, _normalise(self.kind, self.value))


@dataclass(frozen=True)
class Mediator:
    mediator_id: str
    partner_id: str
    conflicts: frozenset[Conflict] = frozenset()
    active: bool = True


@dataclass(frozen=True)
class CaseParty:
    party_id: str
    id_number: str
    agent_law_firm: str | None = None


@dataclass(frozen=True)
class Waiver:
    party_id: str
    conflict: Conflict
    disclosed_at: datetime
    waived_at: datetime


@dataclass(frozen=True)
class ConflictHit:
    conflict: Conflict
    party_ids: tuple[str, ...]  # the parties the conflict touches, for the disclosure
    waived_by: tuple[str, ...]
    not_waived_by: tuple[str, ...]

    @property
    def waived(self) -> bool:
        return not self.not_waived_by


class AssignmentRefused(Exception):
    def __init__(self, detail: str, hits: tuple[ConflictHit, ...] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.hits = hits


def _normalise(kind: ConflictKind, value: str) -> str:
    # ID numbers may end in a lower-case "x"; firm names arrive with stray spaces
    if kind is ConflictKind.PARTY_ID_NUMBER:
        return value.strip().upper()
    return "".join(value.split()).casefold()


def _party_keys(party: CaseParty) -> set[tuple[ConflictKind, str]]:
    keys = {(ConflictKind.PARTY_ID_NUMBER, _normalise(ConflictKind.PARTY_ID_NUMBER, party.id_number))}
    if party.agent_law_firm:
        keys.add((ConflictKind.LAW_FIRM, _normalise(ConflictKind.LAW_FIRM, party.agent_law_firm)))
    return keys


def _valid_waiver(waiver: Waiver) -> bool:
    # a waiver given before the disclosure is not an informed one
    return waiver.waived_at >= waiver.disclosed_at


def conflict_hits(
    mediator: Mediator, parties: Iterable[CaseParty], waivers: Iterable[Waiver] = ()
) -> tuple[ConflictHit, ...]:
    """Every declared conflict of `mediator` that touches this case, with who waived it."""
    parties = tuple(parties)
    all_ids = tuple(sorted(p.party_id for p in parties))
    waived = {(w.party_id, w.conflict.key()) for w in waivers if _valid_waiver(w)}
    hits = []
    for conflict in sorted(mediator.conflicts, key=Conflict.key):
        touched = tuple(sorted(p.party_id for p in parties if conflict.key() in _party_keys(p)))
        if not touched:
            continue
        by = tuple(pid for pid in all_ids if (pid, conflict.key()) in waived)
        missing = tuple(pid for pid in all_ids if pid not in by)
        hits.append(ConflictHit(conflict=conflict, party_ids=touched, waived_by=by, not_waived_by=missing))
    return tuple(hits)


def check_assignment(
    mediator: Mediator,
    case_partner_id: str,
    parties: Iterable[CaseParty],
    waivers: Iterable[Waiver] = (),
) -> tuple[ConflictHit, ...]:
    """Allow the assignment or raise AssignmentRefused; returns the waived hits for the audit trail."""
    if mediator.partner_id != case_partner_id:
        raise AssignmentRefused("the mediator does not belong to the partner holding the case")
    if not mediator.active:
        raise AssignmentRefused("the mediator is not active")
    hits = conflict_hits(mediator, parties, waivers)
    unwaived = tuple(hit for hit in hits if not hit.waived)
    if unwaived:
        raise AssignmentRefused(
            "the mediator has a declared conflict not waived by every party (2016 Art 15; 2021 Art 13)",
            unwaived,
        )
    return hits
