"""R7, R8, R39: `openProgramYear` opens 2028-2029 from 2027-2028 — the milestone pattern a year later
(extensions included), every scale, and the allowance standards of provinces and counties — as drafts: shown
with `draft: true`, counted by no rule (no deadline, no scale for assignCounty or setQuota, no standard) until
the national office confirms them (`confirmProgramYearDrafts`) or an office sets one again. A copied scale is
raised to the volunteers already counting for the new year (renewals into it). Opening twice, from a missing
year, from a year with drafts or with a bad code is refused, writing nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hub import models as m
from hub.ids import to_global_id
from tests.in_service import SET_ALLOWANCE
from tests.placement import trained_volunteers
from tests.season import GANSU, NATIONAL, SET_YEAR, YEAR, client_at, must, payload
from tests.seed import id_number, seed_reference

NEXT = "2028-2029"
OPEN = """mutation($input: OpenProgramYearInput!) { openProgramYear(input: $input) {
  programYear { code milestones { milestone closesOn } } fromYear scalesCopied standardsCopied
  userErrors { code message field } } }"""
SCALES = """query($year: String!) { provinces { code scale(year: $year) } }"""
STANDARDS = """query($year: String!) { allowanceStandards(year: $year, provinceCode: "62") {
  county { code } monthlyAllowance hardshipAllowance } }"""
SET_SCALE = """mutation($input: SetProvinceScaleInput!) { setProvinceScale(input: $input) {
  province { code } userErrors { code message field } } }"""
CONFIRM = """mutation($input: ConfirmProgramYearDraftsInput!) { confirmProgramYearDrafts(input: $input) {
  programYear { code milestones { milestone draft } } milestonesConfirmed scalesConfirmed standardsConfirmed
  userErrors { code message field } } }"""
DRAFTS = """query($year: String!) { programYear(code: $year) { milestones { milestone closesOn draft }
  scales { province { code } scale draft } } allowanceStandards(year: $year, provinceCode: "62") {
  county { code } draft } }"""
ASSIGN = """mutation($input: AssignCountyInput!) { assignCounty(input: $input) {
  application { status county { code } } userErrors { code message field } } }"""
SET_QUOTA = """mutation($input: SetQuotaInput!) { setQuota(input: $input) { userErrors { code message field } } }"""
TONGWEI = "621121"
LONGLIN = "451031"


async def _year_with_renewals(hub: Any) -> None:
    """Guangxi (45) has a 2027-2028 scale of 1 but two volunteers already renewed into 2028-2029."""
    await seed_reference(hub)
    now = datetime.now(UTC)
    async with hub.write_sessionmaker() as session, session.begin():
        session.add(m.County(code=LONGLIN, name="隆林各族自治县", province_code="45", status="ACTIVE"))
        await session.flush()
        unit = m.ServiceUnit(county_code=LONGLIN, name="隆林县团委", level="TOWNSHIP")
        session.add(unit)
        await session.flush()
        post = m.Post(
            year=YEAR,
            unit_id=unit.id,
            county_code=LONGLIN,
            title="支教",
            category="RURAL_EDUCATION",
            headcount=2,
            status="APPROVED",
        )
        session.add(post)
        ps = await session.get(m.ProvinceScale, (YEAR, "45"))
        ps.scale = 1
        await session.flush()
        for n in (1, 2):
            volunteer = m.Volunteer(
                subject=f"rollover-{n}",
                name=f"续{n}",
                id_number=id_number(800 + n),
                phone=f"134{n:08d}",
                gender="MALE",
                birth_date=date(2004, 5, 6),
                school_code="10730",
                degree="BACHELOR",
                registered_at=now,
            )
            session.add(volunteer)
            await session.flush()
            app = m.Application(
                year=YEAR,
                volunteer_id=volunteer.id,
                active_volunteer_id=volunteer.id,
                school_code="10730",
                recruiting_province_code="62",
                preference_1="45",
                preference_2="62",
                preference_3="53",
                status="IN_SERVICE",
                submitted_at=now,
                serving_province_code="45",
                quota_recruiting_code="62",
                confirmation_number=f"G-{n}",
                county_code=LONGLIN,
            )
            session.add(app)
            await session.flush()
            for term, (starts, ends) in enumerate(
                ((date(2027, 8, 1), date(2028, 7, 31)), (date(2028, 8, 1), date(2029, 7, 31))), start=1
            ):
                session.add(
                    m.ServiceAgreement(
                        application_id=app.id,
                        volunteer_id=volunteer.id,
                        post_id=post.id,
                        county_code=LONGLIN,
                        unit_id=unit.id,
                        term_year=term,
                        starts_on=starts,
                        ends_on=ends,
                        signed_at=now,
                    )
                )


async def test_a_year_opens_with_the_previous_years_pattern(settings, hub) -> None:  # type: ignore[no-untyped-def]
    await _year_with_renewals(hub)
    async with client_at(settings, date(2027, 4, 1)) as front:
        extended = [{"milestone": "REGISTRATION_CLOSES", "closesOn": "2027-05-20"}]
        await must(front, SET_YEAR, {"code": YEAR, "milestones": extended}, NATIONAL)
        for standard in (
            {"monthlyAllowance": "2000.00"},
            {"countyCode": "621121", "monthlyAllowance": "2200.00", "hardshipAllowance": "300.00"},
        ):
            await must(front, SET_ALLOWANCE, {"year": YEAR, "provinceCode": "62", **standard}, GANSU)

        opened = await must(front, OPEN, {"code": NEXT}, NATIONAL)
        assert opened["fromYear"] == YEAR
        assert (opened["scalesCopied"], opened["standardsCopied"]) == (4, 2)
        dates = {d["milestone"]: d["closesOn"] for d in opened["programYear"]["milestones"]}
        assert dates["REGISTRATION_CLOSES"] == "2028-05-20"  # the extended date, a year later
        assert dates["SERVICE_AGREEMENTS_SIGNED"] == "2028-08-15"
        assert opened["programYear"]["code"] == NEXT and len(dates) == 7

        drafts = await front.ok(DRAFTS, {"year": NEXT}, **NATIONAL)
        assert {d["milestone"]: d["draft"] for d in drafts["programYear"]["milestones"]} == dict.fromkeys(dates, True)
        assert {s["province"]["code"]: (s["scale"], s["draft"]) for s in drafts["programYear"]["scales"]} == {
            "62": (40, True),
            "53": (30, True),
            "65": (20, True),
            "45": (2, True),  # 1 copied, raised to the two renewed into 2028-2029
        }
        assert [s["draft"] for s in drafts["allowanceStandards"]] == [True, True]
        standards = (await front.ok(STANDARDS, {"year": NEXT}, **GANSU))["allowanceStandards"]
        assert sorted(
            (
                s["county"]["code"] if s["county"] else "",
                Decimal(s["monthlyAllowance"]),
                Decimal(s["hardshipAllowance"]),
            )
            for s in standards
        ) == sorted([("", Decimal("2000"), Decimal("0")), ("621121", Decimal("2200"), Decimal("300"))])
        [(changes,)] = await front.sql("SELECT changes FROM audit_entries WHERE operation = 'openProgramYear'")
        [entry] = (json.loads(changes) if isinstance(changes, str) else changes).values()
        assert entry["from"] == YEAR and entry["scales"]["45"] == {"from": 1, "to": 2}

        from_drafts = payload(await front.ok(OPEN, {"input": {"code": "2029-2030"}}, **NATIONAL))
        assert [(e["code"], e["field"]) for e in from_drafts["userErrors"]] == [
            ("INVALID_STATE", ["input", "fromYear"])
        ]

        # drafts count for no rule: no scale in force (Province.scale, R2's serving provinces), no deadline
        scales = {p["code"]: p["scale"] for p in (await front.ok(SCALES, {"year": NEXT}, **NATIONAL))["provinces"]}
        assert set(scales.values()) == {None}
        quota = {"year": NEXT, "recruitingProvinceCode": "62", "servingProvinceCode": "53", "quota": 5}
        refused = payload(await front.ok(SET_QUOTA, {"input": quota}, **NATIONAL))
        assert [e["code"] for e in refused["userErrors"]] == ["INVALID_INPUT"]

        # the copies are the offices' to adjust: setting one confirms it, the others stay drafts
        lowered = payload(
            await front.ok(SET_SCALE, {"input": {"year": NEXT, "provinceCode": "45", "scale": 1}}, **NATIONAL)
        )
        assert [e["code"] for e in lowered["userErrors"]] == ["INVALID_INPUT"]
        await must(front, SET_SCALE, {"year": NEXT, "provinceCode": "53", "scale": 35}, NATIONAL)
        await must(front, SET_ALLOWANCE, {"year": NEXT, "provinceCode": "62", "monthlyAllowance": "2100.00"}, GANSU)
        moved = [{"milestone": "REGISTRATION_CLOSES", "closesOn": "2028-05-25"}]
        await must(front, SET_YEAR, {"code": NEXT, "milestones": moved}, NATIONAL)
        drafts = await front.ok(DRAFTS, {"year": NEXT}, **NATIONAL)
        assert [d["milestone"] for d in drafts["programYear"]["milestones"] if not d["draft"]] == [
            "REGISTRATION_CLOSES"
        ]
        assert {s["province"]["code"]: s["draft"] for s in drafts["programYear"]["scales"]} == {
            "62": True,
            "53": False,
            "65": True,
            "45": True,
        }
        assert sorted((s["county"] or {}).get("code", "") + str(s["draft"]) for s in drafts["allowanceStandards"]) == [
            "621121True",
            "False",
        ]
        await must(front, SET_QUOTA, {"input": quota}["input"], NATIONAL)  # 53 serves: its scale is in force

        confirmed = await must(front, CONFIRM, {"year": NEXT}, NATIONAL)
        assert (confirmed["milestonesConfirmed"], confirmed["scalesConfirmed"], confirmed["standardsConfirmed"]) == (
            6,
            3,
            1,
        )
        assert not any(d["draft"] for d in confirmed["programYear"]["milestones"])
        scales = {p["code"]: p["scale"] for p in (await front.ok(SCALES, {"year": NEXT}, **NATIONAL))["provinces"]}
        assert {code: scale for code, scale in scales.items() if scale is not None} == {
            "62": 40,
            "53": 35,
            "65": 20,
            "45": 2,
        }
        again = payload(await front.ok(CONFIRM, {"input": {"year": NEXT}}, **NATIONAL))
        assert [(e["code"], e["field"]) for e in again["userErrors"]] == [("INVALID_STATE", ["input", "year"])]


async def _trained_in(hub: Any, year: str) -> str:
    """A trained, not yet assigned volunteer of `year` serving in Gansu (62)."""
    (application,) = await trained_volunteers(hub, 1, start=900, year=year)
    return to_global_id("Application", application)


async def test_a_draft_scale_assigns_no_one_until_confirmed(settings, hub) -> None:  # type: ignore[no-untyped-def]
    """R8: assignCounty counts only a scale in force; Gansu's copied scale is a draft until the national
    office confirms the year's drafts, and then the same assignment goes through."""
    await _year_with_renewals(hub)
    async with client_at(settings, date(2027, 4, 1)) as front:
        await must(front, OPEN, {"code": NEXT}, NATIONAL)
        application = await _trained_in(hub, NEXT)
        assign = {"input": {"applicationId": application, "countyCode": TONGWEI}}
        refused = payload(await front.ok(ASSIGN, assign, **GANSU))
        assert refused["application"] is None
        assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [("SCALE_EXCEEDED", ["input", "countyCode"])]
        assert await front.sql(f"SELECT county_code FROM applications WHERE year = '{NEXT}'") == [(None,)]

        await must(front, CONFIRM, {"year": NEXT}, NATIONAL)
        assigned = await must(front, ASSIGN, assign["input"], GANSU)
        assert assigned["application"]["county"] == {"code": TONGWEI}


async def test_opening_is_refused_cleanly(settings, hub) -> None:  # type: ignore[no-untyped-def]
    await _year_with_renewals(hub)
    async with client_at(settings, date(2027, 4, 1)) as front:
        cases = [
            ({"code": YEAR}, "INVALID_STATE", ["input", "code"]),
            ({"code": "2030-2031"}, "NOT_FOUND", ["input", "fromYear"]),
            ({"code": "2028"}, "INVALID_INPUT", ["input", "code"]),
            ({"code": NEXT, "fromYear": "2029-2030"}, "INVALID_INPUT", ["input", "fromYear"]),
        ]
        for input, code, field in cases:
            result = payload(await front.ok(OPEN, {"input": input}, **NATIONAL))
            assert result["programYear"] is None
            assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, field)], input
        assert await front.sql("SELECT code FROM program_years ORDER BY code") == [(YEAR,)]
        assert await front.sql("SELECT count(*) FROM audit_entries WHERE operation = 'openProgramYear'") == [(0,)]
