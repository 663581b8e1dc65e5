"""The floor: what one Python process can do per request on this machine when it does almost
nothing, a bare FastAPI endpoint with one asyncpg INSERT into a scratch table (one uvicorn worker,
uvloop and httptools, as the services run). Intake's throughput is read against it, in the same run
under the same wrk script, so the ratio says how much of the machine the real work costs.

    python -m bench.floor --database-url postgresql://... --port P
"""

from __future__ import annotations

import argparse
import uuid
from contextlib import asynccontextmanager

import asyncpg
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

POOL_SIZE = 10


def create_app(database_url: str) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.pool = await asyncpg.create_pool(database_url, min_size=POOL_SIZE, max_size=POOL_SIZE)
        await app.state.pool.execute("CREATE TABLE IF NOT EXISTS scratch (id uuid PRIMARY KEY, body text NOT NULL)")
        yield
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.post("/v1/cases")
    async def create(request: Request) -> JSONResponse:
        case_id = uuid.uuid4()
        await app.state.pool.execute("INSERT INTO scratch (id, body) VALUES ($1, $2)", case_id,
                                     (await request.body()).decode())
        return JSONResponse({"id": str(case_id)}, status_code=201)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(args.database_url), host="127.0.0.1", port=args.port, workers=1, loop="uvloop",
                http="httptools", log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
