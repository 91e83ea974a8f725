"""R1, as a table over every mutation of the recruitment season (R7, R15–R25): the office that owns a
mutation performs it; every other level, the same level of another jurisdiction and the anonymous caller
are refused (FORBIDDEN, or UNAUTHENTICATED without a token), the mutation's field is null, and nothing
is written — not a row of the season's tables, not an audit entry (R42).

One database holds an application in every state the season needs (submitted, signed off, selected,
examined, publicized with an ended notice, recruited, withdrawn after recruitment with a replacement
candidate), quotas, an approved and a proposed training. Each mutation is called on a day its own
milestone is still open; the refused callers go first, then the permitted office proves the request
was a valid one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from hub import models as m
from hub.ids import to_global_id
from tests.permission_tables import SEASON_TABLES, Actor, Case, Outsider, case_failures, outsider_failures
from tests.season import (
    APPROVE_TRAINING,
    ATTEND,
    EXAM,
    MOVE_QUOTA,
    PUBLICIZE,
    REALLOCATE,
    REPLACE,
    SCHEDULE,
    SELECT,
    SET_QUOTA,
    SET_SCALE,
    SET_YEAR,
    SIGN_OFF,
    SIGN_RECRUITMENT,
    UPSERT_COUNTIES,
    UPSERT_SCHOOLS,
    WITHDRAW,
    YEAR,
    client_at,
)
from tests.seed import id_number, seed_reference
from tests.test_opening_a_program_year import CONFIRM as CONFIRM_DRAFTS
from tests.test_opening_a_program_year import OPEN as OPEN_YEAR

NATIONAL: Actor = {"level": "national", "sub": "ops-national"}
GANSU: Actor = {"level": "provincial", "code": "62", "sub": "ops-gansu"}  # recruits from 兰州大学
YUNNAN: Actor = {"level": "provincial", "code": "53", "sub": "ops-yunnan"}  # serves the season's recruits
XINJIANG: Actor = {"level": "provincial", "code": "65", "sub": "ops-xinjiang"}
BEIJING: Actor = {"level": "provincial", "code": "11", "sub": "ops-beijing"}
YONGCHANG: Actor = {"level": "county", "code": "620321", "sub": "ops-yongchang"}
WEIXIN: Actor = {"level": "county", "code": "530629", "sub": "ops-weixin"}
LZU: Actor = {"level": "school", "code": "10730", "sub": "ops-lzu"}
PKU: Actor = {"level": "school", "code": "10001", "sub": "ops-pku"}
YNU: Actor = {"level": "school", "code": "10673", "sub": "ops-ynu"}
STRANGER: Actor = {"level": "volunteer", "sub": "never-registered"}

# The applicants, all students of 兰州大学 (10730, Gansu), preferring 62, 53, 65: one per state.
APPLICANTS = {
    "submitted": (1, "SUBMITTED"),
    "signed_off": (2, "SCHOOL_APPROVED"),
    "selected": (3, "SELECTED"),
    "examined": (4, "EXAM_PASSED"),
    "publicized": (5, "PUBLICIZED"),
    "recruited": (6, "RECRUITED"),
    "withdrawn": (7, "WITHDRAWN"),
    "candidate": (8, "PUBLICIZED"),
}


DRAFTED_YEAR = "2026-2027"


def volunteer(key: str) -> Actor:
    """The account of the applicant `key` (see APPLICANTS)."""
    return {"level": "volunteer", "sub": f"applicant-{APPLICANTS[key][0]}"}


async def prepare_season(hub: Any) -> dict[str, str]:
    """The season in mid-course, written straight to the database; the global ids of its objects."""
    await seed_reference(hub)
    now = datetime.now(UTC)
    rows: dict[str, m.Application] = {}
    async with hub.write_sessionmaker() as session, session.begin():
        for key, (n, status) in APPLICANTS.items():
            person = m.Volunteer(
                subject=volunteer(key)["sub"],
                name=f"申请人{n}",
                id_number=id_number(n),
                phone=f"1390000{n:04d}",
                gender="MALE",
                birth_date=date(2004, 5, 6),
                school_code="10730",
                degree="BACHELOR",
                registered_at=now,
            )
            session.add(person)
            await session.flush()
            app = m.Application(
                year=YEAR,
                volunteer_id=person.id,
                active_volunteer_id=None if status == "WITHDRAWN" else person.id,
                school_code="10730",
                recruiting_province_code="62",
                preference_1="62",
                preference_2="53",
                preference_3="65",
                status=status,
                submitted_at=now,
            )
            if status != "SUBMITTED":
                app.sign_off_decision, app.sign_off_by, app.sign_off_at = "APPROVE", LZU["sub"], now
            if status not in ("SUBMITTED", "SCHOOL_APPROVED"):
                app.written_score, app.interview_score = 80.0, 85.0
                app.psychological_passed, app.selected = True, True
            if status not in ("SUBMITTED", "SCHOOL_APPROVED", "SELECTED"):
                app.exam_passed, app.examined_on = True, date(2027, 6, 5)
            if status not in ("SUBMITTED", "SCHOOL_APPROVED", "SELECTED", "EXAM_PASSED"):
                app.notice_starts_on, app.notice_ends_on = date(2027, 6, 8), date(2027, 6, 12)
            if status in ("RECRUITED", "WITHDRAWN"):  # recruited by Gansu to serve in Yunnan
                app.recruited_at = now
                app.serving_province_code, app.quota_recruiting_code = "53", "62"
                app.confirmation_number = f"XB2027-6253-PERM{n:04d}"
            if status == "WITHDRAWN":
                app.withdrawn_reason = "考取公务员"
            session.add(app)
            rows[key] = app
        for serving, quota in (("62", 10), ("53", 10)):
            session.add(m.Quota(year=YEAR, recruiting_province_code="62", serving_province_code=serving, quota=quota))
        trainings = {
            status: m.Training(
                year=YEAR,
                serving_province_code="53",
                location="昆明",
                starts_on=date(2027, 7, 20),
                ends_on=date(2027, 7, 23),
                status=status,
            )
            for status in ("APPROVED", "PROPOSED")
        }
        session.add_all(trainings.values())
        # an earlier year with a draft left to confirm (confirmProgramYearDrafts); a draft counts for nothing
        session.add(m.ProgramYear(code=DRAFTED_YEAR))
        await session.flush()
        session.add(m.ProvinceScale(year=DRAFTED_YEAR, province_code="11", scale=0, draft=True))
        await session.flush()
        ids = {key: to_global_id("Application", app.id) for key, app in rows.items()}
        ids["approved_training"] = to_global_id("Training", trainings["APPROVED"].id)
        ids["proposed_training"] = to_global_id("Training", trainings["PROPOSED"].id)
    return ids


def national_only() -> tuple[tuple[str, Actor], ...]:
    """The national office's jurisdiction is the whole country: every other level is refused."""
    return (
        ("provincial 62", GANSU),
        ("county 620321", YONGCHANG),
        ("school 10730", LZU),
        ("volunteer", volunteer("submitted")),
    )


