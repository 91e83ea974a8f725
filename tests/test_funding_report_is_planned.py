"""R38–R40: the funding report is planned into the read planner's one statement (hub.funding.report_sql), and
the planner's answer is the executor's (hub.funding.report), byte for byte, on SQLite and
PostgreSQL: for every office level (those who may not read it are left to the executor and its error),
every province or one, before the year, during it and after it, the year before, with the cases of
tests/test_funding_report.py — partial months, the three zones, county and province standards, a renewal, a
term ended early, policies starting and ending around today — plus a draft allowance standard (issue 19:
counts for nothing), a draft scale, and a renewal signed in a county of another province.

The SQL spells again the zone (R4), the local allowance (R39), insurance (R39) and the months that overlap a
term (R38); the rules' own tests check the Python, this one holds the two spellings together."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import literal, select

from hub.auth import Actor
from hub.enums import FundingZone, OfficeLevel, Region
from hub.graphql.context import HubContext
from hub.graphql.loaders import Loaders
from hub.plugins import HubPlugins
from hub.rules.funding import SOUTH_XINJIANG_PREFECTURES, funding_zone, funding_zone_sql
from hub.runtime import Hub
from hub.settings import Settings
from tests.in_service import FUNDING
from tests.season import client_at
from tests.seed import YEAR
from tests.test_funding_report import AFTER_THE_YEAR, TODAY, prepare
from tests.test_sql_statements_do_not_grow_with_rows import counting

FULL = """query($year: String!, $province: String) { fundingReport(year: $year, provinceCode: $province) {
  __typename year province { code name region } inPost
  byZone { __typename zone volunteerMonths centralSubsidy } centralSubsidy localAllowance uninsured } }"""
ALIASED = """query { all: fundingReport(year: "2027-2028") { ...F } gansu: fundingReport(year: "2027-2028",
  provinceCode: "62") { m: centralSubsidy zones: byZone { z: zone } } }
