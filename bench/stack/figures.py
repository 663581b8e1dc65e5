"""The figures the report states, computed from a finished run: pipeline counts and latencies per
scenario, CPU per case, idle CPU, and the issue's targets with MET / NOT MET."""

from __future__ import annotations

from dataclasses import dataclass

from bench.stack.scenarios import Phase, PlatformRun
from bench.stack.stats import percentiles

SERVICES = ("intake", "routing", "mediation", "notify")
# intake runs as its API and its worker (composition/registry.py, SPLIT_SERVICES): each its own column.
PROCESSES = ("intake", "intake-worker", "routing", "mediation", "notify")
PLATFORM = (*PROCESSES, "postgres", "rabbitmq")


@dataclass(frozen=True)
class Pipeline:
    accepted: int
    routed: int
    unroutable: int
    delivered: int
    lost: int  # accepted, then neither delivered nor unroutable by the end of the run
    to_routed_ms: list[float | None]  # p50, p95, p99
    to_delivered_ms: list[float | None]
    window_per_s: float  # verified deliveries while the load ran, per second of load
    overall_per_s: float  # all deliveries, from the first acceptance to the last delivery


def pipeline(phase: Phase) -> Pipeline:
    cases = phase.cases
    routed = [c for c in cases if c.routed is not None]
    delivered = [c for c in cases if c.delivered is not None]
    load = phase.load
    in_window = sum(1 for c in delivered if load.started_at <= c.delivered <= load.ended_at)
    span = (max(c.delivered for c in delivered) - min(c.accepted for c in cases)) if delivered else 0.0
    return Pipeline(
        accepted=len(cases), routed=len(routed), unroutable=sum(1 for c in cases if c.unroutable),
        delivered=len(delivered), lost=sum(1 for c in cases if c.delivered is None and not c.unroutable),
        to_routed_ms=percentiles([(c.routed - c.accepted) * 1000 for c in routed]),
        to_delivered_ms=percentiles([(c.delivered - c.accepted) * 1000 for c in delivered]),
        window_per_s=in_window / load.duration_s if load.duration_s else 0.0,
        overall_per_s=len(delivered) / span if span else 0.0,
    )


def platform_cpu(cpu_s: dict[str, float]) -> float:
    """Services (or the floor app, in the floor's scenario), PostgreSQL and RabbitMQ; not wrk or the receiver."""
    return sum(cpu_s.get(part, 0.0) for part in (*PLATFORM, "floor"))


def cases_of(phase: Phase) -> int:
    """The cases the CPU is divided by: rows in the scratch table for the floor, else accepted cases."""
    return phase.load.created if phase.key == "floor" else len(phase.cases)


def cpu_ms_per_case(phase: Phase) -> dict[str, float]:
    count = cases_of(phase)
    per_case = {part: 1000 * cpu / count for part, cpu in phase.cpu_s.items()} if count else {}
    per_case["platform"] = 1000 * platform_cpu(phase.cpu_s) / count if count else 0.0
    per_case["wrk"] = 1000 * phase.load.cpu_s / count if count else 0.0
    return per_case


def idle_core_share(run: PlatformRun) -> float:
    return platform_cpu(run.idle.cpu_s) / run.idle.wall_s if run.idle.wall_s else 0.0


def phase(run: PlatformRun, key: str) -> Phase | None:
    return next((p for p in run.phases if p.key == key), None)


@dataclass(frozen=True)
class Target:
    goal: str
    measured: str
    met: bool | None  # None: not measured in this run


def _ratio_target(run: PlatformRun) -> Target:
    floor, intake = phase(run, "floor"), phase(run, "intake")
    goal = "intake accepts ≥ 25% of the floor's requests/s (same run, same wrk, 32 connections)"
    if floor is None or intake is None or not floor.load.created_per_s:
        return Target(goal, "not measured", None)
    ratio = intake.load.created_per_s / floor.load.created_per_s
    return Target(goal, f"{intake.load.created_per_s:.1f} / {floor.load.created_per_s:.0f} per s = {ratio:.1%}",
                  ratio >= 0.25)


def _e2e_target(run: PlatformRun) -> Target:
    e2e = phase(run, "e2e")
    goal = "end to end ≥ 150 cases/s sustained (verified webhooks per second of load)"
    if e2e is None:
        return Target(goal, "not measured", None)
    rate = pipeline(e2e).window_per_s
    return Target(goal, f"{rate:.1f} cases/s over {e2e.load.duration_s:.0f} s", rate >= 150)


def _routed_p99_target(run: PlatformRun) -> Target:
    r50 = phase(run, "r50")
    goal = "p99 accepted → routed < 500 ms at 50 cases/s"
    p99 = pipeline(r50).to_routed_ms[2] if r50 is not None else None
    if r50 is None or p99 is None:
        return Target(goal, "not measured", None)
    return Target(goal, f"{p99:.0f} ms (achieved {r50.load.created_per_s:.1f} cases/s)", p99 < 500)


def _slow_target(run: PlatformRun) -> Target:
    runs = [p for p in (phase(run, "intake"), phase(run, "e2e")) if p is not None]
    goal = "no request over 2 s at 32 connections"
    if not runs:
        return Target(goal, "not measured", None)
    slow = sum(p.load.over_2s for p in runs)
    detail = ", ".join(f"{p.key}: {p.load.over_2s} of {p.load.requests + p.load.unanswered}" for p in runs)
    return Target(goal, f"{slow} ({detail})", slow == 0)


def _idle_target(run: PlatformRun) -> Target:
    share = idle_core_share(run)
    return Target("idle CPU < 5% of one core (platform: services, PostgreSQL, RabbitMQ)",
                  f"{share:.2%} of a core over {run.idle.wall_s:.0f} s", share < 0.05)


def targets(run: PlatformRun) -> list[Target]:
    return [_ratio_target(run), _e2e_target(run), _routed_p99_target(run), _slow_target(run), _idle_target(run)]
