from services.routing.store.roster import seed_roster


async def seed(session, db) -> str:
    count = await seed_roster(session, db)
    return f"{count} partner bodies and the default ruleset loaded"
