"""Placement end to end through /graphql (R8–R14, R26–R27): a county applies, the province approves, the
national office files; posts are declared, confirmed and approved; a trained volunteer is assigned,
received, signs and renews; all read back through the contract's queries."""

from __future__ import annotations

from datetime import date

from hub.ids import to_global_id
from tests.placement import (
    APPLY_COUNTY,
    APPROVE_POSTS,
    ASSIGN,
    CONFIRM_POSTS,
    CREATE_UNIT,
    DECIDE_COUNTY,
    DECLARE_POST,
    FILE_COUNTY,
    GANSU,
    NATIONAL,
    RECEIVE,
    RENEW,
    SIGN,
    YEAR,
    county_actor,
    trained_volunteers,
)
from tests.season import UPSERT_COUNTIES, client_at, must
from tests.seed import seed_reference

NEW = "621122"
READ = """query($year: String!) { county(code: "621122") { status acceptsVolunteers(year: $year) bannedYears
  fundingZone serviceUnits { name level }
  posts(year: $year) { totalCount edges { node { title status filled headcount specialProject } } }
  volunteers(year: $year) { totalCount edges { node { name currentAgreement { termYear post { title } } } } } }
  postStructure(year: $year, provinceCode: "62") { totalHeadcount townshipShare educationShare youthWorkShare
  compliant violations } }"""


async def test_a_new_county_takes_its_first_volunteer(settings, hub) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    county = county_actor(NEW)
    async with client_at(settings, date(2027, 3, 1)) as front:
        await must(
            front,
            UPSERT_COUNTIES,
            {"counties": [{"code": NEW, "name": "陇西县", "keyAssistance": "NATIONAL_KEY"}]},
            NATIONAL,
        )
        applied = await must(
            front,
            APPLY_COUNTY,
            {
                "countyCode": NEW,
                "hasLeadingGroup": True,
                "hasProjectOffice": True,
                "contactPerson": "王主任",
                "intakeCapacity": 25,
                "governmentApprovalRef": "陇政发〔2027〕3号",
            },
            county,
        )
        assert applied["county"]["status"] == "APPLIED"
        assert (await must(front, DECIDE_COUNTY, {"countyCode": NEW, "decision": "APPROVE"}, GANSU))["county"][
            "status"
        ] == "PROVINCE_APPROVED"
        assert (await must(front, FILE_COUNTY, {"countyCode": NEW}, NATIONAL))["county"]["status"] == "ACTIVE"

        town = (await must(front, CREATE_UNIT, {"countyCode": NEW, "name": "文峰镇", "level": "TOWNSHIP"}, county))[
            "serviceUnit"
        ]
        village = (await must(front, CREATE_UNIT, {"countyCode": NEW, "name": "首阳村", "level": "VILLAGE"}, county))[
            "serviceUnit"
        ]
        posts = []
        for unit, title, category, headcount in (
            (town, "乡镇中学支教", "RURAL_EDUCATION", 3),
            (village, "村级治理", "RURAL_GOVERNANCE", 4),
            (town, "卫生院", "RURAL_HEALTH", 3),
        ):
            declared = await must(
                front,
                DECLARE_POST,
                {"year": YEAR, "unitId": unit["id"], "title": title, "category": category, "headcount": headcount},
                county,
            )
            assert declared["post"]["status"] == "DECLARED" and declared["post"]["townshipOrBelow"] is True
            posts.append(declared["post"]["id"])
        confirmed = await must(front, CONFIRM_POSTS, {"postIds": posts, "decision": "APPROVE"}, GANSU)
        assert {p["status"] for p in confirmed["posts"]} == {"PROVINCE_CONFIRMED"}
        approved = await must(front, APPROVE_POSTS, {"postIds": posts, "decision": "APPROVE"}, NATIONAL)
        assert {p["status"] for p in approved["posts"]} == {"APPROVED"}

    [application] = await trained_volunteers(hub, 1)
    app_id = to_global_id("Application", application)
    async with client_at(settings, date(2027, 7, 28)) as front:
        assigned = await must(front, ASSIGN, {"applicationId": app_id, "countyCode": NEW}, GANSU)
        assert assigned["application"]["county"] == {"code": NEW}
        received = await must(front, RECEIVE, {"applicationIds": [app_id]}, county)
        assert received["applications"][0]["status"] == "DISPATCHED"
    async with client_at(settings, date(2027, 8, 15)) as front:  # the milestone's last day
        signed = await must(
            front,
            SIGN,
            {"applicationId": app_id, "postId": posts[0], "startsOn": "2027-08-01", "endsOn": "2028-07-31"},
            county,
        )
        agreement = signed["agreement"]
        assert agreement["termYear"] == 1 and agreement["post"]["filled"] == 1
        assert agreement["county"] == {"code": NEW} and agreement["unit"]["name"] == "文峰镇"
    async with client_at(settings, date(2028, 6, 1)) as front:
        renewed = await must(front, RENEW, {"agreementId": agreement["id"]}, county)
        assert renewed["agreement"] == {
            "id": renewed["agreement"]["id"],
            "termYear": 2,
            "startsOn": "2028-08-01",
            "endsOn": "2029-07-31",
        }
        data = await front.ok(READ, {"year": YEAR}, **county)
        read = data["county"]
        assert read["status"] == "ACTIVE" and read["acceptsVolunteers"] is True and read["bannedYears"] == []
        assert read["fundingZone"] == "WEST"
        assert [u["name"] for u in read["serviceUnits"]] == ["文峰镇", "首阳村"]
        assert read["posts"]["totalCount"] == 3
        assert read["posts"]["edges"][0]["node"]["filled"] == 1
        # on 2028-06-01 the first term is in force; the renewal starts on 2028-08-01
        assert read["volunteers"]["edges"][0]["node"]["currentAgreement"] == {
            "termYear": 1,
            "post": {"title": "乡镇中学支教"},
        }
        structure = data["postStructure"]
        assert structure["totalHeadcount"] == 10 and structure["compliant"] is True
        assert structure["townshipShare"] == 1.0 and structure["educationShare"] == 0.3
