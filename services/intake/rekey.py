"""`python -m services.intake.rekey`: re-encrypt every party's id number and phone with the first key
of INTAKE_DATA_KEYS and recompute its id_number_hash with INTAKE_LOOKUP_KEY (the last step of a key
rotation, README "Secrets and personal data at rest").

The hash is recomputed from the opened id number, so a new lookup key needs no old one: set it, roll
intake, run this. Safe to run again, and while intake serves: a page of rows is read under a row
lock and rewritten in its own short transaction.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from services.intake.settings import Settings
from services.intake.store.sealed import PARTY_DATA, id_number_hash
from shared.db import Database
from shared.sealed import LookupKey

PAGE = 500


async def rekey(settings: Settings, *, page: int = PAGE) -> int:
    box = PARTY_DATA.box_for(settings.data_key_list)
    lookup = LookupKey(settings.lookup_key)
    db = Database(settings.database_url)
    changed, after = 0, ""
    try:
        while True:
            async with db.unit_of_work(wake=False) as session:
                lock = "" if db.is_sqlite else " FOR UPDATE"
                rows = (await session.execute(
                    text(f"SELECT id, id_number, phone FROM parties WHERE id > :after ORDER BY id LIMIT :page{lock}"),
                    {"after": after, "page": page})).all()
                if not rows:
                    break
                values = []
                for row in rows:
                    id_number = box.open(row.id_number)
                    values.append({"id": row.id, "id_number": box.seal(id_number),
                                   "phone": box.reseal(row.phone) if row.phone else None,
                                   "hash": id_number_hash(lookup, id_number)})
                await session.execute(text("UPDATE parties SET id_number = :id_number, phone = :phone, "
                                           "id_number_hash = :hash WHERE id = :id"), values)
                changed += len(rows)
                after = rows[-1].id
    finally:
        await db.dispose()
    return changed


def main() -> None:
    changed = asyncio.run(rekey(Settings()))
    print(f"re-encrypted the id numbers and phones of {changed} parties with the first INTAKE_DATA_KEYS key "
          "and rehashed them with INTAKE_LOOKUP_KEY")


if __name__ == "__main__":
    main()