def recruiting_province_only(applicant: str) -> tuple[tuple[str, Actor], ...]:
    """Gansu (62) recruits from its schools; Yunnan (53) serves, Beijing (11) is uninvolved."""
    return (
        ("national", NATIONAL),
        ("county 620321 (in the recruiting province)", YONGCHANG),
        ("school 10730 (the applicant's school)", LZU),
        ("volunteer (the applicant)", volunteer(applicant)),
        ("provincial 53 (a preferred serving province)", YUNNAN),
        ("provincial 11", BEIJING),
    )


def serving_province_only(*applicants: str) -> tuple[tuple[str, Actor], ...]:
    """Yunnan (53) serves; Gansu (62) only recruited the volunteers, Xinjiang (65) was also preferred."""
    return (
        ("national", NATIONAL),
        ("county 530629 (in the serving province)", WEIXIN),
        ("school 10730 (the volunteers' school)", LZU),
        *((f"volunteer ({a})", volunteer(a)) for a in applicants),
        ("provincial 62 (the recruiting province)", GANSU),
        ("provincial 65 (another preferred serving province)", XINJIANG),
    )


CASES = [
    # the national office
    Case(
        "setProgramYear",
        SET_YEAR,
        date(2027, 3, 1),
        lambda ids: {"code": "2028-2029", "milestones": []},
        NATIONAL,
        national_only(),
    ),
    Case(
        "openProgramYear",
        OPEN_YEAR,
        date(2027, 3, 1),
        lambda ids: {"code": "2028-2029"},
        NATIONAL,
        national_only(),
    ),
    Case(
        "confirmProgramYearDrafts",
        CONFIRM_DRAFTS,
        date(2027, 3, 1),
        lambda ids: {"year": DRAFTED_YEAR},
        NATIONAL,
        national_only(),
    ),
    Case(
        "upsertCounties",
        UPSERT_COUNTIES,
        date(2027, 3, 1),
        lambda ids: {
            "counties": [
                {"code": "620321", "name": "永昌县", "keyAssistance": "LOCAL_KEY", "remote": True},
                {"code": "623027", "name": "夏河县", "keyAssistance": "NATIONAL_KEY", "remote": True},
            ]
        },
        NATIONAL,
        national_only(),
    ),
    Case(
        "upsertSchools",
        UPSERT_SCHOOLS,
        date(2027, 3, 1),
        lambda ids: {"schools": [{"code": "10736", "name": "西北师范大学", "provinceCode": "62"}]},
        NATIONAL,
        national_only(),
    ),
    Case(
        "setProvinceScale",
        SET_SCALE,
        date(2027, 3, 1),
        lambda ids: {"year": YEAR, "provinceCode": "62", "scale": 45},
        NATIONAL,
        national_only(),
    ),
    Case(
        "setQuota",
        SET_QUOTA,
        date(2027, 3, 1),
        lambda ids: {"year": YEAR, "recruitingProvinceCode": "62", "servingProvinceCode": "65", "quota": 3},
        NATIONAL,
        national_only(),
    ),
    Case(
        "reallocateQuota",
        REALLOCATE,
        date(2027, 6, 21),  # the day after the recruitment-agreement milestone
        lambda ids: {
            "year": YEAR,
            "fromRecruitingProvinceCode": "62",
            "fromServingProvinceCode": "62",
            "toRecruitingProvinceCode": "11",
            "toServingProvinceCode": "53",
            "amount": 2,
        },
        NATIONAL,
        national_only(),
    ),
    Case(
        "approveTraining",
        APPROVE_TRAINING,
        date(2027, 6, 25),
        lambda ids: {"trainingId": ids["proposed_training"]},
        NATIONAL,
        national_only(),
    ),
    # the provincial office as recruiting province of the applicant's school (or of the quota)
    Case(
        "recordSelection",
        SELECT,
        date(2027, 5, 25),
        lambda ids: {
            "applicationId": ids["signed_off"],
            "writtenScore": 80,
            "interviewScore": 85,
            "psychologicalPassed": True,
            "selected": True,
        },
        GANSU,
        recruiting_province_only("signed_off"),
    ),
    Case(
        "recordPhysicalExam",
        EXAM,
        date(2027, 6, 8),
        lambda ids: {"applicationId": ids["selected"], "passed": True, "examinedOn": "2027-06-05"},
        GANSU,
        recruiting_province_only("selected"),
    ),
    Case(
        "publicize",
        PUBLICIZE,
        date(2027, 6, 8),
        lambda ids: {"applicationIds": [ids["examined"]], "startsOn": "2027-06-08", "endsOn": "2027-06-12"},
        GANSU,
        recruiting_province_only("examined"),
    ),
    Case(
        "signRecruitmentAgreement",
        SIGN_RECRUITMENT,
        date(2027, 6, 15),  # the notice ended on 06-12; agreements until 06-20
        lambda ids: {"applicationId": ids["publicized"], "servingProvinceCode": "53"},
        GANSU,
        recruiting_province_only("publicized"),
    ),
    Case(
        "moveQuota",
        MOVE_QUOTA,
        date(2027, 6, 15),
        lambda ids: {
            "year": YEAR,
            "recruitingProvinceCode": "62",
            "fromServingProvinceCode": "53",
            "toServingProvinceCode": "62",
            "amount": 1,
        },
        GANSU,
        recruiting_province_only("submitted"),
    ),
    # the provincial office as serving province
    Case(
        "scheduleTraining",
        SCHEDULE,
        date(2027, 6, 25),
        lambda ids: {
            "year": YEAR,
            "servingProvinceCode": "53",
            "location": "大理",
            "startsOn": "2027-07-24",
            "endsOn": "2027-07-27",
        },
        YUNNAN,
        serving_province_only("recruited"),
    ),
    Case(
        "recordAttendance",
        ATTEND,
        date(2027, 7, 24),
        lambda ids: {"trainingId": ids["approved_training"], "applicationIds": [ids["recruited"]]},
        YUNNAN,
        serving_province_only("recruited"),
    ),
    Case(
        "recruitReplacement",
        REPLACE,
        date(2027, 7, 1),
        lambda ids: {"withdrawnApplicationId": ids["withdrawn"], "replacementApplicationId": ids["candidate"]},
        YUNNAN,
        serving_province_only("withdrawn", "candidate"),
    ),
    # the school office of the applicant
    Case(
        "signOffApplication",
        SIGN_OFF,
        date(2027, 5, 10),
        lambda ids: {"applicationId": ids["submitted"], "decision": "APPROVE"},
        LZU,
        (
            ("national", NATIONAL),
            ("provincial 62 (the school's province)", GANSU),
            ("county 620321", YONGCHANG),
            ("volunteer (the applicant)", volunteer("submitted")),
            ("school 10001", PKU),
            ("school 10673", YNU),
        ),
    ),
    # the volunteer themself
    Case(
        "withdrawApplication",
        WITHDRAW,
        date(2027, 5, 10),
        lambda ids: {"applicationId": ids["submitted"], "reason": "决定考研"},
        volunteer("submitted"),
        (
            ("national", NATIONAL),
            ("provincial 62", GANSU),
            ("county 620321", YONGCHANG),
            ("school 10730 (the applicant's school)", LZU),
            ("another applicant", volunteer("signed_off")),
            ("an unregistered volunteer account", STRANGER),
        ),
    ),
]


