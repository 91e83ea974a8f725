# ruff: noqa: UP031 - GraphQL documents are full of braces: %-formatting reads best
"""R14's report is planned (issue 17): `postStructure` is one SQL statement whatever the number of provinces
asked for, and its answer is the executor's to the byte — every boundary of tests/test_post_structure_boundaries.py,
new service counties, the two-year transition, renewed volunteers, rejected posts, a province with no posts,
several provinces and years in one document — in Chinese (the default) and in English, on SQLite and on
PostgreSQL. The planner's SQL spells R14's comparisons and percentages again (hub.posts.structures_sql), so
this is what holds them to hub.rules.structure. Callers the executor refuses (no token, a bad year, a province
that does not exist) are left to it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from hub import models as m
from hub.app import create_app
from hub.auth import Actor
from hub.enums import OfficeLevel
from hub.graphql.context import HubContext
from hub.graphql.loaders import Loaders
from hub.i18n import speaking
from hub.plugins import HubPlugins
from hub.runtime import Hub
from tests.conftest import Client
from tests.seed import seed_reference, seed_volunteers
from tests.test_post_structure_boundaries import BOUNDARIES, NEW_COUNTY, Line, add_posts
from tests.test_sql_statements_do_not_grow_with_rows import counting

YEAR = "2027-2028"
PREVIOUS = "2026-2027"
FIELDS = "year province { code name } totalHeadcount townshipShare educationShare youthWorkShare compliant violations"
ONE = "query($year: String!, $province: String!) { postStructure(year: $year, provinceCode: $province) { %s } }"
MANY = """query($year: String!) {
  gansu: postStructure(year: $year, provinceCode: "62") { ...S }
  again: postStructure(year: $year, provinceCode: "62") { violations compliant __typename }
  yunnan: postStructure(year: $year, provinceCode: "53") { ...S }
  before: postStructure(year: "%s", provinceCode: "62") { ...S }
  bare: postStructure(year: $year, provinceCode: "62") { totalHeadcount }
}
fragment S on PostStructure { %s }""" % (PREVIOUS, FIELDS)
NATIONAL = Actor(level=OfficeLevel.NATIONAL, code=None, subject="national")
VOLUNTEER = Actor(level=OfficeLevel.VOLUNTEER, code=None, subject="vol-1")

T, V, C = "TOWNSHIP", "VILLAGE", "COUNTY"


async def renewed_into_year(hub: Hub, county: str, lines: list[Line]) -> None:
    """One volunteer per line of `PREVIOUS`'s posts in `county`, in service and renewed into YEAR (term 2)."""
    async with hub.write_sessionmaker() as session, session.begin():
        if await session.get(m.ProgramYear, PREVIOUS) is None:
            session.add(m.ProgramYear(code=PREVIOUS))
    ids = await seed_volunteers(hub, len(lines), "10730", county=county, start=900)
    async with hub.write_sessionmaker() as session, session.begin():
        for volunteer_id, (level, category, _headcount) in zip(ids, lines, strict=True):
            unit = m.ServiceUnit(county_code=county, name=f"renewed-{volunteer_id}", level=level)
            session.add(unit)
            await session.flush()
            post = m.Post(
                year=PREVIOUS,
                unit_id=unit.id,
                county_code=county,
                title="renewed",
                category=category,
                headcount=1,
                status="APPROVED",
            )
            session.add(post)
            await session.flush()
            application = m.Application.__table__
            await session.execute(
                update(application)
                .where(application.c.volunteer_id == volunteer_id)
                .values(year=PREVIOUS, status="IN_SERVICE", latest_post_id=post.id, latest_term_year=2)
            )
            found = select(application.c.id).where(application.c.volunteer_id == volunteer_id)
            application_id = (await session.execute(found)).scalar_one()
            for term in (1, 2):
                session.add(
                    m.ServiceAgreement(
                        application_id=application_id,
                        volunteer_id=volunteer_id,
                        post_id=post.id,
                        county_code=county,
                        unit_id=unit.id,
                        term_year=term,
                        starts_on=date(2025 + term, 8, 1),
                        ends_on=date(2026 + term, 7, 31),
                        signed_at=datetime(2025 + term, 8, 1, tzinfo=UTC),
                    )
                )


async def boundary(client: Client, index: int) -> None:
    case = BOUNDARIES[index]
    half = len(case.lines) // 2
    await add_posts(client, "620321", case.lines[:half])
    await add_posts(client, "621121", case.lines[half:])


