"""Files: a school's roster exported and a roster of volunteers imported, timed against the 3 s target of
issues 15 and 17, and the memory an export of 100,000 rows takes (issue 17: "bounded memory").

The data: the bench's national data set at a tiny scale (provinces, counties, schools, program years, …)
plus, at a school of its own, `--rows` volunteers each with an application of the current year (the export), and at
another `--memory-rows` more (the memory measurement). Both exports are the school's applications
roster (报名花名册: 13 columns, two dates, R2a masking) — the widest export, a query page by page.

Each step goes the way a clerk's goes, in process through the ASGI app with a real token:
- export: `GET /exports/applications.xlsx?year=…&school=…` as the school's office;
- import: the `importTable` mutation (what the front end and `hub import` run: `import_file`) with a file
  of `--import-rows` new volunteers of the school, as the school's office; every row must be written.
- memory: the export route's own work (the roster's rows into `write_xlsx`, the file read out in
  chunks) at `--memory-rows` under tracemalloc — its peak of Python allocations, next to the same at
  `--rows`, so a peak that does not grow with the rows shows the export is streamed.

    python -m bench.files                       # SQLite and PostgreSQL, 20,000 rows, 100,000 for memory
    python -m bench.files --engines sqlite --rows 2000 --memory-rows 0

Prints seconds per step and its ratio to the 3 s target; `--json FILE` writes the figures.
Not a timed test: tests/test_bench_files_runs.py runs it on a few rows so that it keeps working.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import io
import json
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench import generate

TARGET_S = 3.0
YEAR = generate.CURRENT_YEAR
SECRET = "xibu-bench-files-secret-of-at-least-32-bytes"
PG_ADMIN_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
EXPORT_ID_BASE, IMPORT_ID_BASE = 1_000_000, 5_000_000  # identity-number serials of the bench's own people
WARM_ROWS, WARM_IMPORT = 1_200, 50  # a server that has run a while: its plans and statements are cached
IMPORT = """mutation($input: ImportTableInput!) { importTable(input: $input) {
  rows written problemCount problems { line column code message } } }"""


def build(rows: int, memory_rows: int, seed: int = 7) -> tuple[generate.DataSet, list[str]]:
    """The tiny national data set plus `rows` applicants at one school, `memory_rows` at another and
    WARM_ROWS at a third; the three schools' codes."""
    data = generate.build(0.005, seed)
    rng = random.Random(seed)
    province = data.rows["schools"][0]["province_code"]
    schools = tuple(
        data.add("schools", code=code, name=name, province_code=province)
        for code, name in (("90001", "基准花名册大学"), ("90002", "基准内存大学"), ("90003", "基准预热大学"))
    )
    west = sorted({c["province_code"] for c in data.rows["counties"] if c["province_code"] >= "45"})
    volunteer_id = max(v["id"] for v in data.rows["volunteers"])
    app_id = max(a["id"] for a in data.rows["applications"])
    first = int(YEAR[:4])
    serial = EXPORT_ID_BASE
    for school, count in zip(schools, (rows, memory_rows, WARM_ROWS), strict=True):
        for _ in range(count):
            volunteer_id += 1
            app_id += 1
            serial += 1
            birth = date(2000 + rng.randrange(6), 1 + rng.randrange(12), 1 + rng.randrange(28))
            id_number = generate._id_number(school["province_code"], serial, birth)
            data.add(
                "volunteers",
                id=volunteer_id,
                subject=f"bench-files-{volunteer_id}",
                name=generate._name(rng),
                id_number=id_number,
                phone=f"15{volunteer_id:09d}",
                gender="MALE" if int(id_number[16]) % 2 else "FEMALE",
                birth_date=birth,
                school_code=school["code"],
                degree="BACHELOR",
                graduate_teaching_group=False,
                has_work_experience=False,
                volunteer_experience=None,
                registered_at=generate._at(date(first - 1, 3, 1)),
            )
            prefs = rng.sample(west, 3) if len(west) >= 3 else (west * 3)[:3]
            application = data.add(
                "applications",
                id=app_id,
                year=YEAR,
                volunteer_id=volunteer_id,
                active_volunteer_id=volunteer_id,
                school_code=school["code"],
                recruiting_province_code=school["province_code"],
                preference_1=prefs[0],
                preference_2=prefs[1],
                preference_3=prefs[2],
                accepts_adjustment=rng.random() < 0.7,
                status="SUBMITTED",
                submitted_at=generate._at(date(first, 4, 1) + timedelta(days=rng.randrange(40))),
                withdrawn_reason=None,
            )
            if rng.random() < 0.5:
                application.update(
                    status="SCHOOL_APPROVED",
                    sign_off_decision="APPROVE",
                    sign_off_reason=None,
                    sign_off_by=f"school-{school['code']}",
                    sign_off_at=generate._at(date(first, 5, 17)),
                )
    return data, [s["code"] for s in schools]


