"""No N+1 by construction: the SQL statements one GraphQL request costs do not grow with the number of
rows it lists. The same document runs over 5 and over 60 rows; the statement counts must be equal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text

from tests.conftest import Client
from tests.seed import YEAR, seed_reference, seed_volunteers

SMALL, LARGE = 5, 60
# Transaction control and SQLite's connection setup are not queries of the data.
NOT_QUERIES = ("PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

APPLICATIONS = """
query($year: String!) {
  applications(year: $year, first: 100) {
    totalCount
    edges { node {
      status
      volunteer { name idNumber phone school { name province { name } } applications { status } }
      school { name }
      recruitingProvince { name }
      preferences { code }
      servingProvince { name }
      county { name province { name } }
    } }
  }
}"""

PROVINCES = """
query($year: String!) {
  provinces {
    code
    counties(first: 100) {
      totalCount
      edges { node {
        name
        fundingZone
        acceptsVolunteers(year: $year)
        bannedYears
        province { name }
        serviceUnits { name }
        posts(year: $year) {
          totalCount
          edges { node { title filled townshipOrBelow specialProject unit { name } county { name } } }
        }
      } }
    }
  }
}"""

COUNTY_VOLUNTEERS = """
query($year: String!) {
  county(code: "621121") {
    volunteers(year: $year, first: 100) {
      totalCount
      edges { node { name idNumber school { name } applications { status county { name } } } }
    }
  }
}"""


@contextmanager
def counting(client: Client) -> Iterator[list[str]]:
    """The data statements sent to the database while the block runs."""
    statements: list[str] = []

    def before_cursor_execute(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(NOT_QUERIES):
            statements.append(statement)

    engine = client.hub.engine.sync_engine
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


async def statements_of(client: Client, query: str, size: int, pick: Callable[[dict[str, Any]], int]) -> int:
    await client.ok(query, {"year": YEAR}, level="national")  # warm up: first connections, dialect setup
    with counting(client) as statements:
        data = await client.ok(query, {"year": YEAR}, level="national")
    assert pick(data) == size, "the document did not list the rows it was meant to"
    return len(statements)


async def add_applications(client: Client, start: int, count: int) -> None:
    """`count` applications: half from 兰州大学 (Gansu), half from 北京大学, some assigned to a county."""
    half = count // 2
    await seed_volunteers(client.hub, half, "10730", start=start)
    await seed_volunteers(client.hub, count - half - 1, "10001", start=start + half)
    await seed_volunteers(client.hub, 1, "10673", county="621121", start=start + count - 1)


async def add_service_counties(client: Client, start: int, count: int) -> None:
    """`count` active counties in Gansu and Yunnan, each with a service unit and two posts of the year."""
    async with client.hub.engine.begin() as connection:
        for n in range(start, start + count):
            code = f"{'62' if n % 2 else '53'}{2000 + n:04d}"
            await connection.execute(
                text(
                    "INSERT INTO counties (code, name, province_code, key_assistance, remote, status)"
                    " VALUES (:code, :name, :province, 'NATIONAL_KEY', false, 'ACTIVE')"
                ),
                {"code": code, "name": f"服务县{n}", "province": code[:2]},
            )
            await connection.execute(
                text("INSERT INTO service_units (county_code, name, level) VALUES (:code, :name, :level)"),
                {"code": code, "name": f"第{n}乡镇", "level": "TOWNSHIP" if n % 3 else "COUNTY"},
            )
            unit_id = (
                await connection.execute(text("SELECT id FROM service_units WHERE county_code = :code"), {"code": code})
            ).scalar_one()
            for category in ("RURAL_EDUCATION", "YOUTH_WORK"):
                await connection.execute(
                    text(
                        "INSERT INTO posts (year, unit_id, county_code, title, category, headcount, status)"
                        " VALUES (:year, :unit, :code, :title, :category, 2, 'APPROVED')"
                    ),
                    {"year": YEAR, "unit": unit_id, "code": code, "title": f"{category}-{n}", "category": category},
                )


def listed_counties(data: dict[str, Any]) -> int:
    """Counties listed that have posts (the seeded reference counties have none)."""
    return sum(
        1
        for province in data["provinces"]
        for edge in province["counties"]["edges"]
        if edge["node"]["posts"]["totalCount"]
    )


Case = tuple[str, Callable[[Client, int, int], Awaitable[None]], Callable[[dict[str, Any]], int]]
CASES: dict[str, Case] = {
    "applications": (APPLICATIONS, add_applications, lambda d: d["applications"]["totalCount"]),
    "provinces-counties-posts": (PROVINCES, add_service_counties, listed_counties),
    "county-volunteers": (
        COUNTY_VOLUNTEERS,
        lambda client, start, count: seed_volunteers(client.hub, count, "10730", county="621121", start=start),
        lambda d: len(d["county"]["volunteers"]["edges"]),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_statement_count_is_the_same_for_5_and_60_rows(client: Client, case: str) -> None:
    query, add_rows, pick = CASES[case]
    await seed_reference(client.hub)

    await add_rows(client, 1, SMALL)
    small = await statements_of(client, query, SMALL, pick)
    await add_rows(client, 1 + SMALL, LARGE - SMALL)
    large = await statements_of(client, query, LARGE, pick)

    print(f"\n{case} on {client.hub.engine.dialect.name}: {small} statements for {SMALL} rows, {large} for {LARGE}")
    assert large == small, f"{case}: {small} statements for {SMALL} rows but {large} for {LARGE}"
