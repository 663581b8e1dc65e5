"""Masking of personal data for lists and for roles that do not need it in full."""


def mask_name(name: str | None) -> str | None:
    """张三 -> 张*; an organisation keeps its first and last two characters (青岛****公司)."""
    if not name:
        return name
    if len(name) <= 3:
        return name[0] + "*" * (len(name) - 1)
    return name[:2] + "*" * (len(name) - 4) + name[-2:]


def mask_id_number(value: str | None) -> str | None:
    if not value:
        return value
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]