def import_file(school: dict[str, Any], rows: int, seed: int = 11, start: int = 0) -> bytes:
    """An .xlsx of `rows` new volunteers of `school` in the import's columns (tables.py), as a clerk fills
    the template: text cells, 学历 and the flags by their Chinese labels."""
    from openpyxl import Workbook

    from hub.exchange.tables import TABLES

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("志愿者")
    sheet.append(TABLES["volunteers"].headers)
    for i in range(start, start + rows):
        birth = date(2000 + rng.randrange(6), 1 + rng.randrange(12), 1 + rng.randrange(28))
        sheet.append(
            [
                f"files-import-{i + 1}",
                generate._name(rng),
                generate._id_number(school["province_code"], IMPORT_ID_BASE + i, birth),
                f"18{i + 1:09d}",
                school["code"],
                rng.choice(("本科", "本科", "硕士研究生")),
                rng.choice(("是", "否")),
                "否",
                "西部计划宣讲志愿者" if i % 3 == 0 else None,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def load_sqlite(url: str, data: generate.DataSet) -> None:
    from sqlalchemy import create_engine

    generate.migrate(url)
    engine = create_engine(url.replace("sqlite+aiosqlite", "sqlite", 1))
    try:
        with engine.begin() as connection:
            for name in generate.LOAD_ORDER:
                columns, records = generate.records(name, data.rows[name])
                for start in range(0, len(records), generate.CHUNK):
                    chunk = records[start : start + generate.CHUNK]
                    connection.execute(
                        generate.TABLES[name].insert(), [dict(zip(columns, r, strict=True)) for r in chunk]
                    )
    finally:
        engine.dispose()


async def load_postgres(url: str, data: generate.DataSet) -> None:
    await generate.create_database(url)
    await asyncio.to_thread(generate.migrate, url)
    await generate.load(url, data, log=lambda *_: None)


async def measure(
    url: str, schools: list[str], school_rows: dict[str, dict[str, Any]], args: argparse.Namespace
) -> dict[str, Any]:
    """The three steps on the hub at `url`; their figures. The process holds what `hub serve` holds: the
    generated data set is gone, and the heap of the built app is frozen (hub.app.freeze_heap) as at serving."""
    import httpx

    from hub.app import create_app, freeze_heap
    from hub.auth import Actor, make_token
    from hub.enums import OfficeLevel
    from hub.exchange.exports import EXPORTS
    from hub.exchange.workbooks import chunks, write_xlsx
    from hub.plugins import HubPlugins
    from hub.runtime import Hub
    from hub.settings import Settings

    settings = Settings(database_url=url, jwt_secret=SECRET, today=generate.BENCH_TODAY, env="production")
    hub = Hub(settings, HubPlugins())
    figures: dict[str, Any] = {}
    try:
        app = create_app(hub=hub)
        freeze_heap()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub", timeout=600) as http:
            school = schools[0]
            token = make_token(settings, "school", f"ops-{school}", school)
            headers = {"authorization": f"Bearer {token}"}
            # A server that has run a while: an export of three pages and a small import first, so that the
            # plans, compiled statements and converters are cached, as they are after the first clerk's files.
            warm_school = school_rows[schools[2]]
            warm_headers = {"authorization": f"Bearer {make_token(settings, 'school', 'ops-warm', schools[2])}"}
            warm = await http.get(f"/exports/applications.xlsx?year={YEAR}&school={schools[2]}", headers=warm_headers)
            assert warm.status_code == 200, warm.text
            warm_file = import_file(warm_school, WARM_IMPORT, start=10 * args.import_rows)
            await _import(http, warm_headers, warm_file, WARM_IMPORT)

            started = time.perf_counter()
            response = await http.get(f"/exports/applications.xlsx?year={YEAR}&school={school}", headers=headers)
            seconds = time.perf_counter() - started
            assert response.status_code == 200, response.text
            exported = _rows_of(response.content)
            assert exported == args.rows, (exported, args.rows)
            figures["export"] = {"rows": exported, "seconds": seconds, "bytes": len(response.content)}

            content = import_file(school_rows[school], args.import_rows)
            started = time.perf_counter()
            await _import(http, headers, content, args.import_rows)
            seconds = time.perf_counter() - started
            figures["import"] = {"rows": args.import_rows, "seconds": seconds, "bytes": len(content)}

        if args.memory_rows:
            actor = Actor(OfficeLevel.SCHOOL, schools[1], f"ops-{schools[1]}")
            spec = EXPORTS["applications"]
            for rows, code, who in (
                (args.rows, school, Actor(OfficeLevel.SCHOOL, school, "m")),
                (args.memory_rows, schools[1], actor),
            ):
                gc.collect()
                tracemalloc.start()
                started = time.perf_counter()
                handle = await write_xlsx(
                    spec.title, spec.headings, spec.rows(hub, who, {"year": YEAR, "school": code})
                )
                size = sum(len(piece) for piece in chunks(handle))
                seconds = time.perf_counter() - started
                _current, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                figures[f"memory_{rows}"] = {
                    "rows": rows,
                    "peak_mib": peak / 2**20,
                    "bytes": size,
                    "seconds_traced": seconds,
                }
    finally:
        await hub.dispose()
        gc.unfreeze()
    return figures


async def _import(http: Any, headers: dict[str, str], content: bytes, rows: int) -> None:
    """importTable with the file, as the school's office; every row must be written."""
    variables = {
        "input": {"kind": "VOLUNTEERS", "fileName": "志愿者.xlsx", "contentBase64": base64.b64encode(content).decode()}
    }
    response = await http.post("/graphql", json={"query": IMPORT, "variables": variables}, headers=headers)
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    report = body["data"]["importTable"]
    assert report["problemCount"] == 0 and report["written"] == rows, report


def _rows_of(content: bytes) -> int:
    """The data rows of an exported workbook (the header not counted)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True)
    try:
        return sum(1 for _ in workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    finally:
        workbook.close()


def run_engine(engine: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    data, schools = build(args.rows, args.memory_rows)
    started = time.perf_counter()
    if engine == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / 'files.db'}"
        load_sqlite(url, data)
    else:
        url = args.postgres_url.rsplit("/", 1)[0] + f"/hub_bench_files_{uuid.uuid4().hex[:10]}"
        asyncio.run(load_postgres(url, data))
    print(f"{engine}: loaded {len(data.rows['applications']):,} applications in {time.perf_counter() - started:.1f} s")
    school_rows = {s["code"]: s for s in data.rows["schools"] if s["code"] in schools}
    del data  # a server holds none of it: its cyclic garbage collections would walk a million objects
    gc.collect()
    try:
        return asyncio.run(measure(url, schools, school_rows, args))
    finally:
        if engine == "postgres":
            asyncio.run(generate.drop_database(url))


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = ["| engine | step | rows | seconds | ÷ 3 s target |", "|---|---|---:|---:|---:|"]
    for engine, figures in results.items():
        for step in ("export", "import"):
            if step in figures:
                f = figures[step]
                lines.append(
                    f"| {engine} | {step} | {f['rows']:,} | {f['seconds']:.2f} | {f['seconds'] / TARGET_S:.2f}× |"
                )
    memory = [
        f"| {engine} | {f['rows']:,} | {f['peak_mib']:.1f} | {f['bytes'] / 2**20:.1f} |"
        for engine, figures in results.items()
        for key, f in figures.items()
        if key.startswith("memory_")
    ]
    if memory:
        lines += ["", "| engine | export rows | peak MiB (tracemalloc) | file MiB |", "|---|---:|---:|---:|", *memory]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.files", description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="sqlite,postgres", help="sqlite, postgres or both (comma-separated)")
    parser.add_argument("--rows", type=int, default=20_000, help="rows of the timed export")
    parser.add_argument("--import-rows", type=int, default=20_000, help="rows of the timed import")
    parser.add_argument("--memory-rows", type=int, default=100_000, help="rows of the memory measurement (0: none)")
    parser.add_argument(
        "--postgres-url", default=PG_ADMIN_URL, help="a PostgreSQL URL; a throwaway database is made beside it"
    )
    parser.add_argument("--json", help="write the figures to this file")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not engines or set(engines) - {"sqlite", "postgres"}:
        sys.exit("bench.files: --engines takes sqlite and/or postgres")
    if min(args.rows, args.import_rows) < 1 or args.memory_rows < 0:
        sys.exit("bench.files: --rows and --import-rows must be at least 1")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for engine in engines:
            results[engine] = run_engine(engine, args, Path(folder))
    print(table(results))
    load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
    print(f"load average (1, 5, 15 min) at the end: {load} on {os.cpu_count()} cores")
    print(f"peak resident set of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if args.json:
        figures = {**results, "load_average": list(os.getloadavg())}
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
