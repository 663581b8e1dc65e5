"""`python -m services.mediation.accounts <mediator id>`: issue a mediator an initial password.

Outside `make run` accounts carry no usable password. Ops runs this and hands the printed password
to the mediator by a separate channel; it only lets the mediator choose their own at first sign-in
(web/account.py), and every session the mediator had is ended. The password is printed once and
never logged."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys

from services.mediation.settings import Settings
from services.mediation.store import accounts
from services.mediation.store.models import MediatorAccount
from shared.clock import SystemClock
from shared.db import Database


async def issue_initial_password(database_url: str, mediator_id: str) -> str | None:
    password = secrets.token_urlsafe(12)
    db = Database(database_url)
    try:
        async with db.unit_of_work() as session:
            account = await session.get(MediatorAccount, mediator_id)
            if account is None:
                return None
            now = SystemClock().now()
            await accounts.set_password(session, account, password, now)
            account.must_set_password, account.password_set_at = True, None
            await accounts.revoke_all(session, mediator_id, now)
            await accounts.store_throttle(session, mediator_id, None)
    finally:
        await db.dispose()
    return password


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mediator_id")
    args = parser.parse_args()
    password = asyncio.run(issue_initial_password(Settings().database_url, args.mediator_id))
    if password is None:
        sys.exit(f"no account {args.mediator_id!r}")
    print(password)


if __name__ == "__main__":
    main()
