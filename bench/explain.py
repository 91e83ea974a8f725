"""EXPLAIN (ANALYZE, BUFFERS) of what one bench query costs PostgreSQL: each data statement the hub runs
for it (caught on the hub's engine during one warm request through the ASGI app, in this process), and
for Q1 and Q2 the limit server's one statement with its arguments (bench/limit_server.py).

    python -m bench.explain --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/xibu_bench \\
        --query q1_province_dashboard [--plans /tmp/q1-plans.txt]

Each statement is explained `--repeat` times (the shared buffers are warm after the first) and the last
run is reported: shared buffer hits and reads, planning and execution time. `--setting NAME=VALUE` (repeatable)
sets a PostgreSQL setting for the explaining session first, e.g. `max_parallel_workers_per_gather=0` to see
the plan without parallel workers, or `work_mem=64MB`.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path
from typing import Any

from bench import generate
from bench.run import NOT_QUERIES, QUERIES, BenchQuery, hub_settings

EXPLAIN = "EXPLAIN (ANALYZE, BUFFERS) "


def summary(plan: list[str]) -> dict[str, float]:
    """Buffer hits and reads of the whole statement (its top node), planning and execution time in ms."""
    out = {"hit": 0.0, "read": 0.0, "planning_ms": 0.0, "execution_ms": 0.0}
    for line in plan:
        if "Buffers:" in line and not out["hit"] and not out["read"]:
            for kind in ("hit", "read"):
                found = re.search(rf"shared(?: [a-z]+=\d+)*? {kind}=(\d+)", line) or re.search(rf"{kind}=(\d+)", line)
                out[kind] = float(found.group(1)) if found else 0.0
        if line.startswith("Planning Time:"):
            out["planning_ms"] = float(line.split()[2])
        if line.startswith("Execution Time:"):
            out["execution_ms"] = float(line.split()[2])
    return out


def _set(settings: dict[str, str]) -> list[str]:
    quoted = {name: value.replace("'", "''") for name, value in settings.items()}
    return [f"SET {name} = '{value}'" for name, value in quoted.items()]


async def hub_statements(
    database_url: str, query: BenchQuery, repeat: int, settings: dict[str, str] | None = None
) -> list[tuple[str, list[str]]]:
    """(statement, the last EXPLAIN's lines) for every data statement of one warm request of `query`."""
    import httpx
    from sqlalchemy import event

    from hub.app import create_app
    from hub.plugins import HubPlugins
    from hub.runtime import Hub

    hub = Hub(hub_settings(database_url), HubPlugins())
    caught: list[tuple[str, Any]] = []

    def before_cursor_execute(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(NOT_QUERIES):
            caught.append((statement, parameters))

    out = []
    try:
        transport = httpx.ASGITransport(app=create_app(hub=hub))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub", timeout=300) as client:
            headers = {"authorization": f"Bearer {query.token()}"}
            await client.post("/graphql", json={"query": query.text}, headers=headers)  # warm
            event.listen(hub.engine.sync_engine, "before_cursor_execute", before_cursor_execute)
            try:
                response = await client.post("/graphql", json={"query": query.text}, headers=headers)
            finally:
                event.remove(hub.engine.sync_engine, "before_cursor_execute", before_cursor_execute)
            if "errors" in response.json():
                raise RuntimeError(f"the hub answered {query.name} with {response.text[:300]}")
        async with hub.engine.connect() as connection:
            for setting in _set(settings or {}):
                await connection.exec_driver_sql(setting)
            for statement, parameters in caught:
                for _ in range(repeat):
                    result = await connection.exec_driver_sql(EXPLAIN + statement, parameters)
                    plan = [row[0] for row in result.all()]
                out.append((statement, plan))
    finally:
        await hub.dispose()
    return out


async def limit_statement(
    database_url: str, query: BenchQuery, repeat: int, settings: dict[str, str] | None = None
) -> tuple[str, list[str]] | None:
    """The limit server's statement for `query` (None if it answers no such query), explained."""
    import asyncpg

    from bench.limit_server import normalise, prepare
    from hub.auth import Actor
    from hub.enums import OfficeLevel

    prepared = prepare(generate.BENCH_TODAY).get(normalise(query.text))
    if prepared is None:
        return None
    bound = prepared.bind(Actor(OfficeLevel(query.level.upper()), query.code, f"bench-{query.level}"))
    if bound is None:
        return None
    sql, arguments = bound
    connection = await asyncpg.connect(generate.asyncpg_dsn(database_url), timeout=10)
    try:
        for setting in _set(settings or {}):
            await connection.execute(setting)
        for _ in range(repeat):
            plan = [row[0] for row in await connection.fetch(EXPLAIN + sql, *arguments)]
    finally:
        await connection.close()
    return sql, plan


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=generate.DEFAULT_URL)
    parser.add_argument("--query", default="q1_province_dashboard", help="a file name of bench/queries")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plans", type=Path, default=None, help="also write every statement and its plan here")
    parser.add_argument(
        "--setting", action="append", default=[], help="NAME=VALUE set for the explaining session (repeatable)"
    )
    args = parser.parse_args(argv)
    settings = dict(item.split("=", 1) for item in args.setting)
    if any(not name.replace("_", "").replace(".", "").isalnum() for name in settings):
        parser.error("--setting takes NAME=VALUE with a setting's name")
    query = BenchQuery.read(QUERIES / f"{args.query}.graphql")
    hub = asyncio.run(hub_statements(args.database_url, query, args.repeat, settings))
    explained = [("hub", s, p) for s, p in hub]
    limit = asyncio.run(limit_statement(args.database_url, query, args.repeat, settings))
    if limit is not None:
        explained.append(("limit", *limit))
    for who, _statement, plan in explained:
        figures = summary(plan)
        print(
            f"{query.name} {who}: shared hit={figures['hit']:.0f} read={figures['read']:.0f} "
            f"planning {figures['planning_ms']:.2f} ms, execution {figures['execution_ms']:.2f} ms"
        )
    if args.plans:
        args.plans.write_text(
            "\n\n".join(f"-- {who}\n{statement}\n\n" + "\n".join(plan) for who, statement, plan in explained),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
