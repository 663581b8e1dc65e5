"""What sealing the parties' personal data costs intake per case (services/intake/store/sealed.py):
the write path seals each party's id number and phone and hashes the id number; the clerk's read
opens them again. Timed on realistic cases of 2 to 6 parties (bench/stack/cases.py, the bodies
`make bench` files), against the time of one intake request. `make bench` runs it as its "sealing"
section (docs/BENCHMARKS.md, "Personal data sealed at rest (intake)").

Usage: python -m bench.sealing_cost [--cases 400] [--request-ms 14.1]
"""

from __future__ import annotations

import argparse
import timeit
from collections import defaultdict

from cryptography.fernet import Fernet

from bench.stack.cases import generate
from services.intake.store.sealed import PARTY_DATA, id_number_hash
from shared.sealed import LookupKey

REPEAT, NUMBER = 7, 20
# One intake request when no platform run says better (1/70.9 s, intake at full speed on 2026-12-02);
# `make bench` weighs sealing against its own run's intake instead (bench/run.py).
REQUEST_MS = 14.1


def _best_us(work, cases: list[list[dict]]) -> float:
    """Microseconds per case, the best of REPEAT runs (the least disturbed by the rest of the machine)."""
    def run() -> None:
        for parties in cases:
            work(parties)
    return min(timeit.repeat(run, repeat=REPEAT, number=NUMBER)) / (NUMBER * len(cases)) * 1e6


def measure(case_count: int) -> dict[int, tuple[int, float, float]]:
    """Party count -> (cases, write µs per case, read µs per case)."""
    box = PARTY_DATA.box_for([Fernet.generate_key().decode(), Fernet.generate_key().decode()])
    lookup = LookupKey("k" * 64)
    by_count: dict[int, list[list[dict]]] = defaultdict(list)
    for filing in generate(case_count):
        by_count[len(filing.body["parties"])].append(filing.body["parties"])

    def write(parties: list[dict]) -> None:
        for party in parties:
            box.seal(party["id_number"])
            if party.get("phone"):
                box.seal(party["phone"])
            id_number_hash(lookup, party["id_number"])

    figures = {}
    for count in sorted(by_count):
        cases = by_count[count]
        sealed = [[{"id_number": box.seal(p["id_number"]), "phone": box.seal(p["phone"]) if p.get("phone") else None}
                   for p in parties] for parties in cases]

        def read(parties: list[dict]) -> None:
            for party in parties:
                box.open(party["id_number"])
                if party["phone"]:
                    box.open(party["phone"])

        figures[count] = (len(cases), _best_us(write, cases), _best_us(read, sealed))
    return figures


def section(case_count: int, request_ms: float) -> list[str]:
    lines = ["| parties | cases | seal + hash on filing (µs per case) | open on the clerk's read (µs per case) "
             f"| filing's share of a {request_ms:.1f} ms request |",
             "|---:|---:|---:|---:|---:|"]
    for count, (cases, write_us, read_us) in measure(case_count).items():
        lines.append(f"| {count} | {cases} | {write_us:,.0f} | {read_us:,.0f} | {write_us / (request_ms * 10):.2f}% |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=400, help="generated cases, grouped by their party count")
    parser.add_argument("--request-ms", type=float, default=REQUEST_MS,
                        help="one intake request, ms (default: 1/70.9 s, intake's accepted rate in make bench)")
    args = parser.parse_args()
    print("\n".join(section(args.cases, args.request_ms)))


if __name__ == "__main__":
    main()
