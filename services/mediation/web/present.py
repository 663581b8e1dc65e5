"""What the workbench shows of a mediation, in the words a mediator reads: Chinese labels from the
one table (shared/labels_zh.py), times in Beijing as a person writes them, personal data shown only
to whom it is for.

- Id numbers stay masked until the partner accepted the case (a partner still deciding, or one that
  declined, sees them masked); names are masked in lists.
- Phones are shown in full only to the mediator assigned to the case, who makes the contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from services.mediation.actions.clock import current_due
from services.mediation.actions.staffing import case_parties, mediator_of
from services.mediation.domain.disclosure import id_numbers_disclosed
from services.mediation.domain.machine import allowed_actions
from services.mediation.domain.outcome import FAILURE_GROUNDS
from services.mediation.domain.recusal import AssignmentRefused, conflict_hits
from services.mediation.domain.states import MediationStatus, Role
from services.mediation.store.models import AuditEntry, Contact, Extension, ExtensionConsent, Mediation, Session
from services.mediation.web.timewords import TimeLeft, deadline_words, moment_words, time_left
from shared import labels_zh as L
from shared.clock import beijing_date
from shared.masking import mask_id_number, mask_name, mask_phone

# statuses in which the case is at this partner and not over
OPEN = frozenset({"offered", "accepted", "in_mediation", "paused"})
# a declined case went back to routing: it is no longer this partner's to see in the list
GONE = frozenset({"declined"})


def court_words(court_code: str | None) -> str:
    if not court_code:
        return "—"
    if court_code == "370200":
        return "青岛市中级人民法院"
    district = L.DISTRICTS.get(court_code)
    return f"{district}人民法院" if district else court_code


def money_words(amount: Any) -> str:
    if amount in (None, ""):
        return "未填写"
    try:
        return f"{Decimal(str(amount)):,.2f}元"
    except InvalidOperation:
        return str(amount)


def parties_view(mediation: Mediation, mediator_id: str | None, *, in_list: bool = False) -> list[dict[str, Any]]:
    full = id_numbers_disclosed(mediation) and not in_list
    phones = full and mediation.mediator_id is not None and mediation.mediator_id == mediator_id
    out = []
    for p in (mediation.case_snapshot or {}).get("parties") or []:
        agent = p.get("represented_by") or {}
        out.append({
            "party_id": p.get("party_id"),
            "role": L.zh(L.PARTY_ROLES, p.get("role")),
            "kind": L.zh(L.PARTY_KINDS, p.get("kind")),
            "name": p.get("name") if not in_list else mask_name(p.get("name")),
            "id_number": (p.get("id_number") if full else mask_id_number(p.get("id_number"))) or "未提供",
            "phone": (p.get("phone") if phones else mask_phone(p.get("phone"))) or "未提供",
            "phone_full": phones and bool(p.get("phone")),
            "agent": agent.get("name"),
            "law_firm": agent.get("law_firm") or p.get("law_firm"),
        })
    return out


def _left(lt: TimeLeft | None) -> dict[str, Any] | None:
    if lt is None:
        return None
    return {"words": lt.words, "overdue": lt.overdue, "urgent": lt.urgent, "days": lt.days}


@dataclass(frozen=True)
class Due:
    """The next thing with a date on a case: what it is, by when, how long is left."""

    what: str
    at: datetime
    left: TimeLeft
    provisional: bool


def next_due(mediation: Mediation, now: datetime, holidays=None) -> Due | None:
    status = mediation.status
    if status == "offered" and mediation.offer_closes_at:
        return Due("答复分派", mediation.offer_closes_at,
                   time_left(now, mediation.offer_closes_at, working_days=True, holidays=holidays),
                   bool(getattr(mediation, "offer_calendar_provisional", False)))
    if status in ("accepted", "in_mediation", "paused") and mediation.contact_due_at and not mediation.contacted_at:
        return Due("首次联系当事人", mediation.contact_due_at,
                   time_left(now, mediation.contact_due_at, working_days=True, holidays=holidays),
                   bool(getattr(mediation, "contact_calendar_provisional", False)))
    if status in ("accepted", "in_mediation", "paused") and mediation.accepted_at:
        due = current_due(mediation, now, holidays)
        if due is not None:
            return Due("调解期限" + ("（鉴定中暂停）" if status == "paused" else ""), due.at,
                       time_left(now, due.at, working_days=False), due.provisional)
    return None


def summary(mediation: Mediation, now: datetime, holidays=None) -> dict[str, Any]:
    snapshot = mediation.case_snapshot or {}
    due = next_due(mediation, now, holidays)
    return {
        "case_id": mediation.case_id,
        "number": mediation.case_number or snapshot.get("court_case_number") or "待编号",
        "status": mediation.status,
        "status_words": L.zh(L.STATUSES, mediation.status),
        "mode": L.zh(L.MODES, mediation.mode),
        "category": L.zh(L.CATEGORIES, mediation.category),
        "parties": parties_view(mediation, None, in_list=True),
        "mediator_id": mediation.mediator_id,
        "due": None if due is None else {"what": due.what, "words": deadline_words(due.at, now=now),
                                         "left": _left(due.left), "provisional": due.provisional},
        # overdue first, then the soonest; cases with nothing due last
        "urgency": (0 if due and due.left.overdue else 1, due.left.days if due else 10_000,
                    due.at.timestamp() if due else 0),
    }


def matches(mediation: Mediation, query: str) -> bool:
    """Search by case number (either number) or by a party's name, as typed."""
    q = query.strip()
    if not q:
        return True
    snapshot = mediation.case_snapshot or {}
    numbers = [mediation.case_number or "", snapshot.get("court_case_number") or ""]
    names = [str(p.get("name") or "") for p in snapshot.get("parties") or []]
    return any(q in text for text in numbers + names)


