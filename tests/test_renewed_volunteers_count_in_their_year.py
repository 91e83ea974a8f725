"""One definition of who counts for a program year (hub.counting): volunteers whose agreement is renewed
into year Y (R27) count for Y in every rule that counts people — the scale (R8: assignCounty,
setProvinceScale), post headcount (R26), post structure (R14), the excellent cap (R30), the funding report's
heads and months (R38–R40), Province.inPost and County.volunteers — while a recruitment quota (R18) counts
only the year's recruitment agreements, which renewals never sign.

The set-up: four volunteers of 2026-2027 in post in Tongwei (Gansu) on a county-level youth-work post of
that year; three renew into 2027-2028 through `renewServiceAgreement`, one does not."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import update

from hub import models as m
from hub.ids import to_global_id
from tests.in_service import APPROVE_ASSESSMENTS, FUNDING, PROPOSE
from tests.placement import ASSIGN, GANSU, NATIONAL, RENEW, YEAR, approved_posts, county_actor, trained_volunteers
from tests.season import SET_SCALE, client_at, must, payload
from tests.seed import id_number, seed_reference

PREVIOUS = "2026-2027"
TONGWEI = "621121"
RENEWING_DAY = date(2027, 7, 1)  # before the first terms end (July 31, 2027)
ASSIGNING_DAY = date(2027, 7, 28)
VOLUNTEERS_OF = """query($year: String!) { county(code: "621121") {
  volunteers(year: $year, first: 50) { edges { node { name } } } } }"""
PROVINCE_OF = """query($year: String!) { province(code: "62") { scale(year: $year) inPost(year: $year) } }"""
QUOTAS = """query($year: String!) { quotas(year: $year, recruitingProvinceCode: "62", servingProvinceCode: "62") {
  quota used } }"""
STRUCTURE = """query($year: String!) { postStructure(year: $year, provinceCode: "62") {
  totalHeadcount townshipShare educationShare youthWorkShare } }"""
POST_OF = """query($id: ID!) { node(id: $id) { ... on Post { headcount filled } } }"""


async def _previous_year_in_post(hub: Any) -> tuple[int, list[int]]:
    """Four 2026-2027 volunteers in post in Tongwei (first terms August 2026 – July 2027) on one county-level
    YOUTH_WORK post of 2026-2027 with headcount 4; the quota cells of both years; Gansu's 2027 scale is 5."""
    now = datetime.now(UTC)
    async with hub.write_sessionmaker() as session, session.begin():
        session.add(m.ProgramYear(code=PREVIOUS))
        await session.flush()
        unit = m.ServiceUnit(county_code=TONGWEI, name="通渭县团委", level="COUNTY")
        session.add(unit)
        await session.flush()
        post = m.Post(
            year=PREVIOUS,
            unit_id=unit.id,
            county_code=TONGWEI,
            title="青年工作",
            category="YOUTH_WORK",
            headcount=4,
            status="APPROVED",
        )
        session.add(post)
        session.add(m.Quota(year=PREVIOUS, recruiting_province_code="62", serving_province_code="62", quota=4))
        session.add(m.Quota(year=YEAR, recruiting_province_code="62", serving_province_code="62", quota=10))
        await session.execute(
            update(m.ProvinceScale)
            .where(m.ProvinceScale.year == YEAR, m.ProvinceScale.province_code == "62")
            .values(scale=5)
        )
        await session.flush()
        agreements = []
        for n in range(1, 5):
            volunteer = m.Volunteer(
                subject=f"renewing-{n}",
                name=f"续签{n}",
                id_number=id_number(500 + n),
                phone=f"136{n:08d}",
                gender="FEMALE",
                birth_date=date(2004, 5, 6),
                school_code="10730",
                degree="BACHELOR",
                registered_at=now,
            )
            session.add(volunteer)
            await session.flush()
            app = m.Application(
                year=PREVIOUS,
                volunteer_id=volunteer.id,
                active_volunteer_id=volunteer.id,
                school_code="10730",
                recruiting_province_code="62",
                preference_1="62",
                preference_2="53",
                preference_3="65",
                status="IN_SERVICE",
                submitted_at=now,
                recruited_at=now,
                serving_province_code="62",
                quota_recruiting_code="62",
                confirmation_number=f"R-{n}",
                county_code=TONGWEI,
            )
            session.add(app)
            await session.flush()
            agreement = m.ServiceAgreement(
                application_id=app.id,
                volunteer_id=volunteer.id,
                post_id=post.id,
                county_code=TONGWEI,
                unit_id=unit.id,
                term_year=1,
                starts_on=date(2026, 8, 1),
                ends_on=date(2027, 7, 31),
                signed_at=now,
                reported_on=date(2026, 8, 1),
            )
            session.add(agreement)
            await session.flush()
            agreements.append(agreement.id)
    return post.id, agreements


