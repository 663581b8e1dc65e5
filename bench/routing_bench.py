"""Routing decision latency on the Qingdao roster and on a generated national-size roster.

Run from the repository root:  python bench/routing_bench.py [--decisions N] [--seed S]
Prints a markdown table (median and p99 of decide() in microseconds, index build time) to stdout.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.routing.domain.case import RoutingCase, RoutingParty  # noqa: E402
from services.routing.domain.engine import decide  # noqa: E402
from services.routing.domain.index import RosterIndex  # noqa: E402
from services.routing.domain.policy import SPC_2016  # noqa: E402
from services.routing.domain.roster import Conflicts, Mediator, Partner, read_roster  # noqa: E402
from services.routing.domain.ruleset import DEFAULT_RULESET  # noqa: E402
from services.routing.domain.vocabulary import CATEGORIES, QINGDAO_DISTRICTS, Mode, Stage  # noqa: E402

NATIONAL_PARTNERS = 100_000
MEDIATORS_EACH = 4
CITIES = 333  # about the number of prefecture-level cities
DISTRICTS_PER_CITY = 9
CATEGORY_CODES = tuple(CATEGORIES)
MODE_SETS = (
    frozenset({Mode.DELEGATION, Mode.ENTRUSTMENT, Mode.SELF}),
    frozenset(Mode),
    frozenset({Mode.DELEGATION, Mode.SELF}),
    frozenset({Mode.ENTRUSTMENT, Mode.INVITATION}),
)
FIRMS = tuple(f"某{n}律师事务所" for n in range(50))
NO_CONFLICTS = Conflicts()


def national_geography() -> dict[str, list[str]]:
    """City code -> district codes, shaped like GB/T 2260 (province, city, district digits)."""
    cities: dict[str, list[str]] = {}
    for n in range(CITIES):
        city = f"{11 + n // 20:02d}{1 + n % 20:02d}00"
        cities[city] = [f"{city[:4]}{d:02d}" for d in range(1, DISTRICTS_PER_CITY + 1)]
    return cities


def national_roster(rnd: random.Random, geography: dict[str, list[str]]) -> list[Partner]:
    cities = list(geography)
    partners = []
    for n in range(NATIONAL_PARTNERS):
        city = cities[n % len(cities)]
        pid = f"N{n:06d}"
        categories = frozenset(rnd.sample(CATEGORY_CODES, rnd.choice((1, 1, 2, 3, 5, 9))))
        district_body = rnd.random() < 0.7
        mediators = tuple(
            Mediator(id=f"{pid}-M{k}", name="调解员",
                     specialties=frozenset(rnd.sample(sorted(categories), 1)),
                     conflicts=Conflicts.of(law_firms=[rnd.choice(FIRMS)]) if rnd.random() < 0.05 else NO_CONFLICTS)
            for k in range(MEDIATORS_EACH))
        partners.append(Partner(
            id=pid, kind="people_mediation", name_zh="调解组织", name_en="Mediation body",
            categories=categories,
            districts=frozenset({rnd.choice(geography[city])}) if district_body else None,
            modes=rnd.choice(MODE_SETS), capacity=rnd.randint(20, 200), city=city,
            max_claim=Decimal(50000) if rnd.random() < 0.1 else None,
            conflicts=Conflicts.of(law_firms=[rnd.choice(FIRMS)]) if rnd.random() < 0.05 else NO_CONFLICTS,
            mediators=mediators,
        ))
    return partners


def cases(rnd: random.Random, districts: list[str], count: int) -> list[RoutingCase]:
    out = []
    for n in range(count):
        stage = rnd.choice((Stage.PRE_FILING, Stage.PRE_FILING, Stage.POST_FILING, Stage.IN_LITIGATION))
        parties = (
            RoutingParty("applicant", f"{rnd.randrange(10**17):018d}", True),
            RoutingParty("respondent", f"{rnd.randrange(10**17):018d}", True,
                         rnd.choice(FIRMS) if rnd.random() < 0.3 else None),
        )
        out.append(RoutingCase(
            case_id=f"bench-{n}", stage=stage, category=rnd.choice(CATEGORY_CODES),
            district=rnd.choice(districts), parties=parties,
            procedure="ordinary" if stage in (Stage.POST_FILING, Stage.IN_LITIGATION) else None,
            claim_amount=Decimal(rnd.choice((0, 3000, 12500, 80000, 600000))),
        ))
    return out


def time_decisions(index: RosterIndex, batch: list[RoutingCase], load: dict[str, int]) -> list[float]:
    for case in batch[:50]:  # warm-up
        decide(case, index, DEFAULT_RULESET, SPC_2016, load=load)
    samples = []
    for case in batch:
        start = time.perf_counter_ns()
        decide(case, index, DEFAULT_RULESET, SPC_2016, load=load)
        samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


def measure(label: str, partners: list[Partner], districts: list[str], rnd: random.Random,
            decisions: int) -> str:
    start = time.perf_counter()
    index = RosterIndex(partners)
    build_ms = (time.perf_counter() - start) * 1000
    load = {p.id: rnd.randint(0, p.capacity) for p in partners}
    samples = time_decisions(index, cases(rnd, districts, decisions), load)
    mediators = sum(len(p.mediators) for p in partners)
    return (f"| {label} | {len(partners):,} | {mediators:,} | {build_ms:,.1f} | {decisions:,} | "
            f"{statistics.median(samples):,.1f} | {p99(samples):,.1f} |")


def routing_section(decisions: int = 5000, seed: int = 20260101) -> list[str]:
    """The markdown table rows of the routing benchmark, and a line on the generation time."""
    rnd = random.Random(seed)
    rows = [measure("Qingdao (roster.yaml)", read_roster(), list(QINGDAO_DISTRICTS), rnd, decisions)]
    geography = national_geography()
    start = time.perf_counter()
    partners = national_roster(rnd, geography)
    generate_s = time.perf_counter() - start
    all_districts = [d for ds in geography.values() for d in ds]
    national = f"national, generated ({len(geography)} cities, {len(all_districts):,} districts)"
    rows.append(measure(national, partners, all_districts, rnd, decisions))
    # A long-lived roster need not be traversed by every full garbage collection; the routing
    # service calls gc.freeze() after loading a large roster (RosterCache). This row shows the effect.
    gc.collect()
    gc.freeze()
    rows.append(measure(f"{national}, after gc.freeze()", partners, all_districts, rnd, decisions))
    gc.unfreeze()
    return [
        "| roster | partners | mediators | index build (ms) | decisions | median (µs) | p99 (µs) |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Generating the national roster took {generate_s:.1f} s (not part of the index build).",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    print("## Routing decision latency\n")
    print(f"`python bench/routing_bench.py --decisions {args.decisions} --seed {args.seed}` on "
          f"Python {platform.python_version()}, {platform.machine()}; single-threaded `decide()` "
          "with the default ruleset, policy pack spc-2016 and a random open-case load.\n")
    print("\n".join(routing_section(args.decisions, args.seed)))


if __name__ == "__main__":
    main()
