from services.routing.store.roster import seed_roster
from shared.clock import SystemClock


async def seed(session, db) -> str:
    count = await seed_roster(session, db, SystemClock().now())
    return f"{count} partner bodies and the default ruleset loaded"
