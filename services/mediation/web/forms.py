"""The outcome form's fields as the API's outcome body: terms one per line, facts one per line,
signatures from the ticked parties; parse_outcome then validates it exactly as for the API."""

from __future__ import annotations

from typing import Any

_FLAGS = ("apply_for_judicial_confirmation", "concerns_personal_status", "decides_ownership", "withdraw_suit")


def _lines(value: Any) -> list[str]:
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def outcome_payload(form) -> dict[str, Any]:
    result = str(form.get("result") or "")
    signed_by = [str(v) for v in form.getlist("signed_by")]
    payload: dict[str, Any] = {"result": result, "note": str(form.get("note") or "") or None}
    if result == "settled":
        payload["agreement"] = {"terms": _lines(form.get("terms")), "signed_by": signed_by,
                                **{flag: form.get(flag) == "on" for flag in _FLAGS}}
    if result == "failed":
        payload["ground"] = str(form.get("ground") or "") or None
        facts = _lines(form.get("facts"))
        if facts:
            payload["undisputed_facts"] = [{"text": text, "signed_by": signed_by} for text in facts]
    return payload
