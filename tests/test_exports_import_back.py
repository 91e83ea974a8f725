"""Round trip: a reference-data export (counties, schools, a year's posts) is a file the import takes back,
and importing it restores exactly the data it was exported from."""

from __future__ import annotations

from hub import models as m
from hub.exchange.imports import import_file
from tests.conftest import Client
from tests.exchange import NATIONAL_OFFICE, download, office, sheet_rows
from tests.seed import YEAR, seed_reference

NATIONAL = {"level": "national", "sub": "ops-national"}
COUNTY = {"level": "county", "code": "621121", "sub": "ops-621121"}


async def snapshot(client: Client, statement: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await client.sql(statement)]


async def test_counties_and_schools_come_back_as_they_were_exported(client: Client) -> None:
    await seed_reference(client.hub)
    await client.sql("UPDATE counties SET remote = true, key_assistance = 'LOCAL_KEY' WHERE code = '620321'")
    counties_sql = "SELECT code, name, key_assistance, remote, province_code FROM counties ORDER BY code"
    schools_sql = "SELECT code, name, province_code FROM schools ORDER BY code"
    before = (await snapshot(client, counties_sql), await snapshot(client, schools_sql))
    counties = await download(client, "/exports/counties.xlsx", **NATIONAL)
    schools = await download(client, "/exports/schools.xlsx", **NATIONAL)
    assert sheet_rows(counties.content)[0] == ["县级行政区划代码", "县名称", "帮扶类别", "是否边远"]
    assert ["620321", "永昌县", "当地乡村振兴重点帮扶县", "是"] in sheet_rows(counties.content)
    await client.sql("UPDATE counties SET name = name || '（旧）', remote = NOT remote, key_assistance = 'NONE'")
    await client.sql("UPDATE schools SET name = 'x'")
    assert (await snapshot(client, counties_sql), await snapshot(client, schools_sql)) != before
    for kind, response in (("counties", counties), ("schools", schools)):
        report = await import_file(client.hub, NATIONAL_OFFICE, kind, response.content, f"{kind}.xlsx")
        assert report.ok, report.problems
    assert (await snapshot(client, counties_sql), await snapshot(client, schools_sql)) == before


async def test_a_county_s_posts_come_back_as_new_declarations_of_the_same_posts(client: Client) -> None:
    await seed_reference(client.hub)
    async with client.hub.write_sessionmaker() as session, session.begin():
        for name, level in (("鸡川镇中心小学", "TOWNSHIP"), ("通渭县团委", "COUNTY")):
            session.add(m.ServiceUnit(county_code="621121", name=name, level=level))
        await session.flush()
        units = {u.name: u.id for u in (await session.execute(m.ServiceUnit.__table__.select())).all()}
        for unit, title, category, headcount in (
            ("鸡川镇中心小学", "语文教师", "RURAL_EDUCATION", 3),
            ("鸡川镇中心小学", "卫生室助理", "RURAL_HEALTH", 1),
            ("通渭县团委", "青年工作干事", "YOUTH_WORK", 2),
        ):
            session.add(
                m.Post(
                    year=YEAR,
                    unit_id=units[unit],
                    county_code="621121",
                    title=title,
                    category=category,
                    headcount=headcount,
                )
            )
    posts_sql = (
        "SELECT p.year, p.county_code, u.name, p.title, p.category, p.headcount FROM posts p "
        "JOIN service_units u ON u.id = p.unit_id ORDER BY p.title"
    )
    before = await snapshot(client, posts_sql)
    exported = await download(client, f"/exports/posts.xlsx?year={YEAR}&county=621121", **COUNTY)
    assert len(sheet_rows(exported.content)) == 4
    await client.sql("DELETE FROM posts")
    report = await import_file(client.hub, office("county", "621121"), "posts", exported.content, "posts.xlsx")
    assert report.ok, report.problems
    assert await snapshot(client, posts_sql) == before
    assert {r[0] for r in await client.sql("SELECT status FROM posts")} == {"DECLARED"}
