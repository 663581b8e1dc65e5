"""`python -m services.notify.rekey`: re-encrypt every stored webhook signing secret with the first
key of NOTIFY_SECRET_KEYS (the last step of a key rotation, README "Secrets and personal data at rest").

Safe to run again, and while notify serves: each row is read and rewritten in its own short
transaction, under a row lock, so a concurrent rotation of that endpoint's secret is not lost.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from services.notify.settings import Settings
from services.notify.store.sealed import WEBHOOK_SECRETS
from shared.db import Database


async def rekey(settings: Settings) -> int:
    box = WEBHOOK_SECRETS.box_for(settings.secret_key_list)
    db = Database(settings.database_url)
    columns = "id, secret, previous_secret"
    changed = 0
    try:
        async with db.read() as session:
            ids = list((await session.execute(text("SELECT id FROM webhook_endpoints"))).scalars())
        for endpoint_id in ids:
            async with db.unit_of_work(wake=False) as session:
                lock = "" if db.is_sqlite else " FOR UPDATE"
                row = (await session.execute(text(f"SELECT {columns} FROM webhook_endpoints WHERE id = :id{lock}"),
                                             {"id": endpoint_id})).first()
                if row is None:
                    continue
                values = {"secret": box.reseal(row.secret),
                          "previous_secret": box.reseal(row.previous_secret) if row.previous_secret else None}
                await session.execute(text("UPDATE webhook_endpoints SET secret = :secret, "
                                           "previous_secret = :previous_secret WHERE id = :id"),
                                      {**values, "id": endpoint_id})
                changed += 1
    finally:
        await db.dispose()
    return changed


def main() -> None:
    changed = asyncio.run(rekey(Settings()))
    print(f"re-encrypted the secrets of {changed} webhook endpoints with the first NOTIFY_SECRET_KEYS key")


if __name__ == "__main__":
    main()