def counts(mediations: list[Mediation]) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    for m in mediations:
        if m.status not in GONE:
            seen[m.status] = seen.get(m.status, 0) + 1
    return [{"status": s, "words": L.STATUSES[s], "count": seen[s]} for s in L.STATUSES if s in seen]


def today_view(mediations: list[Mediation], sessions: list[tuple[Session, Mediation]], now: datetime,
               holidays=None) -> dict[str, Any]:
    open_cases = [m for m in mediations if m.status in OPEN]
    rows = sorted((summary(m, now, holidays) for m in open_cases), key=lambda r: r["urgency"])
    offers = [r for r in rows if r["status"] == "offered"]
    contacts = [r for r in rows if r["due"] and r["due"]["what"] == "首次联系当事人"]
    soon = [r for r in rows if r["status"] != "offered" and r["due"] and r["due"]["what"].startswith("调解期限")
            and r["due"]["left"]["days"] <= 5]
    overdue = [r for r in rows if r["due"] and r["due"]["left"]["overdue"]]
    today = beijing_date(now)
    held = [{"case_id": m.case_id, "number": m.case_number or "待编号", "at": moment_words(s.scheduled_at, now=now),
             "day": "今天" if beijing_date(s.scheduled_at) == today else "明天",
             "place": "在线调解" if s.online else (s.location or "—")}
            for s, m in sessions]
    return {"offers": offers, "contacts": contacts, "soon": soon, "overdue": overdue, "sessions": held,
            "counts": counts(mediations)}


def routing_words(mediation: Mediation) -> str:
    """Why the case came to this partner, in words (the decision itself lives in routing)."""
    snapshot = mediation.case_snapshot or {}
    area = L.DISTRICTS.get(mediation.district or "", "本市")
    parts = [f"按案由「{L.zh(L.CATEGORIES, mediation.category)}」、纠纷所在地「{area}」和调解方式"
             f"「{L.zh(L.MODES, mediation.mode)}」，依分派规则"
             + (f"第{mediation.ruleset_version}版" if mediation.ruleset_version else "")
             + f"（{L.zh(L.POLICY_PACKS, mediation.policy_pack)}）分派至{mediation.partner_name or '本单位'}"]
    if snapshot.get("preferred_partner_id") and snapshot.get("preferred_partner_id") != mediation.partner_id:
        parts.append("当事人共同选定的单位不符合受理条件，由规则另行指定")
    if (mediation.attempt or 1) > 1:
        parts.append(f"此前有单位未接受，这是第{mediation.attempt}次分派")
    parts.append(f"调解期限{mediation.period_days}天，自接受之日起计算（2021年规则第24条）")
    return "；".join(parts) + "。"


