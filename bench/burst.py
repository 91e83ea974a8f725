"""Registration burst (issue 7): `submitApplication` from many distinct volunteers at a fixed concurrency,
against `hub serve` with one process and with several processes on one PostgreSQL (`--workers N`).

On a bench database (bench.generate) it opens the next program year (its milestones a year after the
bench year's, the same province scales), then for each worker count starts the hub, sends one
application per volunteer — each request with that volunteer's own token — and reports req/s, p50 and
p99. Afterwards it checks that the database holds exactly one new application per successful request
and none for the refused ones, and removes them so that a run can be repeated.

    python -m bench.burst --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/xibu_bench \\
        --workers 1,2 --requests 1000 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import generate, servers
from bench.load import RawConnection, Request
from bench.run import SECRET

BENCH_YEAR = "2027-2028"
YEAR = "2028-2029"
MUTATION = (
    "mutation Apply($input: SubmitApplicationInput!) { submitApplication(input: $input) "
    "{ application { id status } userErrors { code message } } }"
)


async def _connect(url: str) -> Any:
    import asyncpg

    return await asyncpg.connect(generate.asyncpg_dsn(url), timeout=10)


async def open_next_year(url: str) -> list[str]:
    """The next program year, open for registration on the bench's today; three serving provinces."""
    connection = await _connect(url)
    try:
        async with connection.transaction():
            await connection.execute("INSERT INTO program_years (code) VALUES ($1) ON CONFLICT DO NOTHING", YEAR)
            await connection.execute(
                "INSERT INTO milestone_dates (year, milestone, closes_on, extended) "
                "SELECT $1, milestone, (closes_on + interval '1 year')::date, false FROM milestone_dates "
                "WHERE year = $2 ON CONFLICT DO NOTHING",
                YEAR,
                BENCH_YEAR,
            )
            await connection.execute(
                "INSERT INTO province_scales (year, province_code, scale) SELECT $1, province_code, scale "
                "FROM province_scales WHERE year = $2 ON CONFLICT DO NOTHING",
                YEAR,
                BENCH_YEAR,
            )
        rows = await connection.fetch(
            "SELECT province_code FROM province_scales WHERE year = $1 AND scale > 0 ORDER BY province_code LIMIT 3",
            YEAR,
        )
        return [r["province_code"] for r in rows]
    finally:
        await connection.close()


async def volunteers_without_application(url: str, count: int) -> list[str]:
    connection = await _connect(url)
    try:
        rows = await connection.fetch(
            "SELECT subject FROM volunteers v WHERE NOT EXISTS (SELECT 1 FROM applications a "
            "WHERE a.volunteer_id = v.id AND a.year = $1) ORDER BY id LIMIT $2",
            YEAR,
            count,
        )
        return [r["subject"] for r in rows]
    finally:
        await connection.close()


async def applications_of_year(url: str, remove: bool = False) -> int:
    connection = await _connect(url)
    try:
        count = await connection.fetchval("SELECT count(*) FROM applications WHERE year = $1", YEAR)
        if remove:
            await connection.execute("DELETE FROM applications WHERE year = $1", YEAR)
        return count
    finally:
        await connection.close()


def request_for(url: str, subject: str, provinces: list[str]) -> Request:
    from hub.auth import make_token
    from hub.settings import Settings

    token = make_token(Settings(jwt_secret=SECRET), "volunteer", subject, None, ttl=3600)
    variables = {"input": {"year": YEAR, "preferredProvinceCodes": provinces, "acceptsAdjustment": True}}
    body = json.dumps({"query": MUTATION, "variables": variables}).encode()
    return Request(url, body, {"content-type": "application/json", "authorization": f"Bearer {token}"})


async def burst(url: str, subjects: list[str], provinces: list[str], concurrency: int) -> dict[str, Any]:
    """Every subject applies once; closed loop at `concurrency` keep-alive connections."""
    pending = [request_for(url, s, provinces) for s in subjects]
    latencies: list[float] = []
    refused: list[str] = []
    started = time.perf_counter()

    async def worker() -> None:
        connection: RawConnection | None = None
        while pending:
            request = pending.pop()
            fresh = RawConnection(request)
            if connection is None:
                connection = fresh
            connection.payload = fresh.payload
            sent = time.perf_counter()
            status, content = await connection.post()
            latencies.append(time.perf_counter() - sent)
            answer = json.loads(content) if status == 200 else {}
            payload = (answer.get("data") or {}).get("submitApplication") or {}
            if status != 200 or answer.get("errors") or payload.get("userErrors") or not payload.get("application"):
                refused.append(content[:300].decode("utf-8", "replace"))
        if connection is not None:
            await connection.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    ordered = sorted(latencies)

    def percentile(p: float) -> float:
        return round(ordered[max(0, min(len(ordered) - 1, int(round(p * len(ordered))) - 1))] * 1000, 1)

    return {
        "requests": len(latencies),
        "refused": len(refused),
        "first_refusal": refused[0] if refused else None,
        "req_per_s": round(len(latencies) / wall, 1),
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.burst", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a bench database (python -m bench.generate)")
    parser.add_argument("--workers", default="1,2", help="comma-separated process counts of `hub serve`")
    parser.add_argument("--requests", type=int, default=1000, help="applications per worker count")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    provinces = asyncio.run(open_next_year(args.database_url))
    asyncio.run(applications_of_year(args.database_url, remove=True))
    env = servers.hub_env(args.database_url, SECRET, generate.BENCH_TODAY.isoformat())
    figures: dict[str, Any] = {}
    status = 0
    with tempfile.TemporaryDirectory(prefix="xibu-burst-") as logs:
        for workers in (int(w) for w in args.workers.split(",")):
            subjects = asyncio.run(volunteers_without_application(args.database_url, args.requests))
            server = servers.hub_server(env, Path(logs), f"hub-x{workers}", workers=workers)
            with server:
                result = asyncio.run(burst(server.url, subjects, provinces, args.concurrency))
            stored = asyncio.run(applications_of_year(args.database_url, remove=True))
            result["stored"] = stored
            result["consistent"] = stored == result["requests"] - result["refused"]
            figures[f"workers={workers}"] = result
            print(
                f"  submitApplication  workers {workers}: {result['req_per_s']:7.1f} req/s"
                f"  p50 {result['p50_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms"
                f"  ({result['requests']} requests, {result['refused']} refused, "
                f"{stored} stored)",
                flush=True,
            )
            if result["refused"] or not result["consistent"]:
                print(f"  first refusal: {result['first_refusal']}")
                status = 1
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
