"""R10, R11, R29: a county stops taking new volunteers only from the next program year on.

A MAJOR safety incident occurring in program year Y (August to July) bans the county for Y+1 — and for no
other year; a MINOR one bans nothing. A failed evaluation for Y disqualifies the county from Y+1 on, until it
is rectified and re-applies (R9); Y itself is untouched. Both are read on the county (bannedYears,
acceptsVolunteers) and enforced by assignCounty."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hub.ids import to_global_id
from tests.conftest import Client
from tests.permission_tables import PLACEMENT_TABLES, snapshot
from tests.placement import (
    APPLY_COUNTY,
    ASSIGN,
    DECIDE_COUNTY,
    EVALUATE,
    FILE_COUNTY,
    GANSU,
    NATIONAL,
    YEAR,
    county_actor,
    trained_volunteers,
)
from tests.season import client_at, must, payload
from tests.seed import seed_reference

NEXT = "2028-2029"
AFTER = "2029-2030"
COUNTY = """query($code: String!) { county(code: $code) { status bannedYears
  y2627: acceptsVolunteers(year: "2026-2027") y2728: acceptsVolunteers(year: "2027-2028")
  y2829: acceptsVolunteers(year: "2028-2029") y2930: acceptsVolunteers(year: "2029-2030") } }"""
FILE_REPORT = """mutation($input: FileMonthlyReportInput!) { fileMonthlyReport(input: $input) {
  report { id incidents { severity occurredOn } } userErrors { code message field } } }"""


async def incident(client: Client, county: str, day: date, severity: str) -> None:
    await client.sql(
        "INSERT INTO safety_incidents (county_code, occurred_on, severity, description) "
        "VALUES (:county, :day, :severity, '志愿者下乡途中受伤')",
        county=county,
        day=day,
        severity=severity,
    )


async def read(client: Client, code: str = "620321") -> dict[str, Any]:
    return (await client.ok(COUNTY, {"code": code}, **NATIONAL))["county"]


def accepts(county: dict[str, Any]) -> dict[str, bool]:
    return {
        "2026-2027": county["y2627"],
        "2027-2028": county["y2728"],
        "2028-2029": county["y2829"],
        "2029-2030": county["y2930"],
    }


async def add_year(client: Client, year: str, scale: int = 10) -> None:
    """Another program year, with a scale for Gansu (62)."""
    await client.sql("INSERT INTO program_years (code) VALUES (:year)", year=year)
    await client.sql(
        "INSERT INTO province_scales (year, province_code, scale) VALUES (:year, '62', :scale)", year=year, scale=scale
    )


async def trained_for(client: Client, year: str, start: int) -> str:
    """A trained, not yet assigned application of `year` serving Gansu (62); its global id."""
    [application] = await trained_volunteers(client.hub, 1, start=start)
    await client.sql("UPDATE applications SET year = :year WHERE id = :id", year=year, id=application)
    return to_global_id("Application", application)


async def refused_assignment(client: Client, application: str, county: str) -> dict[str, Any]:
    """assignCounty must be refused with one userError at input.countyCode, writing nothing."""
    before = await snapshot(client, PLACEMENT_TABLES)
    result = payload(await client.ok(ASSIGN, {"input": {"applicationId": application, "countyCode": county}}, **GANSU))
    [error] = result["userErrors"]
    assert error["field"] == ["input", "countyCode"] and result["application"] is None, result
    assert await snapshot(client, PLACEMENT_TABLES) == before, "a refused assignment wrote something"
    return error


# ---------- R10, R29: bans ----------


async def test_a_major_incident_bans_the_next_year_only(client: Client) -> None:
    await seed_reference(client.hub)
    await incident(client, "620321", date(2027, 10, 3), "MAJOR")  # in program year 2027-2028
    county = await read(client)
    assert county["bannedYears"] == [NEXT] and county["status"] == "ACTIVE"
    assert accepts(county) == {"2026-2027": True, "2027-2028": True, "2028-2029": False, "2029-2030": True}
    # another county of the province is not touched
    other = await read(client, "621121")
    assert other["bannedYears"] == [] and all(accepts(other).values())


async def test_a_minor_incident_bans_nothing(client: Client) -> None:
    await seed_reference(client.hub)
    await incident(client, "620321", date(2027, 10, 3), "MINOR")
    await incident(client, "620321", date(2028, 2, 14), "MINOR")
    county = await read(client)
    assert county["bannedYears"] == [] and all(accepts(county).values()), county


@pytest.mark.parametrize(
    "days, banned",
    [
        ([date(2027, 7, 31)], ["2027-2028"]),  # the last day of program year 2026-2027
        ([date(2027, 8, 1)], [NEXT]),  # the first day of 2027-2028
        ([date(2028, 7, 31)], [NEXT]),  # the last day of 2027-2028
        ([date(2028, 8, 1)], [AFTER]),
        ([date(2027, 9, 1), date(2028, 3, 1)], [NEXT]),  # two in one year: one banned year
        ([date(2027, 9, 1), date(2028, 9, 1)], [NEXT, AFTER]),
    ],
    ids=["2027-07-31", "2027-08-01", "2028-07-31", "2028-08-01", "two-in-one-year", "two-years"],
)
async def test_the_banned_year_follows_the_program_year_of_the_incident(
    client: Client, days: list[date], banned: list[str]
) -> None:
    await seed_reference(client.hub)
    for day in days:
        await incident(client, "620321", day, "MAJOR")
    county = await read(client)
    assert county["bannedYears"] == banned
    assert [year for year, ok in accepts(county).items() if not ok] == banned


async def test_a_major_incident_filed_in_a_monthly_report_bans_the_next_year(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, date(2027, 11, 2)) as front:
        await seed_reference(front.hub)
        report = {"countyCode": "620321", "inPost": 0, "absent": 0}
        minor = {"occurredOn": "2027-09-20", "severity": "MINOR", "description": "轻微擦伤"}
        await must(front, FILE_REPORT, {**report, "month": "2027-09", "incidents": [minor]}, county_actor("620321"))
        assert (await read(front))["bannedYears"] == []
        major = {"occurredOn": "2027-10-03", "severity": "MAJOR", "description": "山体滑坡致重伤"}
        await must(front, FILE_REPORT, {**report, "month": "2027-10", "incidents": [major]}, county_actor("620321"))
        county = await read(front)
        assert county["bannedYears"] == [NEXT] and accepts(county)["2027-2028"] is True


async def test_no_new_volunteer_is_assigned_to_a_banned_county(client: Client) -> None:
    await seed_reference(client.hub)
    await add_year(client, NEXT)
    await incident(client, "620321", date(2027, 10, 3), "MAJOR")
    next_year = await trained_for(client, NEXT, start=1)
    this_year = await trained_for(client, YEAR, start=2)

    error = await refused_assignment(client, next_year, "620321")
    assert error["code"] == "BANNED" and NEXT in error["message"], error
    # the same volunteer goes to a county that is not banned; the year of the incident is not touched
    placed = await must(client, ASSIGN, {"applicationId": next_year, "countyCode": "621121"}, GANSU)
    assert placed["application"]["county"] == {"code": "621121"}
    placed = await must(client, ASSIGN, {"applicationId": this_year, "countyCode": "620321"}, GANSU)
    assert placed["application"]["county"] == {"code": "620321"}


async def test_a_minor_incident_does_not_stop_assignment(client: Client) -> None:
    await seed_reference(client.hub)
    await add_year(client, NEXT)
    await incident(client, "620321", date(2027, 10, 3), "MINOR")
    next_year = await trained_for(client, NEXT, start=1)
    placed = await must(client, ASSIGN, {"applicationId": next_year, "countyCode": "620321"}, GANSU)
    assert placed["application"]["county"] == {"code": "620321"}


# ---------- R11: disqualification ----------


async def test_a_failed_evaluation_disqualifies_from_the_next_year_on(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, date(2028, 7, 1)) as front:
        await seed_reference(front.hub)
        await add_year(front, NEXT)
        next_year = await trained_for(front, NEXT, start=1)
        this_year = await trained_for(front, YEAR, start=2)

        failed = await must(front, EVALUATE, {"countyCode": "620321", "year": YEAR, "passed": False}, GANSU)
        assert failed["county"] == {"code": "620321", "status": "DISQUALIFIED"}
        passed = await must(front, EVALUATE, {"countyCode": "621121", "year": YEAR, "passed": True}, GANSU)
        assert passed["county"] == {"code": "621121", "status": "ACTIVE"}

        county = await read(front)
        assert county["status"] == "DISQUALIFIED" and county["bannedYears"] == []  # not a ban
        assert accepts(county) == {"2026-2027": True, "2027-2028": True, "2028-2029": False, "2029-2030": False}
        assert all(accepts(await read(front, "621121")).values())

        error = await refused_assignment(front, next_year, "620321")
        assert error["code"] == "INELIGIBLE", error
        # the year it was evaluated for still takes volunteers; the next year goes elsewhere
        placed = await must(front, ASSIGN, {"applicationId": this_year, "countyCode": "620321"}, GANSU)
        assert placed["application"]["county"] == {"code": "620321"}
        placed = await must(front, ASSIGN, {"applicationId": next_year, "countyCode": "621121"}, GANSU)
        assert placed["application"]["county"] == {"code": "621121"}


async def test_a_rectified_county_that_re_applies_takes_volunteers_again(settings) -> None:  # type: ignore[no-untyped-def]
    """R11: disqualified "until it is rectified and re-applies (R9)": filed again, it takes volunteers."""
    async with client_at(settings, date(2028, 7, 1)) as front:
        await seed_reference(front.hub)
        await must(front, EVALUATE, {"countyCode": "620321", "year": YEAR, "passed": False}, GANSU)
    async with client_at(settings, date(2028, 9, 1)) as front:
        application = {
            "countyCode": "620321",
            "hasLeadingGroup": True,
            "hasProjectOffice": True,
            "contactPerson": "整改后的联系人",
            "intakeCapacity": 20,
            "governmentApprovalRef": "永政发〔2028〕12号",
        }
        applied = await must(front, APPLY_COUNTY, application, county_actor("620321"))
        assert applied["county"]["status"] == "APPLIED"
        await must(front, DECIDE_COUNTY, {"countyCode": "620321", "decision": "APPROVE"}, GANSU)
        filed = await must(front, FILE_COUNTY, {"countyCode": "620321"}, NATIONAL)
        assert filed["county"]["status"] == "ACTIVE"
        await add_year(front, AFTER)
        later = await trained_for(front, AFTER, start=1)

        county = await read(front)
        assert county["status"] == "ACTIVE" and accepts(county)["2029-2030"] is True, county
        placed = await must(front, ASSIGN, {"applicationId": later, "countyCode": "620321"}, GANSU)
        assert placed["application"]["county"] == {"code": "620321"}