fragment F on ProvinceFunding { uninsured province { code } byZone { volunteerMonths } localAllowance }"""
OFFICES = {
    "national": Actor(level=OfficeLevel.NATIONAL, code=None, subject="n"),
    "gansu": Actor(level=OfficeLevel.PROVINCIAL, code="62", subject="p"),
    "beijing": Actor(level=OfficeLevel.PROVINCIAL, code="11", subject="p2"),
    "county": Actor(level=OfficeLevel.COUNTY, code="621121", subject="c"),
    "school": Actor(level=OfficeLevel.SCHOOL, code="10730", subject="s"),
    "volunteer": Actor(level=OfficeLevel.VOLUNTEER, code=None, subject="placed-1"),
    "anonymous": None,
}
DAYS = (date(2027, 7, 20), TODAY, AFTER_THE_YEAR)  # before the year's first month, during it, after it


async def answer(hub: Hub, actor: Actor | None, query: str, variables: dict[str, Any]) -> tuple[str, bool]:
    """The response as the hub would send it (data and errors, as JSON text) and whether it was planned."""
    context = HubContext(hub=hub, actor=actor, auth_error=None, loaders=Loaders(hub.sessionmaker))
    result = await hub.schema.execute(query, variable_values=variables, context_value=context)
    errors = [(e.message, list(e.path or []), (e.extensions or {}).get("code")) for e in result.errors or []]
    return json.dumps({"data": result.data, "errors": errors}, ensure_ascii=False), context.planned


async def add_edge_cases(front: Any) -> None:
    """A draft standard that would override Gansu's (issue 19), a draft scale, a confirmed scale with nobody
    in post, and the renewed Gansu volunteer's second term signed in Kashgar (another province's county)."""
    await front.sql(
        "INSERT INTO allowance_standards (year, province_code, county_code, monthly_allowance, hardship_allowance,"
        " draft) VALUES (:y, '62', '621121', 9999.99, 999.99, :t), (:y, '62', NULL, 8888.88, 0, :t)",
        y=YEAR,
        t=True,
    )
    await front.sql(
        "INSERT INTO province_scales (year, province_code, scale, draft) VALUES (:y, '11', 5, :t)", y=YEAR, t=True
    )
    await front.sql(
        "INSERT INTO province_scales (year, province_code, scale, draft) VALUES (:y, '12', 5, :f)", y=YEAR, f=False
    )
    await front.sql(
        "UPDATE service_agreements SET county_code = '653121' WHERE term_year = 2 AND application_id IN "
        "(SELECT application_id FROM service_agreements WHERE county_code = '621121' AND term_year = 2)"
    )


async def test_the_planner_and_the_executor_give_the_same_funding_report(settings: Settings) -> None:
    async with client_at(settings, TODAY) as front:
        await prepare(front)
        await add_edge_cases(front)
    cases: list[tuple[str, dict[str, Any]]] = [
        (FULL, {"year": YEAR, "province": None}),
        (FULL, {"year": YEAR, "province": "62"}),
        (FULL, {"year": YEAR, "province": "65"}),
        (FULL, {"year": YEAR, "province": "11"}),
        (FULL, {"year": "2026-2027", "province": None}),
        (FULL, {"year": "2028-2029", "province": None}),
        (FULL, {"year": "2027", "province": None}),  # refused by the executor: not planned
        (ALIASED, {}),
    ]
    compared = planned_answers = 0
    for day in DAYS:
        planner = Hub(replace(settings, today=day), HubPlugins())
        executor = Hub(replace(settings, today=day, read_planner=False), HubPlugins())
        try:
            assert planner.read_planner
            for office, actor in OFFICES.items():
                for query, variables in cases:
                    planned, was_planned = await answer(planner, actor, query, variables)
                    executed, _ = await answer(executor, actor, query, variables)
                    assert planned == executed, (day, office, variables)
                    may_read = office in ("national", "gansu", "beijing")
                    assert was_planned == (may_read and variables.get("year") != "2027"), (day, office, variables)
                    compared += 1
                    planned_answers += was_planned and '"inPost": ' in planned and '"localAllowance": "' in planned
        finally:
            await planner.dispose()
            await executor.dispose()
    assert compared == len(DAYS) * len(OFFICES) * len(cases)
    assert planned_answers > 0, "no planned answer had a province in it: the comparison compared nothing"


async def test_the_report_is_one_statement_with_money_in_it(settings: Settings) -> None:
    async with client_at(settings, TODAY) as front:
        await prepare(front)
        national = {"level": "national", "sub": "ops-national"}
        await front.ok(FUNDING, {"year": YEAR, "province": None}, **national)  # warm up: plan and compile
        with counting(front) as statements:
            data = await front.ok(FUNDING, {"year": YEAR, "province": None}, **national)
        assert len(statements) == 1
        gansu = next(e for e in data["fundingReport"] if e["province"]["code"] == "62")
        assert gansu["byZone"] == [{"zone": "WEST", "volunteerMonths": 23, "centralSubsidy": "57500.00"}]
        assert gansu["localAllowance"] == "52550.00"  # the draft standards counted for nothing


@pytest.mark.parametrize("region", list(Region))
async def test_the_zone_in_sql_is_the_zone_in_python(settings: Settings, region: Region) -> None:
    """R4 for every province prefix, the Tibet and southern Xinjiang codes and their neighbours."""
    codes = [f"{p:02d}0102" for p in range(11, 83)]
    codes += [f"{prefecture}21" for prefecture in sorted(SOUTH_XINJIANG_PREFECTURES)] + ["652801", "653301", "540000"]
    hub = Hub(settings, HubPlugins())
    try:
        async with hub.engine.connect() as connection:
            for code in codes:
                zone = funding_zone_sql(literal(code), literal(region.value))
                found = (await connection.execute(select(zone))).scalar_one()
                assert FundingZone(found) is funding_zone(code, region), (code, region)
    finally:
        await hub.dispose()
