"""R1, as a table over every mutation of the in-service phase (R28–R31, R39, R41): the office that owns a
mutation performs it; every other level, the same level of another jurisdiction and the anonymous caller
are refused (FORBIDDEN, or UNAUTHENTICATED without a token), the mutation's field is null, and nothing
is written — not a row of the service tables, not an audit entry (R42).

The volunteer of the table was recruited by Yunnan (云南大学, 10673, province 53) and serves in Gansu, in
通渭县 (621121): the county office of 621121 files, proposes, insures and completes; the provincial office
of Gansu (62) approves assessments and sets allowances; the national office decides local projects. The
recruiting province (53), the other county of Gansu (620321) and a county of Yunnan (530629) are
outsiders. Also the read side: fundingReport (national: every province; a provincial office: its own) and
verifyCertificate (public, and only number, name, province, years served and completion day).

The data helpers here (`Placement`, `place`, `add_counties`, `add_assessments`) are shared by the other
in-service test modules; the table machinery (`snapshot`, `changed`, `Case`, the checks) is in
tests.permission_tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from hub import models as m
from hub.ids import to_global_id
from tests.conftest import error_codes
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
from tests.permission_tables import IN_SERVICE_TABLES, Actor, Case, Outsider, case_failures, outsider_failures
from tests.season import client_at
from tests.seed import SCHOOLS, YEAR, id_number, seed_reference

TERM = (date(2027, 8, 1), date(2028, 7, 31))  # a one-year agreement of YEAR

# ---------- shared data helpers ----------


@dataclass(frozen=True)
class Placement:
    """One volunteer placed straight in the database: where, under which agreement terms, in which state."""

    county: str
    terms: tuple[tuple[date, date], ...] = (TERM,)
    status: str = "IN_SERVICE"
    school: str = "10730"
    certificate: str | None = None  # with status COMPLETED: the certificate number issued


def county_actor(code: str) -> Actor:
    return {"level": "county", "code": code, "sub": f"ops-{code}"}


def provincial(code: str) -> Actor:
    return {"level": "provincial", "code": code, "sub": f"ops-province-{code}"}


def volunteer_actor(n: int) -> Actor:
    """The account of the volunteer `place` created with number `n`."""
    return {"level": "volunteer", "sub": f"placed-{n}"}


NATIONAL: Actor = {"level": "national", "sub": "ops-national"}


async def add_counties(hub: Any, counties: list[tuple[str, str, bool]]) -> None:
    """Active service counties (code, name, remote) that the seed does not have."""
    async with hub.write_sessionmaker() as session, session.begin():
        for code, name, remote in counties:
            session.add(
                m.County(
                    code=code,
                    name=name,
                    province_code=code[:2],
                    status="ACTIVE",
                    key_assistance="NATIONAL_KEY",
                    remote=remote,
                )
            )


async def set_remote(hub: Any, county: str, remote: bool) -> None:
    async with hub.write_sessionmaker() as session, session.begin():
        row = await session.get(m.County, county)
        row.remote = remote
        session.add(row)


async def place(hub: Any, placements: list[Placement], start: int = 1) -> list[int]:
    """Volunteers numbered from `start`, each with an application in `status` for YEAR and one service
    agreement per term on an approved post of its county (one post per county and call). Their ids."""
    now = datetime.now(UTC)
    province_of_school = {code: province for code, _name, province in SCHOOLS}
    ids = []
    async with hub.write_sessionmaker() as session, session.begin():
        posts: dict[str, m.Post] = {}
        for county in sorted({p.county for p in placements}):
            unit = m.ServiceUnit(county_code=county, name=f"{county}-乡镇-{start}", level="TOWNSHIP")
            session.add(unit)
            await session.flush()
            post = m.Post(
                year=YEAR,
                unit_id=unit.id,
                county_code=county,
                title=f"支教岗位{start}",
                category="RURAL_EDUCATION",
                headcount=sum(1 for p in placements if p.county == county),
                status="APPROVED",
            )
            session.add(post)
            await session.flush()
            posts[county] = post
        for n, placement in enumerate(placements, start=start):
            recruiting = province_of_school[placement.school]
            person = m.Volunteer(
                subject=volunteer_actor(n)["sub"],
                name=f"在岗{n}",
                id_number=id_number(n),
                phone=f"136{n:08d}",
                gender="FEMALE" if n % 2 else "MALE",
                birth_date=date(2004, 5, 6),
                school_code=placement.school,
                degree="BACHELOR",
                registered_at=now,
                certificate_number=placement.certificate,
                completed_on=placement.terms[-1][1] if placement.status == "COMPLETED" else None,
            )
            session.add(person)
            await session.flush()
            app = m.Application(
                year=YEAR,
                volunteer_id=person.id,
                active_volunteer_id=person.id,
                school_code=placement.school,
                recruiting_province_code=recruiting,
                preference_1=placement.county[:2],
                preference_2="53" if placement.county[:2] != "53" else "62",
                preference_3="65" if placement.county[:2] != "65" else "62",
                accepts_adjustment=True,
                status=placement.status,
                submitted_at=now,
                recruited_at=now,
                serving_province_code=placement.county[:2],
                quota_recruiting_code=recruiting,
                confirmation_number=f"P-{n}",
                county_code=placement.county,
            )
            session.add(app)
            await session.flush()
            post = posts[placement.county]
            for term, (starts_on, ends_on) in enumerate(placement.terms, start=1):
                session.add(
                    m.ServiceAgreement(
                        application_id=app.id,
                        volunteer_id=person.id,
                        post_id=post.id,
                        county_code=placement.county,
                        unit_id=post.unit_id,
                        term_year=term,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        signed_at=now,
                    )
                )
            ids.append(person.id)
    return ids


async def add_assessments(hub: Any, rows: list[tuple[int, str, str]]) -> list[str]:
    """Assessments (volunteer id, grade, status) of YEAR, written directly; their global ids."""
    async with hub.write_sessionmaker() as session, session.begin():
        made = [m.Assessment(year=YEAR, volunteer_id=v, grade=g, status=s) for v, g, s in rows]
        session.add_all(made)
        await session.flush()
        return [to_global_id("Assessment", a.id) for a in made]


def vid(key: int) -> str:
    return to_global_id("Volunteer", key)


# ---------- the table ----------

SERVING = 1  # in service in 621121, recruited by Yunnan (school 10673)
COMPLETED = 2  # served two terms in 621121, completed with a certificate
CERTIFICATE = "XBZ2027-5F3A9C01D2E4"

TONGWEI = county_actor("621121")  # where the volunteer serves
YONGCHANG = county_actor("620321")  # another county of the same province
WEIXIN = county_actor("530629")  # a county of the recruiting province
GANSU = provincial("62")  # the serving province
YUNNAN = provincial("53")  # the recruiting province
XINJIANG = provincial("65")
YNU = {"level": "school", "code": "10673", "sub": "ops-ynu"}  # the volunteer's school
LZU = {"level": "school", "code": "10730", "sub": "ops-lzu"}
THE_VOLUNTEER = volunteer_actor(SERVING)


async def prepare_service(hub: Any) -> dict[str, str]:
    """A volunteer in service with a proposed assessment, a completed one with an approved assessment,
    a submitted and a decided local project of Gansu; the global ids of what the table acts on."""
    await seed_reference(hub)
    serving, completed = await place(
        hub,
        [
            Placement("621121", school="10673"),
            Placement(
                "621121",
                terms=((date(2025, 8, 1), date(2026, 7, 31)), (date(2026, 8, 1), date(2027, 7, 31))),
                status="COMPLETED",
                certificate=CERTIFICATE,
            ),
        ],
    )
    proposed, approved = await add_assessments(
        hub, [(serving, "COMPETENT", "PROPOSED"), (completed, "EXCELLENT", "APPROVED")]
    )
    async with hub.write_sessionmaker() as session, session.begin():
        projects = [
            m.LocalProject(year=YEAR, province_code="62", name=name, scale=30, budget="900000.00", status=status)
            for name, status in (("甘肃乡村医生计划", "SUBMITTED"), ("甘肃乡村教师计划", "APPROVED"))
        ]
        session.add_all(projects)
        await session.flush()
    return {
        "serving": vid(serving),
        "completed": vid(completed),
        "proposed": proposed,
        "approved": approved,
        "submitted_project": to_global_id("LocalProject", projects[0].id),
        "decided_project": to_global_id("LocalProject", projects[1].id),
    }


COUNTY_OUTSIDERS: tuple[tuple[str, Actor], ...] = (
    ("national", NATIONAL),
    ("provincial 62 (the serving province)", GANSU),
    ("provincial 53 (the recruiting province)", YUNNAN),
    ("county 620321 (same province)", YONGCHANG),
    ("county 530629 (the recruiting province)", WEIXIN),
    ("school 10673 (the volunteer's school)", YNU),
    ("volunteer (the volunteer)", THE_VOLUNTEER),
)
PROVINCE_OUTSIDERS: tuple[tuple[str, Actor], ...] = (
    ("national", NATIONAL),
    ("county 621121 (where the volunteer serves)", TONGWEI),
    ("school 10673 (the volunteer's school)", YNU),
    ("volunteer (the volunteer)", THE_VOLUNTEER),
    ("provincial 53 (the recruiting province)", YUNNAN),
    ("provincial 65", XINJIANG),
)
NATIONAL_OUTSIDERS: tuple[tuple[str, Actor], ...] = (
    ("provincial 62 (the project's province)", GANSU),
    ("provincial 53", YUNNAN),
    ("county 621121", TONGWEI),
    ("school 10730", LZU),
    ("volunteer", THE_VOLUNTEER),
)
IN_TERM = date(2027, 10, 5)

CASES = [
    Case(
        "fileMonthlyReport",
        FILE_REPORT,
        IN_TERM,
        lambda ids: {
            "countyCode": "621121",
            "month": "2027-09",
            "inPost": 1,
            "absent": 0,
            "incidents": [
                {"occurredOn": "2027-09-03", "severity": "MINOR", "description": "感冒", "volunteerId": ids["serving"]}
            ],
        },
        TONGWEI,
        COUNTY_OUTSIDERS,
    ),
    Case(
        "proposeAssessment",
        PROPOSE,
        IN_TERM,
        lambda ids: {"volunteerId": ids["serving"], "year": YEAR, "grade": "BASIC"},
        TONGWEI,
        COUNTY_OUTSIDERS,
    ),
    Case(
        "recordInsurance",
        INSURE,
        IN_TERM,
        lambda ids: {
            "volunteerId": ids["serving"],
            "kind": "ACCIDENT",
            "policyNumber": "YW-2027-0001",
            "validFrom": "2027-08-01",
            "validUntil": "2028-07-31",
        },
        TONGWEI,
        COUNTY_OUTSIDERS,
    ),
    Case(
        "completeService",
        COMPLETE,
        TERM[1],  # the term's last day
        lambda ids: {"volunteerId": ids["serving"], "appraisal": "服务期满，表现良好"},
        TONGWEI,
        COUNTY_OUTSIDERS,
    ),
    Case(
        "approveAssessments",
        APPROVE_ASSESSMENTS,
        IN_TERM,
        lambda ids: {"assessmentIds": [ids["proposed"]]},
        GANSU,
        PROVINCE_OUTSIDERS,
    ),
    Case(
        "setAllowanceStandard",
        SET_ALLOWANCE,
        IN_TERM,
        lambda ids: {"year": YEAR, "provinceCode": "62", "monthlyAllowance": "2500.00", "hardshipAllowance": "300.00"},
        GANSU,
        PROVINCE_OUTSIDERS,
    ),
    Case(
        "submitLocalProject",
        SUBMIT_PROJECT,
        IN_TERM,
        lambda ids: {
            "year": YEAR,
            "provinceCode": "62",
            "name": "甘肃基层青年计划",
            "scale": 20,
            "budget": "480000.00",
        },
        GANSU,
        PROVINCE_OUTSIDERS,
    ),
    Case(
        "decideLocalProject",
        DECIDE_PROJECT,
        IN_TERM,
        lambda ids: {"localProjectId": ids["submitted_project"], "decision": "APPROVE"},
        NATIONAL,
        NATIONAL_OUTSIDERS,
    ),
]


def test_the_table_covers_every_in_service_mutation() -> None:
    assert sorted(c.operation for c in CASES) == sorted(
        [
            "fileMonthlyReport",
            "proposeAssessment",
            "recordInsurance",
            "completeService",
            "approveAssessments",
            "setAllowanceStandard",
            "submitLocalProject",
            "decideLocalProject",
        ]
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.operation)
async def test_only_the_owning_office_performs_an_in_service_mutation(settings, case: Case) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, case.day) as front:
        ids = await prepare_service(front.hub)
        failures = await case_failures(front, case, ids, IN_SERVICE_TABLES)
        assert not failures, f"{case.operation}:\n" + "\n".join(failures)


# Requests that also break a domain rule, each from someone outside the mutation's jurisdiction: the
# permission is decided first (authenticate → authorize → validate), so the outsider learns nothing from a
# userError and is FORBIDDEN.
OUTSIDERS: list[Outsider] = [
    (
        "fileMonthlyReport",
        FILE_REPORT,
        YONGCHANG,
        lambda ids: {
            "countyCode": "621121",
            "month": "2027-13",
            "inPost": 1,
            "absent": 2,
            "incidents": [{"occurredOn": "2026-01-01", "severity": "MAJOR", "description": " "}],
        },
    ),
    (
        "proposeAssessment",
        PROPOSE,
        YONGCHANG,
        lambda ids: {"volunteerId": ids["serving"], "year": "2027", "grade": "EXCELLENT"},
    ),
    (  # the completed volunteer is no longer in service (INELIGIBLE for the county that placed them)
        "proposeAssessment",
        PROPOSE,
        YONGCHANG,
        lambda ids: {"volunteerId": ids["completed"], "year": YEAR, "grade": "EXCELLENT"},
    ),
    (
        "recordInsurance",
        INSURE,
        WEIXIN,
        lambda ids: {
            "volunteerId": ids["serving"],
            "kind": "MAJOR_ILLNESS",
            "policyNumber": " ",
            "validFrom": "2028-07-31",
            "validUntil": "2027-08-01",
        },
    ),
    (  # before the term's end, with an empty appraisal
        "completeService",
        COMPLETE,
        YONGCHANG,
        lambda ids: {"volunteerId": ids["serving"], "appraisal": " "},
    ),
    (  # completing twice
        "completeService",
        COMPLETE,
        YONGCHANG,
        lambda ids: {"volunteerId": ids["completed"], "appraisal": "再次鉴定"},
    ),
    (  # already approved
        "approveAssessments",
        APPROVE_ASSESSMENTS,
        YUNNAN,
        lambda ids: {"assessmentIds": [ids["approved"]]},
    ),
    (
        "setAllowanceStandard",
        SET_ALLOWANCE,
        YUNNAN,
        lambda ids: {"year": YEAR, "provinceCode": "62", "countyCode": "530629", "monthlyAllowance": "-1"},
    ),
    (
        "submitLocalProject",
        SUBMIT_PROJECT,
        YUNNAN,
        lambda ids: {"year": YEAR, "provinceCode": "62", "name": " ", "scale": 0, "budget": "0"},
    ),
    (  # decided already, and a rejection without reason
        "decideLocalProject",
        DECIDE_PROJECT,
        GANSU,
        lambda ids: {"localProjectId": ids["decided_project"], "decision": "REJECT"},
    ),
]


async def test_an_outsider_is_refused_before_any_domain_rule_is_checked(settings) -> None:  # type: ignore[no-untyped-def]
    assert {o[0] for o in OUTSIDERS} == {c.operation for c in CASES}
    async with client_at(settings, date(2027, 12, 31)) as front:  # inside the term: too early to complete
        ids = await prepare_service(front.hub)
        failures, written = await outsider_failures(front, OUTSIDERS, ids, IN_SERVICE_TABLES, show_input=True)
        assert not written, f"refused calls wrote {written}"
        assert not failures, "\n".join(failures)


# ---------- reads: the funding report and the public certificate check ----------

VERIFY = """query($n: String!) { verifyCertificate(number: $n) { number name province { code name }
  yearsServed completedOn } }"""


async def test_the_funding_report_is_read_by_the_national_office_and_each_province_for_itself(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, IN_TERM) as front:
        await prepare_service(front.hub)
        await place(front.hub, [Placement("530629", school="10730")], start=10)  # one in Yunnan, from Gansu

        everywhere = (await front.ok(FUNDING, {"year": YEAR, "province": None}, **NATIONAL))["fundingReport"]
        by_code = {r["province"]["code"]: r for r in everywhere}
        assert {"62", "53"} <= set(by_code), sorted(by_code)
        assert by_code["62"]["inPost"] == 1 and by_code["53"]["inPost"] == 1

        own = (await front.ok(FUNDING, {"year": YEAR, "province": None}, **GANSU))["fundingReport"]
        assert own == [by_code["62"]]
        asked = (await front.ok(FUNDING, {"year": YEAR, "province": "62"}, **GANSU))["fundingReport"]
        assert asked == [by_code["62"]]
        other = await front.gql(FUNDING, {"year": YEAR, "province": "53"}, **GANSU)
        assert not other.get("errors") and other["data"]["fundingReport"] == []
        # the recruiting province of the Yunnan volunteer does not see its funding: that is the serving side's
        assert (await front.ok(FUNDING, {"year": YEAR, "province": None}, **YUNNAN))["fundingReport"] == [by_code["53"]]
        national_one = (await front.ok(FUNDING, {"year": YEAR, "province": "53"}, **NATIONAL))["fundingReport"]
        assert national_one == [by_code["53"]]

        for who, actor in (
            ("county 621121", TONGWEI),
            ("school 10673", YNU),
            ("volunteer", THE_VOLUNTEER),
        ):
            for province in (None, "62"):
                body = await front.gql(FUNDING, {"year": YEAR, "province": province}, **actor)
                assert error_codes(body) == ["FORBIDDEN"], (who, body)
                assert body.get("data") is None or body["data"].get("fundingReport") is None, (who, body)
        anonymous = await front.gql(FUNDING, {"year": YEAR, "province": None})
        assert error_codes(anonymous) == ["UNAUTHENTICATED"], anonymous


async def test_anyone_verifies_a_certificate_and_learns_nothing_more(settings) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, IN_TERM) as front:
        await prepare_service(front.hub)
        body = await front.gql(VERIFY, {"n": CERTIFICATE})  # no token
        assert not body.get("errors"), body
        [(province_name,)] = await front.sql("SELECT name FROM provinces WHERE code = '62'")
        assert body["data"]["verifyCertificate"] == {
            "number": CERTIFICATE,
            "name": "在岗2",
            "province": {"code": "62", "name": province_name},
            "yearsServed": 2,
            "completedOn": "2027-07-31",
        }
        for number in ("XBZ2027-000000000000", CERTIFICATE.lower(), "", "P-2"):
            unknown = await front.gql(VERIFY, {"n": number})
            assert not unknown.get("errors") and unknown["data"]["verifyCertificate"] is None, (number, unknown)
        # the certificate check has exactly the five fields of R31: nothing personal reachable from it
        shape = await front.gql('{ __type(name: "CertificateCheck") { fields { name } } }')
        assert sorted(f["name"] for f in shape["data"]["__type"]["fields"]) == sorted(
            ["number", "name", "province", "yearsServed", "completedOn"]
        )
        leak = await front.gql("query($n: String!) { verifyCertificate(number: $n) { idNumber } }", {"n": CERTIFICATE})
        assert leak.get("errors") and not leak.get("data"), leak
        # a bad token is still refused on a public field
        bad = await front.gql(VERIFY, {"n": CERTIFICATE}, token="not-a-token")
        assert error_codes(bad) == ["UNAUTHENTICATED"], bad
