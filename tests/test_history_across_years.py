"""History across program years: a volunteer's terms (R27: the first agreement and its renewal, their
posts and the year's assessment) and a county's years (R9–R11: filed, banned, disqualified, evaluation,
volunteers counted as County.volunteers counts them). Both are batched: the statements a request costs do
not grow with the volunteers or counties listed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from hub import models as m
from hub.ids import to_global_id
from tests.in_service import PROPOSE
from tests.placement import GANSU, YEAR, county_actor
from tests.season import client_at, must
from tests.test_renewed_volunteers_count_in_their_year import PREVIOUS, TONGWEI, renewed  # noqa: F401 (the fixture, used by every test here)
from tests.test_sql_statements_do_not_grow_with_rows import counting

pytestmark = pytest.mark.usefixtures("renewed")

TERMS = """query($id: ID!) { node(id: $id) { ... on Volunteer { name terms {
  year termYear renewal agreement { startsOn endsOn county { code } post { title year } } assessment { grade status }
} } } }"""
TERMS_OF_LIST = """query($year: String!) { county(code: "621121") { volunteers(year: $year, first: 50) {
  edges { node { terms { year termYear agreement { post { title } } assessment { grade } } } } } } }"""
YEARS = """{ county(code: "621121") { years {
  year filed banned disqualified evaluationPassed evaluationRemarks volunteers } } }"""
YEARS_OF_PROVINCE = """{ province(code: "62") { counties(first: 100) { edges { node { code years {
  year filed banned disqualified evaluationPassed volunteers } } } } } }"""


async def test_a_volunteers_terms_across_years(settings, hub) -> None:  # type: ignore[no-untyped-def]
    """续签1 served 2026-2027 and renewed into 2027-2028, with an EXCELLENT proposed for 2027-2028; the
    volunteer and the serving province read the same two terms."""
    async with hub.sessionmaker() as session:
        volunteer = (await session.execute(select(m.Volunteer).where(m.Volunteer.name == "续签1"))).scalar_one()
    gid = to_global_id("Volunteer", volunteer.id)
    async with client_at(settings, date(2028, 6, 1)) as front:
        await must(front, PROPOSE, {"volunteerId": gid, "year": YEAR, "grade": "EXCELLENT"}, county_actor(TONGWEI))
        for actor in (GANSU, {"level": "volunteer", "sub": volunteer.subject}):
            node = (await front.ok(TERMS, {"id": gid}, **actor))["node"]
            assert node["name"] == "续签1"
            assert node["terms"] == [
                {
                    "year": PREVIOUS,
                    "termYear": 1,
                    "renewal": False,
                    "agreement": {
                        "startsOn": "2026-08-01",
                        "endsOn": "2027-07-31",
                        "county": {"code": TONGWEI},
                        "post": {"title": "青年工作", "year": PREVIOUS},
                    },
                    "assessment": None,
                },
                {
                    "year": YEAR,
                    "termYear": 2,
                    "renewal": True,
                    "agreement": {
                        "startsOn": "2027-08-01",
                        "endsOn": "2028-07-31",
                        "county": {"code": TONGWEI},
                        "post": {"title": "青年工作", "year": PREVIOUS},
                    },
                    "assessment": {"grade": "EXCELLENT", "status": "PROPOSED"},
                },
            ], actor


async def test_a_countys_years(settings, hub) -> None:  # type: ignore[no-untyped-def]
    """Tongwei failed its 2026-2027 evaluation and had a major incident that year: in 2027-2028 it is
    banned and disqualified (for new volunteers; its three renewed volunteers are still counted)."""
    async with hub.write_sessionmaker() as session, session.begin():
        session.add(
            m.CountyEvaluation(
                county_code=TONGWEI, year=PREVIOUS, passed=False, remarks="管理不到位", recorded_at=datetime.now(UTC)
            )
        )
        session.add(
            m.SafetyIncident(county_code=TONGWEI, occurred_on=date(2027, 3, 2), severity="MAJOR", description="车祸")
        )
    async with client_at(settings, date(2027, 8, 10)) as front:
        for actor in (GANSU, county_actor(TONGWEI)):
            years = (await front.ok(YEARS, **actor))["county"]["years"]
            assert years == [
                {
                    "year": PREVIOUS,
                    "filed": True,
                    "banned": False,
                    "disqualified": False,
                    "evaluationPassed": False,
                    "evaluationRemarks": "管理不到位",
                    "volunteers": 4,
                },
                {
                    "year": YEAR,
                    "filed": True,
                    "banned": True,
                    "disqualified": True,
                    "evaluationPassed": None,
                    "evaluationRemarks": None,
                    "volunteers": 3,
                },
            ]


async def test_history_statements_do_not_grow_with_rows(settings, hub) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, date(2027, 8, 10)) as front:
        with counting(front) as three:
            listed = await front.ok(TERMS_OF_LIST, {"year": YEAR}, **GANSU)
        with counting(front) as four:
            listed_more = await front.ok(TERMS_OF_LIST, {"year": PREVIOUS}, **GANSU)
        assert len(listed["county"]["volunteers"]["edges"]) == 3
        assert len(listed_more["county"]["volunteers"]["edges"]) == 4
        assert len(three) == len(four), (three, four)

        with counting(front) as few:
            before = await front.ok(YEARS_OF_PROVINCE, **GANSU)
        async with hub.write_sessionmaker() as session, session.begin():
            for n in range(10):
                session.add(m.County(code=f"6299{n:02d}", name=f"测试县{n}", province_code="62", status="ACTIVE"))
        with counting(front) as many:
            after = await front.ok(YEARS_OF_PROVINCE, **GANSU)
        assert len(before["province"]["counties"]["edges"]) + 10 == len(after["province"]["counties"]["edges"])
        assert len(few) == len(many), (few, many)