@pytest.fixture
async def renewed(settings, hub) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The set-up above, with three of the four first terms renewed through the API."""
    await seed_reference(hub)
    post, agreements = await _previous_year_in_post(hub)
    async with client_at(settings, RENEWING_DAY) as front:
        for key in agreements[:3]:
            result = await must(
                front, RENEW, {"agreementId": to_global_id("ServiceAgreement", key)}, county_actor(TONGWEI)
            )
            assert result["agreement"]["termYear"] == 2
    return {"post": post}


async def test_renewed_volunteers_fill_the_scale_of_their_new_year(settings, hub, renewed) -> None:  # type: ignore[no-untyped-def]
    """R8: scale 5 with three renewed into 2027-2028: two of four new volunteers are assigned, then
    SCALE_EXCEEDED; the scale cannot go below the five counted. The volunteer who did not renew counts
    for 2026-2027 only."""
    waiting = [to_global_id("Application", k) for k in await trained_volunteers(hub, 4, start=1)]
    async with client_at(settings, ASSIGNING_DAY) as front:
        results = [
            payload(await front.ok(ASSIGN, {"input": {"applicationId": gid, "countyCode": TONGWEI}}, **GANSU))
            for gid in waiting
        ]
        assert [r["application"] is not None for r in results] == [True, True, False, False]
        assert [e["code"] for r in results[2:] for e in r["userErrors"]] == ["SCALE_EXCEEDED"] * 2
        assert "（5/5）" in results[2]["userErrors"][0]["message"]

        lowered = payload(
            await front.ok(SET_SCALE, {"input": {"year": YEAR, "provinceCode": "62", "scale": 4}}, **NATIONAL)
        )
        assert [(e["code"], e["field"]) for e in lowered["userErrors"]] == [("INVALID_INPUT", ["input", "scale"])]
        await must(front, SET_SCALE, {"year": YEAR, "provinceCode": "62", "scale": 5}, NATIONAL)

        assert (await front.ok(PROVINCE_OF, {"year": YEAR}, **NATIONAL))["province"] == {"scale": 5, "inPost": 3}
        assert (await front.ok(PROVINCE_OF, {"year": PREVIOUS}, **NATIONAL))["province"] == {
            "scale": None,
            "inPost": 4,
        }


async def test_renewals_use_no_recruitment_quota(settings, hub, renewed) -> None:  # type: ignore[no-untyped-def]
    """R18: a renewal signs no recruitment agreement: the 2027-2028 cell counts only that year's agreements,
    and the 2026-2027 cell keeps its four."""
    await trained_volunteers(hub, 2, start=1)  # two 2027-2028 recruitment agreements 62→62
    async with client_at(settings, ASSIGNING_DAY) as front:
        assert (await front.ok(QUOTAS, {"year": YEAR}, **GANSU))["quotas"] == [{"quota": 10, "used": 2}]
        assert (await front.ok(QUOTAS, {"year": PREVIOUS}, **GANSU))["quotas"] == [{"quota": 4, "used": 4}]


async def test_renewed_volunteers_keep_their_post_places(settings, hub, renewed) -> None:  # type: ignore[no-untyped-def]
    """R26: a renewed volunteer keeps holding the place of their post; the one who completes frees theirs."""
    post = to_global_id("Post", renewed["post"])
    async with client_at(settings, date(2027, 8, 10)) as front:
        assert (await front.ok(POST_OF, {"id": post}, **NATIONAL))["node"] == {"headcount": 4, "filled": 4}
        await front.sql("UPDATE applications SET status = 'COMPLETED' WHERE confirmation_number = 'R-4'")
        assert (await front.ok(POST_OF, {"id": post}, **NATIONAL))["node"] == {"headcount": 4, "filled": 3}


async def test_renewed_volunteers_are_in_the_post_structure(settings, hub, renewed) -> None:  # type: ignore[no-untyped-def]
    """R14: 17 township education places declared for 2027-2028 and three volunteers renewed on a county-level
    youth-work post: 20 places, 85% township and below, 15% youth work."""
    await approved_posts(hub, TONGWEI, [("TOWNSHIP", "RURAL_EDUCATION", 17)])
    async with client_at(settings, ASSIGNING_DAY) as front:
        structure = (await front.ok(STRUCTURE, {"year": YEAR}, **GANSU))["postStructure"]
        assert structure == {
            "totalHeadcount": 20,
            "townshipShare": 0.85,
            "educationShare": 0.85,
            "youthWorkShare": 0.15,
        }


async def test_renewed_volunteers_raise_the_excellent_cap(settings, hub, renewed) -> None:  # type: ignore[no-untyped-def]
    """R30: five in post in 2027-2028 (three renewed, two new) allow one EXCELLENT: two are refused with
    EXCELLENT_CAP, one is approved."""
    [post] = await approved_posts(hub, TONGWEI, [("TOWNSHIP", "RURAL_EDUCATION", 2)])
    new = await trained_volunteers(hub, 2, start=1)
    async with hub.write_sessionmaker() as session, session.begin():
        for key in new:
            app = await session.get(m.Application, key)
            app.status, app.county_code = "IN_SERVICE", TONGWEI
            session.add(
                m.ServiceAgreement(
                    application_id=key,
                    volunteer_id=app.volunteer_id,
                    post_id=post,
                    county_code=TONGWEI,
                    unit_id=(await session.get(m.Post, post)).unit_id,
                    term_year=1,
                    starts_on=date(2027, 8, 1),
                    ends_on=date(2028, 7, 31),
                    signed_at=datetime.now(UTC),
                )
            )
    renewed_volunteers = await _volunteer_ids(hub, PREVIOUS)
    async with client_at(settings, date(2028, 6, 1)) as front:
        proposed = [
            (
                await must(
                    front,
                    PROPOSE,
                    {"volunteerId": to_global_id("Volunteer", v), "year": YEAR, "grade": "EXCELLENT"},
                    county_actor(TONGWEI),
                )
            )["assessment"]["id"]
            for v in renewed_volunteers[:2]
        ]
        both = payload(await front.ok(APPROVE_ASSESSMENTS, {"input": {"assessmentIds": proposed}}, **GANSU))
        assert [e["code"] for e in both["userErrors"]] == ["EXCELLENT_CAP"]
        assert "在岗志愿者 5 人的 20%（1 个）" in both["userErrors"][0]["message"]
        await must(front, APPROVE_ASSESSMENTS, {"assessmentIds": proposed[:1]}, GANSU)


async def test_renewed_volunteers_are_funded_in_their_new_year(settings, hub, renewed) -> None:  # type: ignore[no-untyped-def]
    """R38–R40: three renewed volunteers in post all of 2027-2028 in a western county: three in post,
    36 volunteer-months, 90,000 CNY of central subsidy; the one who did not renew is not in that year."""
    async with client_at(settings, date(2028, 8, 5)) as front:
        [report] = (await front.ok(FUNDING, {"year": YEAR, "province": "62"}, **NATIONAL))["fundingReport"]
        assert report["inPost"] == 3
        assert report["byZone"] == [{"zone": "WEST", "volunteerMonths": 36, "centralSubsidy": "90000.00"}]
        [previous] = (await front.ok(FUNDING, {"year": PREVIOUS, "province": "62"}, **NATIONAL))["fundingReport"]
        assert previous["inPost"] == 4
        assert previous["byZone"] == [{"zone": "WEST", "volunteerMonths": 48, "centralSubsidy": "120000.00"}]


async def test_county_lists_its_renewed_volunteers_in_their_new_year(settings, hub, renewed) -> None:  # type: ignore[no-untyped-def]
    """The county's volunteers of 2027-2028 are its new ones and the three renewed; of 2026-2027, all four."""
    keys = await trained_volunteers(hub, 1, start=1)
    async with hub.write_sessionmaker() as session, session.begin():
        await session.execute(update(m.Application).where(m.Application.id.in_(keys)).values(county_code=TONGWEI))
    async with client_at(settings, ASSIGNING_DAY) as front:
        for year, expected in (
            (YEAR, ["培训1", "续签1", "续签2", "续签3"]),
            (PREVIOUS, ["续签1", "续签2", "续签3", "续签4"]),
        ):
            for actor in (GANSU, county_actor(TONGWEI)):
                edges = (await front.ok(VOLUNTEERS_OF, {"year": year}, **actor))["county"]["volunteers"]["edges"]
                assert sorted(e["node"]["name"] for e in edges) == expected, (year, actor)


