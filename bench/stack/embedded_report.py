"""The embedded-mode section of docs/BENCHMARKS.md, as markdown lines, with the comparison against
the distributed platform measured earlier in the same run (when it was)."""

from __future__ import annotations

from bench.machine import provenance
from bench.stack.embedded import PROCESS, EmbeddedRun
from bench.stack.figures import cpu_ms_per_case, phase, pipeline
from bench.stack.logs import summarise
from bench.stack.provision import BENCH_CAPACITY
from bench.stack.report import http_table, pipeline_table
from bench.stack.scenarios import PlatformRun


def _cpu(run: EmbeddedRun) -> list[str]:
    p = run.phase
    per_case = cpu_ms_per_case(p)
    return ["| scenario | cases | wall s | the one process, ms/case | its cores busy | wrk ms/case | receiver ms/case |",
            "|---|---:|---:|---:|---:|---:|---:|",
            f"| {p.title} | {len(p.cases):,} | {p.wall_s:.0f} | {per_case.get(PROCESS, 0.0):.2f} "
            f"| {p.cpu_s.get(PROCESS, 0.0) / p.wall_s:.2f} | {per_case['wrk']:.2f} "
            f"| {per_case.get('receiver', 0.0):.2f} |"]


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}×" if theirs else "–"


def _comparison(run: EmbeddedRun, distributed: PlatformRun | None) -> str:
    if distributed is None:
        return "Not compared: the platform section did not run in this run (`--sections`)."
    e2e, intake = phase(distributed, "e2e"), phase(distributed, "intake")
    ours = pipeline(run.phase)
    parts = []
    if e2e is not None:
        theirs = pipeline(e2e)
        parts.append(f"end to end {ours.window_per_s:.1f} against {theirs.window_per_s:.1f} cases/s during load "
                     f"({_ratio(ours.window_per_s, theirs.window_per_s)}), {ours.overall_per_s:.1f} against "
                     f"{theirs.overall_per_s:.1f} incl. drain ({_ratio(ours.overall_per_s, theirs.overall_per_s)}); "
                     f"CPU {cpu_ms_per_case(run.phase).get(PROCESS, 0.0):.1f} against "
                     f"{cpu_ms_per_case(e2e)['platform']:.1f} ms per case (the four services, PostgreSQL and "
                     "RabbitMQ)")
    if intake is not None:
        parts.append(f"intake {run.phase.load.created_per_s:.1f} against {intake.load.created_per_s:.1f} "
                     f"accepted/s ({_ratio(run.phase.load.created_per_s, intake.load.created_per_s)}, both at "
                     f"full speed, {intake.load.load.connections} connections)")
    return ("Against the distributed platform above (embedded / distributed): " + "; ".join(parts) + "."
            if parts else "Not compared: the platform section has no end-to-end or intake scenario.")


def _log(run: EmbeddedRun) -> str:
    found = summarise(run.log_dir / f"{PROCESS}.log")
    if not (found.warnings or found.errors or found.tracebacks):
        return "- No warning or error in the process's log."
    top = "; ".join(f"{m} ×{n}" for m, n in found.messages.most_common(3))
    return f"- Its log: {found.warnings} warnings, {found.errors} errors, {found.tracebacks} bare tracebacks. {top}"


def embedded_section(run: EmbeddedRun, distributed: PlatformRun | None) -> list[str]:
    p = run.phase
    return [
        "## Embedded mode (make run: one process, SQLite, in-process bus)", "",
        *provenance("the platform as `make run` serves it (`python -m composition.run all`: the four services in "
                    "one process, one SQLite file each, the in-process bus), on scratch files, filed with the "
                    "same wrk script at full speed; every routed case ends as a verified webhook."),
        "### HTTP", "", *http_table([p]), "",
        "### Pipeline", "", *pipeline_table([p]), "",
        "quiet: not measured (the in-process bus has no queue the benchmark can read from outside); the CPU "
        "below is over the load and the drain.", "",
        "### CPU per case (ms of CPU time per accepted case, over load and drain)", "", *_cpu(run), "",
        _comparison(run, distributed), "",
        "### How it ran", "",
        f"- Migrated and seeded with the operator commands (`python -m composition.migrate`, `python -m "
        f"composition.seed`) into SQLite files in a temporary directory (removed afterwards; `var/` untouched), "
        f"`APP_ENV=test`, rate limits raised out of reach, `LOG_LEVEL=WARNING`, the court simulator receiving "
        f"hand-offs, partner capacities raised to {BENCH_CAPACITY:,}, the 35 partners' endpoints registered "
        f"with the receiver of the platform section ({len(run.arrivals.webhook_ids):,} verified, "
        f"{run.arrivals.bad_signatures} bad signatures, {run.arrivals.duplicates} redeliveries).",
        f"- {run.plan.bodies:,} generated bodies; times read from the SQLite files with `sqlite3` "
        "(`bench/stack/sqlite_times.py`) the way the platform section reads PostgreSQL.",
        f"- The embedded section took {(run.ended_at - run.started_at) / 60:.1f} min; logs in `{run.log_dir}/`.",
        _log(run),
    ]
