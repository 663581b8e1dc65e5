"""The parties' id numbers and phones sealed at rest (shared/sealed.py), and the keyed hash that
finds a party by id number without opening every row.

`INTAKE_DATA_KEYS` (Fernet keys, the newest first) seal `parties.id_number` and `parties.phone`;
`INTAKE_LOOKUP_KEY` (an HMAC-SHA256 key) gives `parties.id_number_hash`, the only column a lookup
by id number compares. Both come from a Kubernetes Secret, never from the database, so a copy of the
database or of a backup reveals neither the numbers nor a way to test a guessed one. Rotation:
README, "Secrets and personal data at rest" (`python -m services.intake.rekey`).
"""

from __future__ import annotations

from services.intake.domain.identity import normalize_identity_number
from shared.sealed import LookupKey, SealedText, Sealer

# Development and tests only (the settings refuse them elsewhere): fixed, so `make run`'s SQLite
# files stay readable across restarts.
DEV_DATA_KEY = "ZGV2LW9ubHktaW50YWtlLXBhcnR5LWRhdGEta2V5LTA="
DEV_LOOKUP_KEY = "dev-only-intake-lookup-key-0123456789abcdef"

PARTY_DATA = Sealer(setting="INTAKE_DATA_KEYS", what="a party's id number or phone", dev_key=DEV_DATA_KEY)
use_data_keys = PARTY_DATA.install


class SealedPersonal(SealedText):
    """A party's id number or phone, sealed with intake's keys."""

    sealer = PARTY_DATA


def id_number_hash(lookup: LookupKey, id_number: str) -> str:
    """What `parties.id_number_hash` holds for this id number, as filed or as searched for (the
    request model stores it stripped and upper-cased: a search typed with a lower-case x finds it)."""
    return lookup.hash(normalize_identity_number(id_number))
