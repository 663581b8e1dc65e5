"""When a partner may see the parties' id numbers in full: once it has accepted the case, and not
while it is only offered nor after it declined (Personal Information Protection Law Art 6: no more
than the purpose needs; deciding on an offer needs the names, not the id numbers). The web client and
the JSON API follow this one rule."""

from __future__ import annotations

from typing import Protocol


class _Disclosable(Protocol):
    @property
    def accepted_at(self) -> object: ...
    @property
    def status(self) -> str: ...


def id_numbers_disclosed(mediation: _Disclosable) -> bool:
    return mediation.accepted_at is not None and mediation.status not in ("offered", "declined")
