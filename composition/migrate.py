"""`python -m composition.migrate intake routing ...`: each service's Alembic migrations to head.

Migrations run as their own step, never inside application start-up (a release Job in Kubernetes,
`make migrate`). The mechanics, per service, are shared/migrations.py's; this is the loop over the
services by name, with their settings.
"""

from __future__ import annotations

import argparse
import asyncio

from alembic import command

from composition.registry import SERVICES, settings_for
from shared.migrations import alembic_config, upgrade, wait_for_database


def main() -> None:
    parser = argparse.ArgumentParser(description="Run each service's Alembic migrations to head.")
    parser.add_argument("services", nargs="*", default=list(SERVICES))
    parser.add_argument("--autogenerate", metavar="MESSAGE",
                        help="write a new revision from the models' difference to the migrated database")
    parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="first wait up to this long for the database server to answer")
    parser.add_argument("--wait-only", action="store_true", help="only wait for the database (an init container)")
    args = parser.parse_args()
    for service in args.services:
        database_url = settings_for(service).database_url
        if args.wait:
            asyncio.run(wait_for_database(database_url, args.wait))
        if args.wait_only:
            print(f"{service}: database answers")
            continue
        upgrade(service, database_url)
        if args.autogenerate:
            command.revision(alembic_config(service, database_url), message=args.autogenerate, autogenerate=True)
            continue
        print(f"{service}: migrated ({database_url.split('@')[-1]})")


if __name__ == "__main__":
    main()