async def _volunteer_ids(hub: Any, year: str) -> list[int]:
    async with hub.sessionmaker() as session:
        rows = await session.execute(
            m.Application.__table__.select().where(m.Application.year == year).order_by(m.Application.id)
        )
        return [row.volunteer_id for row in rows]


IN_POST_APPLICATIONS = """query($year: String!, $inPost: Boolean) {
  applications(year: $year, countyCode: "621121", inPost: $inPost, first: 50) {
    totalCount edges { node { year volunteer { name } } } } }"""


async def test_in_post_lists_and_the_roster_show_renewed_volunteers(settings, hub, renewed) -> None:  # type: ignore[no-untyped-def]
    """`applications(inPost: true)` and the in-post roster (/exports/in-post.xlsx) of 2027-2028 list the
    three renewed volunteers with the term that covers 2027-2028; `inPost: false` the year's others."""
    from tests.exchange import download, workbook_of

    keys = await trained_volunteers(hub, 1, start=1)  # a 2027-2028 applicant assigned, not yet in post
    async with hub.write_sessionmaker() as session, session.begin():
        await session.execute(update(m.Application).where(m.Application.id.in_(keys)).values(county_code=TONGWEI))
    async with client_at(settings, ASSIGNING_DAY) as front:
        for actor in (GANSU, county_actor(TONGWEI)):
            listed = (await front.ok(IN_POST_APPLICATIONS, {"year": YEAR, "inPost": True}, **actor))["applications"]
            assert listed["totalCount"] == 3
            assert sorted((e["node"]["year"], e["node"]["volunteer"]["name"]) for e in listed["edges"]) == [
                (PREVIOUS, "续签1"),
                (PREVIOUS, "续签2"),
                (PREVIOUS, "续签3"),
            ]
            others = (await front.ok(IN_POST_APPLICATIONS, {"year": YEAR, "inPost": False}, **actor))["applications"]
            assert [e["node"]["volunteer"]["name"] for e in others["edges"]] == ["培训1"]
            before = await front.ok(IN_POST_APPLICATIONS, {"year": PREVIOUS, "inPost": True}, **actor)
            assert before["applications"]["totalCount"] == 4

        sheet = workbook_of(
            await download(front, f"/exports/in-post.xlsx?year={YEAR}&county={TONGWEI}", **county_actor(TONGWEI))
        )
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert sorted((r[2], r[10], r[11].date()) for r in table[1:]) == [
            (f"续签{n}", 2, date(2027, 8, 1)) for n in (1, 2, 3)
        ]


async def test_parallel_assignments_count_renewed_volunteers(settings, hub, renewed) -> None:  # type: ignore[no-untyped-def]
    """R8 under parallel requests: scale 5 with three renewed; twelve parallel assignments, two accepted,
    ten SCALE_EXCEEDED; a crash, a deadlock or a pool timeout fails the test."""
    import asyncio

    waiting = [to_global_id("Application", k) for k in await trained_volunteers(hub, 12, start=1)]
    async with client_at(settings, ASSIGNING_DAY) as front:
        bodies = await asyncio.gather(
            *(front.gql(ASSIGN, {"input": {"applicationId": gid, "countyCode": TONGWEI}}, **GANSU) for gid in waiting)
        )
        assert not [b["errors"] for b in bodies if b.get("errors")]
        results = [b["data"]["assignCounty"] for b in bodies]
        assert sum(r["application"] is not None for r in results) == 2
        assert sorted(e["code"] for r in results for e in r["userErrors"]) == ["SCALE_EXCEEDED"] * 10
        assert (await front.ok(PROVINCE_OF, {"year": YEAR}, **NATIONAL))["province"] == {"scale": 5, "inPost": 3}
