"""`make bench`: every benchmark in one run, written to docs/BENCHMARKS.md (and printed) with when,
where and how it ran; the platform figures also as docs/bench-platform.png.

    python -m bench.run                      # the full run, about five minutes
    python -m bench.run --quick              # a short run, written to var/bench/quick/ instead
    python -m bench.run --sections platform  # only some sections: platform, embedded, routing, intake,
                                             # sealing, webhooks

The platform and embedded sections start and stop everything they measure (databases, vhost, SQLite
files, processes); only PostgreSQL and RabbitMQ on this machine and wrk (`make bench` installs it)
must be there. The end-to-end scenario is also profiled with py-spy: flame graphs beside the document,
in flamegraphs/.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bench.http_client import section as http_client_section
from bench.intake_bench import intake_section
from bench.machine import provenance
from bench.progress import say
from bench.routing_bench import routing_section
from bench.sealing_cost import REQUEST_MS
from bench.sealing_cost import section as sealing_section
from bench.stack.embedded import EmbeddedPlan, run_embedded
from bench.stack.embedded_report import embedded_section
from bench.stack.plot import plot_platform
from bench.stack.report import platform_section
from bench.stack.scenarios import BenchFailure, Plan, PlatformRun, run_platform

SECTIONS = ("platform", "embedded", "routing", "intake", "sealing", "webhooks")
DOCS = Path("docs")
RUNS = Path("var/bench")

HEADER = [
    "# Benchmarks",
    "",
    "Written by `make bench` (`python -m bench.run`); do not edit by hand. Figures are from one run on a "
    "shared, noisy machine: compare figures within a run (intake against the floor, one rate against "
    "another), not absolute numbers across runs or machines; tails (p99, max) in particular move with "
    "whatever else the machine is doing. `python -m bench.run --quick` is a short run for trying changes "
    "(written under `var/bench/quick/`).",
    "",
]

ROUTING_READING = (
    "Reading the figures: the decision reads only the partners the index lists for the case's category and "
    "district (plus its city's city-wide bodies), so going from 35 to 100,000 partners raises the median by "
    "a small factor, not by the roster's size. Much of the p99 at national size is the cyclic garbage "
    "collector traversing the long-lived roster objects, which `gc.freeze()` (done by the routing service's "
    "`RosterCache` for rosters of 10,000 partners or more) takes out of the collector's way. Not measured "
    "here: the database round trips of a real decision, which the platform section above includes.")
INTAKE_READING = (
    "Reading the figures: the client runs in the same process as the app, so this is intake's own cost "
    "per case without HTTP sockets or other services; twenty callers of one court also queue on that "
    "court's case-number counter row (gapless numbers are a serial resource per court and year), which "
    "shows as the longer tail against ten courts.")


def platform_lines(quick: bool, plot_path: Path) -> tuple[list[str], PlatformRun]:
    plan = Plan.quick() if quick else Plan()
    # The flame graphs go beside the document, which links them relatively.
    run = asyncio.run(run_platform(plan, RUNS / ("quick-run" if quick else "run"), plot_path.parent / "flamegraphs"))
    plot_platform(run, plot_path)
    return platform_section(run, plot_path.name), run


def embedded_lines(quick: bool, distributed: PlatformRun | None) -> list[str]:
    plan = EmbeddedPlan.quick() if quick else EmbeddedPlan()
    run = asyncio.run(run_embedded(plan, RUNS / ("quick-embedded" if quick else "embedded")))
    return embedded_section(run, distributed)


def routing_lines(decisions: int, seed: int) -> list[str]:
    say(f"routing decide(): {decisions:,} decisions per roster ...")
    what = (f"single-threaded `decide()` ({decisions:,} decisions per roster, seed {seed}) with the default "
            "ruleset, policy pack spc-2016 and a random open-case load; the national roster is generated "
            "(100,000 partner bodies, 4 mediators each).")
    return ["## Routing decision latency", "", *provenance(what), *routing_section(decisions, seed), "",
            ROUTING_READING]


def intake_lines(cases: int) -> list[str]:
    say(f"intake in process: {cases} cases per scenario ...")
    what = ("the real intake app in process (validation, idempotency key, gapless case number, outbox row, "
            "timeline), httpx in the same process as the client, PostgreSQL on this machine.")
    return ["## Intake in process: filing a case (POST /v1/cases)", "", *provenance(what),
            *intake_section(cases), "", INTAKE_READING]


def intake_request_ms(distributed: PlatformRun | None) -> tuple[float, str]:
    """One intake request's time to weigh sealing against: this run's intake at full speed when the
    platform section ran, else the default of bench/sealing_cost.py."""
    full = next((p for p in distributed.phases if p.key == "intake"), None) if distributed else None
    if full is None or not full.load.created_per_s:
        return REQUEST_MS, f"{REQUEST_MS:g} ms, the default of `bench/sealing_cost.py`"
    return 1000 / full.load.created_per_s, f"1/{full.load.created_per_s:.1f} s, intake at full speed in this run"


def sealing_lines(cases: int, distributed: PlatformRun | None) -> list[str]:
    request_ms, where = intake_request_ms(distributed)
    say(f"sealing the parties' personal data: {cases} generated cases ...")
    what = ("`bench/sealing_cost.py`: Fernet sealing of each party's id number and phone and the HMAC-SHA256 "
            "lookup hash (what intake adds to a filing, services/intake/store/sealed.py), and opening them "
            "again (the clerk's read), on the bench's generated case bodies, the best of 7 timings.")
    reading = (f"Reading the figures: the share is of one intake request ({where}); a list page of 50 "
               "three-party cases opens about 300 values to mask them, a few ms. Intake keeps the parties' id "
               "numbers and phones sealed while the share stays small (issue #13).")
    return ["## Personal data sealed at rest (intake)", "", *provenance(what), *sealing_section(cases, request_ms),
            "", reading]


def webhook_lines(n: int) -> list[str]:
    say(f"posting a webhook: {n:,} requests per client and width ...")
    what = ("`bench/http_client.py`: this process's CPU per webhook POST through httpx and through notify's "
            "own `post_json` (aiohttp, services/notify/channels/http_delivery.py), in rounds of 10 and of 50 "
            "at once (the webhook worker's default), to a minimal keep-alive receiver in a process of its own.")
    reading = ("Reading the figures: httpx's pool looks at every pooled connection on each request (and past "
               "20 kept-alive connections closes and reopens them), so its cost grows with the requests in "
               "flight; this is why notify posts through aiohttp (issue #9).")
    return ["## Posting a webhook (notify's HTTP client)", "", *provenance(what), *http_client_section(n), "",
            reading]


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks, write docs/BENCHMARKS.md, print it.")
    parser.add_argument("--quick", action="store_true", help="short scenarios, written under var/bench/quick/")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated, of {', '.join(SECTIONS)}")
    parser.add_argument("--out", type=Path, default=None, help="the markdown file (default docs/BENCHMARKS.md)")
    parser.add_argument("--decisions", type=int, default=None, help="decisions timed per roster")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--cases", type=int, default=None, help="cases filed per in-process intake scenario")
    args = parser.parse_args()
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {unknown}; known: {', '.join(SECTIONS)}")
    out = args.out or (RUNS / "quick" / "BENCHMARKS.md" if args.quick else DOCS / "BENCHMARKS.md")
    plot_path = out.parent / "bench-platform.png"
    lines = list(HEADER)
    try:
        distributed = None
        if "platform" in sections:
            platform, distributed = platform_lines(args.quick, plot_path)
            lines += [*platform, ""]
        if "embedded" in sections:
            lines += [*embedded_lines(args.quick, distributed), ""]
        if "routing" in sections:
            lines += [*routing_lines(args.decisions or (500 if args.quick else 5000), args.seed), ""]
        if "intake" in sections:
            lines += [*intake_lines(args.cases or (30 if args.quick else 200)), ""]
        if "sealing" in sections:
            lines += [*sealing_lines(100 if args.quick else 400, distributed), ""]
        if "webhooks" in sections:
            lines += [*webhook_lines(1000 if args.quick else 5000), ""]
    except BenchFailure as exc:
        say(f"\nBENCHMARK FAILED: {exc}")
        return 1
    except KeyboardInterrupt:
        say("\ninterrupted: what the benchmark started was stopped and its databases and vhost removed")
        return 130
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    say(f"written: {out}" + (f" and {plot_path}" if "platform" in sections else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