async def new_county(client: Client, index: int, year: str = YEAR) -> None:
    _name, first_year, lines, _violates = NEW_COUNTY[index]
    if year != YEAR:
        first_year = year
    await client.sql("UPDATE counties SET first_service_year = :year WHERE code = '621121'", year=first_year)
    await add_posts(client, "621121", lines, year=year)
    await add_posts(client, "620321", [(T, "RURAL_EDUCATION", 9), (C, "RURAL_EDUCATION", 1)], year=year)


async def transition(client: Client, _index: int) -> None:
    """2022-2023 is in the two-year transition from the plan's 2021-2022 (its ratio violations are warnings,
    not a new county's), the previous year is not."""
    await client.sql("UPDATE counties SET first_service_year = '2022-2023' WHERE code = '621121'")
    await add_posts(client, "621121", [(T, "RURAL_EDUCATION", 18), (C, "RURAL_GOVERNANCE", 1)], year="2022-2023")
    await add_posts(client, "620321", [(V, "RURAL_EDUCATION", 899), (C, "RURAL_CONSTRUCTION", 101)], year="2022-2023")
    await add_posts(client, "620321", [(V, "RURAL_EDUCATION", 899), (C, "RURAL_CONSTRUCTION", 101)], year=PREVIOUS)
    await add_posts(client, "620321", [(V, "RURAL_EDUCATION", 17), (C, "YOUTH_WORK", 2)])


async def renewals(client: Client, _index: int) -> None:
    await add_posts(client, "620321", [(T, "RURAL_EDUCATION", 16), (C, "RURAL_GOVERNANCE", 1)])
    await renewed_into_year(client.hub, "620321", [(C, "YOUTH_WORK", 1), (C, "YOUTH_WORK", 1), (V, "RURAL_HEALTH", 1)])


async def rejected(client: Client, _index: int) -> None:
    await add_posts(client, "620321", [(T, "RURAL_EDUCATION", 30), (V, "RURAL_CONSTRUCTION", 60)], status="APPROVED")
    await add_posts(client, "620321", [(C, "YOUTH_WORK", 500)], status="REJECTED")
    await add_posts(client, "621121", [(C, "RURAL_CONSTRUCTION", 10)], status="DECLARED")


async def nothing(client: Client, _index: int) -> None:
    """No post at all: every share 0.0, compliant."""


SCENARIOS: list[tuple[str, Any, int]] = [
    *((f"boundary: {b.name}", boundary, i) for i, b in enumerate(BOUNDARIES)),
    *((f"new county: {c[0]}", new_county, i) for i, c in enumerate(NEW_COUNTY)),
    ("a ratio and a new county in the previous year", lambda c, _i: new_county(c, 1, PREVIOUS), 0),
    ("transition and rounding up", transition, 0),
    ("renewed volunteers count in their year", renewals, 0),
    ("rejected posts do not count", rejected, 0),
    ("no posts", nothing, 0),
]


@pytest.fixture
async def executor(client: Client) -> AsyncIterator[Client]:
    """The same database behind a hub without the read planner, through its own ASGI app."""
    hub = Hub(replace(client.hub.settings, read_planner=False), HubPlugins())
    transport = httpx.ASGITransport(app=create_app(hub=hub))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
        yield Client(http, hub)
    await hub.dispose()


async def planned(hub: Hub, query: str, variables: dict[str, Any], actor: Actor | None, language: str) -> bool:
    """Whether the read planner answered the query (it falls back to the executor silently)."""
    with speaking(language):
        context = HubContext(hub=hub, actor=actor, auth_error=None, loaders=Loaders(hub.sessionmaker))
        result = await hub.schema.execute(query, variable_values=variables, context_value=context)
    assert result.data is not None or result.errors
    return context.planned


async def raw(client: Client, query: str, variables: dict[str, Any], actor: Actor | None, language: str) -> bytes:
    headers = {"accept-language": language}
    if actor is not None:
        token = client.token(actor.level.value.lower(), actor.code, actor.subject)
        headers["authorization"] = f"Bearer {token}"
    response = await client.http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.content


async def same(
    client: Client, executor: Client, query: str, variables: dict[str, Any], actor: Actor | None = NATIONAL
) -> list[bytes]:
    """Both hubs' answers, byte for byte, in both languages; the planned hub's answers."""
    answers = []
    for language in ("zh", "en"):
        ours = await raw(client, query, variables, actor, language)
        theirs = await raw(executor, query, variables, actor, language)
        assert ours == theirs, (language, ours.decode(), theirs.decode())
        answers.append(ours)
    return answers


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s[0] for s in SCENARIOS])
async def test_the_planner_writes_the_executors_report(
    client: Client, executor: Client, scenario: tuple[str, Any, int]
) -> None:
    _name, seed, index = scenario
    await seed_reference(client.hub)
    async with client.hub.write_sessionmaker() as session, session.begin():
        session.add_all([m.ProgramYear(code=PREVIOUS), m.ProgramYear(code="2022-2023")])
    await seed(client, index)
    one = ONE % FIELDS
    for query, variables in (
        (one, {"year": YEAR, "province": "62"}),
        (MANY, {"year": YEAR}),
        (MANY, {"year": "2022-2023"}),
    ):
        zh, en = await same(client, executor, query, variables)
        for language in ("zh", "en"):
            assert await planned(client.hub, query, variables, NATIONAL, language), (query, language)
        if b'violations":["' in zh:
            assert zh != en, "the violations are texts a person reads: Chinese by default, English on request"


