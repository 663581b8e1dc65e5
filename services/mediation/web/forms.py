"""The workbench's forms read into what the actions take, with a Chinese message per field at fault.

Times are typed as a person does, in Beijing time (`datetime-local`, no offset): read here as
Asia/Shanghai. The outcome form becomes the API's outcome body, which parse_outcome then validates
exactly as for the API: terms and facts one per line, each signature ticked by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.mediation.domain.contact import Channel
from services.mediation.web.refusals import Refused
from shared.clock import BEIJING

_FLAGS = ("apply_for_judicial_confirmation", "concerns_personal_status", "decides_ownership", "withdraw_suit")
MAX_TEXT = 1000


def _lines(value: Any) -> list[str]:
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def text(form, name: str) -> str:
    return str(form.get(name) or "").strip()


def values_of(form) -> dict[str, Any]:
    """What was typed, to put back into the form after a refusal (lists for the ticked boxes)."""
    out: dict[str, Any] = {}
    for key in form.keys():
        if key in ("csrf", "confirmed"):
            continue
        items = [str(v) for v in form.getlist(key)]
        out[key] = items if key in ("signed_by", "facts_signed_by", "consents") or len(items) > 1 else items[0]
    return out


def outcome_payload(form) -> dict[str, Any]:
    result = str(form.get("result") or "")
    payload: dict[str, Any] = {"result": result, "note": str(form.get("note") or "").strip() or None}
    if result == "settled":
        payload["agreement"] = {"terms": _lines(form.get("terms")),
                                "signed_by": [str(v) for v in form.getlist("signed_by")],
                                **{flag: form.get(flag) == "on" for flag in _FLAGS}}
    if result == "failed":
        payload["ground"] = str(form.get("ground") or "") or None
        facts = _lines(form.get("facts"))
        if facts:
            signed = [str(v) for v in form.getlist("facts_signed_by")]
            payload["undisputed_facts"] = [{"text": line, "signed_by": signed} for line in facts]
    return payload


def beijing_time(form, name: str, *, required: bool, words: str) -> datetime | None:
    raw = text(form, name)
    if not raw:
        if required:
            raise Refused("请按提示修改。", {name: f"请填写{words}。"})
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise Refused("请按提示修改。", {name: f"{words}的格式应为 年-月-日 时:分。"}) from None
    return moment.replace(tzinfo=BEIJING) if moment.tzinfo is None else moment


def decline_reason(form) -> str:
    reason = text(form, "reason")
    if not reason:
        raise Refused("拒绝须写明理由。", {"reason": "请写明不接受本案的理由，例如利益冲突或超出受理范围。"})
    if len(reason) > MAX_TEXT:
        raise Refused("理由过长。", {"reason": f"理由至多{MAX_TEXT}字。"})
    return reason


def contact_args(form, party_ids: list[str]) -> dict[str, Any]:
    fields: dict[str, str] = {}
    party_id = text(form, "party_id")
    if party_id not in party_ids:
        fields["party_id"] = "请选择联系的当事人。"
    try:
        channel = Channel(text(form, "channel"))
    except ValueError:
        channel = None
        fields["channel"] = "请选择联系方式。"
    try:
        at = beijing_time(form, "contacted_at", required=False, words="联系时间")
    except Refused as exc:
        fields.update(exc.fields)
        at = None
    if fields:
        raise Refused("联系记录未能保存，请按提示修改。", fields)
    return {"party_id": party_id, "channel": channel, "contacted_at": at}


def session_args(form, now: datetime) -> dict[str, Any]:
    fields: dict[str, str] = {}
    try:
        at = beijing_time(form, "scheduled_at", required=True, words="调解时间")
        if at is not None and at <= now:
            fields["scheduled_at"] = "调解时间须晚于现在。"
    except Refused as exc:
        fields.update(exc.fields)
        at = None
    online = form.get("online") == "on"
    location = text(form, "location")
    if online and location:
        fields["location"] = "在线调解无需填写地点；线下调解请取消「在线调解」。"
    elif not online and not location:
        fields["location"] = "请填写调解地点，或勾选「在线调解」。"
    elif len(location) > 300:
        fields["location"] = "地点至多300字。"
    if fields:
        raise Refused("调解安排未能保存，请按提示修改。", fields)
    return {"scheduled_at": at, "location": location or None, "online": online}


def extension_args(form) -> dict[str, Any]:
    raw = text(form, "days")
    if not raw.isdigit() or not 1 <= int(raw) <= 365:
        raise Refused("延长期限未能记录，请按提示修改。", {"days": "请填写延长的天数（1至365之间的整数）。"})
    return {"days": int(raw), "consents": [str(v) for v in form.getlist("consents")]}


def optional_reason(form) -> str | None:
    reason = text(form, "reason")
    if len(reason) > MAX_TEXT:
        raise Refused("说明过长。", {"reason": f"说明至多{MAX_TEXT}字。"})
    return reason or None
