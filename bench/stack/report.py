"""The platform section of docs/BENCHMARKS.md, as markdown lines."""

from __future__ import annotations

import os

from bench.machine import provenance
from bench.stack.batch import batch_lines
from bench.stack.figures import (
    PLATFORM,
    SERVICES,
    cpu_ms_per_case,
    idle_core_share,
    phase,
    pipeline,
    platform_cpu,
    targets,
)
from bench.stack.load import TIMEOUT_S, WRK_THREADS
from bench.stack.profiles_report import profiles_lines
from bench.stack.provision import BENCH_CAPACITY
from bench.stack.scenarios import Phase, PlatformRun

PART_NAMES = {"intake": "intake API", "intake-worker": "intake worker", "routing": "routing", "mediation": "mediation",
              "notify": "notify",
              "postgres": "PostgreSQL", "rabbitmq": "RabbitMQ"}


def _n(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _triple(values: list[float | None]) -> str:
    return " / ".join(_n(v) for v in values)


def _verdict(met: bool | None) -> str:
    return {True: "**MET**", False: "**NOT MET**", None: "not measured"}[met]


def _targets(run: PlatformRun) -> list[str]:
    lines = ["| target (issue #9) | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t.goal} | {t.measured} | {_verdict(t.met)} |" for t in targets(run)]
    return lines


def http_table(phases: list[Phase]) -> list[str]:
    lines = ["| scenario | connections | rate asked | s | answers | 201 | non-201 | no answer | accepted/s "
             "| p50 ms | p90 ms | p99 ms | max ms | over 2 s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in phases:
        r, lat = p.load, p.load.latency_ms
        asked = f"{r.load.rate:g}/s" if r.load.rate else "full speed"
        lines.append(f"| {p.title} | {r.load.connections} | {asked} | {r.duration_s:.0f} | {r.requests:,} "
                     f"| {r.created:,} | {r.non_201:,} | {r.unanswered:,} | {r.created_per_s:,.1f} "
                     f"| {_n(lat['p50'], 1)} | {_n(lat['p90'], 1)} | {_n(lat['p99'], 1)} | {_n(lat['max'], 1)} "
                     f"| {r.over_2s:,} |")
    refused = [(p.key, s) for p in phases for s in p.load.refused_samples[:2]]
    if refused:
        lines += ["", "Answers other than 201, for example:", ""]
        lines += [f"- {key}: `{sample[:300]}`" for key, sample in refused]
    return lines


def _quiet(p: Phase) -> str:
    if p.settle_s is None:
        return "–"
    left = _queued(p.queued_left)
    return f"{p.settle_s:.0f}" + ("" if left == "nothing" else f" (stopped; queued: {left})")


def pipeline_table(phases: list[Phase]) -> list[str]:
    lines = ["| scenario | accepted | routed | unroutable | webhooks verified | not delivered | drain s | quiet s "
             "| accepted→routed p50 / p95 / p99 ms | accepted→webhook p50 / p95 / p99 ms "
             "| end to end cases/s, during load | end to end cases/s, incl. drain |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in phases:
        if p.key == "floor":
            continue
        f = pipeline(p)
        drain = f"{p.drain_s:.0f}" + (f" (stopped, {p.pending_after_drain} pending)" if p.pending_after_drain else "")
        lines.append(f"| {p.title} | {f.accepted:,} | {f.routed:,} | {f.unroutable:,} | {f.delivered:,} "
                     f"| {f.lost:,} | {drain} | {_quiet(p)} | {_triple(f.to_routed_ms)} | {_triple(f.to_delivered_ms)} "
                     f"| {f.window_per_s:.1f} | {f.overall_per_s:.1f} |")
    return lines


def _cpu(run: PlatformRun) -> list[str]:
    parts = [PART_NAMES[p] for p in PLATFORM]
    lines = [f"| scenario | cases | wall s | {' | '.join(parts)} | platform | platform cores busy | wrk "
             "| wrk % of a core | receiver |",
             "|---|---:|---:|" + "---:|" * (len(parts) + 5)]
    for p in run.phases:
        per_case = cpu_ms_per_case(p)
        cells = [_n(per_case.get("floor" if (part == "intake" and p.key == "floor") else part), 2) for part in PLATFORM]
        count = p.load.created if p.key == "floor" else len(p.cases)
        lines.append(f"| {p.title} | {count:,} | {p.wall_s:.0f} | {' | '.join(cells)} | {per_case['platform']:.2f} "
                     f"| {platform_cpu(p.cpu_s) / p.wall_s:.2f} | {per_case['wrk']:.2f} "
                     f"| {p.load.cpu_share:.0%} | {_n(per_case.get('receiver'), 2)} |")
    return lines


def _queued(found: dict[str, int]) -> str:
    busy = {k: v for k, v in found.items() if v}
    return ", ".join(f"{k} {v:,}" for k, v in busy.items()) or "nothing"


def _idle(run: PlatformRun) -> list[str]:
    idle = run.idle
    lines = [f"After the last scenario's webhooks the platform worked off its queued work for "
             f"{idle.settle_s:.0f} s (due outbox rows, events in the services' RabbitMQ queues, notify's "
             f"notices, deliveries and hand-offs; still queued when the window began: "
             f"{_queued(idle.queued_before)}; at its end: {_queued(idle.queued_after)}). "
             f"Then {idle.wall_s:.0f} s without any load:", "",
             "| part | CPU s | % of one core |", "|---|---:|---:|"]
    for part in PLATFORM:
        cpu = idle.cpu_s.get(part, 0.0)
        lines.append(f"| {PART_NAMES[part]} | {cpu:.2f} | {cpu / idle.wall_s:.1%} |")
    lines.append(f"| **platform** | {platform_cpu(idle.cpu_s):.2f} | **{idle_core_share(run):.1%}** |")
    return lines


def _counts(counter) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))


def _setup(run: PlatformRun) -> list[str]:
    plan, cov, arrivals = run.plan, run.coverage, run.arrivals
    parties = sorted(cov["parties"])
    return [
        f"- Bodies: {plan.bodies:,} generated bodies, cycled (every request gets a unique `Idempotency-Key` "
        f"and `external_ref`), each kept only if intake's validation accepts it and routing's `decide()` "
        f"routes it: {len(cov['district'])} districts, {len(cov['court'])} courts filing at once (each body "
        f"sent with its own court's clerk token), {len(cov['category'])} categories, stages "
        f"{_counts(cov['stage'])}; {parties[0]} to {parties[-1]} parties (persons with GB 11643 resident IDs, "
        f"organisations with GB 32100 codes, mainland mobiles).",
        f"- Load: wrk ({WRK_THREADS} thread, timeout {TIMEOUT_S} s) with `bench/stack/load.lua`; fixed rates pace "
        "each request with `delay()` on a per-thread schedule. wrk and the receiver share the two CPUs with "
        "the platform, and their CPU is reported beside it.",
        f"- Platform: intake, routing, mediation and notify as four processes (`python -m composition.run <name>`) "
        "on fresh PostgreSQL databases and a fresh RabbitMQ vhost, migrated and seeded with the operator "
        "commands, `APP_ENV=test`, rate limits raised out of reach, `LOG_LEVEL=WARNING`, the court simulator "
        f"receiving hand-offs. Partner capacities raised to {BENCH_CAPACITY:,} through `PATCH /v1/partners` "
        "(nothing finishes during a run, so the roster's capacities would otherwise fill up and turn cases "
        "unroutable).",
        f"- Webhooks: each of the 35 partners registered one endpoint for `case.routed` with its own token; the "
        f"receiver verified every signature with `standardwebhooks`: {len(arrivals.webhook_ids):,} verified, "
        f"{arrivals.bad_signatures} bad signatures, {arrivals.duplicates} redeliveries.",
        "- Times (all this machine's clock): accepted = intake `cases.created_at`, routed = routing "
        "`decisions.decided_at` (first routed decision), webhook = the receiver's arrival time "
        "(`bench/stack/timings.py`). A scenario's cases are those whose `external_ref` carries its tag; its "
        "CPU is sampled over its load and the wait for its cases to drain.",
    ]


def _connections(run: PlatformRun) -> str:
    monitor = run.monitor
    held = ", ".join(f"{service} {monitor.peaks.get(run.databases[service], 0)}" for service in SERVICES)
    return (f"- PostgreSQL connections, most held at once: {held}; the whole server {monitor.server_peak} of "
            f"max_connections {monitor.max_connections} (other databases on this server count too).")


def _logs(run: PlatformRun) -> list[str]:
    lines = []
    for name, found in run.logs.items():
        if found.warnings or found.errors or found.tracebacks:
            top = "; ".join(f"{m} ×{n}" for m, n in found.messages.most_common(3))
            lines.append(f"- {name}: {found.warnings} warnings, {found.errors} errors, {found.tracebacks} "
                         f"bare tracebacks. {top}")
    return lines or ["- No warning or error in any service log."]


def platform_section(run: PlatformRun, plot_name: str | None) -> list[str]:
    lines = ["## The platform end to end (four services, RabbitMQ, PostgreSQL)", ""]
    lines += provenance("filing cases with wrk against intake while routing, mediation and notify run, "
                        "each its own process; every routed case ends as a signed webhook verified by a "
                        "receiver. The floor is a bare FastAPI endpoint doing one asyncpg INSERT, under "
                        "the same wrk script.")
    if plot_name:
        lines += [f"![Throughput and latency over the run]({plot_name})", ""]
    lines += ["### Targets", "", *_targets(run), "",
              "### HTTP: `POST /v1/cases` as wrk saw it", "", *http_table(run.phases), "",
              "### Pipeline: accepted → routed → webhook delivered", "", *pipeline_table(run.phases), "",
              "accepted: the scenario's cases in intake's database (including those still in flight when wrk "
              "stopped, whose answers it did not wait for). drain: from the end of the load until every one of "
              "them had its webhook verified (bounded); quiet: then until no service had due work queued "
              "(outbox rows, events in RabbitMQ queues, notify's notices, deliveries, hand-offs). \"during "
              "load\" counts webhooks verified while wrk ran, per second of the run: the rate the pipeline "
              "sustained alongside intake.", "",
              "### CPU per case (ms of CPU time per accepted case, over load, drain and quiet)", "", *_cpu(run), "",
              f"The floor's row shows the floor app's process in the intake API column. Intake runs as two "
              "processes (`composition.run intake --role api` and `--role worker`: its outbox relay and its "
              "consumer). \"platform cores busy\" is "
              f"the platform's CPU seconds per wall second (the machine has {os.cpu_count()}). Each process "
              "counts with its process tree; PostgreSQL is the server's own processes plus the backends of this "
              "run's databases (backends of other databases, such as tests running beside, are left out); "
              "RabbitMQ is the whole broker (`beam.smp`), which other users of the broker share.", "",
              *batch_lines(run.batches), "",
              *profiles_lines(run.recordings, e2e.title if (e2e := phase(run, "e2e")) else "end to end"),
              "### Idle", "", *_idle(run), "",
              "### How it ran", "", *_setup(run), _connections(run),
              f"- The platform section took {(run.ended_at - run.started_at) / 60:.1f} min, set-up and clean-up "
              "included.", "",
              f"Service logs (`{run.log_dir}/`, kept until the next run):", "", *_logs(run)]
    if run.cleanup_problems:
        lines += ["", "Clean-up problems: " + "; ".join(run.cleanup_problems)]
    return lines