def test_the_table_covers_every_season_mutation() -> None:
    assert sorted(c.operation for c in CASES) == sorted(
        [
            "setProgramYear",
            "openProgramYear",
            "confirmProgramYearDrafts",
            "upsertCounties",
            "upsertSchools",
            "setProvinceScale",
            "setQuota",
            "reallocateQuota",
            "approveTraining",
            "recordSelection",
            "recordPhysicalExam",
            "publicize",
            "signRecruitmentAgreement",
            "moveQuota",
            "scheduleTraining",
            "recordAttendance",
            "recruitReplacement",
            "signOffApplication",
            "withdrawApplication",
        ]
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.operation)
async def test_only_the_owning_office_performs_a_season_mutation(settings, case: Case) -> None:  # type: ignore[no-untyped-def]
    async with client_at(settings, case.day) as front:
        ids = await prepare_season(front.hub)
        failures = await case_failures(front, case, ids, SEASON_TABLES)
        assert not failures, f"{case.operation}:\n" + "\n".join(failures)


# Requests that break a domain rule as well, each from someone outside the mutation's jurisdiction, sent
# after every milestone of the season: the permission is decided first (authenticate → authorize →
# validate), so the outsider learns nothing from a userError and is FORBIDDEN.
OUTSIDERS: list[Outsider] = [
    ("setProgramYear", SET_YEAR, GANSU, lambda ids: {"code": "2028", "milestones": []}),
    ("openProgramYear", OPEN_YEAR, GANSU, lambda ids: {"code": "2028"}),
    ("confirmProgramYearDrafts", CONFIRM_DRAFTS, GANSU, lambda ids: {"year": "2030"}),
    ("upsertCounties", UPSERT_COUNTIES, GANSU, lambda ids: {"counties": []}),
    ("upsertSchools", UPSERT_SCHOOLS, GANSU, lambda ids: {"schools": []}),
    ("setProvinceScale", SET_SCALE, GANSU, lambda ids: {"year": YEAR, "provinceCode": "62", "scale": -1}),
    (
        "setQuota",
        SET_QUOTA,
        GANSU,
        lambda ids: {"year": YEAR, "recruitingProvinceCode": "62", "servingProvinceCode": "53", "quota": -1},
    ),
    (
        "reallocateQuota",
        REALLOCATE,
        GANSU,
        lambda ids: {
            "year": YEAR,
            "fromRecruitingProvinceCode": "62",
            "fromServingProvinceCode": "62",
            "toRecruitingProvinceCode": "62",
            "toServingProvinceCode": "53",
            "amount": 1000,
        },
    ),
    ("approveTraining", APPROVE_TRAINING, YUNNAN, lambda ids: {"trainingId": ids["approved_training"]}),
    (
        "recordSelection",
        SELECT,
        YUNNAN,
        lambda ids: {"applicationId": ids["submitted"], "psychologicalPassed": False, "selected": True},
    ),
    (
        "recordPhysicalExam",
        EXAM,
        YUNNAN,
        lambda ids: {"applicationId": ids["submitted"], "passed": True, "examinedOn": "2028-01-01"},
    ),
    (
        "publicize",
        PUBLICIZE,
        YUNNAN,
        lambda ids: {"applicationIds": [ids["examined"]], "startsOn": "2027-06-12", "endsOn": "2027-06-08"},
    ),
    (
        "signRecruitmentAgreement",
        SIGN_RECRUITMENT,
        YUNNAN,
        lambda ids: {"applicationId": ids["submitted"], "servingProvinceCode": "11"},
    ),
    (
        "moveQuota",
        MOVE_QUOTA,
        YUNNAN,
        lambda ids: {
            "year": YEAR,
            "recruitingProvinceCode": "62",
            "fromServingProvinceCode": "53",
            "toServingProvinceCode": "62",
            "amount": 1000,
        },
    ),
    (
        "scheduleTraining",
        SCHEDULE,
        GANSU,
        lambda ids: {
            "year": YEAR,
            "servingProvinceCode": "53",
            "location": " ",
            "startsOn": "2027-07-24",
            "endsOn": "2027-07-24",
        },
    ),
    (
        "recordAttendance",
        ATTEND,
        GANSU,
        lambda ids: {"trainingId": ids["proposed_training"], "applicationIds": [ids["submitted"]]},
    ),
    (
        "recruitReplacement",
        REPLACE,
        GANSU,
        lambda ids: {"withdrawnApplicationId": ids["recruited"], "replacementApplicationId": ids["submitted"]},
    ),
    (
        "signOffApplication",
        SIGN_OFF,
        PKU,
        lambda ids: {"applicationId": ids["signed_off"], "decision": "REJECT"},
    ),
    (
        "withdrawApplication",
        WITHDRAW,
        volunteer("signed_off"),
        lambda ids: {"applicationId": ids["recruited"], "reason": " "},
    ),
]


async def test_an_outsider_is_refused_before_any_domain_rule_is_checked(settings) -> None:  # type: ignore[no-untyped-def]
    assert sorted(o[0] for o in OUTSIDERS) == sorted(c.operation for c in CASES)
    async with client_at(settings, date(2027, 12, 31)) as front:  # every milestone of the season has passed
        ids = await prepare_season(front.hub)
        failures, written = await outsider_failures(front, OUTSIDERS, ids, SEASON_TABLES)
        assert not written, f"refused calls wrote {written}"
        assert not failures, "\n".join(failures)
