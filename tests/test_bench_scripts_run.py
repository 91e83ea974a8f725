"""The bench scripts keep running (issue 7): on a tiny national data set in a throwaway PostgreSQL database,
the generator loads it through the hub's tables and the driver measures the hub and the raw-SQL limit,
whose answers to Q1 and Q2 must be equal before anything is timed. Not a timing test: the figures only
have to be there."""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import generate
from bench.run import LIMIT_QUERIES  # every query the limit answers: each checked equal to the hub's

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
PG_REQUIRED = os.environ.get("CI") == "true" or os.environ.get("HUB_TEST_POSTGRES") == "required"
TINY = "0.005"


async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(generate.asyncpg_dsn(PG_ADMIN_URL), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
def bench_database() -> Iterator[str]:
    """An empty PostgreSQL database for this test, dropped afterwards."""
    name = f"hub_bench_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))
    except Exception as exc:
        if PG_REQUIRED:
            pytest.fail(f"PostgreSQL is required (CI) but unreachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}")
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _run(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


async def _latest_agreement_drift(url: str) -> int:
    """Applications whose kept latest agreement differs from hub.agreements.latest() recomputed."""
    import asyncpg
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql

    from hub import agreements

    scratch = agreements.latest().subquery()
    recomputed = str(select(scratch).compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    connection = await asyncpg.connect(generate.asyncpg_dsn(url), timeout=10)
    try:
        return await connection.fetchval(
            f"""SELECT count(*) FROM applications a LEFT JOIN ({recomputed}) s ON s.application_id = a.id
                WHERE a.latest_post_id IS DISTINCT FROM s.post_id OR a.latest_term_year IS DISTINCT FROM s.term_year"""
        )
    finally:
        await connection.close()


def test_the_data_set_is_deterministic_and_never_overdraws_a_post() -> None:
    first, second = generate.build(0.01, seed=3), generate.build(0.01, seed=3)
    assert first.rows == second.rows
    assert generate.build(0.01, seed=4).rows != first.rows
    taken = Counter(a["post_id"] for a in first.rows["service_agreements"])
    headcount = {p["id"]: p["headcount"] for p in first.rows["posts"]}
    assert taken and all(n <= headcount[post] for post, n in taken.items())
    active = Counter((a["year"], a["active_volunteer_id"]) for a in first.rows["applications"])
    assert all(n == 1 for key, n in active.items() if key[1] is not None)  # R20: one active per year
    for name in generate.LOAD_ORDER:
        generate.records(name, first.rows[name])  # every row fits the hub's table


def test_generator_and_driver_run_on_a_tiny_data_set(bench_database: str, tmp_path: Path) -> None:
    loaded = _run("bench.generate", "--scale", TINY, "--database-url", bench_database, "--existing", timeout=120)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "loaded" in loaded.stdout and "applications" in loaded.stdout
    assert asyncio.run(_latest_agreement_drift(bench_database)) == 0  # the COPY kept hub.agreements' columns

    explained = _run("bench.explain", "--database-url", bench_database, "--repeat", "1", timeout=120)
    assert explained.returncode == 0, explained.stdout + explained.stderr
    assert "q1_province_dashboard hub: shared hit=" in explained.stdout
    assert "q1_province_dashboard limit: shared hit=" in explained.stdout

    results_file = tmp_path / "results.json"
    driven = _run(
        "bench.run",
        "--database-url",
        bench_database,
        "--servers",
        "hub,limit",
        "--requests",
        "6",
        "--concurrency",
        "2",
        "--warmup",
        "2",
        "--max-seconds",
        "30",
        "--json",
        str(results_file),
        timeout=240,
    )
    assert driven.returncode == 0, driven.stdout[-3000:] + driven.stderr[-3000:]
    results = json.loads(results_file.read_text(encoding="utf-8"))

    # The hub's and the limit's answers were equal, and neither answered with an error.
    for query in LIMIT_QUERIES:
        assert results["checks"][query] == {"hub_equals_limit": True}
        assert results["answers"]["hub"][query]["answer"]["data"]
    assert not results["problems"]

    # Figures for every server and query, with the ratios to the limit and the hub's statement counts.
    hub_queries = {path.stem for path in (ROOT / "bench" / "queries").glob("*.graphql")}
    assert set(results["timing"]["hub"]) == hub_queries
    assert set(results["timing"]["limit"]) == set(LIMIT_QUERIES)
    for server, per_query in results["timing"].items():
        for query, figures in per_query.items():
            assert figures["errors"] == 0 and figures["mismatched"] == 0, (server, query, figures)
            assert figures["requests"] == 6 and figures["req_per_s"] > 0
            assert math.isfinite(figures["p50_ms"]) and figures["p99_ms"] >= figures["p50_ms"] > 0
    for query in LIMIT_QUERIES:
        assert results["timing"]["hub"][query]["ratio_to_limit"]["req_per_s"] > 0
    assert all(results["statements"][query]["statements"] >= 1 for query in hub_queries)
    assert "| q1_province_dashboard | hub |" in driven.stdout

    # The registration burst, on one process and on two sharing the database, and the write limit (issue 17):
    # every application stored once with its audit entry, scopes and outbox event, the limit's rows equal to
    # the hub's volunteer for volunteer, the audit chain (the limit's entries sealed too) intact.
    burst_file = tmp_path / "burst.json"
    burst = _run(
        "bench.burst",
        "--database-url",
        bench_database,
        "--workers",
        "1,2",
        "--limit",
        "1",
        "--requests",
        "12",
        "--warmup",
        "2",
        "--concurrency",
        "3",
        "--json",
        str(burst_file),
        timeout=240,
    )
    assert burst.returncode == 0, burst.stdout[-3000:] + burst.stderr[-3000:]
    figures = json.loads(burst_file.read_text(encoding="utf-8"))
    assert {"hub-1", "hub-2", "limit-1"} <= set(figures)
    for name in ("hub-1", "hub-2", "limit-1"):
        result = figures[name]
        assert result["requests"] == 12 and result["refused"] == 0, (name, result)
        assert result["stored"] == result["audit_entries"] == 14 and result["consistent"], (name, result)
        assert result["rows_equal_first_server"], (name, result.get("first_difference"))
        assert result["req_per_s"] > 0 and result["p99_ms"] >= result["p50_ms"] > 0
        assert result["cpu"]["server_ms_per_req"] > 0  # PostgreSQL in a container: its backends not seen
    assert figures["audit_chain"]["chain_intact"] and figures["audit_chain"]["chain_pending"] == 0
    assert set(figures["ratios"]) == {"hub-1 / limit-1", "hub-2 / limit-1", "hub-2 / hub-1"}
    assert "| limit-1 |" in burst.stdout
