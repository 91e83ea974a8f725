"""Issue 16: the inbox is planned into the read planner's one statement from the same QUEUES the executor
pages — both give the same answer for every office level; the statements do not grow with the rows; and the
county's overdue monthly reports (R28) are one of its queues: a month in which a volunteer was in post shows
after its report's due date, not before, and leaves the inbox once the report is filed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from hub import models as m
from hub.auth import Actor
from hub.enums import OfficeLevel
from hub.events.inbox import QUEUES
from hub.graphql.context import HubContext
from hub.graphql.loaders import Loaders
from hub.ids import to_global_id
from hub.plugins import HubPlugins
from hub.rules.reports import overdue_months
from hub.runtime import Hub
from tests.conftest import Client
from tests.seed import YEAR, seed_reference, seed_volunteers
from tests.test_sql_statements_do_not_grow_with_rows import counting

INBOX = """query($first: Int, $after: String) { inbox(first: $first, after: $after) {
  __typename totalCount
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { __typename action subjectId subjectType year deadline overdue month } } } }"""
ALIASED = """query { soon: inbox(first: 1) { n: totalCount edges { c: cursor node { a: action when: deadline } } }
  all: inbox { pageInfo { endCursor } edges { node { subjectId ...M } } } }
fragment M on InboxItem { month overdue }"""
COUNTY = "621121"
STATUSES = ("SUBMITTED", "SCHOOL_APPROVED", "SELECTED", "EXAM_PASSED", "PUBLICIZED", "TRAINED", "DISPATCHED")
OFFICES = {
    "school": Actor(level=OfficeLevel.SCHOOL, code="10730", subject="s"),
    "other school": Actor(level=OfficeLevel.SCHOOL, code="10001", subject="s2"),
    "provincial": Actor(level=OfficeLevel.PROVINCIAL, code="62", subject="p"),
    "other province": Actor(level=OfficeLevel.PROVINCIAL, code="53", subject="p2"),
    "national": Actor(level=OfficeLevel.NATIONAL, code=None, subject="n"),
    "county": Actor(level=OfficeLevel.COUNTY, code=COUNTY, subject="c"),
    "other county": Actor(level=OfficeLevel.COUNTY, code="530629", subject="c2"),
    "volunteer": Actor(level=OfficeLevel.VOLUNTEER, code=None, subject="vol-1"),
    "anonymous": None,
}


async def seed_every_queue(hub: Hub, start: int, count: int) -> None:
    """`count` rows in every queue of QUEUES (the county's overdue reports: one per month, whatever the count)."""
    per = len(STATUSES) + 1
    ids = await seed_volunteers(hub, count * per, "10730", county=COUNTY, start=(start - 1) * per + 1)
    async with hub.write_sessionmaker() as session, session.begin():
        unit = m.ServiceUnit(county_code=COUNTY, name=f"第{start}乡镇", level="TOWNSHIP")
        session.add(unit)
        await session.flush()
        for n in range(count):
            batch = ids[n * per : (n + 1) * per]
            apps = {
                a.volunteer_id: a
                for a in (await session.execute(m.Application.__table__.select())).all()
                if a.volunteer_id in batch
            }
            for status, volunteer_id in zip((*STATUSES, "IN_SERVICE"), batch, strict=True):
                await session.execute(
                    m.Application.__table__.update()
                    .where(m.Application.__table__.c.volunteer_id == volunteer_id)
                    .values(status=status)
                )
            serving = batch[-1]
            key = start + n
            for code, status in ((f"62{key + 3000:04d}", "APPLIED"), (f"53{key + 3000:04d}", "PROVINCE_APPROVED")):
                session.add(m.County(code=code, name=f"申请县{key}", province_code=code[:2], status=status))
            for status in ("DECLARED", "PROVINCE_CONFIRMED"):
                session.add(
                    m.Post(
                        year=YEAR,
                        unit_id=unit.id,
                        county_code=COUNTY,
                        title=f"{status}-{key}",
                        category="RURAL_EDUCATION",
                        headcount=1,
                        status=status,
                    )
                )
            post = m.Post(
                year=YEAR,
                unit_id=unit.id,
                county_code=COUNTY,
                title=f"岗位{key}",
                category="RURAL_EDUCATION",
                headcount=1,
            )
            post.status = "APPROVED"
            session.add(post)
            await session.flush()
            session.add(
                m.ServiceAgreement(
                    application_id=apps[serving].id,
                    volunteer_id=serving,
                    post_id=post.id,
                    county_code=COUNTY,
                    unit_id=unit.id,
                    term_year=1,
                    starts_on=date(2026, 8, 20),
                    ends_on=date(2027, 8, 19),
                    signed_at=datetime(2026, 8, 20, tzinfo=UTC),
                )
            )
            session.add(m.Assessment(year=YEAR, volunteer_id=serving, grade="COMPETENT"))
        if start == 1:  # one month reported: it is not overdue
            session.add(
                m.MonthlyReport(county_code=COUNTY, month="2026-10", in_post=1, absent=0, filed_at=datetime.now(UTC))
            )


async def answer(
    hub: Hub, actor: Actor | None, query: str, variables: dict[str, Any] | None = None
) -> tuple[Any, bool]:
    context = HubContext(hub=hub, actor=actor, auth_error=None, loaders=Loaders(hub.sessionmaker))
    result = await hub.schema.execute(query, variable_values=variables, context_value=context)
    return {
        "data": result.data,
        "errors": [(e.message, list(e.path or [])) for e in result.errors or []],
    }, context.planned


async def test_the_planner_and_the_executor_give_every_office_the_same_inbox(client: Client) -> None:
    planner = client.hub
    assert planner.read_planner, "the read planner answers on every engine"
    await seed_reference(planner)
    await seed_every_queue(planner, 1, 3)
    executor = Hub(replace(planner.settings, read_planner=False), HubPlugins())
    try:
        seen_actions = set()
        for office, actor in OFFICES.items():
            cases: list[tuple[str, dict[str, Any] | None]] = [
                (INBOX, None),
                (INBOX, {"first": 2}),
                (INBOX, {"first": 0}),
                (ALIASED, None),
            ]
            first, _ = await answer(executor, actor, INBOX, {"first": 2})
            end = first["data"] and first["data"]["inbox"]["pageInfo"]["endCursor"]
            if end:
                cases += [(INBOX, {"first": 2, "after": end}), (INBOX, {"first": 500, "after": end})]
            for query, variables in cases:
                planned, was_planned = await answer(planner, actor, query, variables)
                executed, _ = await answer(executor, actor, query, variables)
                assert planned == executed, (office, variables)
                assert was_planned == (actor is not None), (office, variables)  # anonymous: the executor refuses
                if query is INBOX and planned["data"]:
                    seen_actions |= {e["node"]["action"] for e in planned["data"]["inbox"]["edges"]}
        assert seen_actions == {q.action for q in QUEUES}, "a queue had no rows: the comparison did not cover it"
        county, _ = await answer(executor, OFFICES["county"], INBOX)
        months = [e["node"]["month"] for e in county["data"]["inbox"]["edges"] if e["node"]["month"]]
        assert months == ["2026-08", "2026-09", "2026-11", "2026-12", "2027-01"]  # 2026-10 was reported
    finally:
        await executor.dispose()


@pytest.mark.parametrize("office", ["school", "provincial", "national", "county"])
async def test_the_inbox_costs_the_same_statements_for_5_and_60_rows(client: Client, office: str) -> None:
    await seed_reference(client.hub)
    actor = OFFICES[office]
    assert actor is not None
    counts = []
    for start, count in ((1, 5), (6, 55)):
        await seed_every_queue(client.hub, start, count)
        await client.ok(INBOX, {"first": 500}, level=actor.level.value, code=actor.code)  # warm up
        with counting(client) as statements:
            data = await client.ok(INBOX, {"first": 500}, level=actor.level.value, code=actor.code)
        listed = len(data["inbox"]["edges"])
        assert listed >= start + count - 1, "the inbox did not list the rows it was meant to"
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{office}: {counts[0]} statements for 5 rows a queue, {counts[1]} for 60"
    assert counts[0] == (1 if client.hub.read_planner else 2)


FILE_REPORT = """mutation($input: FileMonthlyReportInput!) { fileMonthlyReport(input: $input) {
  report { id } userErrors { code message } } }"""
COUNTY_OFFICE = {"level": "county", "code": COUNTY, "sub": "county-office"}


async def reports_due(client: Client, **office: Any) -> list[dict[str, Any]]:
    edges = (await client.ok(INBOX, **office))["inbox"]["edges"]
    return [e["node"] for e in edges if e["node"]["action"] == "fileMonthlyReport"]


async def test_a_missing_monthly_report_is_overdue_after_its_due_date_until_filed(client: Client) -> None:
    await seed_reference(client.hub)
    ids = await seed_volunteers(client.hub, 1, "10730", county=COUNTY, start=1)
    async with client.hub.write_sessionmaker() as session, session.begin():
        unit = m.ServiceUnit(county_code=COUNTY, name="第一乡镇", level="TOWNSHIP")
        session.add(unit)
        await session.flush()
        post = m.Post(
            year=YEAR, unit_id=unit.id, county_code=COUNTY, title="支教", category="RURAL_EDUCATION", headcount=1
        )
        post.status = "APPROVED"
        session.add(post)
        await session.flush()
        app = (await session.execute(m.Application.__table__.select())).one()
        await session.execute(m.Application.__table__.update().values(status="IN_SERVICE"))
        session.add(  # in post from January 2027: December's report is owed by nobody
            m.ServiceAgreement(
                application_id=app.id,
                volunteer_id=ids[0],
                post_id=post.id,
                county_code=COUNTY,
                unit_id=unit.id,
                term_year=1,
                starts_on=date(2027, 1, 20),
                ends_on=date(2028, 1, 19),
                signed_at=datetime(2027, 1, 20, tzinfo=UTC),
            )
        )
    clock = client.hub.clock

    clock.fixed_today = date(2027, 2, 5)  # January's report is due today (the 5th of the next month)
    assert await reports_due(client, **COUNTY_OFFICE) == []

    clock.fixed_today = date(2027, 2, 6)
    [due] = await reports_due(client, **COUNTY_OFFICE)
    assert due == {
        "__typename": "InboxItem",
        "action": "fileMonthlyReport",
        "subjectId": to_global_id("County", COUNTY),
        "subjectType": "County",
        "year": "2026-2027",
        "deadline": "2027-02-05",
        "overdue": True,
        "month": "2027-01",
    }
    assert await reports_due(client, level="county", code="530629") == []  # only the county that owes it
    assert await reports_due(client, level="provincial", code="62") == []  # the county files, not the province

    filed = await client.ok(
        FILE_REPORT, {"input": {"countyCode": COUNTY, "month": "2027-01", "inPost": 1, "absent": 0}}, **COUNTY_OFFICE
    )
    assert filed["fileMonthlyReport"]["userErrors"] == []
    assert await reports_due(client, **COUNTY_OFFICE) == []

    clock.fixed_today = date(2027, 3, 6)  # February's is overdue now, January's stays filed
    assert [d["month"] for d in await reports_due(client, **COUNTY_OFFICE)] == ["2027-02"]


def test_a_report_falls_due_on_the_configured_day_of_the_next_month() -> None:
    assert overdue_months(date(2027, 9, 5))[-1].month == "2027-07"  # August's is due today
    assert overdue_months(date(2027, 9, 6))[-1].month == "2027-08"
    assert overdue_months(date(2027, 9, 6), due_day=10)[-1].month == "2027-07"
    assert overdue_months(date(2027, 9, 11), due_day=10)[-1].due == date(2027, 9, 10)
    assert overdue_months(date(2027, 9, 6))[0].month == "2026-08"  # back to August of the previous year
    with pytest.raises(ValueError):
        overdue_months(date(2027, 9, 6), due_day=31)