async def test_the_texts_are_the_rules_in_both_languages(client: Client, executor: Client) -> None:
    await seed_reference(client.hub)
    await add_posts(client, "620321", [(T, "YOUTH_WORK", 3), (T, "RURAL_CONSTRUCTION", 14), (C, "RURAL_EDUCATION", 3)])
    zh, en = await same(client, executor, ONE % "violations", {"year": YEAR, "province": "62"})
    assert "township-and-below share 85.00% is below 90%" in en.decode(), en
    assert "YOUTH_WORK share 15.00% is above 10%" in en.decode(), en
    assert "乡镇及以下" in zh.decode(), zh


@pytest.mark.parametrize(
    "variables, actor",
    [
        ({"year": YEAR, "province": "62"}, None),  # no token
        ({"year": "2027", "province": "62"}, NATIONAL),  # not a program year
        ({"year": YEAR, "province": "99"}, NATIONAL),  # not a province
    ],
    ids=["anonymous", "bad year", "no such province"],
)
async def test_what_the_executor_refuses_is_left_to_it(
    client: Client, executor: Client, variables: dict[str, Any], actor: Actor | None
) -> None:
    await seed_reference(client.hub)
    await add_posts(client, "620321", [(C, "YOUTH_WORK", 3)])
    for language in ("zh", "en"):
        assert not await planned(client.hub, ONE % FIELDS, variables, actor, language)
    await same(client, executor, ONE % FIELDS, variables, actor)


async def test_any_signed_in_caller_reads_it_planned(client: Client, executor: Client) -> None:
    await seed_reference(client.hub)
    await add_posts(client, "620321", [(C, "YOUTH_WORK", 3)])
    await same(client, executor, MANY, {"year": YEAR}, VOLUNTEER)
    assert await planned(client.hub, MANY, {"year": YEAR}, VOLUNTEER, "zh")


async def test_every_province_asked_for_costs_one_statement(client: Client) -> None:
    await seed_reference(client.hub)
    await add_posts(client, "620321", [(T, "RURAL_EDUCATION", 9), (C, "YOUTH_WORK", 1)])
    await renewed_into_year(client.hub, "620321", [(C, "YOUTH_WORK", 1)])
    await client.ok(MANY, {"year": YEAR}, level="national")  # warm: plans are cached
    with counting(client) as statements:
        await client.ok(MANY, {"year": YEAR}, level="national")
    assert len(statements) == 1, statements


@pytest.mark.postgres_only
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s[0] for s in SCENARIOS])
async def test_the_bench_limit_writes_the_hubs_report(client: Client, scenario: tuple[str, Any, int]) -> None:
    """bench/limit_server.py's hand-written statement for the western provinces gives the hub's answer (the
    bench's own data has no violation, so its texts and rounding are compared here), its arguments bound or
    written in as the limit server runs it (`written`: the provinces' array, the texts' quotes and %1$s)."""
    from bench.limit_server import QUERIES as BENCH_QUERIES
    from bench.limit_server import STRUCTURE_SQL, structure_arguments, written

    _name, seed, index = scenario
    await seed_reference(client.hub)
    async with client.hub.write_sessionmaker() as session, session.begin():
        session.add_all([m.ProgramYear(code=PREVIOUS), m.ProgramYear(code="2022-2023")])
    await seed(client, index)
    for year in (YEAR, "2022-2023"):  # 2022-2023: in the transition, its violations are warnings
        west = (BENCH_QUERIES / "post_structure_west.graphql").read_text(encoding="utf-8").replace(YEAR, year)
        hub = await client.ok(west, level="national")
        async with client.hub.engine.connect() as connection:
            arguments = structure_arguments(west, client.hub.settings.plan_year)
            text = (await connection.exec_driver_sql(STRUCTURE_SQL, arguments)).scalar_one()
            literal = (await connection.exec_driver_sql(written(STRUCTURE_SQL, arguments))).scalar_one()
        assert json.loads(text)["data"] == json.loads(literal)["data"] == hub, year
