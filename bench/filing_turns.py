"""INTAKE_FILING_CONCURRENCY compared in one cluster: the platform started as `make bench` starts it,
then for each width in turn intake's API process restarted with it and wrk filing at full speed with
32 connections. Rounds alternate in one run, so the machine's drift falls on every width alike. Not
part of `make bench`; the figures behind the setting's default (services/intake/settings.py).

Usage: python -m bench.filing_turns [--widths 3,16,3,16,6,6] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bench.stack import scenarios
from bench.stack.load import Load, run_wrk

WORK = Path("var/bench/filing-turns")


async def _round(ctx, width: int, n: int, seconds: float) -> str:
    api = ctx.cluster.services["intake"]
    api.stop()
    api.env = {**api.env, "INTAKE_FILING_CONCURRENCY": str(width)}
    api.start()
    await api.wait_ready("/readyz", timeout=60)
    r = await run_wrk(api.url, Load(f"turns{n}", 32, seconds), ctx.bodies, ctx.work_dir, ctx.key_prefix)
    scenarios.check_refusals(r)
    await ctx.wait_until_quiet(60)  # the round's pipeline work must not run into the next round
    lat = r.latency_ms
    return (f"| {width} | {r.created_per_s:,.1f} | {lat['p50']:,.0f} | {lat['p99']:,.0f} | {lat['max']:,.0f} "
            f"| {r.over_2s} |")


async def main(widths: list[int], seconds: float) -> None:
    ctx, _ = scenarios.prepared(scenarios.Plan.quick(), WORK)
    try:
        await scenarios.provision(ctx)
        await scenarios.warm_up(ctx)
        print("| width | accepted/s | p50 ms | p99 ms | max ms | over 2 s |\n|---:|---:|---:|---:|---:|---:|")
        for n, width in enumerate(widths):
            print(await _round(ctx, width, n, seconds), flush=True)
    finally:
        await scenarios.closed(ctx)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--widths", default="3,16,3,16,6,6")
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    asyncio.run(main([int(w) for w in args.widths.split(",")], args.seconds))
