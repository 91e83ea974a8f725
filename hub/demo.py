"""The demo data set of `hub serve --demo`: a few western provinces' counties, units and posts, schools,
and volunteers at several stages of two program years (the current service year and the next)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hub import models as m
from hub.clock import Clock
from hub.db import make_engine, make_sessionmaker
from hub.enums import ApplicationStatus as S
from hub.rules.deadlines import default_milestones
from hub.rules.idnumbers import check_character
from hub.rules.years import year_code
from hub.settings import Settings

# (level, code, subject, what the token shows)
DEMO_TOKENS = [
    ("national", None, "demo-national", "全国项目办: everything, personal data masked"),
    ("provincial", "62", "demo-gansu", "甘肃 (62): recruiting and serving province"),
    ("county", "621121", "demo-tongwei", "通渭县 (621121): its units, posts and volunteers"),
    ("school", "10730", "demo-lzu", "兰州大学 (10730): its students' applications"),
    ("volunteer", None, "demo-volunteer-1", "a volunteer in service in 通渭县"),
]

COUNTIES = [  # code, name, key assistance, remote
    ("620321", "永昌县", "LOCAL_KEY", False),
    ("621121", "通渭县", "NATIONAL_KEY", True),
    ("530629", "威信县", "NATIONAL_KEY", False),
    ("653121", "疏附县", "NATIONAL_KEY", True),
]
SCHOOLS = [
    ("10001", "北京大学", "11"),
    ("10730", "兰州大学", "62"),
    ("10673", "云南大学", "53"),
    ("10755", "新疆大学", "65"),
    ("10284", "南京大学", "32"),
]
POSTS = [  # unit index, title, category, headcount
    (0, "县团委青年工作", "YOUTH_WORK", 1),
    (1, "乡镇中心小学支教", "RURAL_EDUCATION", 2),
    (1, "乡镇卫生院", "RURAL_HEALTH", 1),
    (2, "村级治理助理", "RURAL_GOVERNANCE", 2),
]
VOLUNTEERS = [  # subject suffix, name, school, birth, stage
    (1, "李明", "10730", date(2003, 4, 2), S.IN_SERVICE),
    (2, "王芳", "10001", date(2003, 9, 15), S.IN_SERVICE),
    (3, "张伟", "10673", date(2002, 12, 1), S.IN_SERVICE),
    (4, "刘洋", "10284", date(2003, 1, 20), S.IN_SERVICE),
    (5, "陈静", "10755", date(2003, 6, 8), S.DISPATCHED),
    (6, "杨帆", "10730", date(2004, 3, 3), S.SUBMITTED),
    (7, "赵磊", "10730", date(2004, 7, 19), S.SCHOOL_APPROVED),
    (8, "黄丽", "10001", date(2004, 2, 28), S.SUBMITTED),
    (9, "周杰", "10673", date(2004, 11, 11), S.SUBMITTED),
]
# A volunteer who served the year before and completed (R31): the service certificate and its check.
COMPLETED = (10, "孙悦", "10730", date(2001, 10, 9))


def demo_id_number(birth: date, seq: int) -> str:
    first17 = f"620102{birth:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


async def load_demo(settings: Settings) -> str:
    """Load the demo set once (a second call finds it and leaves it). Returns a one-line summary."""
    engine = make_engine(settings.database_url, pgbouncer=settings.pgbouncer)
    sessions = make_sessionmaker(engine, write=True)
    clock = Clock(settings.today)
    today = clock.today()
    current = year_code(today.year if today.month >= 8 else today.year - 1)
    upcoming = year_code(int(current[:4]) + 1)
    try:
        async with sessions() as session, session.begin():
            if await session.get(m.County, "621121") is not None:
                return f"demo: already loaded in {settings.database_url}"
            now = datetime.now(UTC)
            for code in (current, upcoming):
                session.add(m.ProgramYear(code=code))
            await session.flush()
            for code in (current, upcoming):
                for milestone, closes_on in default_milestones(code).items():
                    session.add(m.MilestoneDate(year=code, milestone=milestone.value, closes_on=closes_on))
                for province, scale in (("62", 50), ("53", 40), ("65", 30)):
                    session.add(m.ProvinceScale(year=code, province_code=province, scale=scale))
            for code, name, key, remote in COUNTIES:
                session.add(
                    m.County(
                        code=code,
                        name=name,
                        province_code=code[:2],
                        key_assistance=key,
                        remote=remote,
                        status="ACTIVE",
                        first_service_year="2019-2020",
                    )
                )
            for code, name, province in SCHOOLS:
                session.add(m.School(code=code, name=name, province_code=province))
            await session.flush()
            posts_by_county: dict[str, list[m.Post]] = {}
            for county_code, county_name, _key, _remote in COUNTIES:
                units = [
                    m.ServiceUnit(county_code=county_code, name=f"{county_name}团委", level="COUNTY"),
                    m.ServiceUnit(county_code=county_code, name=f"{county_name}城关镇", level="TOWNSHIP"),
                    m.ServiceUnit(county_code=county_code, name=f"{county_name}新华村", level="VILLAGE"),
                ]
                session.add_all(units)
                await session.flush()
                for year, status in ((current, "APPROVED"), (upcoming, "DECLARED")):
                    for unit_index, title, category, headcount in POSTS:
                        post = m.Post(
                            year=year,
                            unit_id=units[unit_index].id,
                            county_code=county_code,
                            title=title,
                            category=category,
                            headcount=headcount,
                            status=status,
                        )
                        session.add(post)
                        if year == current:
                            posts_by_county.setdefault(county_code, []).append(post)
            for recruiting in ("11", "32", "53", "62", "65"):
                for serving in ("62", "53", "65"):
                    session.add(
                        m.Quota(
                            year=current,
                            recruiting_province_code=recruiting,
                            serving_province_code=serving,
                            quota=5,
                        )
                    )
            trainings = {
                p: m.Training(
                    year=current,
                    serving_province_code=p,
                    location=f"{p} 省级培训基地",
                    starts_on=date(int(current[:4]), 7, 20),
                    ends_on=date(int(current[:4]), 7, 24),
                    status="APPROVED",
                )
                for p in ("62", "53", "65")
            }
            session.add_all(trainings.values())
            session.add(
                m.AllowanceStandard(
                    year=current,
                    province_code="62",
                    monthly_allowance=Decimal("2800.00"),
                    hardship_allowance=Decimal("300.00"),
                )
            )
            await session.flush()
            placement = ["621121", "621121", "530629", "620321", "653121"]
            first = int(current[:4])
            for n, name, school_code, birth, stage in VOLUNTEERS:
                volunteer = m.Volunteer(
                    subject=f"demo-volunteer-{n}",
                    name=name,
                    id_number=demo_id_number(birth, n * 2 + 1),
                    phone=f"1390931{n:04d}",
                    gender="MALE" if n % 2 else "FEMALE",
                    birth_date=birth,
                    school_code=school_code,
                    degree="BACHELOR",
                    registered_at=now,
                )
                session.add(volunteer)
                await session.flush()
                school_province = next(p for c, _n, p in SCHOOLS if c == school_code)
                year = current if stage in (S.IN_SERVICE, S.DISPATCHED) else upcoming
                app = m.Application(
                    year=year,
                    volunteer_id=volunteer.id,
                    active_volunteer_id=volunteer.id,
                    school_code=school_code,
                    recruiting_province_code=school_province,
                    preference_1="62",
                    preference_2="53",
                    preference_3="65",
                    accepts_adjustment=True,
                    status=stage.value,
                    submitted_at=now,
                )
                if stage is not S.SUBMITTED:
                    app.sign_off_decision, app.sign_off_by, app.sign_off_at = "APPROVE", "demo-school", now
                if year == current:
                    county = placement[n - 1]
                    app.written_score, app.interview_score = 82.5, 88.0
                    app.psychological_passed = app.selected = app.exam_passed = True
                    app.examined_on = date(first, 6, 5)
                    app.notice_starts_on, app.notice_ends_on = date(first, 6, 11), date(first, 6, 15)
                    app.recruited_at = now
                    app.serving_province_code = county[:2]
                    app.confirmation_number = f"XB{first}-{county[:2]}-{n:05d}"
                    app.quota_recruiting_code = school_province
                    app.training_id = trainings[county[:2]].id
                    app.county_code = county
                session.add(app)
                await session.flush()
                if stage is S.IN_SERVICE:
                    post = posts_by_county[app.county_code][1]
                    session.add(
                        m.ServiceAgreement(
                            application_id=app.id,
                            volunteer_id=volunteer.id,
                            post_id=post.id,
                            county_code=app.county_code,
                            unit_id=post.unit_id,
                            term_year=1,
                            starts_on=date(first, 8, 1),
                            ends_on=date(first + 1, 7, 31),
                            signed_at=now,
                            reported_on=date(first, 8, 1),
                        )
                    )
                    for kind in ("MAJOR_ILLNESS", "ACCIDENT") if n != 4 else ("ACCIDENT",):
                        session.add(
                            m.InsurancePolicy(
                                volunteer_id=volunteer.id,
                                kind=kind,
                                policy_number=f"PICC-{kind[:2]}-{n:04d}",
                                valid_from=date(first, 8, 1),
                                valid_until=date(first + 1, 7, 31),
                            )
                        )
            certificate = await _completed_volunteer(session, current, posts_by_county, now)
        return (
            f"demo: loaded years {current} and {upcoming}: {len(COUNTIES)} counties, {len(SCHOOLS)} schools, "
            f"{len(VOLUNTEERS) + 1} volunteers; certificate {certificate} (verifyCertificate) of a completed one"
        )
    finally:
        await engine.dispose()


async def _completed_volunteer(session: Any, current: str, posts: dict[str, list[m.Post]], now: datetime) -> str:
    """The volunteer of COMPLETED: recruited, served and completed in the year before `current` in 通渭县
    (621121), appraised, with a service certificate number in the form completeService gives (R31)."""
    first = int(current[:4]) - 1
    previous = year_code(first)
    session.add(m.ProgramYear(code=previous))
    await session.flush()
    for milestone, closes_on in default_milestones(previous).items():
        session.add(m.MilestoneDate(year=previous, milestone=milestone.value, closes_on=closes_on))
    n, name, school_code, birth = COMPLETED
    completed_on = date(first + 1, 7, 31)
    certificate = f"XBZ{first + 1}-{hashlib.sha256(f'demo-{n}'.encode()).hexdigest()[:12].upper()}"
    volunteer = m.Volunteer(
        subject=f"demo-volunteer-{n}",
        name=name,
        id_number=demo_id_number(birth, n * 2 + 1),
        phone=f"1390931{n:04d}",
        gender="FEMALE",
        birth_date=birth,
        school_code=school_code,
        degree="BACHELOR",
        registered_at=now,
        certificate_number=certificate,
        completed_on=completed_on,
        appraisal="服务期间表现优秀，圆满完成支教任务。",
    )
    session.add(volunteer)
    await session.flush()
    app = m.Application(
        year=previous,
        volunteer_id=volunteer.id,
        active_volunteer_id=volunteer.id,
        school_code=school_code,
        recruiting_province_code="62",
        preference_1="62",
        preference_2="53",
        preference_3="65",
        accepts_adjustment=True,
        status=S.COMPLETED.value,
        submitted_at=now,
        sign_off_decision="APPROVE",
        sign_off_by="demo-school",
        sign_off_at=now,
        written_score=90.0,
        interview_score=91.5,
        psychological_passed=True,
        selected=True,
        exam_passed=True,
        examined_on=date(first, 6, 5),
        notice_starts_on=date(first, 6, 11),
        notice_ends_on=date(first, 6, 15),
        recruited_at=now,
        serving_province_code="62",
        confirmation_number=f"XB{first}-62-{n:05d}",
        quota_recruiting_code="62",
        county_code="621121",
    )
    session.add(app)
    await session.flush()
    held = posts["621121"][1]
    post = m.Post(
        year=previous,
        unit_id=held.unit_id,
        county_code="621121",
        title=held.title,
        category=held.category,
        headcount=held.headcount,
        status="APPROVED",
    )
    session.add(post)
    await session.flush()
    session.add(
        m.ServiceAgreement(
            application_id=app.id,
            volunteer_id=volunteer.id,
            post_id=post.id,
            county_code="621121",
            unit_id=post.unit_id,
            term_year=1,
            starts_on=date(first, 8, 1),
            ends_on=completed_on,
            signed_at=now,
            reported_on=date(first, 8, 1),
        )
    )
    return certificate
