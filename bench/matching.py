"""Recruitment suggestions (issue 19): the exact matcher (hub.rules.matching) against a first-come greedy
order, and its solve time — one recruiting province with 3,000 applicants, and all 32 recruiting provinces
at once (20,000 applicants, one solve per province: each has its own row of the quota matrix).

The instances are deterministic (--seed). Preferences lean to the popular serving provinces (Sichuan,
Chongqing, Yunnan, Guangxi, Shaanxi) while quota leans to Xinjiang, Tibet and the XPCC, as in the plan's
matrix; 55% accept adjustment; a province's free quota is 90% of its applicants. The greedy order takes
applicants in submission order (random here), each their best option with a unit left.

    python -m bench.matching                       # the issue's sizes
    python -m bench.matching --applicants 300 --national 2000 --json figures.json
    # also `suggestRecruitment` end to end (load, solve, answer) on a throwaway PostgreSQL database:
    python -m bench.matching --end-to-end postgresql+asyncpg://postgres@127.0.0.1:5432/xibu_matching
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


def _timed(applicants: Sequence[Applicant], free: dict[str, int]) -> tuple[Matching, float, float]:
    """The matching, its wall-clock and its CPU seconds (the machine may be shared)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = match(applicants, free)
    return result, time.perf_counter() - started, time.process_time() - cpu


