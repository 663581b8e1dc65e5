"""Load reference data into each service's database: the partner roster and the default ruleset
(routing), the demo accounts (mediation). Safe to run again."""

from __future__ import annotations

import argparse
import asyncio
import importlib

from composition.registry import SERVICES, settings_for
from shared.db import Database


async def seed_service(name: str, database_url: str, *, demo: bool = False) -> str | None:
    """`demo`: `make run`'s demo data too (mediation's demo password); never for a real deployment."""
    try:
        module = importlib.import_module(f"services.{name}.seed")
    except ModuleNotFoundError:
        return None
    db = Database(database_url)
    try:
        async with db.unit_of_work() as session:
            return await (module.seed(session, db, demo=True) if demo and name == "mediation"
                          else module.seed(session, db))
    finally:
        await db.dispose()


async def seed(names: list[str], *, demo: bool = False) -> None:
    for name in names:
        summary = await seed_service(name, settings_for(name).database_url, demo=demo)
        if summary:
            print(f"{name}: {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("services", nargs="*", default=list(SERVICES))
    asyncio.run(seed(parser.parse_args().services))


if __name__ == "__main__":
    main()