def mediator_choices(mediation: Mediation) -> list[dict[str, Any]]:
    """The partner's mediators for the assignment form; a conflicted one is shown, not offered, with why."""
    parties = case_parties(mediation)
    roles = {str(p.get("party_id")): L.zh(L.PARTY_ROLES, p.get("role"))
             for p in (mediation.case_snapshot or {}).get("parties") or []}
    out = []
    for entry in mediation.mediators or []:
        mediator_id = entry.get("id")
        why = None
        try:
            hits = conflict_hits(mediator_of(mediation, mediator_id), parties)
        except AssignmentRefused:
            hits, why = (), "当事人信息尚未到达，暂不能核对回避情形"
        if hits:
            who = "、".join(sorted({roles.get(pid, "当事人") for h in hits for pid in h.party_ids}))
            kinds = "、".join(sorted({L.zh(L.CONFLICT_KINDS, h.conflict.kind.value) for h in hits}))
            why = f"{kinds}（{who}），依2016年规定第15条应当回避"
        elif entry.get("active") is False:
            why = "该调解员已停止接案"
        out.append({"id": mediator_id, "name": entry.get("name") or mediator_id,
                    "specialties": "、".join(L.zh(L.CATEGORIES, s) for s in entry.get("specialties") or []),
                    "current": mediator_id == mediation.mediator_id, "blocked": why})
    return out


# audit actions whose reason a person typed (the others' reasons are the system's own wording)
_TYPED_REASON = frozenset({"decline", "pause", "resume"})


def timeline(audit: list[AuditEntry], contacts: list[Contact], extensions: list[Extension],
             mediation: Mediation, now: datetime) -> list[dict[str, Any]]:
    roles = {str(p.get("party_id")): f"{L.zh(L.PARTY_ROLES, p.get('role'))}{p.get('name') or ''}"
             for p in (mediation.case_snapshot or {}).get("parties") or []}
    contact_words = [f"{L.zh(L.CHANNELS, c.channel)}联系{roles.get(c.party_id, '当事人')}，"
                     f"{moment_words(c.contacted_at, now=now)}" for c in contacts]
    extension_words = [f"延长{e.days}天，新期限{deadline_words(e.new_due_at, now=now)}" for e in extensions]
    out = []
    for a in audit:
        detail = None
        if a.action in _TYPED_REASON and a.reason and any("\u4e00" <= ch <= "\u9fff" for ch in a.reason):
            detail = a.reason
        elif a.action == "record_contact" and contact_words:
            detail = contact_words.pop(0)
        elif a.action == "extend" and extension_words:
            detail = extension_words.pop(0)
        elif a.action in ("record_failed", "expire") and mediation.outcome_detail:
            detail = L.zh(L.ENDING_GROUNDS, (mediation.outcome_detail or {}).get("ground"))
        who = L.zh(L.ACTOR_ROLES, a.role) + (f" {a.actor_id}" if a.actor_id and a.role != "system" else "")
        out.append({"at": moment_words(a.at, now=now), "action": L.zh(L.ACTIONS, a.action),
                    "to": L.zh(L.STATUSES, a.to_status), "changed": a.from_status != a.to_status,
                    "who": who, "detail": detail})
    return out