def run(applicants: int, national: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    one, free = instance(rng, applicants)
    arrival = list(one)
    rng.shuffle(arrival)  # first come: submission order, not selection order
    best, seconds, cpu = _timed(one, free)
    first_come = greedy(arrival, free)
    figures: dict[str, object] = {
        "one_province": {
            "applicants": applicants,
            "free_quota": sum(free.values()),
            "solve_seconds": round(seconds, 3),
            "solve_cpu_seconds": round(cpu, 3),
            "matcher_percent": shares(best, applicants),
            "greedy_percent": shares(first_come, applicants),
        }
    }
    sizes = [national // RECRUITING + (1 if k < national % RECRUITING else 0) for k in range(RECRUITING)]
    totals: dict[str, dict[str, int]] = {"matcher": {}, "greedy": {}}
    started, cpu_started, key = time.perf_counter(), time.process_time(), 0
    slowest = solving_cpu = 0.0
    for size in sizes:
        people, cells = instance(rng, size, key)
        key += size
        result, seconds, cpu = _timed(people, cells)
        slowest, solving_cpu = max(slowest, seconds), solving_cpu + cpu
        order = list(people)
        rng.shuffle(order)
        for name, outcome in (("matcher", result), ("greedy", greedy(order, cells))):
            for rank, count in outcome.by_rank().items():
                totals[name][rank] = totals[name].get(rank, 0) + count
    figures["all_provinces"] = {
        "applicants": national,
        "provinces": RECRUITING,
        "seconds_with_greedy_and_generation": round(time.perf_counter() - started, 3),
        "cpu_seconds_with_greedy_and_generation": round(time.process_time() - cpu_started, 3),
        "solve_cpu_seconds": round(solving_cpu, 3),
        "slowest_province_seconds": round(slowest, 3),
        "matcher_percent": {k: round(100 * v / max(national, 1), 1) for k, v in totals["matcher"].items()},
        "greedy_percent": {k: round(100 * v / max(national, 1), 1) for k, v in totals["greedy"].items()},
    }
    return figures


QUERY = """query($year: String!, $province: String!) {
  suggestRecruitment(year: $year, recruitingProvinceCode: $province) {
  assignments { application { id } servingProvince { code } preferenceRank } unplaced { application { id } reason }
  byRank { first second third adjusted unplaced } } }"""
YEAR = "2027-2028"


async def _seed(url: str, applicants: list[Applicant], free: dict[str, int]) -> None:
    """A program year, the western scales, Gansu's quota row (`free`) and its waiting applicants."""
    from datetime import UTC, date, datetime

    from hub import models as m
    from hub.db import make_engine, make_sessionmaker
    from hub.rules.deadlines import default_milestones

    engine = make_engine(url)
    now = datetime.now(UTC)
    try:
        async with make_sessionmaker(engine, write=True)() as session, session.begin():
            session.add(m.ProgramYear(code=YEAR))
            await session.flush()
            for milestone, closes_on in default_milestones(YEAR).items():
                session.add(m.MilestoneDate(year=YEAR, milestone=milestone.value, closes_on=closes_on))
            for code in SERVING:
                session.add(m.ProvinceScale(year=YEAR, province_code=code, scale=1000))
                session.add(
                    m.Quota(year=YEAR, recruiting_province_code="62", serving_province_code=code, quota=free[code])
                )
            session.add(m.School(code="10730", name="兰州大学", province_code="62"))
            await session.flush()
            for a in applicants:
                volunteer = m.Volunteer(
                    subject=f"bench-{a.key}",
                    name=f"志愿者{a.key}",
                    id_number=f"62010220040506{a.key:04d}"[:18],
                    phone=f"137{a.key:08d}",
                    gender="MALE",
                    birth_date=date(2004, 5, 6),
                    school_code="10730",
                    degree="BACHELOR",
                    registered_at=now,
                )
                session.add(volunteer)
                await session.flush()
                session.add(
                    m.Application(
                        year=YEAR,
                        volunteer_id=volunteer.id,
                        active_volunteer_id=volunteer.id,
                        school_code="10730",
                        recruiting_province_code="62",
                        preference_1=a.preferences[0],
                        preference_2=a.preferences[1],
                        preference_3=a.preferences[2],
                        accepts_adjustment=a.accepts_adjustment,
                        status="PUBLICIZED",
                        submitted_at=now,
                        written_score=float(a.key % 100),
                    )
                )
    finally:
        await engine.dispose()


def end_to_end(url: str, size: int, seed: int, runs: int = 3) -> dict[str, object]:
    """Time `suggestRecruitment` for Gansu with `size` applicants through the schema, on a fresh database
    at `url` (created, migrated, dropped)."""
    import asyncio

    from bench import generate
    from hub.auth import Actor
    from hub.enums import OfficeLevel
    from hub.exchange.calls import ask
    from hub.plugins import HubPlugins
    from hub.runtime import Hub
    from hub.settings import Settings

    applicants, free = instance(random.Random(seed), size, start=1)
    asyncio.run(generate.create_database(url, replace=True))
    try:
        generate.migrate(url)
        asyncio.run(_seed(url, applicants, free))

        async def measure() -> tuple[list[float], dict[str, int]]:
            hub = Hub(Settings(database_url=url), HubPlugins(None))
            actor = Actor(level=OfficeLevel.PROVINCIAL, code="62", subject="bench")
            times, counts = [], {}
            try:
                for _ in range(runs):
                    started = time.perf_counter()
                    answer = await ask(hub, actor, QUERY, {"year": YEAR, "province": "62"})
                    times.append(time.perf_counter() - started)
                    counts = answer["suggestRecruitment"]["byRank"]
            finally:
                await hub.dispose()
            return times, counts

        times, counts = asyncio.run(measure())
    finally:
        asyncio.run(generate.drop_database(url))
    return {
        "applicants": size,
        "runs_seconds": [round(t, 3) for t in times],
        "median_seconds": round(sorted(times)[len(times) // 2], 3),
        "by_rank": counts,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=3000, help="one recruiting province's applicants")
    parser.add_argument("--national", type=int, default=20000, help="applicants of all 32 recruiting provinces")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    parser.add_argument("--end-to-end", default=None, metavar="DATABASE_URL", help="also time suggestRecruitment")
    args = parser.parse_args(argv)
    print(f"solving one province ({args.applicants} applicants), then 32 ({args.national}) …", flush=True)
    figures = run(args.applicants, args.national, args.seed)
    if args.end_to_end:
        print(f"suggestRecruitment end to end ({args.applicants} applicants) …", flush=True)
        figures["end_to_end"] = end_to_end(args.end_to_end, args.applicants, args.seed)
    for scope, values in figures.items():
        print(f"\n{scope}:")
        for name, value in values.items():  # type: ignore[attr-defined]
            print(f"  {name}: {value}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(figures, handle, indent=2)


if __name__ == "__main__":
    main()
