"""In service to completion end to end through /graphql (R28–R41): monthly reports and incidents,
insurance, assessments within the 20% cap, allowance standards and the funding report, completion with a
certificate anyone can verify, benefits computed from the record, and a local project."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hub.ids import to_global_id
from tests.in_service import (
    APPROVE_ASSESSMENTS,
    COMPLETE,
    DECIDE_PROJECT,
    FILE_REPORT,
    FUNDING,
    INSURE,
    PROPOSE,
    SET_ALLOWANCE,
    SUBMIT_PROJECT,
)
from tests.placement import ASSIGN, GANSU, NATIONAL, RECEIVE, SIGN, YEAR, approved_posts, county_actor
from tests.season import UPSERT_COUNTIES, client_at, must
from tests.seed import seed_reference

COUNTY = "621121"
VOLUNTEER = """query($id: ID!) { node(id: $id) { ... on Volunteer { name certificateNumber
  assessments { year grade status } insurance { kind } agreements { termYear }
  benefits { kind eligible validFrom validUntil reason } applications { status } } } }"""


async def _five_in_service(settings, hub) -> list[str]:  # type: ignore[no-untyped-def]
    """Five volunteers in service in 通渭县 (621121) from 2027-08-01; their Volunteer global ids."""
    from tests.placement import trained_volunteers

    await seed_reference(hub)
    [post] = await approved_posts(hub, COUNTY, [("TOWNSHIP", "RURAL_EDUCATION", 5)])
    apps = [to_global_id("Application", a) for a in await trained_volunteers(hub, 5)]
    async with client_at(settings, date(2027, 7, 28)) as front:
        await must(
            front,
            UPSERT_COUNTIES,
            {"counties": [{"code": COUNTY, "name": "通渭县", "keyAssistance": "NATIONAL_KEY", "remote": True}]},
            NATIONAL,
        )
        for app in apps:
            await must(front, ASSIGN, {"applicationId": app, "countyCode": COUNTY}, GANSU)
        await must(front, RECEIVE, {"applicationIds": apps}, county_actor(COUNTY))
        volunteers = []
        for app in apps:
            await must(
                front,
                SIGN,
                {
                    "applicationId": app,
                    "postId": to_global_id("Post", post),
                    "startsOn": "2027-08-01",
                    "endsOn": "2028-07-31",
                },
                county_actor(COUNTY),
            )
            data = await front.ok(
                "query($id: ID!) { node(id: $id) { ... on Application { volunteer { id } } } }", {"id": app}, **GANSU
            )
            volunteers.append(data["node"]["volunteer"]["id"])
    return volunteers


async def test_from_service_to_completion(settings, hub) -> None:  # type: ignore[no-untyped-def]
    volunteers = await _five_in_service(settings, hub)
    county = county_actor(COUNTY)
    first = volunteers[0]
    async with client_at(settings, date(2027, 10, 5)) as front:
        september = await must(
            front, FILE_REPORT, {"countyCode": COUNTY, "month": "2027-09", "inPost": 5, "absent": 0}, county
        )
        corrected = await must(
            front,
            FILE_REPORT,
            {
                "countyCode": COUNTY,
                "month": "2027-09",
                "inPost": 5,
                "absent": 1,
                "incidents": [
                    {"occurredOn": "2027-09-12", "severity": "MINOR", "description": "扭伤脚踝", "volunteerId": first}
                ],
            },
            county,
        )
        assert corrected["report"]["id"] == september["report"]["id"]  # one report per county per month
        assert corrected["report"]["incidents"][0]["volunteer"]["name"] == "培训1"
        await must(front, FILE_REPORT, {"countyCode": COUNTY, "month": "2027-10", "inPost": 5, "absent": 0}, county)
        late = await front.ok(
            FILE_REPORT, {"input": {"countyCode": COUNTY, "month": "2027-09", "inPost": 4, "absent": 0}}, **county
        )
        assert late["fileMonthlyReport"]["userErrors"][0]["code"] == "INVALID_STATE"
        for kind, number in (("MAJOR_ILLNESS", "ZB-1"), ("ACCIDENT", "YW-1")):
            await must(
                front,
                INSURE,
                {
                    "volunteerId": first,
                    "kind": kind,
                    "policyNumber": number,
                    "validFrom": "2027-08-01",
                    "validUntil": "2028-07-31",
                },
                county,
            )
        await must(
            front,
            SET_ALLOWANCE,
            {"year": YEAR, "provinceCode": "62", "monthlyAllowance": "2500.00", "hardshipAllowance": "300.00"},
            GANSU,
        )

        # R38–R40 on 2027-10-05: three months (Aug, Sep, Oct) for each of five volunteers in a WEST county
        report = (await front.ok(FUNDING, {"year": YEAR, "province": "62"}, **GANSU))["fundingReport"]
        assert report == [
            {
                "year": YEAR,
                "province": {"code": "62"},
                "inPost": 5,
                "byZone": [{"zone": "WEST", "volunteerMonths": 15, "centralSubsidy": "37500.00"}],
                "centralSubsidy": "37500.00",
                "localAllowance": "42000.00",
                "uninsured": 4,
            }
        ]
        assert Decimal(report[0]["localAllowance"]) == 15 * (Decimal("2500") + Decimal("300"))

    async with client_at(settings, date(2028, 6, 30)) as front:
        ids = []
        for volunteer, grade in zip(
            volunteers, ["EXCELLENT", "EXCELLENT", "COMPETENT", "COMPETENT", "BASIC"], strict=True
        ):
            ids.append(
                (await must(front, PROPOSE, {"volunteerId": volunteer, "year": YEAR, "grade": grade}, county))[
                    "assessment"
                ]["id"]
            )
        capped = await front.ok(APPROVE_ASSESSMENTS, {"input": {"assessmentIds": ids}}, **GANSU)
        assert capped["approveAssessments"]["userErrors"][0]["code"] == "EXCELLENT_CAP"  # 2 of 5 > 20%
        await must(front, PROPOSE, {"volunteerId": volunteers[1], "year": YEAR, "grade": "COMPETENT"}, county)
        approved = await must(front, APPROVE_ASSESSMENTS, {"assessmentIds": ids}, GANSU)
        assert sorted(a["grade"] for a in approved["assessments"]) == [
            "BASIC",
            "COMPETENT",
            "COMPETENT",
            "COMPETENT",
            "EXCELLENT",
        ]
        commended = await front.ok(f'{{ commendations(year: "{YEAR}") {{ volunteer {{ id }} grade }} }}', **NATIONAL)
        assert commended["commendations"] == [{"volunteer": {"id": first}, "grade": "EXCELLENT"}]

    async with client_at(settings, date(2028, 7, 31)) as front:  # the term's last day
        done = await must(front, COMPLETE, {"volunteerId": first, "appraisal": "服务期满，考核优秀"}, county)
        number = done["volunteer"]["certificateNumber"]
        assert number and number.startswith("XBZ2028-")
        check = await front.ok(
            "query($n: String!) { verifyCertificate(number: $n) { number name province { code }"
            " yearsServed completedOn } }",
            {"n": number},
        )  # anonymous
        assert check["verifyCertificate"] == {
            "number": number,
            "name": "培训1",
            "province": {"code": "62"},
            "yearsServed": 1,
            "completedOn": "2028-07-31",
        }
        record = (await front.ok(VOLUNTEER, {"id": first}, level="volunteer", sub="trained-1"))["node"]
        assert record["applications"] == [{"status": "COMPLETED"}]
        benefits = {b["kind"]: b for b in record["benefits"]}
        assert benefits["TITLE_EVALUATION"]["eligible"] is True  # R36: one year served and passed
        assert benefits["POSTGRAD_EXAM_BONUS"]["eligible"] is False  # R32: needs two years
        assert benefits["FRESH_GRADUATE_STATUS"]["eligible"] is True  # R33: no work experience, completed
        assert benefits["FRESH_GRADUATE_STATUS"]["validUntil"] == "2030-07-30"
        assert benefits["WORK_SENIORITY"]["validFrom"] == "2027-08-01"  # R35: from reporting at the county

        project = await must(
            front,
            SUBMIT_PROJECT,
            {"year": YEAR, "provinceCode": "62", "name": "甘肃乡村医生计划", "scale": 50, "budget": "1200000.00"},
            GANSU,
        )
        decided = await must(
            front, DECIDE_PROJECT, {"localProjectId": project["localProject"]["id"], "decision": "APPROVE"}, NATIONAL
        )
        assert decided["localProject"]["status"] == "APPROVED"
        listed = await front.ok(
            f'{{ localProjects(year: "{YEAR}", provinceCode: "62") {{ name budget status }} }}', **NATIONAL
        )
        assert listed["localProjects"] == [{"name": "甘肃乡村医生计划", "budget": "1200000.00", "status": "APPROVED"}]
