"""The one masking rule for personal data, wherever a role does not need it in full: lists, webhook
bodies, the clerk's timeline, the routing roster shown to partners."""

from __future__ import annotations

from typing import overload


@overload
def mask_id_number(number: str) -> str: ...
@overload
def mask_id_number(number: None) -> None: ...


def mask_id_number(number: str | None) -> str | None:
    """Keep the address code and the last four: "370202198001011234" -> "370202********1234"."""
    if not number:
        return number
    if len(number) < 12:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str | None) -> str | None:
    """Keep the carrier prefix and the last four: "13800000000" -> "138****0000"."""
    if not phone:
        return phone
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str | None) -> str | None:
    """张三 -> 张*; an organisation keeps its first and last two characters (青岛****公司)."""
    if not name:
        return name
    if len(name) <= 3:
        return name[0] + "*" * (len(name) - 1)
    return name[:2] + "*" * (len(name) - 4) + name[-2:]
