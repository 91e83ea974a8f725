"""Figures of docs/exchange.md: a 20,000-row import and a 20,000-row export on PostgreSQL.

    python tools/exchange_figures.py [--rows 20000] [--admin postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Creates a throwaway database, migrates it, imports 20,000 counties (national office) and 20,000 volunteers
(school office) from .xlsx files made here, gives each volunteer an application, exports the school's
applications roster, and prints the wall times and the export's peak Python memory (tracemalloc)."""

from __future__ import annotations

import argparse
import asyncio
import io
import time
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg
from openpyxl import Workbook
from sqlalchemy import insert

from hub import migrate
from hub import models as m
from hub.auth import Actor
from hub.enums import OfficeLevel
from hub.exchange.exports import EXPORTS
from hub.exchange.imports import CHUNK, import_file
from hub.exchange.tables import TABLES
from hub.exchange.workbooks import write_xlsx
from hub.plugins import HubPlugins
from hub.rules.deadlines import default_milestones
from hub.rules.idnumbers import check_character
from hub.runtime import Hub
from hub.settings import Settings

YEAR = "2027-2028"
PROVINCES = ["15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"]


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def id_number(n: int) -> str:
    birth = date(2000, 1, 1) + timedelta(days=n // 1000)  # with the 3-digit sequence: unique to 1,000 per day
    first17 = f"620102{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + check_character(first17)


async def _admin(dsn: str, statement: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def main(rows: int, admin: str, export_only: bool = False) -> None:
    name = f"hub_figures_{uuid.uuid4().hex[:8]}"
    dsn = admin.replace("postgresql+asyncpg", "postgresql")
    asyncio.run(_admin(dsn, f'CREATE DATABASE "{name}"'))
    settings = Settings(database_url=admin.rsplit("/", 1)[0] + "/" + name, today=date(2027, 3, 1))
    try:
        migrate.upgrade(settings, HubPlugins())
        asyncio.run(measure(settings, rows, export_only))
    finally:
        asyncio.run(_admin(dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _insert_volunteers(hub: Hub, rows: int) -> None:
    now = datetime.now(UTC)
    async with hub.write_sessionmaker() as session, session.begin():
        for start in range(0, rows, 10_000):
            await session.execute(
                insert(m.Volunteer),
                [
                    dict(
                        subject=f"acct-{i}",
                        name=f"志愿者{i}",
                        id_number=id_number(i),
                        phone=f"139{i:08d}",
                        gender="MALE" if int(id_number(i)[16]) % 2 else "FEMALE",
                        birth_date=date(2000, 1, 1) + timedelta(days=i // 1000),
                        school_code="10730",
                        degree="BACHELOR",
                        registered_at=now,
                    )
                    for i in range(start, min(rows, start + 10_000))
                ],
            )


def peak_rss_mib() -> float:
    """This process's own high-water mark of resident memory (VmHWM)."""
    with open("/proc/self/status") as status:
        return int(next(line.split()[1] for line in status if line.startswith("VmHWM"))) / 1024


async def measure(settings: Settings, rows: int, export_only: bool = False) -> None:
    if True:
        hub = Hub(settings)
        async with hub.write_sessionmaker() as session, session.begin():
            session.add(m.ProgramYear(code=YEAR))
            await session.flush()
            for milestone, closes_on in default_milestones(YEAR).items():
                session.add(m.MilestoneDate(year=YEAR, milestone=milestone.value, closes_on=closes_on))
            session.add(m.School(code="10730", name="兰州大学", province_code="62"))
        counties = [TABLES["counties"].headers] + [
            [f"{PROVINCES[i % 12]}{i // 12:04d}", f"县{i}", "脱贫县", "否"] for i in range(rows)
        ]
        volunteers = [TABLES["volunteers"].headers] + [
            [f"acct-{i}", f"志愿者{i}", id_number(i), f"139{i:08d}", "10730", "本科", "否", "否", ""]
            for i in range(rows)
        ]
        national = Actor(OfficeLevel.NATIONAL, None, "figures")
        school = Actor(OfficeLevel.SCHOOL, "10730", "figures")
        for kind, actor, table in (("counties", national, counties), ("volunteers", school, volunteers)):
            if export_only and kind == "counties":
                continue
            if export_only:  # straight into the tables: only the export is measured
                await _insert_volunteers(hub, rows)
                break
            data = workbook(table)
            for dry_run in (True, False):
                started = time.perf_counter()
                report = await import_file(hub, actor, kind, data, f"{kind}.xlsx", dry_run=dry_run)
                took = time.perf_counter() - started
                assert report.ok, report.problems[:5]
                what = "dry run (rolled back)" if dry_run else f"import (one transaction, chunks of {CHUNK})"
                print(f"{what} of {rows} {kind}: {took:.1f} s ({len(data) / 1e6:.1f} MB xlsx)", flush=True)
        async with hub.write_sessionmaker() as session, session.begin():
            ids = [
                r[0] for r in await session.execute(m.Volunteer.__table__.select().with_only_columns(m.Volunteer.id))
            ]
            now = datetime.now(UTC)
            await session.execute(
                insert(m.Application),
                [
                    dict(
                        year=YEAR,
                        volunteer_id=v,
                        active_volunteer_id=v,
                        school_code="10730",
                        recruiting_province_code="62",
                        preference_1="62",
                        preference_2="53",
                        preference_3="65",
                        accepts_adjustment=True,
                        status="SUBMITTED",
                        submitted_at=now,
                    )
                    for v in ids
                ],
            )
        spec = EXPORTS["applications"]
        provincial = Actor(OfficeLevel.PROVINCIAL, "62", "figures")
        params = {"year": YEAR, "school": "10730"}
        started = time.perf_counter()
        handle = await write_xlsx(spec.title, spec.headings, spec.rows(hub, provincial, params))
        took = time.perf_counter() - started
        size = len(handle.read())
        rss = peak_rss_mib()
        print(
            f"export of the {rows}-row applications roster: {took:.1f} s, {size / 1e6:.1f} MB xlsx, "
            f"process peak RSS so far {rss:.0f} MB",
            flush=True,
        )
        tracemalloc.start()  # a second run, slower under tracing, for the peak of Python allocations
        handle = await write_xlsx(spec.title, spec.headings, spec.rows(hub, provincial, params))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"export peak Python memory (tracemalloc): {peak / 1e6:.1f} MB", flush=True)
        await hub.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--admin", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--export-only", action="store_true", help="insert the volunteers directly; time the export")
    args = parser.parse_args()
    main(args.rows, args.admin, args.export_only)
