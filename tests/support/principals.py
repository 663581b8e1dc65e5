"""The principals the security tests act as: a clerk of each of two courts, a partner system and a
mediator of each of two partners, and ops. A's resources belong to court 370202 and partner P01."""

from __future__ import annotations

CLAIMS: dict[str, dict[str, str]] = {
    "clerk A": {"role": "clerk", "court_code": "370202"},
    "clerk B": {"role": "clerk", "court_code": "370203"},
    "partner A": {"role": "partner", "partner_id": "P01"},
    "partner B": {"role": "partner", "partner_id": "P02"},
    "mediator A": {"role": "mediator", "partner_id": "P01", "mediator_id": "P01-M01"},
    "mediator B": {"role": "mediator", "partner_id": "P02", "mediator_id": "P02-M01"},
    "ops": {"role": "ops"},
}
