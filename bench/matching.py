"""Recruitment suggestions (issue 19): the exact matcher (hub.rules.matching) against a first-come greedy
order, and its solve time — one recruiting province with 3,000 applicants, and all 32 recruiting provinces
at once (20,000 applicants, one solve per province: each has its own row of the quota matrix).

The instances are deterministic (--seed). Preferences lean to the popular serving provinces (Sichuan,
Chongqing, Yunnan, Guangxi, Shaanxi) while quota leans to Xinjiang, Tibet and the XPCC, as in the plan's
matrix; 55% accept adjustment; a province's free quota is 90% of its applicants. The greedy order takes
applicants in submission order (random here), each their best option with a unit left.

    python -m bench.matching                       # the issue's sizes
    python -m bench.matching --applicants 300 --national 2000 --json figures.json
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence

from hub.rules.matching import Applicant, Matching, greedy, match

SERVING = ["15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "66"]
POPULARITY = {"51": 9, "50": 8, "53": 8, "45": 6, "61": 6, "62": 4, "52": 4, "15": 3, "64": 2, "63": 2, "65": 2}
POPULARITY |= {"54": 1, "66": 1}
QUOTA_WEIGHT = {code: 1.0 for code in SERVING} | {"65": 3.0, "54": 2.5, "66": 2.0, "63": 1.5}
RECRUITING = 32


def _preferences(rng: random.Random) -> tuple[str, str, str]:
    pool = list(SERVING)
    chosen: list[str] = []
    for _ in range(3):
        weights = [POPULARITY[c] for c in pool]
        code = rng.choices(pool, weights)[0]
        pool.remove(code)
        chosen.append(code)
    return (chosen[0], chosen[1], chosen[2])


def instance(rng: random.Random, size: int, start: int = 0) -> tuple[list[Applicant], dict[str, int]]:
    """`size` applicants (keys from `start`) and free quota of 90% of them over the serving provinces."""
    applicants = [Applicant(start + k, _preferences(rng), rng.random() < 0.55) for k in range(size)]
    units = int(size * 0.9)
    total = sum(QUOTA_WEIGHT.values())
    free = {code: int(units * QUOTA_WEIGHT[code] / total) for code in SERVING}
    for code in rng.sample(SERVING, units - sum(free.values())):
        free[code] += 1
    return applicants, free


def shares(result: Matching, size: int) -> dict[str, float]:
    return {k: round(100 * v / max(size, 1), 1) for k, v in result.by_rank().items()}


def _timed(applicants: Sequence[Applicant], free: dict[str, int]) -> tuple[Matching, float]:
    started = time.perf_counter()
    result = match(applicants, free)
    return result, time.perf_counter() - started


def run(applicants: int, national: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    one, free = instance(rng, applicants)
    arrival = list(one)
    rng.shuffle(arrival)  # first come: submission order, not selection order
    best, seconds = _timed(one, free)
    first_come = greedy(arrival, free)
    figures: dict[str, object] = {
        "one_province": {
            "applicants": applicants,
            "free_quota": sum(free.values()),
            "solve_seconds": round(seconds, 3),
            "matcher_percent": shares(best, applicants),
            "greedy_percent": shares(first_come, applicants),
        }
    }
    sizes = [national // RECRUITING + (1 if k < national % RECRUITING else 0) for k in range(RECRUITING)]
    totals: dict[str, dict[str, int]] = {"matcher": {}, "greedy": {}}
    started, key = time.perf_counter(), 0
    slowest = 0.0
    for size in sizes:
        people, cells = instance(rng, size, key)
        key += size
        result, seconds = _timed(people, cells)
        slowest = max(slowest, seconds)
        order = list(people)
        rng.shuffle(order)
        for name, outcome in (("matcher", result), ("greedy", greedy(order, cells))):
            for rank, count in outcome.by_rank().items():
                totals[name][rank] = totals[name].get(rank, 0) + count
    figures["all_provinces"] = {
        "applicants": national,
        "provinces": RECRUITING,
        "solve_seconds": round(time.perf_counter() - started, 3),
        "slowest_province_seconds": round(slowest, 3),
        "matcher_percent": {k: round(100 * v / max(national, 1), 1) for k, v in totals["matcher"].items()},
        "greedy_percent": {k: round(100 * v / max(national, 1), 1) for k, v in totals["greedy"].items()},
    }
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=3000, help="one recruiting province's applicants")
    parser.add_argument("--national", type=int, default=20000, help="applicants of all 32 recruiting provinces")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    print(f"solving one province ({args.applicants} applicants), then 32 ({args.national}) …", flush=True)
    figures = run(args.applicants, args.national, args.seed)
    for scope, values in figures.items():
        print(f"\n{scope}:")
        for name, value in values.items():  # type: ignore[attr-defined]
            print(f"  {name}: {value}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(figures, handle, indent=2)


if __name__ == "__main__":
    main()
