"""docs/bench-platform.png: cases accepted, routed and delivered per second over the run, the work
queued at each stage, and the pipeline latency of the cases accepted in each second, with the
scenarios shaded."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: the benchmark writes a file
import matplotlib.pyplot as plt  # noqa: E402

from bench.stack.scenarios import PlatformRun  # noqa: E402
from bench.stack.stats import percentile  # noqa: E402


SMOOTHING_S = 5  # webhooks leave in batches: per-second counts alternate between 0 and a batch


def _per_second(times: list[float], origin: float, seconds: int) -> list[float]:
    """Cases per second, as the mean over the SMOOTHING_S seconds centred on each second."""
    counts = Counter(int(t - origin) for t in times)
    raw = [counts.get(s, 0) for s in range(seconds)]
    half = SMOOTHING_S // 2
    return [sum(raw[max(0, s - half):s + half + 1]) / len(raw[max(0, s - half):s + half + 1]) for s in range(seconds)]


def _latency_by_second(pairs: list[tuple[float, float]], origin: float, p: float) -> tuple[list[int], list[float]]:
    """Per second of acceptance; a second without cases is NaN, so the line breaks instead of
    drawing a slope across a drain."""
    buckets: dict[int, list[float]] = defaultdict(list)
    for accepted, later in pairs:
        buckets[int(accepted - origin)].append((later - accepted) * 1000)
    if not buckets:
        return [], []
    seconds = list(range(min(buckets), max(buckets) + 1))
    return seconds, [percentile(buckets[s], p) if s in buckets else math.nan for s in seconds]


def _queued(axis, run: PlatformRun, origin: float, end: float) -> None:
    """Where cases wait: the due work of each stage, as the monitor sampled it."""
    samples = [(t - origin, found) for t, found in run.monitor.queued if origin <= t <= end]
    names = sorted({name for _, found in samples for name, n in found.items() if n})
    for name in names:
        axis.plot([t for t, _ in samples], [found.get(name, 0) for _, found in samples], lw=1.2, label=name)
    axis.set_ylabel("queued, due now")
    if names:
        axis.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8)
    axis.grid(alpha=0.3)


def plot_platform(run: PlatformRun, path: Path) -> None:
    phases = [p for p in run.phases if p.key != "floor"]
    cases = [c for p in phases for c in p.cases]
    if not cases:
        return
    origin = min(p.load.started_at for p in phases)
    end = max(max(p.load.ended_at + p.drain_s + p.settle_s for p in phases),
              max((c.delivered or c.routed or c.accepted) for c in cases))
    seconds = int(end - origin) + 2
    x = list(range(seconds))
    fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(13, 10), sharex=True, constrained_layout=True,
                                              height_ratios=(3, 2, 3))
    for axis in (top, middle, bottom):
        for p in phases:
            start = p.load.started_at - origin
            axis.axvspan(start, start + p.load.duration_s, color="0.5", alpha=0.15, lw=0)
            axis.axvspan(start + p.load.duration_s, start + p.load.duration_s + p.drain_s + p.settle_s,
                         color="0.5", alpha=0.05, lw=0)
    for p in phases:
        top.text(p.load.started_at - origin + 0.5, 0.99, p.key, transform=top.get_xaxis_transform(), va="top",
                 fontsize=8, color="0.25")
    top.plot(x, _per_second([c.accepted for c in cases], origin, seconds), color="C0",
             label="accepted (intake)")
    top.plot(x, _per_second([c.routed for c in cases if c.routed], origin, seconds), color="C1",
             label="routed (routing decision)")
    top.plot(x, _per_second([c.delivered for c in cases if c.delivered], origin, seconds), color="C2",
             label="webhook delivered and verified")
    top.set_ylabel(f"cases per second ({SMOOTHING_S} s mean)")
    top.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8)
    top.grid(alpha=0.3)
    _queued(middle, run, origin, end)
    for label, color, pairs in (
            ("accepted → routed", "C1", [(c.accepted, c.routed) for c in cases if c.routed]),
            ("accepted → webhook", "C2", [(c.accepted, c.delivered) for c in cases if c.delivered])):
        for p, style in ((50, "-"), (99, ":")):
            xs, ys = _latency_by_second(pairs, origin, p)
            bottom.plot(xs, ys, style, color=color, label=f"{label}, p{p}", lw=1.3)
    bottom.set_yscale("log")
    bottom.set_ylabel("ms (cases accepted in that second)")
    bottom.set_xlabel("seconds since the first scenario started "
                      "(shaded: load; lighter: until its cases were delivered and nothing was queued)")
    bottom.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8)
    bottom.grid(alpha=0.3, which="both")
    fig.suptitle("courtmed platform under wrk: throughput and pipeline latency", fontsize=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