def case_view(mediation: Mediation, mediator_id: str, now: datetime, *, audit: list[AuditEntry],
              sessions: list[Session], extensions: list[Extension], consents: list[ExtensionConsent],
              contacts: list[Contact], holidays=None) -> dict[str, Any]:
    snapshot = mediation.case_snapshot or {}
    allowed = {a.value for a in allowed_actions(MediationStatus(mediation.status), Role.MEDIATOR)}
    by_extension: dict[str, list[str]] = {}
    party_words = {str(p.get("party_id")): f"{L.zh(L.PARTY_ROLES, p.get('role'))}{p.get('name') or ''}"
                   for p in snapshot.get("parties") or []}
    for consent in consents:
        by_extension.setdefault(consent.extension_id, []).append(party_words.get(consent.party_id, "当事人"))
    deadline = None
    if mediation.accepted_at is not None:
        due = current_due(mediation, now, holidays)
        running = mediation.status in OPEN
        deadline = {
            "accepted": moment_words(mediation.accepted_at, now=now),
            "days": mediation.period_days,
            "words": deadline_words(due.at, now=now),
            "left": _left(time_left(now, due.at, working_days=False)) if running else None,
            "paused": mediation.status == "paused",
            "provisional": due.provisional,
            "pauses": [{"from": moment_words(datetime.fromisoformat(p["paused_at"]), now=now),
                        "to": moment_words(datetime.fromisoformat(p["resumed_at"]), now=now)
                        if p.get("resumed_at") else "鉴定进行中"} for p in mediation.pauses or []],
        }
    offer = None
    if mediation.status == "offered":
        offer = {"words": deadline_words(mediation.offer_closes_at, now=now),
                 "left": _left(time_left(now, mediation.offer_closes_at, working_days=True, holidays=holidays)),
                 "provisional": bool(getattr(mediation, "offer_calendar_provisional", False))}
    contact = None
    if mediation.contact_due_at is not None:
        contact = {"due": deadline_words(mediation.contact_due_at, now=now),
                   "done": moment_words(mediation.contacted_at, now=now) if mediation.contacted_at else None,
                   "left": None if mediation.contacted_at or mediation.status not in OPEN else
                   _left(time_left(now, mediation.contact_due_at, working_days=True, holidays=holidays)),
                   "provisional": bool(getattr(mediation, "contact_calendar_provisional", False))}
    outcome = None
    if mediation.outcome:
        detail = mediation.outcome_detail or {}
        agreement = detail.get("agreement") or {}
        confirmation_due = getattr(mediation, "confirmation_due_at", None)
        outcome = {"result": L.zh(L.OUTCOME_RESULTS, mediation.outcome),
                   "at": moment_words(mediation.outcome_at, now=now),
                   "ground": L.zh(L.ENDING_GROUNDS, detail.get("ground")) if detail.get("ground") else None,
                   "handoff": L.zh(L.HANDOFF_TYPES, mediation.handoff_type),
                   "terms": list(agreement.get("terms") or []),
                   "facts": [f.get("text") for f in detail.get("undisputed_facts") or []],
                   "confirmation_due": deadline_words(confirmation_due, now=now) if confirmation_due else None,
                   "confirmation_provisional": bool(getattr(mediation, "confirmation_calendar_provisional", False))}
    return {
        "case_id": mediation.case_id,
        "number": mediation.case_number or snapshot.get("court_case_number") or "待编号",
        "court_case_number": snapshot.get("court_case_number"),
        "status": mediation.status,
        "status_words": L.zh(L.STATUSES, mediation.status),
        "summary": snapshot.get("summary") or "未填写",
        "claim": money_words(snapshot.get("claim_amount")),
        "court": court_words(mediation.court_code),
        "category": L.zh(L.CATEGORIES, mediation.category),
        "mode": L.zh(L.MODES, mediation.mode),
        "stage": L.zh(L.STAGES, snapshot.get("stage")) if snapshot.get("stage") else None,
        "procedure": L.zh(L.PROCEDURES, snapshot.get("procedure")) if snapshot.get("procedure") else None,
        "district": L.zh(L.DISTRICTS, mediation.district),
        "period_days": mediation.period_days,
        "partner_name": mediation.partner_name or mediation.partner_id,
        "mediator_id": mediation.mediator_id,
        "mine": mediation.mediator_id == mediator_id,
        "parties": parties_view(mediation, mediator_id),
        "revealed": id_numbers_disclosed(mediation),
        "routing": routing_words(mediation),
        "offer": offer, "contact": contact, "deadline": deadline, "outcome": outcome,
        "sessions": [{"at": moment_words(s.scheduled_at, now=now),
                      "place": "在线调解" if s.online else (s.location or "—"),
                      "mediator": s.mediator_id or "—"} for s in sessions],
        "extensions": [{"days": e.days, "at": moment_words(e.granted_at, now=now),
                        "due": deadline_words(e.new_due_at, now=now),
                        "consents": "、".join(sorted(by_extension.get(e.id, [])))} for e in extensions],
        "timeline": timeline(audit, contacts, extensions, mediation, now),
        "allowed": allowed,
        "mediators": mediator_choices(mediation) if "assign_mediator" in allowed else [],
        "channels": [{"value": k, "words": v} for k, v in L.CHANNELS.items()],
        "grounds": [{"value": g, "words": words} for g, words in L.ENDING_GROUNDS.items()
                    if g in {ground.value for ground in FAILURE_GROUNDS}],
        "can_settle": "record_settled" in allowed,
        "can_end": bool({"record_settled", "record_failed", "record_withdrawn"} & allowed),
    }
